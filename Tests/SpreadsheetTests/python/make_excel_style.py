"""Builds .xlsx files byte by byte the way Excel, WPS and SDK-based writers lay them out, with
the features openpyxl never writes, for the reader tests. Only the standard library is used.

    python make_excel_style.py VARIANT OUT.xlsx

Variants:
  excel    shared strings (rich-text runs, a phonetic guide, xml:space, _x000D_), spans, dates
           by style (built-in numFmtId 14, the Chinese built-in 31, a custom yyyy/m/d), t="str"
           formula results, t="e", rows and cells without r, sheet order from workbook.xml that
           differs from the part names, relative targets
  prefixed the same content with every element under an x: prefix and the relationship
           namespace bound to another prefix, absolute targets (/xl/...), backslash-free
  date1904 the excel variant with <workbookPr date1904="1"/>
SpreadsheetTests/ExcelStyleReadTests.swift states what each cell must read as.
"""
import sys
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"""


def tag(prefix, name):
    return f"{prefix}:{name}" if prefix else name


def build(variant):
    p = "x" if variant == "prefixed" else ""
    ns = f'xmlns:x="{MAIN}"' if p else f'xmlns="{MAIN}"'
    rel_prefix = "rel" if p else "r"
    t = lambda name: tag(p, name)
    absolute = variant == "prefixed"
    target = (lambda path: "/xl/" + path) if absolute else (lambda path: path)
    date1904 = f'<{t("workbookPr")} date1904="1"/>' if variant == "date1904" else f'<{t("workbookPr")} defaultThemeVersion="166925"/>'

    root_rels = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="{'/xl/workbook.xml' if absolute else 'xl/workbook.xml'}"/></Relationships>"""

    # The tab order is 名单 (sheet2.xml) first, then 说明 (sheet1.xml), as after a user moved tabs.
    workbook = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<{t("workbook")} {ns} xmlns:{rel_prefix}="{REL}">{date1904}<{t("bookViews")}><{t("workbookView")} xWindow="0" yWindow="0" windowWidth="28800" windowHeight="12300"/></{t("bookViews")}><{t("sheets")}><{t("sheet")} name="名单" sheetId="2" {rel_prefix}:id="rId2"/><{t("sheet")} name="说明" sheetId="1" {rel_prefix}:id="rId1"/></{t("sheets")}><{t("calcPr")} calcId="191029"/></{t("workbook")}>"""

    workbook_rels = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG}"><Relationship Id="rId3" Type="{REL}/styles" Target="{target('styles.xml')}"/><Relationship Id="rId2" Type="{REL}/worksheet" Target="{target('worksheets/sheet2.xml')}"/><Relationship Id="rId1" Type="{REL}/worksheet" Target="{target('worksheets/sheet1.xml')}"/><Relationship Id="rId4" Type="{REL}/sharedStrings" Target="{target('sharedStrings.xml')}"/><Relationship Id="rId9" Type="{REL}/hyperlink" Target="https://example.org/" TargetMode="External"/></Relationships>"""

    # Style 0 General, 1 built-in 14 (m/d/yyyy), 2 built-in 31 (zh: yyyy"年"m"月"d"日"),
    # 3 custom 176 yyyy/m/d, 4 custom 177 a number format with quoted letters, 5 text (@).
    styles = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<{t("styleSheet")} {ns}><{t("numFmts")} count="2"><{t("numFmt")} numFmtId="176" formatCode="yyyy/m/d;@"/><{t("numFmt")} numFmtId="177" formatCode="0.00&quot;天 ms&quot;"/></{t("numFmts")}><{t("fonts")} count="1"><{t("font")}><{t("sz")} val="11"/><{t("name")} val="等线"/></{t("font")}></{t("fonts")}><{t("fills")} count="1"><{t("fill")}><{t("patternFill")} patternType="none"/></{t("fill")}></{t("fills")}><{t("borders")} count="1"><{t("border")}/></{t("borders")}><{t("cellStyleXfs")} count="1"><{t("xf")} numFmtId="14" fontId="0" fillId="0" borderId="0"/></{t("cellStyleXfs")}><{t("cellXfs")} count="6"><{t("xf")} numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><{t("xf")} numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><{t("xf")} numFmtId="31" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><{t("xf")} numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><{t("xf")} numFmtId="177" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><{t("xf")} numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></{t("cellXfs")}></{t("styleSheet")}>"""

    strings = [
        f'<{t("si")}><{t("t")}>姓名</{t("t")}></{t("si")}>',
        f'<{t("si")}><{t("t")}>身份证号</{t("t")}></{t("si")}>',
        f'<{t("si")}><{t("t")}>入团日期</{t("t")}></{t("si")}>',
        # Rich text: runs concatenated; the first run has no properties, as Excel writes it.
        f'<{t("si")}><{t("r")}><{t("t")}>张</{t("t")}></{t("r")}><{t("r")}><{t("rPr")}><{t("b")}/><{t("sz")} val="11"/></{t("rPr")}><{t("t")} xml:space="preserve"> 三 </{t("t")}></{t("r")}></{t("si")}>',
        # A phonetic guide, which is not part of the value.
        f'<{t("si")}><{t("t")}>李四</{t("t")}><{t("rPh")} sb="0" eb="2"><{t("t")}>リシ</{t("t")}></{t("rPh")}><{t("phoneticPr")} fontId="1"/></{t("si")}>',
        f'<{t("si")}><{t("t")}>第一行_x000D_\n第二行</{t("t")}></{t("si")}>',
        f'<{t("si")}><{t("t")}>370211199104261104</{t("t")}></{t("si")}>',
        f'<{t("si")}><{t("t")}>填表说明</{t("t")}></{t("si")}>',
        f'<{t("si")}><{t("t")}/></{t("si")}>',
    ]
    shared = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<{t("sst")} {ns} count="{len(strings)}" uniqueCount="{len(strings)}">{''.join(strings)}</{t("sst")}>"""

    c, v, row, f = t("c"), t("v"), t("row"), t("f")
    list_sheet = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<{t("worksheet")} {ns} xmlns:{rel_prefix}="{REL}"><{t("dimension")} ref="A1:E7"/><{t("sheetViews")}><{t("sheetView")} tabSelected="1" workbookViewId="0"/></{t("sheetViews")}><{t("sheetFormatPr")} defaultRowHeight="14.25"/><{t("sheetData")}>\
<{row} r="1" spans="1:5"><{c} r="A1" t="s"><{v}>0</{v}></{c}><{c} r="B1" t="s"><{v}>1</{v}></{c}><{c} r="C1" t="s"><{v}>2</{v}></{c}></{row}>\
<{row} r="2" spans="1:5"><{c} r="A2" t="s"><{v}>3</{v}></{c}><{c} r="B2" s="5" t="s"><{v}>6</{v}></{c}><{c} r="C2" s="1"><{v}>39572</{v}></{c}><{c} r="D2" s="2"><{v}>39572.5</{v}></{c}><{c} r="E2" s="3"><{v}>60</{v}></{c}></{row}>\
<{row} r="3" spans="1:5"><{c} r="A3" t="s"><{v}>4</{v}></{c}><{c} r="B3"><{v}>370211199104261</{v}></{c}><{c} r="C3" s="4"><{v}>12.5</{v}></{c}><{c} r="D3" t="str"><{f}>A3&amp;"!"</{f}><{v}>李四!</{v}></{c}><{c} r="E3" t="e"><{f}>1/0</{f}><{v}>#DIV/0!</{v}></{c}></{row}>\
<{row} r="4" spans="1:5" ht="15" customHeight="1"/>\
<{row} r="6" spans="1:5"><{c} r="C6" t="s"><{v}>5</{v}></{c}><{c} r="D6" t="s"><{v}>8</{v}></{c}><{c} r="E6" s="1"/></{row}>\
<{row}><{c}><{v}>1</{v}></{c}><{c} t="b"><{v}>1</{v}></{c}><{c}/><{c} t="inlineStr"><{t("is")}><{t("t")}>内联</{t("t")}></{t("is")}></{c}></{row}>\
</{t("sheetData")}><{t("pageMargins")} left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></{t("worksheet")}>"""

    notes_sheet = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<{t("worksheet")} {ns}><{t("sheetData")}><{row} r="1"><{c} r="A1" t="s"><{v}>7</{v}></{c}></{row}></{t("sheetData")}></{t("worksheet")}>"""

    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": root_rels,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "xl/styles.xml": styles,
        "xl/sharedStrings.xml": shared,
        "xl/worksheets/sheet1.xml": notes_sheet,
        "xl/worksheets/sheet2.xml": list_sheet,
    }


if __name__ == "__main__":
    variant, out = sys.argv[1], sys.argv[2]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in build(variant).items():
            archive.writestr(name, text.encode("utf-8"))

import Foundation
import Testing
@testable import Spreadsheet

/// Workbooks written by openpyxl (python/make_openpyxl.py): inline strings, styles by numFmt,
/// sparse rows, trailing styled blanks.
@Suite struct OpenpyxlReadTests {
    @Test func membersWorkbook() throws {
        let workbook = try SpreadsheetReader().read(try pythonWorkbook("make_openpyxl.py", "members"))
        #expect(workbook.format == .xlsx)
        #expect(workbook.sheets.map(\.name) == ["团员", "组织", "选项"])
        #expect(workbook.sheets.map(\.isHidden) == [false, false, true])
        let sheet = try #require(workbook.sheet(named: "团员"))
        // Row 4 and 8 are empty and left out; the others keep the numbers users see.
        #expect(sheet.rows.map(\.number) == [1, 2, 3, 5, 6, 7, 9])
        #expect(sheet.rows[0].cells == ["姓名", "身份证号", "入团日期", "年龄", "备注", "团干部"].map(text))

        let zhang = sheet.rows[1]
        #expect(zhang[0] == .text("张三"))
        // The ID typed as a number: openpyxl wrote 3.702111991042611e+17; raw shows the rounding.
        expectNumber(zhang[1], 3.702111991042611e17, raw: "3.702111991042611e+17")
        expectDate(zhang[2], "2008-05-04", serial: 39572)
        expectNumber(zhang[3], 17, raw: "17")
        #expect(zhang[4] == .text(" 前后空格 "))
        #expect(zhang[5] == .boolean(true))

        let li = sheet.rows[2]
        #expect(li[1] == .text("11010519491231002X"))
        expectDate(li[2], "2010-01-02 08:30:15")
        expectNumber(li[3], 16.5)
        #expect(li[4] == .empty)
        #expect(li[5] == .boolean(false))
        #expect(li.cells.count == 6)

        // J5 is styled but empty: trimmed. C5 is the day after the 1900 leap-year bug.
        let wang = sheet.rows[3]
        #expect(wang.number == 5)
        #expect(wang.cells.count == 3)
        #expect(wang[1] == .empty)
        expectDate(wang[2], "1900-03-01", serial: 61)

        let rich = sheet.rows[4]
        #expect(rich.cells == [.text("共青团员"), .text("a&b<c>\"d\""), .text("逗号,与\n换行")])

        let numbers = sheet.rows[5]
        expectNumber(numbers[0], 0.1, raw: "0.1")
        expectNumber(numbers[1], -3, raw: "-3")
        expectNumber(numbers[2], 1e20, raw: "1e+20")

        #expect(sheet.rows[6].cells == [.empty, .text("第九行")])
        #expect(sheet.rows[6][5] == .empty)

        let orgs = try #require(workbook.sheet(named: " 组织 "))
        #expect(orgs.rows.map(\.cells) == [[text("组织名称"), text("类型")], [text("计算机学院团委"), text("团委")]])
        #expect(workbook.firstVisibleSheet?.name == "团员")
    }

    @Test func epoch1904() throws {
        let workbook = try SpreadsheetReader().read(try pythonWorkbook("make_openpyxl.py", "epoch1904"))
        let sheet = try #require(workbook.sheet(named: "SHEET1"))
        expectDate(sheet.rows[0][0], "2008-05-04", serial: 38110)
        expectDate(sheet.rows[1][0], "1904-01-01", serial: 0)
    }

    @Test func isoDateCells() throws {
        let workbook = try SpreadsheetReader().read(try pythonWorkbook("make_openpyxl.py", "isodates"))
        let rows = try #require(workbook.sheets.first).rows
        expectDate(rows[0][0], "2008-05-04", serial: 39572)
        expectDate(rows[1][0], "2010-01-02 08:30:15")
    }

    /// 10,000 rows × 15 columns. The bound is loose for a debug build on a shared machine; the
    /// README gives the release figure.
    @Test func tenThousandRows() throws {
        let data = try pythonWorkbook("make_openpyxl.py", "big")
        let sheet = try #require(try SpreadsheetReader().read(data).sheets.first)
        #expect(sheet.rows.count == 10_001)
        #expect(sheet.rows.last?.number == 10_001)
        #expect(sheet.rows.last?.cells.count == 15)
        #expect(sheet.rows.last?[14] == .text("字段10000-15"))
        expectDate(sheet.rows[5000][2], "2008-05-04")
    }

    /// libxml2 refuses more than 10 MB handed to its push parser at once ("huge input lookup");
    /// a 30,000-row member sheet is 18 MB of XML. The reader feeds it in chunks.
    @Test func sheetOfMoreThanTenMegabytes() throws {
        let data = try pythonWorkbook("make_openpyxl.py", "huge")
        let sheet = try #require(try SpreadsheetReader().read(data).sheets.first)
        #expect(sheet.rows.count == 1_201)
        #expect(sheet.rows[1][0] == .text("团员1"))
        let last = try #require(sheet.rows.last)
        #expect(last.number == 1_201)
        #expect(last[0] == .text("团员1200"))
        guard case .text(let long) = last[1] else {
            Issue.record("not text: \(last[1])")
            return
        }
        #expect(long.count == 9_000)
        #expect(long.hasPrefix("1200:"))
    }
}

/// Files laid out as Excel, WPS and SDK-based writers do (python/make_excel_style.py).
@Suite struct ExcelStyleReadTests {
    @Test(arguments: ["excel", "prefixed", "date1904"])
    func excelStyle(variant: String) throws {
        let workbook = try SpreadsheetReader().read(try pythonWorkbook("make_excel_style.py", variant))
        // Tab order from workbook.xml, not part names.
        #expect(workbook.sheets.map(\.name) == ["名单", "说明"])
        let rows = workbook.sheets[0].rows
        #expect(rows.map(\.number) == [1, 2, 3, 6, 7])
        #expect(rows[0].cells == ["姓名", "身份证号", "入团日期"].map(text))

        #expect(rows[1][0] == .text("张 三 "))            // rich-text runs, xml:space kept
        #expect(rows[1][1] == .text("370211199104261104")) // a text cell stays text
        if variant == "date1904" {
            expectDate(rows[1][2], "2012-05-05")
            expectDate(rows[1][3], "2012-05-05 12:00:00")
            expectDate(rows[1][4], "1904-03-01")
        } else {
            expectDate(rows[1][2], "2008-05-04", serial: 39572)   // built-in numFmtId 14
            expectDate(rows[1][3], "2008-05-04 12:00:00")         // Chinese built-in 31
            expectDate(rows[1][4], "1900-02-29", serial: 60)      // custom yyyy/m/d, Lotus's day
        }

        #expect(rows[2][0] == .text("李四"))                 // phonetic guide left out
        expectNumber(rows[2][1], 370211199104261, raw: "370211199104261")
        expectNumber(rows[2][2], 12.5)                        // 0.00"天 ms": letters only quoted
        #expect(rows[2][3] == .text("李四!"))                // t="str" formula result
        #expect(rows[2][4] == .error("#DIV/0!"))

        // Shared string "" counts as empty; the styled E6 is trimmed.
        #expect(rows[3].cells == [.empty, .empty, .text("第一行\r\n第二行")])
        // A row and cells without r follow on.
        #expect(rows[4].cells == [.number(1, raw: "1"), .boolean(true), .empty, .text("内联")])

        #expect(workbook.sheets[1].rows.map(\.cells) == [[text("填表说明")]])
    }
}

/// Files saved by LibreOffice Calc (fixtures/spreadsheets/README.md says how).
@Suite struct LibreOfficeFixtureTests {
    @Test func xlsx() throws {
        let workbook = try SpreadsheetReader().read(try fixture("libreoffice-members.xlsx"))
        #expect(workbook.sheets.map(\.name) == ["团员", "组织", "选项"])
        #expect(workbook.sheets.map(\.isHidden) == [false, false, true])
        let rows = workbook.sheets[0].rows
        #expect(rows.map(\.number) == [1, 2, 3, 5, 6, 7, 9])
        #expect(rows[0].cells == ["姓名", "身份证号", "入团日期", "年龄", "备注", "团干部"].map(text))
        expectNumber(rows[1][1], 3.70211199104261e17, raw: "3.70211199104261E+017")
        expectDate(rows[1][2], "2008-05-04")
        #expect(rows[1][4] == .text(" 前后空格 "))
        #expect(rows[1][5] == .boolean(true))
        expectDate(rows[2][2], "2010-01-02 08:30:15")
        expectDate(rows[3][2], "1900-03-01", serial: 61)
        #expect(rows[4].cells == [.text("共青团员"), .text("a&b<c>\"d\""), .text("逗号,与\n换行")])
        expectNumber(rows[5][2], 1e20)
        #expect(rows[6].cells == [.empty, .text("第九行")])
    }

    @Test func gbkCSV() throws {
        let workbook = try SpreadsheetReader().read(try fixture("libreoffice-members-gbk.csv"))
        #expect(workbook.format == .csv(encoding: .gb18030))
        let rows = try #require(workbook.sheets.first).rows
        // Record numbers, as Excel numbers the rows of a CSV; the quoted line break stays in one.
        #expect(rows.map(\.number) == [1, 2, 3, 5, 6, 7, 9])
        #expect(rows[0].cells == ["姓名", "身份证号", "入团日期", "年龄", "备注", "团干部"].map(text))
        #expect(rows[1].cells == ["张三", "3.70211199104261E+017", "2008-05-04", "17", " 前后空格 ", "TRUE"].map(text))
        #expect(rows[2][4] == .empty)
        #expect(rows[4].cells == [.text("共青团员"), .text("a&b<c>\"d\""), .text("逗号,与\n换行")])
        #expect(rows[6].cells == [.empty, .text("第九行")])
    }
}

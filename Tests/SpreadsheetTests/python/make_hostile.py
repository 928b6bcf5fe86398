"""Hostile and broken files for the reader's refusal tests, made with the standard library.

    python make_hostile.py VARIANT OUT

Variants:
  bomb          a complete xlsx whose sheet is 1 GiB of zeros deflated (about 1 MiB), sizes
                declared truthfully in the headers; also writes OUT.lying.xlsx, the same stream
                with both headers claiming 1000 bytes uncompressed (one deflate run for both)
  dense         a sheet of 50 MiB of spaces at deflate level 9 (about 1:1000): under the total
                cap, over the compression-ratio cap
  xxe           a sheet with an external entity (<!DOCTYPE ... SYSTEM "file:///etc/passwd">)
  laughs        shared strings with the billion-laughs entity expansion
  doctype-lower a sheet with a lower-case <!doctype>
  malformed     a sheet whose tags do not nest
  many-entries  a zip of 5,000 tiny entries
  no-workbook   [Content_Types].xml and workbook rels, but no xl/workbook.xml
  plain-zip     a zip with one text file
  docx          a zip whose officeDocument is a Word document
  ods           a zip with an OpenDocument spreadsheet mimetype
"""
import struct
import sys
import zipfile
import zlib

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

BASE = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>ok</t></si></sst>',
    "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
}


def write_zip(out, parts):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text if isinstance(text, bytes) else text.encode("utf-8"))


def write_bomb(out):
    """The small parts as usual, then the sheet entry by hand so its sizes can be anything."""
    parts = dict(BASE)
    del parts["xl/worksheets/sheet1.xml"]
    write_zip(out, parts)
    with zipfile.ZipFile(out) as archive:
        existing = [(info, archive.read(info.filename)) for info in archive.infolist()]
    size = 1 << 30
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    compressed, crc = [], 0
    for _ in range(size // len(chunk)):
        compressed.append(compressor.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    compressed.append(compressor.flush())
    data = b"".join(compressed)
    write_entries(out, existing, data, crc, size)
    write_entries(out + ".lying.xlsx", existing, data, crc, 1000)


def write_entries(out, existing, data, crc, declared):
    with open(out, "wb") as handle:
        central = []
        for info, content in existing + [(None, None)]:
            offset = handle.tell()
            if info is None:
                name, body, usize, ucrc = b"xl/worksheets/sheet1.xml", data, declared, crc
            else:
                name = info.filename.encode()
                body = zlib.compress(content)[2:-4]
                usize, ucrc = len(content), zlib.crc32(content)
            header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, ucrc, len(body), usize, len(name), 0)
            handle.write(header + name + body)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, ucrc, len(body), usize,
                                       len(name), 0, 0, 0, 0, 0, offset) + name)
        start = handle.tell()
        directory = b"".join(central)
        handle.write(directory)
        handle.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), start, 0))


def variant_parts(variant):
    parts = dict(BASE)
    sheet = "xl/worksheets/sheet1.xml"
    if variant == "dense":
        parts[sheet] = b" " * (50 << 20)
    elif variant == "xxe":
        parts[sheet] = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    elif variant == "laughs":
        entities = '<!ENTITY lol "lol">' + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
        parts["xl/sharedStrings.xml"] = f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'
    elif variant == "doctype-lower":
        parts[sheet] = f'<?xml version="1.0"?><!doctype worksheet><worksheet xmlns="{MAIN}"/>'
    elif variant == "malformed":
        parts[sheet] = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>1</c></v></row></sheetData></worksheet>'
    elif variant == "no-workbook":
        del parts["xl/workbook.xml"]
    elif variant == "plain-zip":
        parts = {"readme.txt": "hello"}
    elif variant == "docx":
        parts = {"[Content_Types].xml": BASE["[Content_Types].xml"],
                 "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/></Relationships>',
                 "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>'}
    elif variant == "ods":
        parts = {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office:document-content/>"}
    elif variant == "many-entries":
        parts = {f"junk/{i}.txt": "x" for i in range(5000)}
    else:
        raise SystemExit(f"unknown variant {variant}")
    return parts


if __name__ == "__main__":
    variant, out = sys.argv[1], sys.argv[2]
    if variant == "bomb":
        write_bomb(out)
    else:
        write_zip(out, variant_parts(variant))

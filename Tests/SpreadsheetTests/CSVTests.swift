import Foundation
import Testing
@testable import Spreadsheet

@Suite struct CSVTests {
    @Test(arguments: ["utf8-bom-crlf", "utf8-lf", "gb18030"])
    func pythonCSV(variant: String) throws {
        let workbook = try SpreadsheetReader().read(try pythonWorkbook("make_csv.py", variant, extension: "csv"))
        #expect(workbook.format == .csv(encoding: variant == "gb18030" ? .gb18030 : .utf8))
        let rows = try #require(workbook.sheets.first).rows
        #expect(rows.map(\.number) == [1, 2, 4, 5])
        #expect(rows[0].cells == ["姓名", "身份证号", "备注"].map(text))
        #expect(rows[1].cells == ["张三", "370211199104261104", "say \"hi\", then\r\nleave"].map(text))
        #expect(rows[2].cells == [text("李四")])   // trailing empty fields trimmed
        #expect(rows[3].cells == ["𠀀王", "11010519491231002X", "末尾,逗号"].map(text))
    }

    @Test func edgeCases() throws {
        let csv = Data("a,\"\",b\r\n\"x\"\"y\",\"\n\"\n,,\nlast".utf8)
        let rows = try #require(try SpreadsheetReader().read(csv).sheets.first).rows
        #expect(rows.map(\.number) == [1, 2, 4])
        #expect(rows[0].cells == [.text("a"), .empty, .text("b")])
        #expect(rows[1].cells == [.text("x\"y"), .text("\n")])
        #expect(rows[2].cells == [.text("last")])
    }

    @Test func limits() {
        let csv = Data("a,b,c\n1,2,3\n4,5,6\n".utf8)
        expectRefusal(csv, .tooManyRows(limit: 2), limits: SpreadsheetLimits(maxRows: 2))
        expectRefusal(csv, .tooManyColumns(limit: 2), limits: SpreadsheetLimits(maxColumns: 2))
    }
}

@Suite struct DateTests {
    @Test func serials() {
        #expect(SpreadsheetDate(serial: 1).isoText == "1900-01-01")
        #expect(SpreadsheetDate(serial: 59).isoText == "1900-02-28")
        #expect(SpreadsheetDate(serial: 60).isoText == "1900-02-29")
        #expect(SpreadsheetDate(serial: 61).isoText == "1900-03-01")
        #expect(SpreadsheetDate(serial: 25569).isoText == "1970-01-01")
        #expect(SpreadsheetDate(serial: 45292.75).isoText == "2024-01-01 18:00:00")
        #expect(SpreadsheetDate(serial: 0.99999999).isoText == "1900-01-01")  // rounds to the next midnight
        #expect(SpreadsheetDate(serial: 0, uses1904: true).isoText == "1904-01-01")
        #expect(SpreadsheetDate(serial: 38110, uses1904: true).isoText == "2008-05-04")
        #expect(SpreadsheetDate(year: 2008, month: 5, day: 4).serial == 39572)
        #expect(SpreadsheetDate(year: 1900, month: 2, day: 28).serial == 59)
        #expect(SpreadsheetDate(year: 1900, month: 3, day: 1).serial == 61)
    }

    @Test func formatCodes() {
        #expect(isDateFormatCode("yyyy/m/d;@"))
        #expect(isDateFormatCode(#"yyyy"年"m"月"d"日""#))
        #expect(isDateFormatCode("[$-F800]dddd, mmmm dd, yyyy"))
        #expect(isDateFormatCode("[h]:mm:ss"))
        #expect(!isDateFormatCode("General"))
        #expect(!isDateFormatCode("0.00E+00"))
        #expect(!isDateFormatCode(#"0.00"天 ms""#))
        #expect(!isDateFormatCode("[Red]#,##0;-#,##0"))
        #expect(!isDateFormatCode("@"))
        #expect(isBuiltInDateFormat(14) && isBuiltInDateFormat(22) && isBuiltInDateFormat(57))
        #expect(!isBuiltInDateFormat(49) && !isBuiltInDateFormat(0))
    }
}

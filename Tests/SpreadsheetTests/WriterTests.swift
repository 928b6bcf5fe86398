import Foundation
import Testing
@testable import Spreadsheet

/// Our writer's output read back by openpyxl (python/read_openpyxl.py), and by our reader.
@Suite struct WriterTests {
    private struct Dump: Decodable {
        struct Sheet: Decodable {
            struct Validation: Decodable { let type: String; let formula1: String; let sqref: String }
            struct Cell: Decodable {
                let ref: String
                let type: String
                let value: Value
                let format: String
                let bold: Bool
            }
            let name: String
            let state: String
            let freeze: String?
            let widths: [String: Double]
            let columnFormats: [String: String]
            let validations: [Validation]
            let cells: [Cell]

            func cell(_ ref: String) -> Cell? { cells.first { $0.ref == ref } }
        }
        let sheets: [Sheet]
    }

    private enum Value: Decodable, Equatable {
        case text(String), number(Double), bool(Bool)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let bool = try? container.decode(Bool.self) { self = .bool(bool) }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else { self = .text(try container.decode(String.self)) }
        }
    }

    private static let longChoices = (1...60).map { "计算机学院第\($0)团支部" }

    private func template() -> WorkbookBuilder {
        WorkbookBuilder(sheets: [
            WorksheetContent(name: "团员名单", columns: [
                ColumnSpec("姓名", width: 12),
                ColumnSpec("身份证号", width: 22, format: .text),
                ColumnSpec("入团日期", width: 14, format: .date),
                ColumnSpec("政治面貌", choices: ["团员", "团干部", "群众"]),
                ColumnSpec("所在支部", width: 30, choices: Self.longChoices),
                ColumnSpec("年龄"),
            ], rows: [
                [.text("张三"), .text("370211199104261104"), .date(SpreadsheetDate(year: 2008, month: 5, day: 4)),
                 .text("团员"), .text("计算机学院第3团支部"), .number(17)],
                [.text("a&b<c>\"d\"\u{1}'"), .number(370211199104261), .date(SpreadsheetDate(year: 1900, month: 3, day: 1)),
                 .empty, .empty, .number(16.5)],
                [.text(" 前后空格 "), .text("行一\n行二"), .empty, .empty, .empty, .boolean(true)],
            ]),
            WorksheetContent(name: "说明:[1]", columns: [ColumnSpec("填表说明", width: 60)], rows: [[.text("_x000D_ 照写")]]),
        ])
    }

    @Test func openpyxlReadsOurWorkbook() throws {
        let file = temporaryFile("ours.xlsx")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try template().build().write(to: file)
        let dump = try JSONDecoder().decode(Dump.self, from: try runPython("read_openpyxl.py", [file.path]))

        #expect(dump.sheets.map(\.name) == ["团员名单", "说明__1_", "选项"])
        #expect(dump.sheets.map(\.state) == ["visible", "visible", "hidden"])
        let members = dump.sheets[0]
        #expect(members.freeze == "A2")
        #expect(members.widths == ["A": 12, "B": 22, "C": 14, "E": 30])
        #expect(members.columnFormats["B"] == "@")

        for (ref, header) in zip(["A1", "B1", "C1", "D1", "E1", "F1"], ["姓名", "身份证号", "入团日期", "政治面貌", "所在支部", "年龄"]) {
            #expect(members.cell(ref)?.value == .text(header))
            #expect(members.cell(ref)?.bold == true)
        }
        #expect(members.cell("B2")?.value == .text("370211199104261104"))
        #expect(members.cell("B2")?.format == "@")
        #expect(members.cell("B3")?.value == .text("370211199104261"))   // a number in a text column
        #expect(members.cell("C2")?.type == "date")
        #expect(members.cell("C2")?.value == .text("2008-05-04T00:00:00"))
        #expect(members.cell("C3")?.value == .text("1900-03-01T00:00:00"))
        #expect(members.cell("F2")?.value == .number(17))
        #expect(members.cell("F3")?.value == .number(16.5))
        #expect(members.cell("F4")?.value == .bool(true))
        #expect(members.cell("A3")?.value == .text("a&b<c>\"d\"'"))      // escaped; U+0001 dropped
        #expect(members.cell("A4")?.value == .text(" 前后空格 "))
        #expect(members.cell("B4")?.value == .text("行一\n行二"))
        #expect(members.cell("A2")?.bold == false)

        #expect(members.validations.count == 2)
        #expect(members.validations.first { $0.sqref == "D2:D1000" }?.formula1 == "\"团员,团干部,群众\"")
        let long = members.validations.first { $0.sqref == "E2:E1000" }
        #expect(long?.type == "list")
        #expect(long?.formula1 == "'选项'!$A$1:$A$60")
        let lists = dump.sheets[2]
        #expect(lists.cells.count == 60)
        #expect(lists.cell("A60")?.value == .text("计算机学院第60团支部"))
        // A literal "_x000D_" survives: we wrote it as _x005F_x000D_, which openpyxl undoes.
        #expect(dump.sheets[1].cell("A2")?.value == .text("_x000D_ 照写"))
    }

    @Test func ourReaderReadsOurWorkbook() throws {
        let workbook = try SpreadsheetReader().read(try template().build())
        #expect(workbook.sheets.map(\.name) == ["团员名单", "说明__1_", "选项"])
        let rows = workbook.sheets[0].rows
        #expect(rows[1][1] == .text("370211199104261104"))
        expectDate(rows[1][2], "2008-05-04", serial: 39572)
        expectNumber(rows[1][5], 17, raw: "17")
        #expect(rows[2][1] == .text("370211199104261"))
        #expect(rows[3][1] == .text("行一\n行二"))
        #expect(workbook.sheets[1].rows[1][0] == .text("_x000D_ 照写"))
    }

    @Test func sheetNamesAndEmptyWorkbook() throws {
        let names = try SpreadsheetReader().read(try WorkbookBuilder(sheets: [
            WorksheetContent(name: "Sheet", columns: []),
            WorksheetContent(name: "sheet", columns: []),
            WorksheetContent(name: String(repeating: "长", count: 40), columns: []),
        ]).build()).sheets.map(\.name)
        #expect(names == ["Sheet", "sheet(2)", String(repeating: "长", count: 31)])
        #expect(try SpreadsheetReader().read(try WorkbookBuilder().build()).sheets.map(\.name) == ["Sheet1"])
    }
}

import Domain
import Foundation
import Spreadsheet

/// A file-level refusal of an import: nothing of the file was created.
enum ImportRefusal: Error, Equatable {
    /// Required columns that the header row does not have (their Chinese names).
    case missingColumns([String])
    /// MEM-8: the other template of the two.
    case wrongTemplate
    /// The header row is there, but not one data row.
    case noRows
    /// `?kind=` is missing or unknown.
    case unknownKind(String)
    /// A multipart upload without the field `file`, or with two.
    case missingFile
    case duplicateFile
    /// The spreadsheet reader's refusal (not a spreadsheet, .xls, zip bomb, XXE, …).
    case unreadable(SpreadsheetError)
}

/// The data sheet of an uploaded workbook: the header row found by name, the data rows after it.
///
/// Headers are matched by their text (ignoring `*`/`＊` marks and spaces), not by position, so
/// that a user may reorder or add columns; extra columns are ignored.
struct ImportSheet {
    /// Column index per header text (normalised).
    let columns: [String: Int]
    let rows: ArraySlice<SpreadsheetRow>
    let sheetName: String

    static func normalise(_ header: String) -> String {
        header.filter { !$0.isWhitespace && $0 != "*" && $0 != "＊" }
    }

    /// Reads `data` and finds, in the first sheet that has one (the sheet named `preferred`
    /// first), a header row holding `key` within its first 10 rows.
    static func read(_ data: Data, key: String, preferred: [String]) throws -> (ImportSheet, Workbook.Format) {
        let workbook: Workbook
        do { workbook = try SpreadsheetReader().read(data) } catch { throw ImportRefusal.unreadable(error) }
        var sheets = preferred.compactMap { workbook.sheet(named: $0) }
        sheets += workbook.sheets.filter { sheet in !sheet.isHidden && !sheets.contains(where: { $0.name == sheet.name }) }
        let wanted = normalise(key)
        for sheet in sheets {
            for (offset, row) in sheet.rows.prefix(10).enumerated() {
                var columns: [String: Int] = [:]
                for (index, cell) in row.cells.enumerated() {
                    let text = normalise(cell.displayText)
                    if !text.isEmpty, columns[text] == nil { columns[text] = index }
                }
                if columns[wanted] != nil {
                    return (ImportSheet(columns: columns, rows: sheet.rows.dropFirst(offset + 1), sheetName: sheet.name), workbook.format)
                }
            }
        }
        throw ImportRefusal.missingColumns([key])
    }

    func has(_ header: String) -> Bool { index(header) != nil }

    func cell(_ row: SpreadsheetRow, _ header: String) -> CellValue {
        guard let index = index(header) else { return .empty }
        return row[index]
    }

    /// The templates' own names are already normal: looked up as they are first, since this
    /// runs for every cell of every row.
    private func index(_ header: String) -> Int? { columns[header] ?? columns[Self.normalise(header)] }

    /// True when every column this import reads is empty in `row` (a row with only notes in
    /// extra columns is no data row).
    func isBlank(_ row: SpreadsheetRow, headers: [String]) -> Bool {
        headers.allSatisfy { ImportCell.text(cell(row, $0)).isEmpty }
    }
}

/// Cells as people fill them, turned into the text the domain parses.
enum ImportCell {
    static func text(_ value: CellValue) -> String {
        switch value {
        case .empty: ""
        case .date(let d): date(d)
        default: value.displayText.trimmingWhitespaceAndNewlines
        }
    }

    static func date(_ d: SpreadsheetDate) -> String {
        String(format: "%04d-%02d-%02d", d.year, d.month, d.day)
    }

    /// 入团时间: a date cell, a serial number in a general cell, or text such as `2021-05-04`,
    /// `2021/5/4` or `2021年5月4日`.
    static func joinDate(_ value: CellValue) -> String {
        switch value {
        case .date(let d): return date(d)
        case .number(let n, _) where n >= 1 && n < 2_958_466 && n == n.rounded():
            return date(SpreadsheetDate(serial: n))
        default:
            var t = text(value)
            if t.contains("年") {
                t = t.replacingOccurrences(of: "年", with: "-").replacingOccurrences(of: "月", with: "-")
                    .replacingOccurrences(of: "日", with: "").replacingOccurrences(of: "号", with: "")
            }
            // A date with a time typed as text: keep the date.
            if let space = t.firstIndex(of: " ") { t = String(t[..<space]) }
            return t
        }
    }

    /// A number cell holding what should have been a long digit string (an ID number, a
    /// development number): Excel keeps 15 significant digits, so from 15 digits on the
    /// last ones may already be lost.
    static func lostDigits(_ value: CellValue) -> Bool {
        guard case .number(let n, let raw) = value else { return false }
        if raw.lowercased().contains("e") { return true }
        let digits = (raw.isEmpty ? formatNumberText(n) : raw).filter(\.isNumber).count
        return digits >= 15
    }

    private static func formatNumberText(_ n: Double) -> String { String(format: "%.0f", n) }
}

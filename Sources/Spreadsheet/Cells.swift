import Foundation

/// One cell's value as the file stored it.
///
/// The reader keeps what the file said rather than guessing what the user meant: an ID number
/// typed into a general-format cell arrives as `.number` with its `raw` text, and it is for the
/// caller to decide whether `3.70211199104261E+17` is acceptable.
public enum CellValue: Sendable, Equatable, Hashable {
    case empty
    case text(String)
    /// `raw` is the number as written in the file (`<v>` of an .xlsx cell), so a caller can see
    /// whether an integer-looking value was stored exactly or already rounded to 15 digits.
    case number(Double, raw: String)
    /// A number in a cell whose style is a date or time format.
    case date(SpreadsheetDate)
    case boolean(Bool)
    /// A formula error as Excel shows it, such as `#N/A` or `#DIV/0!`.
    case error(String)

    /// A number for the writer, whose `raw` is what the reader would give back for it.
    public static func number(_ value: Double) -> CellValue {
        .number(value, raw: formatNumber(value))
    }

    /// The value as a user would read it in the cell: text as is, numbers without a needless
    /// `.0`, dates as `yyyy-mm-dd` (with the time when there is one), booleans as `TRUE`/`FALSE`.
    public var displayText: String {
        switch self {
        case .empty: ""
        case .text(let text): text
        case .number(let value, let raw): raw.isEmpty ? formatNumber(value) : raw
        case .date(let date): date.isoText
        case .boolean(let value): value ? "TRUE" : "FALSE"
        case .error(let code): code
        }
    }

    public var isEmpty: Bool {
        if case .empty = self { return true }
        return false
    }
}

/// Integral values print without a fraction (as Excel shows them); others use Swift's shortest
/// round-tripping form, which is also valid `xsd:double` for the writer.
func formatNumber(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
        return String(Int64(value))
    }
    return "\(value)"
}

/// A row as the user sees it: `number` is the 1-based row number shown at the sheet's left edge,
/// which is what error reports must quote.
public struct SpreadsheetRow: Sendable, Equatable {
    public let number: Int
    /// Column A first. Gaps left by sparse files are `.empty`; trailing empty cells are trimmed.
    public let cells: [CellValue]

    public init(number: Int, cells: [CellValue]) {
        self.number = number
        self.cells = cells
    }

    /// The cell in a 0-based column, `.empty` past the row's end.
    public subscript(column: Int) -> CellValue {
        column >= 0 && column < cells.count ? cells[column] : .empty
    }
}

public struct Sheet: Sendable, Equatable {
    public let name: String
    /// Hidden sheets (such as a template's list of choices) are read too; callers usually skip them.
    public let isHidden: Bool
    /// Only rows holding at least one non-empty cell, in order; their `number`s may have gaps.
    public let rows: [SpreadsheetRow]

    public init(name: String, isHidden: Bool = false, rows: [SpreadsheetRow]) {
        self.name = name
        self.isHidden = isHidden
        self.rows = rows
    }
}

public struct Workbook: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        case xlsx
        /// CSV has one sheet, named `"CSV"`, and every cell is text.
        case csv(encoding: TextEncoding)
    }

    public enum TextEncoding: String, Sendable, Equatable {
        case utf8
        /// What Excel in a Chinese locale writes for "CSV"; GB18030 is a superset of GBK and GB2312.
        case gb18030
    }

    public let format: Format
    /// In the order of the workbook's tabs.
    public let sheets: [Sheet]

    public init(format: Format, sheets: [Sheet]) {
        self.format = format
        self.sheets = sheets
    }

    /// Sheet names are matched as Excel does: ignoring case and surrounding spaces.
    public func sheet(named name: String) -> Sheet? {
        let wanted = name.trimmingCharacters(in: .whitespaces).lowercased()
        return sheets.first { $0.name.trimmingCharacters(in: .whitespaces).lowercased() == wanted }
    }

    /// The first sheet that is not hidden: the one Excel opens on for a plain upload.
    public var firstVisibleSheet: Sheet? {
        sheets.first { !$0.isHidden } ?? sheets.first
    }
}

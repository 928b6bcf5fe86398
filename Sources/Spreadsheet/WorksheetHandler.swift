import Foundation

/// Streams one worksheet part into rows, keeping only rows with a value in them.
final class WorksheetHandler: SAXHandler {
    private let sharedStrings: [String]
    private let dateStyles: [Bool]
    private let uses1904: Bool
    private let maxRows: Int
    private let maxColumns: Int

    private(set) var rows: [SpreadsheetRow] = []

    private var rowNumber = 0
    private var cells: [CellValue] = []
    private var column = -1            // 0-based column of the current cell
    private var cellType = ""
    private var cellStyle = 0
    private var valueBytes: [UInt8] = []
    private var hasValue = false
    private var capturing = false
    private var inInlineString = false
    private var phoneticDepth = 0

    init(sharedStrings: [String], dateStyles: [Bool], uses1904: Bool, maxRows: Int, maxColumns: Int) {
        self.sharedStrings = sharedStrings
        self.dateStyles = dateStyles
        self.uses1904 = uses1904
        self.maxRows = maxRows
        self.maxColumns = maxColumns
    }

    override func start(_ name: String, _ attributes: XMLAttributes) throws(SpreadsheetError) {
        switch name {
        case "row":
            // Rows without `r` (some generators omit it) follow the previous row.
            rowNumber = attributes["r"].flatMap { Int($0) } ?? rowNumber + 1
            cells.removeAll(keepingCapacity: true)
            column = -1
        case "c":
            if let reference = attributes["r"], let referenced = columnIndex(ofReference: reference) {
                column = referenced
            } else {
                column += 1
            }
            cellType = attributes["t"] ?? "n"
            cellStyle = attributes["s"].flatMap { Int($0) } ?? 0
            valueBytes.removeAll(keepingCapacity: true)
            hasValue = false
            inInlineString = false
        case "v":
            capturing = true
            hasValue = true
        case "is":
            inInlineString = true
            hasValue = true
        case "rPh":
            phoneticDepth += 1
        case "t" where inInlineString && phoneticDepth == 0:
            capturing = true
        default:
            break
        }
    }

    override func end(_ name: String) throws(SpreadsheetError) {
        switch name {
        case "v", "t":
            capturing = false
        case "rPh":
            phoneticDepth -= 1
        case "c":
            let cell = try makeCell()
            guard !cell.isEmpty else { return }
            guard column < maxColumns else { throw .tooManyColumns(limit: maxColumns) }
            if column < cells.count {
                // A writer repeating a reference: the later cell wins, as in Excel.
                cells[column] = cell
            } else {
                if column > cells.count {
                    cells.append(contentsOf: repeatElement(.empty, count: column - cells.count))
                }
                cells.append(cell)
            }
        case "row":
            guard !cells.isEmpty else { return }
            guard rows.count < maxRows else { throw .tooManyRows(limit: maxRows) }
            rows.append(SpreadsheetRow(number: rowNumber, cells: cells))
        default:
            break
        }
    }

    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        if capturing { valueBytes.append(contentsOf: bytes) }
    }

    private func makeCell() throws(SpreadsheetError) -> CellValue {
        guard hasValue else { return .empty }
        let value = String(decoding: valueBytes, as: UTF8.self)
        // Only numbers, indexes and flags are trimmed, by bytes (Foundation's trimming is slow on Linux).
        var trimmed: String {
            let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            guard let first = valueBytes.firstIndex(where: { !isSpace($0) }),
                  let last = valueBytes.lastIndex(where: { !isSpace($0) }) else { return "" }
            if first == 0 && last == valueBytes.count - 1 { return value }
            return String(decoding: valueBytes[first...last], as: UTF8.self)
        }
        switch cellType {
        case "s":
            guard let index = Int(trimmed),
                  sharedStrings.indices.contains(index) else {
                throw .damaged("shared string index \(value) out of range")
            }
            return textCell(sharedStrings[index])
        case "inlineStr", "str":
            return textCell(decodeOOXMLEscapes(value))
        case "b":
            return .boolean(trimmed == "1" || trimmed.lowercased() == "true")
        case "e":
            return value.isEmpty ? .empty : .error(value)
        case "d":
            // ISO 8601 dates (openpyxl's iso_dates, Strict OOXML); other writers store serials.
            guard let date = isoDate(value) else { return textCell(value) }
            return .date(date)
        default:
            let raw = trimmed
            if raw.isEmpty { return .empty }
            guard let number = Double(raw) else { return .text(raw) }
            if cellStyle >= 0, cellStyle < dateStyles.count, dateStyles[cellStyle], number.isFinite {
                return .date(SpreadsheetDate(serial: number, uses1904: uses1904))
            }
            return .number(number, raw: raw)
        }
    }
}

private func textCell(_ text: String) -> CellValue {
    text.isEmpty ? .empty : .text(text)
}

/// The 0-based column of a reference such as `C5` or `$AB$12`; nil when it has no letters.
/// Columns past Excel's last (XFD) are kept as large numbers so the column limit catches them.
func columnIndex(ofReference reference: String) -> Int? {
    var column = 0
    var letters = 0
    for byte in reference.utf8 {
        switch byte {
        case UInt8(ascii: "$"): continue
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): column = min(column * 26 + Int(byte - 64), 1 << 30)
        case UInt8(ascii: "a")...UInt8(ascii: "z"): column = min(column * 26 + Int(byte - 96), 1 << 30)
        default:
            return letters == 0 ? nil : column - 1
        }
        letters += 1
    }
    return letters == 0 ? nil : column - 1
}

/// `2024-03-01`, `2024-03-01T08:30:00` (fractional seconds and a zone suffix are ignored: a
/// spreadsheet date has no zone).
func isoDate(_ text: String) -> SpreadsheetDate? {
    let parts = text.split(separator: "T", maxSplits: 1)
    guard let datePart = parts.first else { return nil }
    let ymd = datePart.split(separator: "-").compactMap { Int($0) }
    guard ymd.count == 3, (1...12).contains(ymd[1]), (1...31).contains(ymd[2]) else { return nil }
    var hms = [0, 0, 0]
    if parts.count == 2 {
        let time = parts[1].prefix { $0.isNumber || $0 == ":" || $0 == "." }
        let fields = time.split(separator: ":").map { Double($0) ?? 0 }
        for (index, field) in fields.prefix(3).enumerated() { hms[index] = Int(field) }
    }
    return SpreadsheetDate(year: ymd[0], month: ymd[1], day: ymd[2], hour: hms[0], minute: hms[1], second: hms[2])
}

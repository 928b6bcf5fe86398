import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// RFC 4180 CSV, as Excel, WPS and LibreOffice save it.
///
/// Hand-written rather than yaslab/CSV.swift: the bytes must be decoded first anyway (UTF-8 or
/// GB18030 through iconv), what is left is a 60-line state machine, and owning it lets the row
/// and column caps stop the parse as it goes instead of after a whole file is in memory.
struct CSVReader {
    let limits: SpreadsheetLimits

    func read(_ data: Data) throws(SpreadsheetError) -> Workbook {
        let (text, encoding) = try decode(data)
        let rows = try parse(text)
        return Workbook(format: .csv(encoding: encoding), sheets: [Sheet(name: "CSV", rows: rows)])
    }

    /// UTF-8 (with or without a BOM) first; Excel's "CSV" in a Chinese locale is GBK, which
    /// GB18030 contains, and text with control characters is not taken for CSV at all.
    private func decode(_ data: Data) throws(SpreadsheetError) -> (String, Workbook.TextEncoding) {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) {
            guard looksLikeText(text) else { throw .notASpreadsheet }
            return (text, .utf8)
        }
        guard let text = convertFromGB18030(bytes), looksLikeText(text) else { throw .notASpreadsheet }
        return (text, .gb18030)
    }

    private func looksLikeText(_ text: String) -> Bool {
        !text.unicodeScalars.contains { scalar in
            scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" && scalar != "\u{0C}"
        }
    }

    private func parse(_ text: String) throws(SpreadsheetError) -> [SpreadsheetRow] {
        var rows: [SpreadsheetRow] = []
        var record: [String] = []
        var field = String.UnicodeScalarView()
        var recordNumber = 1
        var inQuotes = false
        var fieldWasQuoted = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endField() throws(SpreadsheetError) {
            record.append(String(field))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func endRecord() throws(SpreadsheetError) {
            try endField()
            while let last = record.last, last.isEmpty { record.removeLast() }
            if !record.isEmpty {
                guard record.count <= limits.maxColumns else { throw .tooManyColumns(limit: limits.maxColumns) }
                guard rows.count < limits.maxRows else { throw .tooManyRows(limit: limits.maxRows) }
                rows.append(SpreadsheetRow(number: recordNumber, cells: record.map { $0.isEmpty ? .empty : .text($0) }))
            }
            record.removeAll(keepingCapacity: true)
            recordNumber += 1
        }

        while let scalar = pending ?? scalars.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    let next = scalars.next()
                    if next == "\"" {
                        field.append("\"")
                    } else {
                        inQuotes = false
                        pending = next
                    }
                } else {
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                inQuotes = true
                fieldWasQuoted = true
            case ",":
                try endField()
                if record.count > limits.maxColumns { throw .tooManyColumns(limit: limits.maxColumns) }
            case "\r":
                let next = scalars.next()
                if next != "\n" { pending = next }
                try endRecord()
            case "\n":
                try endRecord()
            default:
                // Lenient like Excel: text after a closing quote is kept.
                field.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted { try endRecord() }
        return rows
    }
}

/// Decodes with glibc's iconv, which knows GB18030 (Foundation on Linux has no GBK encoding).
/// Nil when the bytes are not valid GB18030 either.
func convertFromGB18030(_ bytes: Data.SubSequence) -> String? {
    let converter = iconv_open("UTF-8", "GB18030")
    guard let converter, converter != iconv_t(bitPattern: -1) else { return nil }
    defer { iconv_close(converter) }
    var input = [CChar](repeating: 0, count: bytes.count)
    input.withUnsafeMutableBytes { _ = bytes.copyBytes(to: $0) }
    // UTF-8 of a GB18030 character is at most 4 bytes for every 1 to 4 bytes in.
    var output = [CChar](repeating: 0, count: bytes.count * 4 + 16)
    let written: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            var inPointer: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress
            var inLeft = inBuffer.count
            var outPointer: UnsafeMutablePointer<CChar>? = outBuffer.baseAddress
            var outLeft = outBuffer.count
            if iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == -1 || inLeft != 0 { return nil }
            return outBuffer.count - outLeft
        }
    }
    guard let written else { return nil }
    return String(validating: output[..<written].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

import Foundation
import ZIPFoundation

/// One column of a sheet the builder writes.
public struct ColumnSpec: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        case general
        /// Number format `@` (built-in id 49) on the whole column, so that what a user later types
        /// there, such as an 18-digit ID number, stays text instead of becoming 3.7E+17.
        case text
        /// `yyyy-mm-dd`; values should be `.date`.
        case date
    }

    public var header: String
    /// In Excel's unit, the width of one "0" of the default font; nil leaves Excel's default.
    public var width: Double?
    public var format: Format
    /// When not empty, the data rows get a drop-down list of these values and refuse others.
    public var choices: [String]

    public init(_ header: String, width: Double? = nil, format: Format = .general, choices: [String] = []) {
        self.header = header
        self.width = width
        self.format = format
        self.choices = choices
    }
}

/// One sheet: a bold header row from the columns, then the rows as given.
public struct WorksheetContent: Sendable, Equatable {
    /// Excel's rules apply (at most 31 characters, none of `[]:*?/\`, unique ignoring case); the
    /// builder replaces what breaks them rather than produce a file Excel calls damaged.
    public var name: String
    public var columns: [ColumnSpec]
    /// Row 2 on; a row may be shorter than the columns. `.number(_, raw:)` writes the number
    /// (raw is ignored), `.date` a date-formatted serial; in a `.text` column every value is
    /// written as its `displayText`.
    public var rows: [[CellValue]]
    public var isHidden: Bool
    /// Keeps the header row in view while scrolling.
    public var freezesHeader: Bool
    /// Drop-down lists cover data rows 2 through this row, so that a blank template has them too.
    public var validatedThroughRow: Int

    public init(
        name: String, columns: [ColumnSpec], rows: [[CellValue]] = [], isHidden: Bool = false,
        freezesHeader: Bool = true, validatedThroughRow: Int = 1000
    ) {
        self.name = name
        self.columns = columns
        self.rows = rows
        self.isHidden = isHidden
        self.freezesHeader = freezesHeader
        self.validatedThroughRow = validatedThroughRow
    }
}

/// Writes an .xlsx that Excel, WPS, LibreOffice and openpyxl open.
public struct WorkbookBuilder: Sendable {
    public var sheets: [WorksheetContent]
    /// The hidden sheet that holds drop-down lists too long for an inline list (Excel allows
    /// 255 characters there) or with commas in a value. Added only when needed.
    public var choicesSheetName: String

    public init(sheets: [WorksheetContent] = [], choicesSheetName: String = "选项") {
        self.sheets = sheets
        self.choicesSheetName = choicesSheetName
    }

    public mutating func addSheet(_ sheet: WorksheetContent) {
        sheets.append(sheet)
    }

    /// The workbook's bytes.
    public func build() throws -> Data {
        var strings = SharedStringTable()
        var names = SheetNames()
        var outputs: [(name: String, hidden: Bool, xml: String)] = []
        var choiceColumns: [[String]] = []
        let sheetNames = sheets.map { names.claim($0.name) }
        let choicesName = names.claim(choicesSheetName)

        for (sheet, name) in zip(sheets, sheetNames) {
            var validations: [(sqref: String, formula: String)] = []
            for (index, column) in sheet.columns.enumerated() where !column.choices.isEmpty {
                let lastRow = max(sheet.validatedThroughRow, sheet.rows.count + 1, 2)
                let letter = columnName(index)
                validations.append((sqref: "\(letter)2:\(letter)\(lastRow)",
                                    formula: listFormula(column.choices, choicesSheet: choicesName, into: &choiceColumns)))
            }
            outputs.append((name, sheet.isHidden, worksheetXML(sheet, validations: validations, strings: &strings)))
        }
        if !choiceColumns.isEmpty {
            let columns = choiceColumns.map { _ in ColumnSpec("", format: .text) }
            let rowCount = choiceColumns.map(\.count).max() ?? 0
            let rows = (0..<rowCount).map { row in
                choiceColumns.map { row < $0.count ? CellValue.text($0[row]) : .empty }
            }
            var listSheet = WorksheetContent(name: choicesName, columns: columns, isHidden: true, freezesHeader: false)
            listSheet.rows = rows
            outputs.append((choicesName, true, worksheetXML(listSheet, validations: [], strings: &strings, headerRow: false)))
        }
        if outputs.isEmpty {
            outputs.append((names.claim("Sheet1"), false, worksheetXML(
                WorksheetContent(name: "Sheet1", columns: []), validations: [], strings: &strings)))
        }
        let activeSheet = outputs.firstIndex { !$0.hidden } ?? 0

        var parts: [(String, String)] = [
            ("[Content_Types].xml", contentTypesXML(sheetCount: outputs.count)),
            ("_rels/.rels", rootRelationshipsXML),
            ("docProps/core.xml", corePropertiesXML),
            ("docProps/app.xml", appPropertiesXML),
            ("xl/workbook.xml", workbookXML(outputs.map { ($0.name, $0.hidden) }, activeSheet: activeSheet)),
            ("xl/_rels/workbook.xml.rels", workbookRelationshipsXML(sheetCount: outputs.count)),
            ("xl/styles.xml", stylesXML),
            ("xl/sharedStrings.xml", strings.xml),
        ]
        for (index, output) in outputs.enumerated() {
            let xml = index == activeSheet ? output.xml.replacingOccurrences(of: "<sheetView ", with: "<sheetView tabSelected=\"1\" ") : output.xml
            parts.append(("xl/worksheets/sheet\(index + 1).xml", xml))
        }
        return try zipParts(parts)
    }
}

/// Inline lists are shorter and survive copy-and-paste between workbooks, so they are used when
/// Excel allows: at most 255 characters and no comma inside a value.
private func listFormula(_ choices: [String], choicesSheet: String, into columns: inout [[String]]) -> String {
    let cleaned = choices.map(xmlSafe)
    let inline = cleaned.joined(separator: ",")
    if inline.count <= 255, !cleaned.contains(where: { $0.contains(",") || $0.contains("\"") }) {
        return "\"" + inline + "\""
    }
    columns.append(cleaned)
    let letter = columnName(columns.count - 1)
    let quotedSheet = "'" + choicesSheet.replacingOccurrences(of: "'", with: "''") + "'"
    return "\(quotedSheet)!$\(letter)$1:$\(letter)$\(max(cleaned.count, 1))"
}

// Style indexes in styles.xml's cellXfs, below.
private let headerStyle = 1, textStyle = 2, dateStyle = 3, textHeaderStyle = 4

private func worksheetXML(
    _ sheet: WorksheetContent, validations: [(sqref: String, formula: String)],
    strings: inout SharedStringTable, headerRow: Bool = true
) -> String {
    var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    xml += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
    let width = max(sheet.columns.count, sheet.rows.map(\.count).max() ?? 0, 1)
    let height = sheet.rows.count + (headerRow ? 1 : 0)
    xml += "<dimension ref=\"A1:\(columnName(width - 1))\(max(height, 1))\"/>"
    xml += "<sheetViews><sheetView workbookViewId=\"0\">"
    if sheet.freezesHeader && headerRow {
        xml += #"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>"#
    }
    xml += "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>"
    let styledColumns = sheet.columns.enumerated().filter { $0.element.width != nil || $0.element.format != .general }
    if !styledColumns.isEmpty {
        xml += "<cols>"
        for (index, column) in styledColumns {
            var attributes = "min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(formatNumber(column.width ?? 9.140625))\""
            if column.width != nil { attributes += " customWidth=\"1\"" }
            switch column.format {
            case .general: break
            case .text: attributes += " style=\"\(textStyle)\""
            case .date: attributes += " style=\"\(dateStyle)\""
            }
            xml += "<col \(attributes)/>"
        }
        xml += "</cols>"
    }
    xml += "<sheetData>"
    var rowNumber = 0
    if headerRow {
        rowNumber = 1
        xml += "<row r=\"1\">"
        for (index, column) in sheet.columns.enumerated() {
            let style = column.format == .text ? textHeaderStyle : headerStyle
            xml += "<c r=\"\(columnName(index))1\" s=\"\(style)\" t=\"s\"><v>\(strings.index(of: column.header))</v></c>"
        }
        xml += "</row>"
    }
    for row in sheet.rows {
        rowNumber += 1
        xml += "<row r=\"\(rowNumber)\">"
        for (index, cell) in row.enumerated() {
            let format = index < sheet.columns.count ? sheet.columns[index].format : .general
            xml += cellXML(cell, reference: "\(columnName(index))\(rowNumber)", format: format, strings: &strings)
        }
        xml += "</row>"
    }
    xml += "</sheetData>"
    if !validations.isEmpty {
        xml += "<dataValidations count=\"\(validations.count)\">"
        for validation in validations {
            xml += "<dataValidation type=\"list\" allowBlank=\"1\" showInputMessage=\"1\" showErrorMessage=\"1\" sqref=\"\(validation.sqref)\">"
            xml += "<formula1>\(escapeXML(validation.formula))</formula1></dataValidation>"
        }
        xml += "</dataValidations>"
    }
    xml += #"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>"#
    return xml
}

private func cellXML(_ cell: CellValue, reference: String, format: ColumnSpec.Format, strings: inout SharedStringTable) -> String {
    if format == .text {
        let text = cell.displayText
        if text.isEmpty { return "" }
        return "<c r=\"\(reference)\" s=\"\(textStyle)\" t=\"s\"><v>\(strings.index(of: text))</v></c>"
    }
    let style = format == .date ? " s=\"\(dateStyle)\"" : ""
    switch cell {
    case .empty:
        return ""
    case .text(let text):
        return "<c r=\"\(reference)\"\(style) t=\"s\"><v>\(strings.index(of: text))</v></c>"
    case .number(let value, _):
        guard value.isFinite else { return "" }
        return "<c r=\"\(reference)\"\(style)><v>\(formatNumber(value))</v></c>"
    case .date(let date):
        return "<c r=\"\(reference)\" s=\"\(dateStyle)\"><v>\(formatNumber(date.serial))</v></c>"
    case .boolean(let value):
        return "<c r=\"\(reference)\"\(style) t=\"b\"><v>\(value ? 1 : 0)</v></c>"
    case .error(let code):
        return "<c r=\"\(reference)\"\(style) t=\"e\"><v>\(escapeXML(code))</v></c>"
    }
}

private struct SharedStringTable {
    private var indexes: [String: Int] = [:]
    private var items: [String] = []

    mutating func index(of text: String) -> Int {
        if let index = indexes[text] { return index }
        indexes[text] = items.count
        items.append(text)
        return items.count - 1
    }

    var xml: String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"\(items.count)\" uniqueCount=\"\(items.count)\">"
        for item in items {
            let text = escapeOOXMLText(xmlSafe(item))
            let keepsSpace = text.first?.isWhitespace == true || text.last?.isWhitespace == true || text.contains("\n")
            xml += keepsSpace ? "<si><t xml:space=\"preserve\">" : "<si><t>"
            xml += escapeXML(text) + "</t></si>"
        }
        return xml + "</sst>"
    }
}

/// Excel's sheet-name rules, applied by replacing rather than refusing (see `WorksheetContent.name`).
private struct SheetNames {
    private var taken: Set<String> = []

    mutating func claim(_ wanted: String) -> String {
        var base = String(xmlSafe(wanted).map { "[]:*?/\\".contains($0) ? "_" : $0 })
        base = base.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        if base.trimmingCharacters(in: .whitespaces).isEmpty { base = "Sheet" }
        base = String(base.prefix(31))
        var name = base
        var counter = 2
        while taken.contains(name.lowercased()) {
            let suffix = "(\(counter))"
            name = String(base.prefix(31 - suffix.count)) + suffix
            counter += 1
        }
        taken.insert(name.lowercased())
        return name
    }
}

/// Drops what XML 1.0 cannot carry at all (most C0 controls, U+FFFE, U+FFFF).
func xmlSafe(_ text: String) -> String {
    let allowed: (Unicode.Scalar) -> Bool = { scalar in
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
    if text.unicodeScalars.allSatisfy(allowed) { return text }
    var scalars = String.UnicodeScalarView()
    scalars.append(contentsOf: text.unicodeScalars.filter(allowed))
    return String(scalars)
}

/// Excel reads `_xHHHH_` in cell text as an escaped character, so a literal one is protected
/// by escaping its underscore (`_x005F_`), as Excel itself does.
private func escapeOOXMLText(_ text: String) -> String {
    guard containsEscapeMarker(text) else { return text }
    var result = ""
    let scalars = Array(text.unicodeScalars)
    var index = 0
    while index < scalars.count {
        if scalars[index] == "_", index + 6 < scalars.count, scalars[index + 1] == "x", scalars[index + 6] == "_",
           scalars[(index + 2)...(index + 5)].allSatisfy({ $0.properties.isASCIIHexDigit }) {
            result += "_x005F_"
        } else {
            result.unicodeScalars.append(scalars[index])
        }
        index += 1
    }
    return result
}

/// Escapes for text and attribute values alike; CR as a character reference, since a literal
/// one would be read back as a line feed.
func escapeXML(_ text: String) -> String {
    guard text.contains(where: { "&<>\"\r".contains($0) || $0 == "\r\n" }) else { return text }
    var result = ""
    result.reserveCapacity(text.utf8.count + 16)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "\r": result += "&#13;"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// 0 → A, 25 → Z, 26 → AA.
func columnName(_ index: Int) -> String {
    var index = index + 1
    var name = ""
    while index > 0 {
        let remainder = (index - 1) % 26
        name = String(UnicodeScalar(UInt8(65 + remainder))) + name
        index = (index - 1) / 26
    }
    return name
}

private func contentTypesXML(sheetCount: Int) -> String {
    var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    xml += #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
    for index in 1...sheetCount {
        xml += "<Override PartName=\"/xl/worksheets/sheet\(index).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
    }
    xml += #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#
    return xml
}

private let rootRelationshipsXML = #"""
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>
"""#

private let corePropertiesXML = #"""
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>zhtj</dc:creator></cp:coreProperties>
"""#

private let appPropertiesXML = #"""
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>zhtj</Application></Properties>
"""#

private func workbookXML(_ sheets: [(name: String, hidden: Bool)], activeSheet: Int) -> String {
    var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    xml += #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/>"#
    xml += "<bookViews><workbookView activeTab=\"\(activeSheet)\"/></bookViews><sheets>"
    for (index, sheet) in sheets.enumerated() {
        let state = sheet.hidden ? " state=\"hidden\"" : ""
        xml += "<sheet name=\"\(escapeXML(sheet.name))\" sheetId=\"\(index + 1)\"\(state) r:id=\"rId\(index + 1)\"/>"
    }
    return xml + "</sheets></workbook>"
}

private func workbookRelationshipsXML(sheetCount: Int) -> String {
    var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    xml += #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
    for index in 1...sheetCount {
        xml += "<Relationship Id=\"rId\(index)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(index).xml\"/>"
    }
    xml += "<Relationship Id=\"rId\(sheetCount + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
    xml += "<Relationship Id=\"rId\(sheetCount + 2)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    return xml + "</Relationships>"
}

// 宋体 with the GB2312 charset (134) is on every Chinese Windows and what WPS defaults to.
private let stylesXML = #"""
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font><font><b/><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
"""#

private func zipParts(_ parts: [(String, String)]) throws -> Data {
    let archive = try Archive(data: Data(), accessMode: .create)
    for (path, text) in parts {
        let bytes = Data(text.utf8)
        try archive.addEntry(
            with: path, type: .file, uncompressedSize: Int64(bytes.count),
            modificationDate: Date(timeIntervalSince1970: 1_704_067_200), compressionMethod: .deflate
        ) { position, size in
            bytes.subdata(in: Int(position)..<Int(position) + size)
        }
    }
    guard let data = archive.data else { throw SpreadsheetError.damaged("the zip writer kept no data") }
    return data
}

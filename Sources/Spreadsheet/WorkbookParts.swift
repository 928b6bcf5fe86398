import Foundation

/// One `<Relationship>` of a `.rels` part, its target already resolved to a zip path.
struct Relationship {
    let id: String
    let type: String
    let target: String

    /// Relationship types are compared by their last path segment because Strict OOXML files
    /// use other namespace URIs (`purl.oclc.org/ooxml/...`) for the same relationships.
    func hasType(_ suffix: String) -> Bool { type.hasSuffix("/" + suffix) }
}

final class RelationshipsHandler: SAXHandler {
    private let baseDirectory: String
    private(set) var relationships: [Relationship] = []

    /// `sourcePart` is the part the `.rels` belongs to; relative targets resolve against its folder.
    init(sourcePart: String) {
        baseDirectory = sourcePart.split(separator: "/").dropLast().joined(separator: "/")
    }

    override func start(_ name: String, _ attributes: XMLAttributes) throws(SpreadsheetError) {
        guard name == "Relationship", let target = attributes["Target"] else { return }
        if attributes["TargetMode"] == "External" { return }
        relationships.append(Relationship(
            id: attributes["Id"] ?? "",
            type: attributes["Type"] ?? "",
            target: resolvePartPath(target, from: baseDirectory)
        ))
    }
}

/// Targets may be absolute (`/xl/worksheets/sheet1.xml`, as some writers emit) or relative to
/// the source part's folder, possibly with `..`.
func resolvePartPath(_ target: String, from baseDirectory: String) -> String {
    let target = target.replacingOccurrences(of: "\\", with: "/")
    var parts: [Substring] = target.hasPrefix("/") ? [] : baseDirectory.split(separator: "/")
    for segment in target.split(separator: "/") {
        switch segment {
        case ".": continue
        case "..": if !parts.isEmpty { parts.removeLast() }
        default: parts.append(segment)
        }
    }
    return parts.joined(separator: "/")
}

final class WorkbookHandler: SAXHandler {
    struct SheetEntry {
        let name: String
        let relationshipID: String
        let isHidden: Bool
    }

    private(set) var isWorkbook: Bool?
    private(set) var uses1904 = false
    private(set) var sheets: [SheetEntry] = []

    override func start(_ name: String, _ attributes: XMLAttributes) throws(SpreadsheetError) {
        if isWorkbook == nil { isWorkbook = name == "workbook" }
        switch name {
        case "workbookPr":
            let value = attributes["date1904"]?.lowercased()
            uses1904 = value == "1" || value == "true"
        case "sheet":
            let state = attributes["state"] ?? "visible"
            sheets.append(SheetEntry(
                name: attributes["name"] ?? "Sheet\(sheets.count + 1)",
                relationshipID: attributes["id"] ?? "",
                isHidden: state != "visible"
            ))
        default: break
        }
    }
}

/// Which cell styles (`s="…"` indexes into `<cellXfs>`) show their number as a date.
final class StylesHandler: SAXHandler {
    private var customFormats: [Int: String] = [:]
    private var cellFormatIDs: [Int] = []
    private var inCellXfs = false

    override func start(_ name: String, _ attributes: XMLAttributes) throws(SpreadsheetError) {
        switch name {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap({ Int($0) }) {
                customFormats[id] = attributes["formatCode"] ?? ""
            }
        case "cellXfs": inCellXfs = true
        case "xf" where inCellXfs:
            cellFormatIDs.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
        default: break
        }
    }

    override func end(_ name: String) throws(SpreadsheetError) {
        if name == "cellXfs" { inCellXfs = false }
    }

    /// Indexed by style number; styles past the end (a sloppy writer) are not dates.
    var dateStyles: [Bool] {
        cellFormatIDs.map { id in
            if let code = customFormats[id] { return isDateFormatCode(code) }
            return isBuiltInDateFormat(id)
        }
    }
}

/// Built-in formats have no `<numFmt>` in the file. 14–22 and 45–47 are dates and times in
/// every locale; 27–36 and 50–58 are the East Asian built-ins, which in a Chinese Excel are
/// all date formats such as `yyyy"年"m"月"d"日"` (Excel writes them without a definition).
func isBuiltInDateFormat(_ id: Int) -> Bool {
    (14...22).contains(id) || (45...47).contains(id) || (27...36).contains(id) || (50...58).contains(id)
}

/// A custom format is a date format when, outside quoted text, escapes and `[...]` sections
/// (colours, locales, conditions), it has a y, m, d, h or s token. `[h]:mm` elapsed times count
/// as well: they are stored as serials like any time.
func isDateFormatCode(_ code: String) -> Bool {
    var inQuote = false, inBracket = false, escaped = false
    var bracket = ""
    for character in code.lowercased() {
        if escaped { escaped = false; continue }
        if inQuote { if character == "\"" { inQuote = false }; continue }
        if inBracket {
            if character == "]" {
                inBracket = false
                if !bracket.isEmpty, bracket.allSatisfy({ "hms".contains($0) }) { return true }
                bracket = ""
            } else {
                bracket.append(character)
            }
            continue
        }
        switch character {
        case "\"": inQuote = true
        case "\\", "_", "*": escaped = true
        case "[": inBracket = true
        case "y", "m", "d", "h", "s": return true
        default: break
        }
    }
    return false
}

final class SharedStringsHandler: SAXHandler {
    private(set) var strings: [String] = []
    private var current: [UInt8] = []
    private var inItem = false
    private var inText = false
    /// Phonetic guides (`<rPh>`, furigana) hold text that is not part of the cell's value.
    private var phoneticDepth = 0

    override func start(_ name: String, _ attributes: XMLAttributes) throws(SpreadsheetError) {
        switch name {
        case "si": inItem = true; current.removeAll(keepingCapacity: true)
        case "rPh": phoneticDepth += 1
        case "t" where inItem && phoneticDepth == 0: inText = true
        default: break
        }
    }

    override func end(_ name: String) throws(SpreadsheetError) {
        switch name {
        case "si":
            strings.append(decodeOOXMLEscapes(String(decoding: current, as: UTF8.self)))
            inItem = false
        case "rPh": phoneticDepth -= 1
        case "t": inText = false
        default: break
        }
    }

    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        if inText { current.append(contentsOf: bytes) }
    }
}

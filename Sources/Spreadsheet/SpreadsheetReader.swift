import Foundation

/// How much of an uploaded file the reader will take on before refusing it.
///
/// Every cap bounds work as well as memory: a file within all of them is read in time
/// proportional to its unpacked size.
public struct SpreadsheetLimits: Sendable, Equatable {
    /// The uploaded file itself.
    public var maxFileBytes: Int
    /// All parts the reader unpacks (workbook, styles, shared strings, sheets) together.
    public var maxUncompressedBytes: Int
    /// A part larger than `ratioCheckFloor` bytes whose header claims more than this many times its
    /// compressed size is refused unread. Real sheet XML compresses 5–50 times; runs of zeros
    /// (the classic bomb) about a thousand.
    public var maxCompressionRatio: Int
    public var ratioCheckFloor: Int
    /// Entries in the zip, counted before any is read.
    public var maxEntries: Int
    /// Non-empty rows in one sheet.
    public var maxRows: Int
    /// The last column a non-empty cell may be in (1-based: 26 allows A–Z).
    public var maxColumns: Int

    public init(
        maxFileBytes: Int = 20 << 20,
        maxUncompressedBytes: Int = 100 << 20,
        maxCompressionRatio: Int = 500,
        ratioCheckFloor: Int = 1 << 20,
        maxEntries: Int = 1000,
        maxRows: Int = 100_000,
        maxColumns: Int = 256
    ) {
        self.maxFileBytes = maxFileBytes
        self.maxUncompressedBytes = maxUncompressedBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioCheckFloor = ratioCheckFloor
        self.maxEntries = maxEntries
        self.maxRows = maxRows
        self.maxColumns = maxColumns
    }
}

/// Reads an uploaded spreadsheet (.xlsx or CSV) into typed cells.
///
/// The format is told from the bytes, never from the file name: users rename files, and a
/// `.xlsx` that is really an old `.xls` must get the "save as .xlsx" answer.
public struct SpreadsheetReader: Sendable {
    public var limits: SpreadsheetLimits

    public init(limits: SpreadsheetLimits = SpreadsheetLimits()) {
        self.limits = limits
    }

    /// Reads every sheet of the file.
    public func read(_ data: Data) throws(SpreadsheetError) -> Workbook {
        guard data.count <= limits.maxFileBytes else { throw .tooLarge(limit: limits.maxFileBytes) }
        switch sniff(data) {
        case .zip: return try readXLSX(data)
        case .ole2: throw ole2Error(data)
        case .otherBinary: throw .notASpreadsheet
        case .text: return try CSVReader(limits: limits).read(data)
        }
    }

    private func readXLSX(_ data: Data) throws(SpreadsheetError) -> Workbook {
        let package = try XLSXPackage(data: data, limits: limits)
        if let mimetype = try package.read("mimetype"),
           String(decoding: mimetype, as: UTF8.self).hasPrefix("application/vnd.oasis.opendocument") {
            throw .openDocument
        }

        // The workbook is wherever the package's root relationship says (normally xl/workbook.xml).
        var workbookPath = "xl/workbook.xml"
        if let rootRels = try package.read("_rels/.rels") {
            let handler = RelationshipsHandler(sourcePart: "")
            try handler.parse(rootRels, part: "_rels/.rels")
            if let office = handler.relationships.first(where: { $0.hasType("officeDocument") }) {
                workbookPath = office.target
            }
        }
        guard let workbookData = try package.read(workbookPath) else {
            // A zip that never claimed to be a workbook (a .docx, a folder of photos) is just not a
            // spreadsheet; one that did and lacks the part is damaged.
            if package.contains("[Content_Types].xml") && package.contains("xl/_rels/workbook.xml.rels") {
                throw .missingPart(workbookPath)
            }
            throw .notASpreadsheet
        }
        let workbook = WorkbookHandler()
        try workbook.parse(workbookData, part: workbookPath)
        guard workbook.isWorkbook == true else { throw .notASpreadsheet }

        let relsPath = relationshipsPath(of: workbookPath)
        guard let relsData = try package.read(relsPath) else { throw .missingPart(relsPath) }
        let rels = RelationshipsHandler(sourcePart: workbookPath)
        try rels.parse(relsData, part: relsPath)
        let relationships = rels.relationships

        var sharedStrings: [String] = []
        let stringsPath = relationships.first { $0.hasType("sharedStrings") }?.target
        if let path = stringsPath ?? (package.contains("xl/sharedStrings.xml") ? "xl/sharedStrings.xml" : nil),
           let stringsData = try package.read(path) {
            let handler = SharedStringsHandler()
            try handler.parse(stringsData, part: path)
            sharedStrings = handler.strings
        }

        var dateStyles: [Bool] = []
        let stylesPath = relationships.first { $0.hasType("styles") }?.target
        if let path = stylesPath ?? (package.contains("xl/styles.xml") ? "xl/styles.xml" : nil),
           let stylesData = try package.read(path) {
            let handler = StylesHandler()
            try handler.parse(stylesData, part: path)
            dateStyles = handler.dateStyles
        }

        var sheets: [Sheet] = []
        for entry in workbook.sheets {
            // Chart sheets and dialog sheets have no cells; only worksheets are read.
            guard let relationship = relationships.first(where: { $0.id == entry.relationshipID }) else {
                throw .missingPart("relationship \(entry.relationshipID) of sheet \(entry.name)")
            }
            guard relationship.hasType("worksheet") else { continue }
            guard let sheetData = try package.read(relationship.target) else {
                throw .missingPart(relationship.target)
            }
            let handler = WorksheetHandler(
                sharedStrings: sharedStrings, dateStyles: dateStyles, uses1904: workbook.uses1904,
                maxRows: limits.maxRows, maxColumns: limits.maxColumns
            )
            try handler.parse(sheetData, part: relationship.target)
            sheets.append(Sheet(name: entry.name, isHidden: entry.isHidden, rows: handler.rows))
        }
        return Workbook(format: .xlsx, sheets: sheets)
    }
}

/// `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`
func relationshipsPath(of part: String) -> String {
    var folders = part.split(separator: "/").map(String.init)
    let name = folders.popLast() ?? part
    return (folders + ["_rels", name + ".rels"]).joined(separator: "/")
}

enum Sniffed { case zip, ole2, otherBinary, text }

func sniff(_ data: Data) -> Sniffed {
    let head = [UInt8](data.prefix(8))
    if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .zip }
    // An empty zip (PK\5\6) has no workbook either; still a zip, and damaged as one.
    if head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
    if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .ole2 }
    if data.isEmpty { return .otherBinary }
    let binaryMagics: [[UInt8]] = [
        Array("%PDF".utf8), [0x89, 0x50, 0x4E, 0x47], [0xFF, 0xD8, 0xFF], Array("GIF8".utf8),
        [0x1F, 0x8B], Array("7z".utf8) + [0xBC, 0xAF], Array("Rar!".utf8), Array("{\\rtf".utf8),
    ]
    if binaryMagics.contains(where: { head.starts(with: $0) }) { return .otherBinary }
    return .text
}

/// An OLE2 file holding an `EncryptedPackage` stream is a password-protected .xlsx (Excel
/// encrypts the whole zip into one); any other is taken for an Excel 97–2003 workbook. Stream
/// names are UTF-16LE in the compound file's directory, so a byte search finds them.
func ole2Error(_ data: Data) -> SpreadsheetError {
    let name = Data("EncryptedPackage".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    return data.range(of: name) != nil ? .encrypted : .legacyExcel
}

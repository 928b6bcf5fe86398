/// Why a file could not be read. Every refusal the reader makes is one of these, so that the
/// caller can tell the user what to do (in their language) without parsing messages.
public enum SpreadsheetError: Error, Equatable, Sendable {
    /// Neither .xlsx nor CSV text (a PDF, an image, random bytes, an empty file, a .docx).
    case notASpreadsheet
    /// An Excel 97–2003 .xls (OLE2 compound file): the user should save it as .xlsx.
    case legacyExcel
    /// A LibreOffice/WPS .ods: the user should save it as .xlsx.
    case openDocument
    /// A password-protected workbook (Excel stores those as an OLE2 file holding an
    /// `EncryptedPackage`) or a zip entry with the encryption flag.
    case encrypted
    /// The file is larger than `limit` bytes.
    case tooLarge(limit: Int)
    /// The workbook's parts would unpack to more than `limit` bytes, or one part unpacks to far
    /// more than its compressed size allows for real XML: a zip bomb, or a sheet too big to take.
    case uncompressedTooLarge(limit: Int)
    /// More than `limit` entries in the zip.
    case tooManyEntries(limit: Int)
    /// A sheet has more than `limit` non-empty rows.
    case tooManyRows(limit: Int)
    /// A row has a non-empty cell past column number `limit`.
    case tooManyColumns(limit: Int)
    /// A part holds a document type declaration or an entity declaration. Spreadsheet XML never
    /// needs them, and they are how XXE and "billion laughs" attacks work, so they are refused
    /// before any parser sees the part.
    case unsafeXML(part: String)
    /// A part is not well-formed XML.
    case malformedXML(part: String)
    /// A part the workbook refers to (or must have) is not in the zip.
    case missingPart(String)
    /// Anything else that makes the file unreadable: a truncated zip, a bad checksum, a
    /// CSV in an encoding we cannot decode. The text is for logs, not for users.
    case damaged(String)
}

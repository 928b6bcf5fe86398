import Foundation
import Testing

@testable import PDFInspection

/// The byte-level structure checks (`repaired`, owner-password encryption) and the report's
/// wire format.
@Suite("Structure and report")
struct StructureAndReportTests {
    static func onePage(trailerExtra: String = "", extraObject: String? = nil) -> [UInt8] {
        var pdf = TestPDF()
        pdf.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
        pdf.add(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        pdf.add(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
        if let extraObject { pdf.add(4, extraObject) }
        return pdf.build(trailerExtra: trailerExtra)
    }

    @Test("an intact classic table is not repaired")
    func intact() {
        let structure = PDFStructure.analyse(Self.onePage())
        #expect(structure.xrefIntact)
        #expect(structure.xrefProblem == nil)
        #expect(!structure.encryptDeclared)
        #expect(structure.headerOffset == 0)
        #expect(structure.headerVersion == "1.4")
    }

    @Test("an entry that points beside its object means the table must be rebuilt")
    func shiftedEntry() {
        var bytes = Self.onePage()
        // Insert a byte before object 3: its entry now points at `X3 0 obj`. (White space there
        // would be fine: readers skip it, and so does the check.)
        let at = bytes.firstIndex(of: Array("3 0 obj".utf8), in: 0..<bytes.count)!
        var spaced = bytes
        spaced.insert(0x20, at: at)
        #expect(PDFStructure.analyse(spaced).xrefIntact)
        bytes.insert(UInt8(ascii: "X"), at: at)
        let structure = PDFStructure.analyse(bytes)
        #expect(!structure.xrefIntact)
        #expect(structure.xrefProblem != nil)
    }

    @Test("/Encrypt counts in the trailer, not in a string, a name's value or an object")
    func encryptOnlyWhereItMeansIt() {
        #expect(PDFStructure.analyse(Self.onePage(trailerExtra: "/Encrypt 4 0 R ", extraObject: "<< /Filter /Standard >>")).encryptDeclared)
        // The same words elsewhere do not make a file encrypted.
        let decoys = Self.onePage(
            trailerExtra: "/Info << /Title (/Encrypt 4 0 R) /Subject /Encrypt >> ",
            extraObject: "<< /Encrypt 5 0 R /Note (trailer << /Encrypt 4 0 R >>) >>")
        let structure = PDFStructure.analyse(decoys)
        #expect(structure.xrefIntact)
        #expect(!structure.encryptDeclared)
        // `/Encrypt null` is no encryption dictionary.
        #expect(!PDFStructure.analyse(Self.onePage(trailerExtra: "/Encrypt null ")).encryptDeclared)
    }

    @Test("a broken chain falls back to scanning every trailer for /Encrypt")
    func encryptAfterRepair() {
        var bytes = Self.onePage(trailerExtra: "/Encrypt 4 0 R ", extraObject: "<< /Filter /Standard >>")
        // Spoil startxref's offset.
        let at = bytes.lastIndex(of: Array("startxref\n".utf8), in: 0..<bytes.count)! + 10
        bytes[at] = UInt8(ascii: "9")
        let structure = PDFStructure.analyse(bytes)
        #expect(!structure.xrefIntact)
        #expect(structure.encryptDeclared)
    }

    @Test("deep nesting and runaway strings are parse failures, not crashes")
    func hostileSyntax() {
        let deep = Array(("<< /A " + String(repeating: "[", count: 100_000)).utf8)
        var lexer = PDFLexer(bytes: deep, position: 0)
        #expect(lexer.parseDictionary() == nil)
        let string = Array("<< /A (unterminated".utf8) + [UInt8](repeating: 0x41, count: 200_000)
        var stringLexer = PDFLexer(bytes: string, position: 0)
        #expect(stringLexer.parseDictionary() == nil)
        var names = PDFLexer(bytes: Array("<< /XR#65f 1 0 R /N 12 >>".utf8), position: 0)
        #expect(names.parseDictionary() == .dictionary(["XRef": .reference(1, 0), "N": .int(12)]))
    }

    @Test("the report always carries every key, `pages` included, and round-trips")
    func jsonShape() throws {
        let report = InspectionReport(
            accepted: false, refusal: .notPDF, detectedType: "image/png", bytes: 10, sha256: String(repeating: "a", count: 64))
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report)) as? [String: Any]
        let keys = Set(try #require(json).keys)
        #expect(keys.isSuperset(of: ["accepted", "refusal", "detectedType", "bytes", "sha256", "pdfVersion", "pages", "encrypted", "repaired", "pageSizes", "images", "failure"]))
        #expect(json?["pages"] is NSNull)
        let refusal = try #require(json?["refusal"] as? [String: Any])
        #expect(refusal["code"] as? String == "not_pdf")
        #expect(refusal["httpStatus"] as? Int == 415)
        #expect(try JSONDecoder().decode(InspectionReport.self, from: JSONEncoder().encode(report)) == report)
    }

    @Test("refusal codes and statuses")
    func refusals() {
        #expect(Refusal.empty.httpStatus == 400)
        #expect(Refusal.tooLarge(limitBytes: 20 << 20).httpStatus == 413)
        #expect(Refusal.notPDF.httpStatus == 415)
        #expect([Refusal.encrypted, .damaged, .wrongPageCount(actual: 9, expected: 12...12)].allSatisfy { $0.httpStatus == 422 })
        #expect(Refusal.Code.allCases.map(\.rawValue) == ["empty", "too_large", "not_pdf", "encrypted", "damaged", "wrong_page_count"])
        #expect(Refusal.wrongPageCount(actual: 13, expected: 12...12).message == "必须上传12页完整的电子版《入团志愿书》，当前为13页")
    }

    @Test("effective DPI is pixels over inches")
    func dpi() {
        let image = PageImage(page: 1, imageID: 0, pixelWidth: 2480, pixelHeight: 3508, width: 595.28, height: 841.89)
        #expect(abs(image.dpiX - 300) < 0.2 && abs(image.dpiY - 300) < 0.2)
    }
}

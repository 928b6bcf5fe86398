import Foundation
import Testing

@testable import PDFInspection

/// What qpdf reads (repair, owner-password encryption, media boxes, image dictionaries) and
/// the report's wire format.
@Suite("Structure and report")
struct StructureAndReportTests {
    static let policy = InspectionPolicy(pageRange: 1...10_000)

    static func onePage(trailerExtra: String = "", extraObject: String? = nil, page: String = "/MediaBox [0 0 595 842]") -> [UInt8] {
        var pdf = TestPDF()
        pdf.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
        pdf.add(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        pdf.add(3, "<< /Type /Page /Parent 2 0 R \(page) >>")
        if let extraObject { pdf.add(4, extraObject) }
        return pdf.build(trailerExtra: trailerExtra)
    }

    @Test("ARC-2: an intact file is not repaired, and qpdf gave no warning")
    func intact() {
        let report = PDFInspector.inspect(bytes: Self.onePage(), policy: Self.policy)
        #expect(report.accepted)
        #expect(!report.repaired)
        #expect(report.warnings == 0)
        #expect(report.repairReason == nil)
        #expect(report.headerOffset == 0)
        #expect(report.pdfVersion == "1.4")
    }

    @Test("ARC-2: an xref entry beside its object (even one the page tree never reaches) is repaired and accepted")
    func shiftedEntry() throws {
        var bytes = Self.onePage(extraObject: "<< /Unused true >>")
        // Insert a byte before object 4, which no page uses: its entry now points at `X4 0 obj`.
        let at = try #require(bytes.lastOffset(of: "4 0 obj"))
        bytes.insert(UInt8(ascii: "X"), at: at)
        let report = PDFInspector.inspect(bytes: bytes, policy: Self.policy)
        #expect(report.accepted, "\(String(describing: report.refusal))")
        #expect(report.repaired)
        #expect(report.warnings > 0)
        let reason = try #require(report.repairReason)
        #expect(!reason.contains("/"), "no file name in the reason: \(reason)")
    }

    @Test("ARC-2: /Encrypt counts in the trailer, not in a string or another object")
    func encryptOnlyWhereItMeansIt() {
        let encrypted = Self.onePage(trailerExtra: "/Encrypt 4 0 R ", extraObject: "<< /Filter /Standard /V 1 /R 2 /O (x) /U (y) /P -4 >>")
        #expect(QPDFDocument(bytes: ByteView(copying: encrypted)).isEncrypted)
        #expect(PDFInspector.inspect(bytes: encrypted, policy: Self.policy).refusal?.code == .encrypted)
        // The same words elsewhere do not make a file encrypted.
        let decoys = Self.onePage(
            trailerExtra: "/Info << /Title (/Encrypt 4 0 R) /Subject /Encrypt >> ",
            extraObject: "<< /Encrypt 5 0 R /Note (trailer << /Encrypt 4 0 R >>) >>")
        #expect(!QPDFDocument(bytes: ByteView(copying: decoys)).isEncrypted)
        #expect(PDFInspector.inspect(bytes: decoys, policy: Self.policy).accepted)
    }

    @Test("ARC-2: page sizes are qpdf's media boxes, inherited through the page tree, rotation applied")
    func mediaBoxes() {
        var pdf = TestPDF()
        pdf.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
        pdf.add(2, "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 600 800] /Rotate 90 >>")
        pdf.add(3, "<< /Type /Page /Parent 2 0 R >>")
        pdf.add(4, "<< /Type /Page /Parent 2 0 R /MediaBox [10 10 310 210] /Rotate 0 >>")
        let report = PDFInspector.inspect(bytes: pdf.build(), policy: Self.policy)
        #expect(report.accepted)
        #expect(report.pageSizes == [PageSize(page: 1, width: 800, height: 600), PageSize(page: 2, width: 300, height: 200)])
    }

    /// One page drawing the given image XObjects (name → (dictionary, data)) with `content`.
    static func page(content: String, images: [String: (Int, String, [UInt8])]) -> [UInt8] {
        var pdf = TestPDF()
        pdf.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
        pdf.add(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        let names = images.map { "/\($0.key) \($0.value.0) 0 R" }.joined(separator: " ")
        pdf.add(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R /Resources << /XObject << \(names) >> >> >>")
        pdf.addStream(4, dictionary: "", data: Array(content.utf8))
        for (_, (number, dictionary, data)) in images { pdf.addStream(number, dictionary: dictionary, data: data) }
        return pdf.build()
    }

    static func grey(_ width: Int, _ height: Int, extra: String = "") -> String {
        "/Type /XObject /Subtype /Image /Width \(width) /Height \(height) /ColorSpace /DeviceGray /BitsPerComponent 8 \(extra)"
    }

    @Test("ARC-2: image pixel sizes and filters come from the dictionaries qpdf reads, matched to what poppler draws")
    func imagesFromDictionaries() {
        let bytes = Self.page(
            content: "q 300 0 0 200 50 600 cm /A Do Q q 100 0 0 250 400 100 cm /B Do Q",
            images: [
                "A": (10, Self.grey(30, 20, extra: "/Filter /FlateDecode"), Array(Data(count: 8))),
                "B": (11, Self.grey(16, 40), TestPDF.noise(count: 640)),
            ])
        let report = PDFInspector.inspect(bytes: bytes, policy: Self.policy)
        #expect(report.accepted)
        let measured = report.images.sorted { $0.pixelWidth > $1.pixelWidth }
        #expect(measured.map { [$0.pixelWidth, $0.pixelHeight] } == [[30, 20], [16, 40]])
        #expect(measured.map(\.filter) == ["FlateDecode", nil])
        // The drawn area is poppler's, rounded to whole device pixels at 72 dpi.
        let areas = measured.map { [$0.width, $0.height] }
        #expect(zip(areas.joined(), [300.0, 200, 100, 250]).allSatisfy { abs($0 - $1) <= 1 }, "\(areas)")
    }

    @Test("ARC-2: an inline image has no dictionary to read: poppler decodes it")
    func inlineImageDecoded() {
        let bytes = Self.page(content: "q 100 0 0 100 0 0 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \u{0}\u{1}\u{2}\u{3} EI Q", images: [:])
        let report = PDFInspector.inspect(bytes: bytes, policy: Self.policy)
        #expect(report.accepted)
        #expect(report.images.map { [$0.pixelWidth, $0.pixelHeight] } == [[2, 2]])
        #expect(report.images.first?.filter == nil)
    }

    @Test("ARC-2: a 16000 × 16000 memory bomb is measured from its dictionary, its surface allocated, nothing decoded")
    func hugeImageIsProbed() {
        // Unlimited here (the isolation test refuses it under RLIMIT_AS).
        let report = PDFInspector.inspect(bytes: TestPDF.hugeImage(width: 16_000, height: 16_000), policy: Self.policy)
        #expect(report.images.first.map { [$0.pixelWidth, $0.pixelHeight] } == [16_000, 16_000])
    }

    @Test("ARC-2: qpdf rewrites (object streams, xref streams, linearized, rotated) read the same as the original")
    func qpdfRewrites() throws {
        let scratch = try Scratch()
        let original = TestPDF.scannedForm(pages: 6, imageWidth: 60, imageHeight: 80)
        let source = try scratch.write(original, named: "in.pdf")
        let expected = PDFInspector.inspect(bytes: original, policy: Self.policy)
        for arguments in [
            ["--object-streams=generate", "--compress-streams=y"],
            ["--object-streams=generate", "--compress-streams=y", "--linearize"],
            ["--qdf", "--object-streams=disable"],
        ] {
            let output = scratch.path("out.pdf")
            let status = try TestEnvironment.run("qpdf", arguments + [source, output])
            try #require(status == 0 || status == 3, "qpdf \(arguments) failed: \(status)")
            let report = PDFInspector.inspect(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: output))), policy: Self.policy)
            #expect(report.accepted && !report.repaired, "\(arguments): \(report.repairReason ?? "")")
            #expect(report.pageSizes == expected.pageSizes, "\(arguments)")
            #expect(report.images.map(\.pixelWidth) == expected.images.map(\.pixelWidth), "\(arguments)")
        }
    }

    @Test("the report always carries every key, `pages` and `warnings` included, and round-trips; no HTTP status")
    func jsonShape() throws {
        let report = InspectionReport(
            accepted: false, refusal: .notPDF, detectedType: "image/png", bytes: 10, sha256: String(repeating: "a", count: 64))
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report)) as? [String: Any]
        let keys = Set(try #require(json).keys)
        #expect(keys.isSuperset(of: ["accepted", "refusal", "detectedType", "bytes", "sha256", "pdfVersion", "pages", "encrypted", "repaired", "warnings", "pageSizes", "images", "failure"]))
        #expect(json?["pages"] is NSNull)
        let refusal = try #require(json?["refusal"] as? [String: Any])
        #expect(Set(refusal.keys) == ["code", "message"])
        #expect(refusal["code"] as? String == "not_pdf")
        #expect(try JSONDecoder().decode(InspectionReport.self, from: JSONEncoder().encode(report)) == report)
    }

    @Test("refusal codes and messages")
    func refusals() {
        #expect(Refusal.Code.allCases.map(\.rawValue) == ["empty", "too_large", "not_pdf", "encrypted", "damaged", "wrong_page_count"])
        #expect(Refusal.wrongPageCount(actual: 13, expected: 12...12).message == "必须上传12页完整的电子版《入团志愿书》，当前为13页")
    }

    @Test("effective DPI is pixels over inches")
    func dpi() {
        let image = PageImage(page: 1, imageID: 0, pixelWidth: 2480, pixelHeight: 3508, width: 595.28, height: 841.89)
        #expect(abs(image.dpiX - 300) < 0.2 && abs(image.dpiY - 300) < 0.2)
    }
}

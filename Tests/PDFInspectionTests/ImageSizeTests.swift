import Foundation
import Testing

@testable import PDFInspection

/// Image pixel sizes read from the image dictionaries (``PDFPageImages``) instead of decoded by
/// poppler: wherever the dictionaries are used the report must be exactly what decoding gives,
/// and wherever the page is outside the model poppler must still decode.
@Suite("Image sizes without decoding")
struct ImageSizeTests {
    static let policy = InspectionPolicy(pageRange: 1...10_000)

    /// Both ways, in process; the reports must be equal. Returns the statistics of the fast way.
    @discardableResult
    static func expectSameReport(
        _ bytes: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> PDFInspector.Statistics {
        let view = ByteView(copying: bytes)
        let fast = PDFInspector.inspect(bytes: view, policy: policy, sha256: nil)
        let decoded = PDFInspector.inspect(bytes: view, policy: policy, sha256: nil, measurement: .decode)
        #expect(fast.report == decoded.report, "\(label): reports differ", sourceLocation: sourceLocation)
        #expect(decoded.statistics.pagesFromDictionaries == 0, sourceLocation: sourceLocation)
        return fast.statistics
    }

    // MARK: - Pages the model reads

    @Test("the 12-page scanned form: every page from the dictionaries, nothing decoded, the same report")
    func scannedForm() throws {
        let statistics = Self.expectSameReport(Fixtures.twelvePageForm, "form")
        #expect(statistics == .init(pagesFromDictionaries: 12, pagesDecoded: 0))
        let report = PDFInspector.inspect(bytes: Fixtures.twelvePageForm, policy: InspectionPolicy())
        #expect(report.accepted)
        #expect(report.images.map(\.pixelWidth) == Array(repeating: 620, count: 12))
    }

    /// One page with `content`, the given resources, objects 10… as extra objects.
    static func page(
        content: String, resources: String, objects: [Int: String] = [:], streams: [Int: (String, [UInt8])] = [:],
        pageExtra: String = "", pagesExtra: String = ""
    ) -> [UInt8] {
        var pdf = TestPDF()
        pdf.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
        pdf.add(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 \(pagesExtra)>>")
        pdf.add(
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R /Resources \(resources) \(pageExtra)>>")
        pdf.addStream(4, dictionary: "", data: Array(content.utf8))
        for (number, body) in objects { pdf.add(number, body) }
        for (number, (dictionary, data)) in streams { pdf.addStream(number, dictionary: dictionary, data: data) }
        return pdf.build()
    }

    static func greyImage(_ width: Int, _ height: Int, extra: String = "") -> (String, [UInt8]) {
        (
            "/Type /XObject /Subtype /Image /Width \(width) /Height \(height) /ColorSpace /DeviceGray /BitsPerComponent 8 \(extra)",
            TestPDF.noise(count: width * height)
        )
    }

    static let readable: [(String, [UInt8])] = [
        (
            "two images, one flipped and one mirrored, between text and paths",
            page(
                content: """
                    0.5 g 1 0 0 RG 2 w [3 1] 0 d 10 10 100 100 re f
                    q 300 0 0 -200 50 700 cm /A Do Q
                    BT /F1 12 Tf 3 Tr 72 72 Td (invisible OCR text) Tj [(a) -20 (b)] TJ ET
                    q -200 0 0 300 400 100 cm /B Do Q
                    /DeviceRGB cs 0.1 0.2 0.3 sc /P0 BMC EMC /Span << /ActualText (x) >> BDC EMC
                    """,
                resources: "<< /XObject << /A 10 0 R /B 11 0 R >> /Font << /F1 12 0 R >> >>",
                objects: [12: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"],
                streams: [10: greyImage(30, 20), 11: greyImage(16, 40)])
        ),
        (
            "an image mask, a soft-masked image, an image with a colour-key mask",
            page(
                content: "q 100 0 0 100 0 0 cm /M Do Q q 100 0 0 100 100 100 cm /S Do Q q 50 0 0 50 300 300 cm /K Do Q",
                resources: "<< /XObject << /M 10 0 R /S 11 0 R /K 13 0 R >> >>",
                streams: [
                    10: ("/Type /XObject /Subtype /Image /Width 64 /Height 8 /ImageMask true", [UInt8](repeating: 0xAA, count: 64)),
                    11: greyImage(20, 10, extra: "/SMask 12 0 R"), 12: greyImage(20, 10),
                    13: greyImage(12, 12, extra: "/Mask [0 10]"),
                ])
        ),
        (
            "indirect and real dimensions, /W and /H abbreviations",
            page(
                content: "q 200 0 0 100 10 10 cm /I Do Q q 20 0 0 20 300 300 cm /J Do Q",
                resources: "<< /XObject 14 0 R >>",
                objects: [12: "33.9", 14: "<< /I 10 0 R /J 11 0 R >>"],
                streams: [
                    10: (
                        "/Type /XObject /Subtype /Image /Width 12 0 R /Height 7 /ColorSpace /DeviceGray /BitsPerComponent 8",
                        TestPDF.noise(count: 33 * 7)
                    ),
                    11: ("/Type /XObject /Subtype /Image /W 5 /H 6 /ColorSpace /DeviceGray /BitsPerComponent 8", TestPDF.noise(count: 30)),
                ])
        ),
        (
            "a crop box away from the origin",
            page(
                content: "q 400 0 0 500 50 60 cm /I Do Q", resources: "<< /XObject << /I 10 0 R >> >>",
                streams: [10: greyImage(40, 50)], pageExtra: "/CropBox [20 30 500 800] ")
        ),
        (
            "an image too wide for cairo (not measured either way)",
            page(
                content: "q 500 0 0 10 0 0 cm /I Do Q", resources: "<< /XObject << /I 10 0 R >> >>",
                streams: [10: ("/Type /XObject /Subtype /Image /Width 40000 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8", [0, 0])])
        ),
        (
            "an ExtGState without a soft mask",
            page(
                content: "/G0 gs q 100 0 0 100 0 0 cm /I Do Q",
                resources: "<< /ExtGState << /G0 << /CA 0.5 /SMask /None >> >> /XObject << /I 10 0 R >> >>",
                streams: [10: greyImage(10, 10)])
        ),
    ]

    @Test("pages the model reads: from the dictionaries, the same report as decoding", arguments: 0..<readable.count)
    func readablePages(index: Int) {
        let (label, bytes) = Self.readable[index]
        let statistics = Self.expectSameReport(bytes, label)
        #expect(statistics == .init(pagesFromDictionaries: 1, pagesDecoded: 0), "\(label)")
    }

    @Test("a page tree with inherited resources, media box and rotation, and contents in two streams")
    func inheritedAttributesAndRotation() {
        for rotation in [0, 90, 180, 270, -90, 450] {
            var pdf = TestPDF()
            pdf.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
            pdf.add(
                2,
                "<< /Type /Pages /Kids [5 0 R 3 0 R] /Count 3 /MediaBox [0 0 600 800] /Rotate \(rotation) "
                    + "/Resources << /XObject << /I 10 0 R >> >> >>")
            pdf.add(5, "<< /Type /Pages /Parent 2 0 R /Kids [6 0 R 7 0 R] /Count 2 /MediaBox [600 800 0 0] >>")
            pdf.add(3, "<< /Type /Page /Parent 2 0 R /Contents [4 0 R 8 0 R] >>")
            pdf.add(6, "<< /Type /Page /Parent 5 0 R /Contents 4 0 R /Rotate 0 >>")
            pdf.add(7, "<< /Type /Page /Parent 5 0 R /Contents [4 0 R 8 0 R] /Resources << /XObject << /I 11 0 R >> >> >>")
            pdf.addStream(4, dictionary: "", data: Array("q 300 0 0 400 10 20 cm".utf8))
            pdf.addStream(8, dictionary: "", data: Array("/I Do Q".utf8))
            let (dictionary, data) = Self.greyImage(30, 40)
            pdf.addStream(10, dictionary: dictionary, data: data)
            let (second, secondData) = Self.greyImage(7, 9)
            pdf.addStream(11, dictionary: second, data: secondData)
            let statistics = Self.expectSameReport(pdf.build(), "rotation \(rotation)")
            #expect(statistics.pagesDecoded == 0, "rotation \(rotation)")
        }
    }

    // MARK: - Pages left to poppler

    static let declined: [(String, [UInt8])] = [
        (
            "a form XObject drawing the image",
            page(
                content: "q 100 0 0 100 0 0 cm /F Do Q", resources: "<< /XObject << /F 10 0 R >> >>",
                streams: [
                    10: ("/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /I 11 0 R >> >>", Array("/I Do".utf8)),
                    11: greyImage(10, 10),
                ])
        ),
        (
            "an inline image",
            page(
                content: "q 100 0 0 100 0 0 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \u{0}\u{1}\u{2}\u{3} EI Q",
                resources: "<< >>")
        ),
        (
            "a singular matrix",
            page(
                content: "q 0 0 0 0 0 0 cm /I Do Q q 10 0 0 10 0 0 cm /I Do Q", resources: "<< /XObject << /I 10 0 R >> >>",
                streams: [10: greyImage(10, 10)])
        ),
        (
            "a soft mask in the graphics state",
            page(
                content: "/G0 gs q 100 0 0 100 0 0 cm /I Do Q",
                resources: "<< /ExtGState << /G0 << /SMask << /S /Luminosity /G 11 0 R >> >> >> /XObject << /I 10 0 R >> >>",
                streams: [
                    10: greyImage(10, 10),
                    11: ("/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Group << /S /Transparency >>", Array("".utf8)),
                ])
        ),
        (
            "a pattern colour space",
            page(
                content: "/Pattern cs /P0 scn 0 0 10 10 re f q 100 0 0 100 0 0 cm /I Do Q",
                resources: "<< /XObject << /I 10 0 R >> >>", streams: [10: greyImage(10, 10)])
        ),
        (
            "an operator with too few operands (poppler stops the page there)",
            page(
                content: "q 100 0 0 100 0 0 cm /I Do Q 1 0 cm q 100 0 0 100 0 0 cm /I Do Q",
                resources: "<< /XObject << /I 10 0 R >> >>", streams: [10: greyImage(10, 10)])
        ),
        (
            "a name redefined in the resources",
            page(
                content: "/DeviceGray cs q 100 0 0 100 0 0 cm /I Do Q",
                resources: "<< /ColorSpace << /DeviceGray /DeviceRGB >> /XObject << /I 10 0 R >> >>",
                streams: [10: greyImage(10, 10)])
        ),
        (
            "a key given twice in the image dictionary",
            page(
                content: "q 100 0 0 100 0 0 cm /I Do Q", resources: "<< /XObject << /I 10 0 R >> >>",
                streams: [10: greyImage(10, 10, extra: "/Width 20")])
        ),
        (
            "optional content",
            page(
                content: "q 100 0 0 100 0 0 cm /I Do Q", resources: "<< /XObject << /I 10 0 R >> >>",
                objects: [1: "<< /Type /Catalog /Pages 2 0 R /OCProperties << /OCGs [] /D << >> >> >>"],
                streams: [10: greyImage(10, 10)])
        ),
    ]

    @Test("pages outside the model: poppler decodes, the report is unchanged", arguments: 0..<declined.count)
    func declinedPages(index: Int) {
        let (label, bytes) = Self.declined[index]
        let statistics = Self.expectSameReport(bytes, label)
        #expect(statistics.pagesFromDictionaries == 0, "\(label)")
    }

    @Test("a memory bomb is read from its dictionary and its surface still allocated: 16000 × 16000 is measured, not decoded")
    func hugeImageIsProbed() {
        let bytes = TestPDF.hugeImage(width: 16_000, height: 16_000)
        // Unlimited here (the isolation test refuses it under RLIMIT_AS): the untouched 1 GiB
        // surface is allocated and freed, nothing is decoded.
        let fast = PDFInspector.inspect(bytes: ByteView(copying: bytes), policy: Self.policy, sha256: nil)
        #expect(fast.statistics == .init(pagesFromDictionaries: 1, pagesDecoded: 0))
        #expect(fast.report.images.first.map { [$0.pixelWidth, $0.pixelHeight] } == [16_000, 16_000])
    }

    // MARK: - Compressed structure (qpdf)

    @Test(
        "object streams, compressed cross-reference streams and contents, linearized, rotated: read from the dictionaries",
        arguments: [
            ["--object-streams=generate", "--compress-streams=y"],
            ["--object-streams=generate", "--compress-streams=y", "--linearize"],
            ["--object-streams=generate", "--compress-streams=y", "--rotate=+90:2-5"],
            ["--qdf", "--object-streams=disable"],
        ])
    func qpdfRewrites(arguments: [String]) throws {
        let scratch = try Scratch()
        let source = try scratch.write(TestPDF.scannedForm(pages: 6, imageWidth: 60, imageHeight: 80), named: "in.pdf")
        let output = scratch.path("out.pdf")
        let status = try TestEnvironment.run("qpdf", arguments + [source, output])
        try #require(status == 0 || status == 3, "qpdf \(arguments) failed: \(status)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
        let statistics = Self.expectSameReport(bytes, arguments.joined(separator: " "))
        #expect(statistics == .init(pagesFromDictionaries: 6, pagesDecoded: 0), "\(arguments)")
    }

    // MARK: - The corpus

    @Test("corpus: the reader never crashes, and where a file is accepted both ways agree")
    func corpus() throws {
        let rows = try CorpusTests.manifest()
        var fromDictionaries: [String] = []
        var decodedSomewhere: [String] = []
        for row in rows {
            let path = TestEnvironment.corpusFile(row.file)
            guard case .mapped(let file) = MappedFile.map(path, limit: Self.policy.maximumBytes) else { continue }
            let bytes = ByteView(file)
            // The reader alone, on every file, whatever it is (pure Swift: safe in process).
            let structure = PDFStructure.analyse(bytes)
            if let pages = Int(row.pdfinfoPages), let catalog = PDFPageImages(bytes: bytes, structure: structure, pageCount: pages) {
                let box = PDFPageImages.Rectangle(x1: 0, y1: 0, x2: 612, y2: 792)
                for index in 0..<min(pages, 200) { _ = catalog.draws(onPage: index, box: box, rotation: 0) }
            }
            // poppler in process only for files the child accepts (decoding them is known safe).
            guard case .accepted = CorpusTests.expectations[row.file]?.outcome else { continue }
            let fast = PDFInspector.inspect(bytes: bytes, policy: Self.policy, sha256: nil)
            let decoded = PDFInspector.inspect(bytes: bytes, policy: Self.policy, sha256: nil, measurement: .decode)
            #expect(fast.report == decoded.report, "\(row.file)")
            if fast.statistics.pagesFromDictionaries > 0 { fromDictionaries.append(row.file) }
            if fast.statistics.pagesDecoded > 0 { decodedSomewhere.append(row.file) }
        }
        // Which files the model reads (pinned, so that a change in coverage is seen). Decoded:
        // page 31 of GeoTopo draws a form XObject (a shading), and name-pound-images.pdf names
        // its images with stray `#` (`/Im#`), which readers take in different ways.
        #expect(
            Set(fromDictionaries) == [
                "GeoTopo-komprimiert.pdf", "fax-decode-parms.pdf", "image-streams.pdf", "jbig2-bug_631912.pdf", "pclm-in.pdf",
                "pdflatex-image.pdf",
            ], "read from dictionaries: \(fromDictionaries.sorted())")
        #expect(
            Set(decodedSomewhere) == ["GeoTopo-komprimiert.pdf", "name-pound-images.pdf"],
            "decoded: \(decodedSomewhere.sorted())")
    }

    // MARK: - Hostile bytes

    @Test("damaged copies (bytes flipped in place, so offsets still hold): the reader answers or declines, never traps")
    func mutations() throws {
        var sources: [[UInt8]] = [TestPDF.scannedForm(pages: 3, imageWidth: 4, imageHeight: 4)]
        sources += Self.readable.map(\.1)
        let scratch = try Scratch()
        let plain = try scratch.write(TestPDF.scannedForm(pages: 3, imageWidth: 4, imageHeight: 4), named: "in.pdf")
        let compressed = scratch.path("out.pdf")
        if try TestEnvironment.run("qpdf", ["--object-streams=generate", "--compress-streams=y", plain, compressed]) == 0 {
            sources.append([UInt8](try Data(contentsOf: URL(fileURLWithPath: compressed))))
        }
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func random(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
        let box = PDFPageImages.Rectangle(x1: 0, y1: 0, x2: 595, y2: 842)
        var answered = 0
        for round in 0..<3_000 {
            var bytes = sources[round % sources.count]
            for _ in 0..<(1 + random(4)) {
                let position = random(bytes.count)
                bytes[position] = random(3) == 0 ? UInt8(random(256)) : Array(" /<>[]()0123456789.-R".utf8)[random(21)]
            }
            let view = ByteView(copying: bytes)
            let structure = PDFStructure.analyse(view)
            for pageCount in [1, 3] {
                guard let catalog = PDFPageImages(bytes: view, structure: structure, pageCount: pageCount) else { continue }
                for index in 0..<pageCount where catalog.draws(onPage: index, box: box, rotation: 0) != nil { answered += 1 }
            }
        }
        #expect(answered > 0, "some damaged copies still read")
    }

    // MARK: - Flate

    /// 600 bytes of content-stream-like text (the generator of the vectors below).
    static func contentText(_ count: Int) -> [UInt8] {
        let words = ["q", "Q", "cm", "Do", "/Im0", "595.28", "0", "841.89", "BT", "ET", "(hello)", "Tj", "\n"].map { Array($0.utf8) }
        var out: [UInt8] = []
        var x = 12345
        while out.count < count {
            x = (x &* 1_103_515_245 &+ 12345) & 0x7fff_ffff
            out += words[x % words.count] + [0x20]
        }
        return Array(out.prefix(count))
    }

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    @Test("inflate: stored, fixed and dynamic blocks (vectors from zlib), limits and damage")
    func inflate() {
        #expect(Flate.inflateZlib(Self.hex("7801010300fcff616263024d0127"), limit: 100) == Array("abc".utf8))
        #expect(
            Flate.inflateZlib(Self.hex("7801cb48cdc9c957c8c020cbf38b725200a38a0af9"), limit: 100)
                == Array("hello hello hello hello world".utf8))
        let dynamic = Self.hex(
            "78da6d51cd0a83300cbef72972dc2eae1b13f42aebc163c03718833114e9fb5ff63549358e81c536f97ef2c3c494260af45869fad0e9fd9ae7f5ecaf977189d4ddaf4dd753dbb7cdada3485b2452c611cc30799a5382b4a1014982322164180242af84e7826a00fc538abb42c634841c4b60908f3d99a165de820b708369105b4ba4c2d96baad4ad5714846cf10805eb79bfcd029a45dc20de3a232cbd9930e896d6d1db03371b08c2511baaf252fb619a3b8995c43a3c88cb137f78d6f50459d7b12859febe0e6bd2638ebb87950e2417c5ac057a9c6ee60b7f6a8f4c"
        )
        #expect(Flate.inflateZlib(dynamic, limit: 1000) == Self.contentText(600))
        #expect(Flate.inflateZlib(dynamic, limit: 599) == nil, "over the limit")
        #expect(Flate.inflateZlib(Array(dynamic.prefix(100)), limit: 1000) == nil, "truncated")
        #expect(Flate.inflateZlib([0x78, 0x9D] + dynamic.dropFirst(2), limit: 1000) == nil, "bad header check")
        // Damage anywhere: an error or some output, never a crash.
        for position in 2..<dynamic.count {
            var damaged = dynamic
            damaged[position] ^= 0x5A
            _ = Flate.inflateZlib(damaged, limit: 1000)
        }
    }

    @Test("PNG predictors: Up and Sub rows undone; TIFF and ragged rows refused")
    func predictors() {
        let parameters: [String: PDFValue] = ["Predictor": .int(12), "Columns": .int(3)]
        let rows: [UInt8] = [2, 1, 2, 3, 2, 1, 1, 1, 1, 1, 1, 1]
        #expect(Flate.unpredict(rows, parameters: parameters) == [1, 2, 3, 2, 3, 4, 1, 2, 3])
        #expect(Flate.unpredict(rows, parameters: ["Predictor": .int(2), "Columns": .int(3)]) == nil)
        #expect(Flate.unpredict(Array(rows.dropLast()), parameters: parameters) == nil)
        #expect(Flate.unpredict(rows, parameters: nil) == rows)
    }
}

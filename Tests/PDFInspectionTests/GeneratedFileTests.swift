import Foundation
import Testing

@testable import PDFInspection

/// ARC-2 on files generated here: the real shape of an upload (12 scanned A4 pages) and each way
/// it can go wrong. Benign files go through both the in-process inspector and the child;
/// hostile ones only through the child.
@Suite("Generated files (ARC-2)")
struct GeneratedFileTests {
    static let formPolicy = InspectionPolicy()

    @Test("ARC-2: a 12-page scanned form is accepted, in process and through the child")
    func twelvePageForm() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(Fixtures.twelvePageForm, named: "入团志愿书.pdf")
        let inProcess = PDFInspector.inspect(fileAt: path, policy: Self.formPolicy)
        let inspector = try #require(TestEnvironment.isolatedInspector())
        let isolated = await inspector.inspect(fileAt: path, policy: Self.formPolicy)
        #expect(isolated == inProcess, "the child reports exactly what the library does")

        let report = isolated
        #expect(report.accepted)
        #expect(report.refusal == nil)
        #expect(report.failure == nil)
        #expect(report.detectedType == "application/pdf")
        #expect(report.pages == 12)
        #expect(report.bytes == Fixtures.twelvePageForm.count)
        #expect(report.sha256 == (try Self.sha256sum(path)))
        #expect(report.pdfVersion == "1.4")
        #expect(report.headerOffset == 0)
        #expect(!report.encrypted)
        #expect(!report.repaired, "\(report.repairReason ?? "")")
        #expect(report.pageSizes.count == 12)
        #expect(report.pageSizes.allSatisfy { abs($0.width - TestPDF.a4Width) < 0.01 && abs($0.height - TestPDF.a4Height) < 0.01 })
        #expect(report.pageSizes.map(\.page) == Array(1...12))
        // One full-page image per page: 620 px over 595.28 pt is 75 DPI.
        #expect(report.images.count == 12)
        #expect(report.images.map(\.page) == Array(1...12))
        for image in report.images {
            #expect(image.pixelWidth == 620 && image.pixelHeight == 877)
            #expect(abs(image.dpiX - 75) < 0.1 && abs(image.dpiY - 75) < 0.1, "\(image)")
        }
        #expect(report.lowestImageDPI.map { abs($0 - 75) < 0.1 } == true)
        #expect(report.imagesNotMeasured == 0)
    }

    @Test("ARC-2: 9 pages are refused with the exact message")
    func ninePages() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(TestPDF.scannedForm(pages: 9, imageWidth: 100, imageHeight: 141), named: "nine.pdf")
        let inspector = try #require(TestEnvironment.isolatedInspector())
        let report = await inspector.inspect(fileAt: path, policy: Self.formPolicy)
        #expect(!report.accepted)
        #expect(report.pages == 9)
        #expect(report.refusal == Refusal(code: .wrongPageCount, message: "必须上传12页完整的电子版《入团志愿书》，当前为9页"))
        #expect(report.images.isEmpty, "images are measured only for files that pass")

        // A configured range names both ends.
        let ranged = PDFInspector.inspect(fileAt: path, policy: InspectionPolicy(pageRange: 10...14))
        #expect(ranged.refusal?.message == "必须上传10至14页完整的电子版《入团志愿书》，当前为9页")
        #expect(PDFInspector.inspect(fileAt: path, policy: InspectionPolicy(pageRange: 8...9)).accepted)
    }

    @Test("ARC-2: 20 MiB is the limit: one byte under and exactly at it pass, one byte over is refused unread")
    func sizeLimit() async throws {
        let scratch = try Scratch()
        let limit = Self.formPolicy.maximumBytes
        #expect(limit == 20 * 1024 * 1024)
        let inspector = try #require(TestEnvironment.isolatedInspector())

        let under = try scratch.write(TestPDF.scannedForm(pages: 12, padTo: limit - 1), named: "under.pdf")
        let underReport = await inspector.inspect(fileAt: under, policy: Self.formPolicy)
        #expect(underReport.accepted, "\(String(describing: underReport.refusal)) \(underReport.failure ?? "")")
        #expect(underReport.bytes == limit - 1)
        #expect(underReport.pages == 12)
        #expect(!underReport.repaired)

        let exact = try scratch.write(TestPDF.scannedForm(pages: 12, padTo: limit), named: "exact.pdf")
        #expect(PDFInspector.inspect(fileAt: exact, policy: Self.formPolicy).accepted)

        let over = try scratch.write(TestPDF.scannedForm(pages: 12, padTo: limit + 1), named: "over.pdf")
        let overReport = await inspector.inspect(fileAt: over, policy: Self.formPolicy)
        #expect(!overReport.accepted)
        #expect(overReport.refusal == Refusal(code: .tooLarge, message: "文件超过20MB，请压缩后重新上传"))
        #expect(overReport.bytes == limit + 1)
        #expect(overReport.sha256.isEmpty, "refused from stat alone: never read")
        #expect(overReport.pages == nil)
        // The child refuses it the same way should it ever be asked.
        #expect(PDFInspector.inspect(fileAt: over, policy: Self.formPolicy).refusal?.code == .tooLarge)
        // The limit is named in MB as configured.
        #expect(Refusal.tooLarge(limitBytes: 10 * 1024 * 1024).message == "文件超过10MB，请压缩后重新上传")
        #expect(Refusal.tooLarge(limitBytes: 3 * 512 * 1024).message == "文件超过1.5MB，请压缩后重新上传")
    }

    @Test("ARC-2: encrypted with a user password, or an owner password only, both refused", arguments: [
        ("user", ["--encrypt", "user", "owner", "256", "--"]),
        ("owner-only", ["--encrypt", "", "owner", "256", "--"]),
        ("owner-only, RC4 128", ["--allow-weak-crypto", "--encrypt", "", "owner", "128", "--use-aes=n", "--"]),
        // The /Encrypt reference then sits in a cross-reference stream's dictionary, not a trailer.
        ("owner-only, xref stream", ["--object-streams=generate", "--encrypt", "", "owner", "256", "--"]),
    ])
    func encrypted(kind: String, qpdfArguments: [String]) async throws {
        let scratch = try Scratch()
        let plain = try scratch.write(TestPDF.scannedForm(pages: 12, imageWidth: 60, imageHeight: 85), named: "plain.pdf")
        let encrypted = scratch.path("encrypted.pdf")
        let status = try TestEnvironment.run("qpdf", qpdfArguments + [plain, encrypted])
        #expect(status == 0, "qpdf failed")
        let inspector = try #require(TestEnvironment.isolatedInspector())
        let report = await inspector.inspect(fileAt: encrypted, policy: Self.formPolicy)
        #expect(!report.accepted, "\(kind)")
        #expect(report.encrypted, "\(kind)")
        #expect(report.refusal == Refusal(code: .encrypted, message: "文件已加密，请去除密码和权限限制后重新上传"))
        #expect(report.detectedType == "application/pdf")
        if kind.hasPrefix("owner-only") {
            #expect(report.pages == 12, "poppler opens owner-only files silently; qpdf's encryption check catches them")
            // qpdf grants every permission, so poppler's permission flags alone would miss it.
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: encrypted)))
            #expect(QPDFDocument(bytes: ByteView(copying: bytes)).isEncrypted)
        } else {
            #expect(report.pages == nil, "poppler cannot open it without the password")
        }
    }

    @Test("truncated: a half file whose pages are gone is damaged; a file missing only its xref is repaired and accepted")
    func truncated() async throws {
        let scratch = try Scratch()
        let form = Fixtures.twelvePageForm
        let inspector = try #require(TestEnvironment.isolatedInspector())

        // Decided: cut in half, pages 7–12 no longer exist although the page tree still lists
        // them. poppler can rebuild the xref but not the pages, so the file is damaged, never
        // accepted as a (partial) form.
        let half = try scratch.write(Array(form[..<(form.count / 2)]), named: "half.pdf")
        let halfReport = await inspector.inspect(fileAt: half, policy: Self.formPolicy)
        #expect(!halfReport.accepted)
        #expect(halfReport.refusal == Refusal(code: .damaged, message: "文件已损坏，无法读取"))
        #expect(halfReport.repaired, "no startxref: the xref had to be rebuilt")

        // Only the xref table, trailer and %%EOF cut off: every object is there, poppler rebuilds
        // the table by scanning, and the form reads completely. Accepted, flagged repaired.
        let tableStart = try #require(form.lastOffset(of: "xref\n"))
        let noTable = try scratch.write(Array(form[..<tableStart]), named: "no-xref.pdf")
        let noTableReport = await inspector.inspect(fileAt: noTable, policy: Self.formPolicy)
        #expect(noTableReport.accepted, "\(String(describing: noTableReport.refusal))")
        #expect(noTableReport.repaired)
        #expect(noTableReport.repairReason != nil)
        #expect(noTableReport.pages == 12)
        #expect(noTableReport.images.count == 12)
    }

    @Test("ARC-2: an empty file is refused before any child starts")
    func empty() async throws {
        let scratch = try Scratch()
        let path = try scratch.write([], named: "empty.pdf")
        // An executable that cannot run proves no child was needed.
        let inspector = IsolatedInspector(executable: "/nonexistent/zhtj")
        let report = await inspector.inspect(fileAt: path, policy: Self.formPolicy)
        #expect(report.refusal == Refusal(code: .empty, message: "文件为空"))
        #expect(report.detectedType == "inode/x-empty")
        #expect(report.bytes == 0)
        #expect(report.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(PDFInspector.inspect(fileAt: path, policy: Self.formPolicy) == report)
    }

    @Test("ARC-2: a PNG named .pdf is not a PDF (by content, not by name)")
    func pngRenamed() async throws {
        let scratch = try Scratch()
        let form = try scratch.write(Fixtures.twelvePageForm, named: "form.pdf")
        let png = try PDFInspector.render(fileAt: form, page: 1, maxWidth: 120)
        let path = try scratch.write(Array(png), named: "scan.pdf")
        let inspector = try #require(TestEnvironment.isolatedInspector())
        let report = await inspector.inspect(fileAt: path, policy: Self.formPolicy)
        #expect(report.refusal == Refusal(code: .notPDF, message: "文件不是PDF格式，请上传PDF文件"))
        #expect(report.detectedType == "image/png")
        #expect(report.sha256.count == 64)
    }

    @Test("leading junk: tolerated when it is nothing in particular, refused when it is HTML")
    func leadingJunk() throws {
        let scratch = try Scratch()
        let form = TestPDF.scannedForm(pages: 12, imageWidth: 40, imageHeight: 56)
        let junk = try scratch.write(Array("\u{1}\u{2}garbage\u{3}\n".utf8) + form, named: "junk.pdf")
        let junkReport = PDFInspector.inspect(fileAt: junk, policy: Self.formPolicy)
        #expect(junkReport.detectedType == "application/octet-stream")
        #expect(junkReport.headerOffset == 11)
        #expect(junkReport.accepted, "\(String(describing: junkReport.refusal))")
        #expect(!junkReport.repaired, "offsets count from %PDF-: \(junkReport.repairReason ?? "")")

        // libmagic calls the whole file octet-stream (the scan is binary), but the junk itself is
        // HTML: a polyglot, refused.
        let html = try scratch.write(Array("<html><body><script>alert(1)</script>\n".utf8) + form, named: "polyglot.pdf")
        let htmlReport = PDFInspector.inspect(fileAt: html, policy: Self.formPolicy)
        #expect(htmlReport.detectedType == "application/octet-stream")
        #expect(htmlReport.headerOffset == 38)
        #expect(htmlReport.refusal?.code == .notPDF)
        #expect(htmlReport.pages == nil, "never handed to poppler")
    }

    @Test("the refusal order: an encrypted file with the wrong page count is refused as encrypted")
    func refusalOrder() async throws {
        let scratch = try Scratch()
        let plain = try scratch.write(TestPDF.scannedForm(pages: 3, imageWidth: 10, imageHeight: 14), named: "three.pdf")
        let encrypted = scratch.path("three-encrypted.pdf")
        try #require(try TestEnvironment.run("qpdf", ["--encrypt", "", "owner", "256", "--", plain, encrypted]) == 0)
        #expect(PDFInspector.inspect(fileAt: encrypted, policy: Self.formPolicy).refusal?.code == .encrypted)
        #expect(PDFInspector.inspect(fileAt: plain, policy: Self.formPolicy).refusal?.code == .wrongPageCount)
        // And over-size wins over everything (the file is not even read).
        let tiny = InspectionPolicy(maximumBytes: 100, pageRange: 12...12)
        #expect(PDFInspector.inspect(fileAt: encrypted, policy: tiny).refusal?.code == .tooLarge)
    }

    static func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output.prefix(64), as: UTF8.self)
    }
}

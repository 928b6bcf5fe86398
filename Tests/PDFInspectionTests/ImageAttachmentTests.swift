import Foundation
import Testing

@testable import PDFInspection

/// ACT-1 attachments: PNG and JPEG images written by poppler's `pdftoppm` (an independent
/// encoder) from a generated page, checked in process and in the child; cut or patched copies,
/// oversized ones and other types refused.
@Suite("Image attachments (ACT-1)")
struct ImageAttachmentTests {
    static let policy = InspectionPolicy.attachment(maximumBytes: 5 * 1024 * 1024)

    /// One page rendered to exactly 120 × 90 pixels in `format` (`png` or `jpeg`).
    static func image(_ format: String, in scratch: borrowing Scratch) throws -> String {
        let pdf = try scratch.write(TestPDF.scannedForm(pages: 1), named: "page.pdf")
        let stem = scratch.path("page-\(format)")
        let status = try TestEnvironment.run("pdftoppm", ["-\(format)", "-singlefile", "-scale-to-x", "120", "-scale-to-y", "90", pdf, stem])
        #expect(status == 0, "pdftoppm -\(format)")
        return stem + (format == "png" ? ".png" : ".jpg")
    }

    @Test("ACT-1: a PNG and a JPEG are accepted as attachments with their pixel size, in process and in the child alike; an archive still takes PDFs only")
    func accepted() async throws {
        let scratch = try Scratch()
        let inspector = try #require(TestEnvironment.isolatedInspector())
        for (format, type) in [("png", "image/png"), ("jpeg", "image/jpeg")] {
            let path = try Self.image(format, in: scratch)
            let inProcess = PDFInspector.inspect(fileAt: path, policy: Self.policy)
            let isolated = await inspector.inspect(fileAt: path, policy: Self.policy)
            #expect(isolated == inProcess, "\(format): the child reports what the library does")
            #expect(isolated.accepted, "\(format): \(isolated.refusal?.message ?? "") \(isolated.failureDetail ?? "")")
            #expect(isolated.detectedType == type)
            #expect(isolated.imageWidth == 120 && isolated.imageHeight == 90)
            #expect(isolated.pages == nil)
            let archive = await inspector.inspect(fileAt: path, policy: InspectionPolicy())
            #expect(archive.refusal?.code == .notPDF)
            #expect(archive.refusal?.message == "文件不是PDF格式，请上传PDF文件")
        }
        // A PDF attachment is inspected as an archive is, with any page count from 1 to 200.
        let pdf = try scratch.write(TestPDF.scannedForm(pages: 3), named: "notice.pdf")
        let report = await inspector.inspect(fileAt: pdf, policy: Self.policy)
        #expect(report.accepted && report.pages == 3)
    }

    @Test("ACT-1: an image cut short or with a changed byte, or with more pixels than allowed, is refused; so is any other type")
    func refused() async throws {
        let scratch = try Scratch()
        let inspector = try #require(TestEnvironment.isolatedInspector())
        for format in ["png", "jpeg"] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Self.image(format, in: scratch))))
            let cut = try scratch.write(Array(bytes.prefix(bytes.count * 2 / 3)), named: "cut-\(format)")
            let report = await inspector.inspect(fileAt: cut, policy: Self.policy)
            #expect(report.refusal?.code == .damaged, "\(format) cut: \(report)")
            #expect(report.failureDetail?.contains("cut short") == true || report.failureDetail?.contains("past the end") == true)

            let small = InspectionPolicy(maximumBytes: 5 * 1024 * 1024, pageRange: 1...200, acceptsImages: true, maximumImagePixels: 100)
            let path = try scratch.write(bytes, named: "whole-\(format)")
            let tooMany = await inspector.inspect(fileAt: path, policy: small)
            #expect(tooMany == PDFInspector.inspect(fileAt: path, policy: small))
            #expect(tooMany.refusal?.message == "图片尺寸过大（120×90像素），请缩小后重新上传")
        }
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Self.image("png", in: scratch))))
        var patched = png
        patched[png.count / 2] ^= 0x01
        let changed = PDFInspector.inspect(fileAt: try scratch.write(patched, named: "patched.png"), policy: Self.policy)
        #expect(changed.refusal?.code == .damaged)
        #expect(changed.failureDetail?.contains("CRC mismatch") == true)

        let text = try scratch.write(Array("会议记录\n".utf8), named: "notes.txt")
        let other = await inspector.inspect(fileAt: text, policy: Self.policy)
        #expect(other.refusal?.code == .notPDF)
        #expect(other.refusal?.message == "附件须为PDF文件或PNG、JPEG图片")
    }
}

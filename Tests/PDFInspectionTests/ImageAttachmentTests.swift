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

    @Test("ACT-1: a JPEG with a camera's bytes after its end is accepted; a PNG whose size overflows any count is refused, not trapped on")
    func edges() async throws {
        let scratch = try Scratch()
        let jpeg = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Self.image("jpeg", in: scratch))))
        let trailing = PDFInspector.inspect(fileAt: try scratch.write(jpeg + [UInt8](repeating: 0x2A, count: 4096), named: "camera.jpg"), policy: Self.policy)
        #expect(trailing.accepted, "\(trailing.failureDetail ?? "")")

        // A PNG declaring 4,294,967,295 × 4,294,967,295 pixels, every CRC correct.
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            let crc = ImageInspection.crc32(ByteView(copying: body), from: 0, count: body.count)
            let length = UInt32(data.count)
            return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + body
                + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        }
        let huge = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 8, 2, 0, 0, 0])
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
        let inspector = try #require(TestEnvironment.isolatedInspector())
        let report = await inspector.inspect(fileAt: try scratch.write(huge, named: "huge.png"), policy: Self.policy)
        #expect(report.refusal?.message == "图片尺寸过大（4294967295×4294967295像素），请缩小后重新上传", "\(report)")
        #expect(report.failure == nil, "refused by the check, not by a crash")
    }
}

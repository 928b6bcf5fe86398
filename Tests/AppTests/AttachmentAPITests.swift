@testable import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Attachments of meeting records (ACT-1) and work notices through the API: inspected in the
/// child, stored by content, downloaded by those who may read the record, withdrawn by marking.
@Suite("Attachments API (ACT-1, 工作通知)")
struct AttachmentAPITests {
    static let accounts = try! DemoAccounts.load()

    /// A real PNG, written by poppler's `pdftoppm` from a generated page.
    static func png() throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pdf = directory.appendingPathComponent("page.pdf")
        try Data(makePDF(pages: 1)).write(to: pdf)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pdftoppm", "-png", "-singlefile", "-scale-to-x", "64", "-scale-to-y", "48", pdf.path, directory.appendingPathComponent("out").path]
        try process.run()
        process.waitUntilExit()
        return [UInt8](try Data(contentsOf: directory.appendingPathComponent("out.png")))
    }

    func attach(_ client: any TestClientProtocol, _ path: String, _ bytes: [UInt8], name: String, type: String, token: String) async throws
        -> TestResponse
    {
        let boundary = "----zhtjAttachment42"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
        body += bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        return try await client.execute(
            uri: path, method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "multipart/form-data; boundary=\(boundary)"], body: ByteBuffer(bytes: body))
    }

    @Test("ACT-1: a meeting record takes a photo and a PDF (inspected, by content), refuses other files; attendees and admins download them, others do not; a withdrawn one is gone but kept")
    func activityAttachments() async throws {
        try await withDemoApp { client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            let sibling = try await client.login(Self.accounts["sibling_branch_admin"])
            let attendee = Self.accounts["member_old"]
            let created = try await client.sendJSON(
                .post, "/api/v1/orgs/upc-cs-2020-1/activities",
                ["kind": "league_day", "date": "2026-11-20", "topic": "志愿服务", "attendees": [attendee.memberId!]], token: branch
            ).json()
            let id = try #require(created["id"] as? String)
            let path = "/api/v1/activities/\(id)/attachments"

            let photo = try Self.png()
            let added = try await attach(client, path, photo, name: "C:\\照片\\活动合影.png", type: "image/png", token: branch)
            #expect(added.status == .created, "\(String(buffer: added.body))")
            let first = try added.json()
            #expect(first["mediaType"] as? String == "image/png")
            #expect(first["fileName"] as? String == "活动合影.png", "the folders of the name are dropped")
            #expect(first["bytes"] as? Int == photo.count)
            let pdf = makePDF(pages: 2)
            let raw = try await client.execute(
                uri: path + "?name=%E7%BA%AA%E8%A6%81.pdf", method: .post,
                headers: [.authorization: "Bearer \(branch)", .contentType: "application/pdf"], body: ByteBuffer(bytes: pdf))
            #expect(raw.status == .created)
            #expect(try raw.json()["fileName"] as? String == "纪要.pdf")

            let text = try await attach(client, path, Array("签到表".utf8), name: "签到.png", type: "image/png", token: branch)
            #expect(text.status == .unsupportedMediaType)
            #expect(text.errorMessage == "附件须为PDF文件或PNG、JPEG图片", "the content decides, not the name")
            var cut = photo
            cut.removeLast(20)
            #expect(try await attach(client, path, cut, name: "坏.png", type: "image/png", token: branch).errorCode == "damaged")
            #expect(try await attach(client, path, photo, name: "x.png", type: "image/png", token: sibling).status == .notFound)

            let shown = try await client.get("/api/v1/activities/\(id)", token: branch).json()
            let listed = try #require(shown["attachments"] as? [[String: Any]])
            // Uploaded in the same instant of the test clock: their order is by id.
            #expect(Set(listed.compactMap { $0["fileName"] as? String }) == ["活动合影.png", "纪要.pdf"])
            let href = try #require(listed.first { $0["fileName"] as? String == "活动合影.png" }?["href"] as? String)
            let download = try await client.get(href, token: branch)
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "image/png")
            #expect(Array(buffer: download.body) == photo)
            let member = try await client.login(attendee)
            #expect(try await client.get(href, token: member).status == .ok, "an attendee reads what they attended")
            #expect(try await client.get(href, token: sibling).status == .notFound)

            let attachmentPath = "/api/v1/attachments/\(first["id"] as! String)"
            #expect(try await client.execute(uri: attachmentPath, method: .delete, headers: [.authorization: "Bearer \(sibling)"]).status == .notFound)
            #expect(try await client.execute(uri: attachmentPath, method: .delete, headers: [.authorization: "Bearer \(branch)"]).status == .noContent)
            #expect(try await client.get(href, token: branch).status == .notFound)
            let after = try await client.get("/api/v1/activities/\(id)", token: branch).json()
            #expect((after["attachments"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("工作通知: the publisher attaches a PDF; the admins below see and download it, an admin of another school does not")
    func noticeAttachments() async throws {
        try await withDemoApp { client in
            let committee = try await client.login(Self.accounts["committee_admin"])
            let notice = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs/notices", ["title": "团课安排", "text": "见附件"], token: committee).json()
            let id = try #require(notice["id"] as? String)
            let branch = try await client.login(Self.accounts["branch_admin"])
            #expect(try await attach(client, "/api/v1/notices/\(id)/attachments", makePDF(pages: 1), name: "安排.pdf", type: "application/pdf", token: branch).status == .forbidden)
            let added = try await attach(client, "/api/v1/notices/\(id)/attachments", makePDF(pages: 1), name: "安排.pdf", type: "application/pdf", token: committee)
            #expect(added.status == .created, "\(String(buffer: added.body))")
            let shown = try await client.get("/api/v1/notices/\(id)", token: branch).json()
            let href = try #require((shown["attachments"] as? [[String: Any]])?.first?["href"] as? String)
            let download = try await client.get(href, token: branch)
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(download.headers[.contentDisposition]?.contains("filename*=UTF-8''%E5%AE%89%E6%8E%92.pdf") == true)
            let other = try await client.login(Self.accounts["other_school_admin"])
            #expect(try await client.get(href, token: other).status == .notFound)
        }
    }
}

@Suite("Attachment names")
struct AttachmentNameTests {
    @Test("a file's name keeps its last part only, without control or direction-changing characters; none gives a name for its type")
    func names() {
        #expect(AttachmentWorkflow.cleanName("C:\\Users\\照片\\合影.png", mediaType: "image/png") == "合影.png")
        #expect(AttachmentWorkflow.cleanName("../../etc/passwd", mediaType: "application/pdf") == "passwd")
        #expect(AttachmentWorkflow.cleanName("invoice\u{202E}gnp.exe", mediaType: "image/png") == "invoicegnp.exe")
        #expect(AttachmentWorkflow.cleanName("a\u{0}b\nc\"d", mediaType: "application/pdf") == "abcd")
        #expect(AttachmentWorkflow.cleanName("  ", mediaType: "image/jpeg") == "附件.jpg")
        #expect(AttachmentWorkflow.cleanName(nil, mediaType: "application/pdf") == "附件.pdf")
        #expect(AttachmentWorkflow.cleanName(String(repeating: "长", count: 300), mediaType: "application/pdf").count == 100)
    }
}

import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Attachments on the pages (ACT-1, 工作通知): uploaded from the 三会两制一课 list and from a
/// notice's page, a refused file named in place, withdrawn from the same list.
@Suite("Attachment pages (ACT-1)")
struct PagesAttachmentTests {
    static let accounts = try! DemoAccounts.load()

    /// Every form action on the page, in order.
    func actions(_ html: String) -> [String] {
        html.components(separatedBy: "action=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test("ACT-1: the branch attaches a PDF to a record from its list, a file that is no PDF or image is refused on the page, and the attachment is withdrawn from the list")
    func activityAttachment() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["branch_admin"])
            _ = try await client.sendJSON(
                .post, "/api/v1/orgs/upc-cs-2020-1/activities", ["kind": "lesson", "date": "2026-11-20", "topic": "团史学习"], token: token)
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let list = try await client.page("/orgs/upc-cs-2020-1/activities", branch)
            let attachAction = try #require(actions(list.html).first { $0.contains("/attachments?csrf=") })
            let refused = try await client.postUpload(attachAction, Array("不是文件".utf8), browser: branch)
            #expect(refused.status == .unsupportedMediaType)
            #expect(refused.html.contains("附件未上传：附件须为PDF文件或PNG、JPEG图片"))
            let saved = try await client.postUpload(attachAction, makePDF(pages: 1), browser: branch)
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location] == "/orgs/upc-cs-2020-1/activities?done=attachment-added")
            let shown = try await client.page("/orgs/upc-cs-2020-1/activities", branch)
            #expect(shown.html.contains(">a.pdf</a>"))
            let withdraw = try #require(actions(shown.html).first { $0.hasPrefix("/attachments/") })
            let gone = try await client.postFormFields(withdraw, [("csrf", try csrfToken(shown.html))], browser: branch)
            #expect(gone.headers[.location] == "/orgs/upc-cs-2020-1/activities?done=attachment-withdrawn")
            #expect(!(try await client.page("/orgs/upc-cs-2020-1/activities", branch)).html.contains(">a.pdf</a>"))
        }
    }

    @Test("工作通知: the publisher attaches a file on the notice's page; an admin below sees the link, without the form")
    func noticeAttachment() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["committee_admin"])
            let notice = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs/notices", ["title": "团课安排", "text": "见附件"], token: token).json()
            let id = try #require(notice["id"] as? String)
            let (committee, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let page = try await client.page("/notices/\(id)", committee)
            let action = try #require(actions(page.html).first { $0.contains("/attachments?csrf=") })
            let saved = try await client.postUpload(action, makePDF(pages: 1), browser: committee)
            #expect(saved.headers[.location] == "/notices/\(id)?done=attachment-added")
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let seen = try await client.page("/notices/\(id)", branch)
            #expect(seen.html.contains(">a.pdf</a>"))
            #expect(!seen.html.contains("notice-attach-form"))
        }
    }
}

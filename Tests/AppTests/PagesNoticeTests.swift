import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// 工作通知 on the pages: published from the org's page, shown on the home page of every admin
/// below until read, with the readers on the sender's view.
@Suite("Work notice pages")
struct PagesNoticeTests {
    static let accounts = try! DemoAccounts.load()

    @Test("the committee publishes; the branch admin sees it on the home page, reads it, and it leaves; the sender sees who read it")
    func publishAndRead() async throws {
        try await withDemoApp { client in
            let (committee, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let home = try await client.page("/home", committee)
            #expect(home.html.contains("href=\"/orgs/upc-cs/notices\""))
            let form = try await client.page("/orgs/upc-cs/notices", committee)
            #expect(form.html.contains("id=\"notice-form\""))
            let untitled = try await client.postForm(
                "/orgs/upc-cs/notices", ["csrf": try csrfToken(form.html), "title": "", "text": "正文"], browser: committee)
            #expect(untitled.status == .unprocessableContent)
            #expect(untitled.html.contains("请填写通知标题"))
            #expect(untitled.html.contains(">正文</textarea>"), "what was typed is kept")
            let published = try await client.postForm(
                "/orgs/upc-cs/notices", ["csrf": try csrfToken(form.html), "title": "关于开展对标定级的通知", "text": "请于12月20日前完成自评。"],
                browser: committee)
            #expect(published.status == .seeOther)
            let location = try #require(published.headers[.location])
            #expect(location.hasPrefix("/notices/") && location.hasSuffix("?done=notice-published"))
            let noticePath = String(location.prefix { $0 != "?" })

            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let branchHome = try await client.page("/home", branch)
            #expect(branchHome.html.contains("工作通知：关于开展对标定级的通知"))
            let opened = try await client.page(noticePath, branch)
            #expect(opened.html.contains("请于12月20日前完成自评。"))
            #expect(opened.html.contains("id=\"notice-read\""))
            #expect(!opened.html.contains("id=\"notice-readers\""), "a recipient does not see the others")
            let read = try await client.postForm(noticePath + "/read", ["csrf": try csrfToken(opened.html)], browser: branch)
            #expect(read.status == .seeOther)
            #expect(read.headers[.location] == "/home?done=notice-read")
            #expect(!(try await client.page("/home", branch)).html.contains("工作通知：关于开展对标定级的通知"))
            #expect(try await client.page(noticePath, branch).html.contains("id=\"notice-read-at\""))

            let sender = try await client.page(noticePath, committee)
            #expect(sender.html.contains("id=\"notice-readers\""))
            #expect(sender.html.contains("已读 1 人"))
            let (other, _) = try await client.pageLogin(Self.accounts["other_school_admin"])
            #expect(try await client.page(noticePath, other).status == .notFound)
            #expect(!(try await client.page("/home", other)).html.contains("关于开展对标定级的通知"))
        }
    }
}

import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

/// 工作通知 through the API (issue 11 item 4): published to the whole subtree, seen by every
/// admin below until read, and the sender sees who has read it.
@Suite("Work notices API")
struct NoticeAPITests {
    static let accounts = try! DemoAccounts.load()

    @Test("a committee publishes to its subtree; admins below see it unread until they mark it read; the sender sees who read it; nobody else sees anything")
    func publishAndRead() async throws {
        try await withDemoApp { client in
            let committee = try await client.login(Self.accounts["committee_admin"])
            let body: [String: Any] = ["title": "关于开展2026年度对标定级工作的通知", "text": "各团(总)支部：\n请于12月20日前完成自评。"]
            let published = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs/notices", body, token: committee)
            #expect(published.status == .created, "\(String(buffer: published.body))")
            let id = try #require(try published.json()["id"] as? String)
            #expect(try published.json()["text"] as? String == "各团(总)支部：\n请于12月20日前完成自评。")

            let untitled = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs/notices", ["title": "  ", "text": "x"], token: committee)
            #expect(untitled.status == .unprocessableContent)
            #expect(untitled.errorCode == "notice_title_required")
            let branch = try await client.login(Self.accounts["branch_admin"])
            let fromBranch = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020-1/notices", body, token: branch)
            #expect(fromBranch.errorCode == "notice_nothing_below")
            let other = try await client.login(Self.accounts["other_school_admin"])
            #expect(try await client.sendJSON(.post, "/api/v1/orgs/upc-cs/notices", body, token: other).status == .notFound)

            // Every admin below sees it, unread; the sender and another school do not receive it.
            for role in ["branch_admin", "zongzhi_admin", "sibling_branch_admin"] {
                let token = try await client.login(Self.accounts[role])
                let mine = try await client.get("/api/v1/me/notices", token: token).json()
                #expect((mine["items"] as? [[String: Any]])?.first?["id"] as? String == id, "\(role)")
                #expect(mine["unread"] as? Int == 1, "\(role)")
            }
            #expect((try await client.get("/api/v1/me/notices", token: committee).json()["items"] as? [Any])?.isEmpty == true)
            #expect((try await client.get("/api/v1/me/notices", token: other).json()["items"] as? [Any])?.isEmpty == true)
            #expect(try await client.get("/api/v1/notices/\(id)", token: other).status == .notFound)

            #expect(try await client.sendJSON(.post, "/api/v1/notices/\(id)/read", [:], token: branch).status == .noContent)
            #expect(try await client.sendJSON(.post, "/api/v1/notices/\(id)/read", [:], token: branch).status == .noContent, "reading twice is fine")
            let after = try await client.get("/api/v1/me/notices", token: branch).json()
            #expect((after["items"] as? [[String: Any]])?.first?["read"] as? Bool == true)
            #expect(after["unread"] as? Int == 0)
            #expect((try await client.get("/api/v1/me/notices?unread=true", token: branch).json()["items"] as? [Any])?.isEmpty == true)

            let readers = try await client.get("/api/v1/notices/\(id)/readers", token: committee)
            #expect(readers.status == .ok)
            let list = try readers.json()
            let items = (list["items"] as? [[String: Any]]) ?? []
            #expect(list["total"] as? Int == items.count)
            #expect(list["read"] as? Int == 1)
            let branchID = Self.accounts["branch_admin"].memberId!
            #expect(items.first { $0["personId"] as? String == branchID }?["readAt"] is String)
            #expect(items.filter { $0["readAt"] is String }.count == 1)
            #expect(Set(items.compactMap { $0["orgId"] as? String }).isSuperset(of: ["upc-cs-2020", "upc-cs-2020-1", "upc-cs-2020-2"]))
            #expect(!items.contains { $0["orgId"] as? String == "upc-cs" }, "the sender's own admins are not its readers")
            #expect(try await client.get("/api/v1/notices/\(id)/readers", token: branch).status == .forbidden)
            let province = try await client.login(Self.accounts["province_admin"])
            let sent = try await client.get("/api/v1/orgs/upc-cs/notices", token: province).json()
            #expect((sent["items"] as? [[String: Any]])?.first?["reads"] as? Int == 1)
            #expect(try await client.get("/api/v1/notices/not-a-notice", token: committee).status == .notFound)
        }
    }
}

import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

/// 组织整顿 through the API (issue 11 item 2, RCT-1 … RCT-4), on both databases.
@Suite("Rectification API (RCT-1 … RCT-4)")
struct RectificationAPITests {
    static let accounts = try! DemoAccounts.load()
    static let year = "/api/v1/orgs/upc-cs-2020-1/rectification/2026"

    func ratings(poor: Int) -> [String: Any] {
        ["items": Dictionary(uniqueKeysWithValues: (1...10).map { (String($0), $0 <= poor ? "较差" : "好") })]
    }

    @Test("RCT-1 … RCT-4: the branch rates every item; the direct parent approves (基本合格) and marks it bottom 20 %; after key rectification 已摘牌, then 重点整改后合格 and locked; another level cannot decide")
    func campaign() async throws {
        try await withDemoApp { client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            let shown = try await client.get(Self.year, token: branch).json()
            #expect((shown["items"] as? [[String: Any]])?.count == 10)
            #expect(shown["status"] == nil)

            let partial = try await client.sendJSON(.put, Self.year + "/self-check", ["items": ["1": "好"]], token: branch)
            #expect(partial.status == .badRequest)
            #expect(String(buffer: partial.body).contains("第2项未评定"))
            let submitted = try await client.sendJSON(.put, Self.year + "/self-check", ratings(poor: 3), token: branch)
            #expect(submitted.status == .ok, "\(String(buffer: submitted.body))")
            #expect(try submitted.json()["pendingPoor"] as? Int == 3)
            #expect((try submitted.json()["monthly"] as? [[String: Any]])?.first { $0["month"] as? Int == 11 }?["poor"] as? Int == 3)

            // Only the direct parent decides: not the branch, not the 团委 above the 团总支.
            #expect(try await client.sendJSON(.post, Self.year + "/decision", ["approve": true], token: branch).status == .forbidden)
            let committee = try await client.login(Self.accounts["committee_admin"])
            #expect(try await client.sendJSON(.post, Self.year + "/decision", ["approve": true], token: committee).status == .forbidden)
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            let approved = try await client.sendJSON(.post, Self.year + "/decision", ["approve": true], token: zongzhi)
            #expect(approved.status == .ok, "\(String(buffer: approved.body))")
            #expect(try approved.json()["status"] as? String == "基本合格")

            let bottom = "/api/v1/orgs/upc-cs-2020/rectification/2026/bottom20"
            #expect(try await client.sendJSON(.post, "/api/v1/orgs/upc-cs/rectification/2026/bottom20", ["branchIds": ["upc-cs-2020-1"]], token: committee).status == .notFound, "not across levels")
            let marked = try await client.sendJSON(.post, bottom, ["branchIds": ["upc-cs-2020-1"]], token: zongzhi)
            #expect(marked.status == .ok, "\(String(buffer: marked.body))")
            #expect((try marked.json()["items"] as? [[String: Any]])?.first?["keyRectification"] as? Bool == true)
            let keyList = try await client.get("/api/v1/orgs/upc-cs-2020/rectification/2026/branches?key=true", token: zongzhi).json()
            #expect((keyList["items"] as? [[String: Any]])?.map { $0["orgId"] as? String } == ["upc-cs-2020-1"])

            #expect(try await client.sendJSON(.put, Self.year + "/self-check", ratings(poor: 1), token: branch).status == .ok)
            let delisted = try await client.sendJSON(.post, Self.year + "/decision", ["approve": true], token: zongzhi)
            #expect(try delisted.json()["status"] as? String == "已摘牌")
            #expect(try await client.sendJSON(.put, Self.year + "/self-check", ratings(poor: 0), token: branch).status == .ok)
            let done = try await client.sendJSON(.post, Self.year + "/decision", ["approve": true], token: zongzhi)
            #expect(try done.json()["status"] as? String == "重点整改后合格")
            #expect(try done.json()["locked"] as? Bool == true)
            let again = try await client.sendJSON(.put, Self.year + "/self-check", ratings(poor: 0), token: branch)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "self_check_locked")

            // The parent fills 2班's form, which had not checked itself: 合格 at once; then 2班 cannot be marked.
            let sibling = "/api/v1/orgs/upc-cs-2020-2/rectification/2026"
            let filled = try await client.sendJSON(.put, sibling + "/self-check", ratings(poor: 0), token: zongzhi)
            #expect(try filled.json()["status"] as? String == "合格")
            let refused = try await client.sendJSON(.post, bottom, ["branchIds": ["upc-cs-2020-2"]], token: zongzhi)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "bottom20_not_markable")
            #expect(String(buffer: refused.body).contains("合格"))
            let other = try await client.login(Self.accounts["other_school_admin"])
            #expect(try await client.get(Self.year, token: other).status == .forbidden)
        }
    }
}

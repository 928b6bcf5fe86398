import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// 组织整顿 on the pages (RCT-1 … RCT-4): the branch rates its items, the 团总支 approves and marks
/// it bottom 20 % from its list; refusals in place.
@Suite("Rectification pages (RCT-1 … RCT-4)")
struct PagesRectificationTests {
    static let accounts = try! DemoAccounts.load()

    @Test("RCT-1, RCT-2: an unrated item is refused in place; the submitted form waits; the parent approves it (基本合格) and marks the branch bottom 20 %; a qualified branch has no checkbox")
    func campaign() async throws {
        try await withDemoApp { client in
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let page = try await client.page("/orgs/upc-cs-2020-1/rectification", branch)
            #expect(page.status == .ok)
            #expect(page.html.contains("name=\"item10\""))
            let csrf = try csrfToken(page.html)
            let partial = try await client.postForm("/orgs/upc-cs-2020-1/rectification", ["csrf": csrf, "item1": "好"], browser: branch)
            #expect(partial.status == .badRequest)
            #expect(partial.html.contains("第2项未评定"))
            var fields = [("csrf", csrf)]
            for i in 1...10 { fields.append(("item\(i)", i <= 2 ? "较差" : "好")) }
            let sent = try await client.postFormFields("/orgs/upc-cs-2020-1/rectification", fields, browser: branch)
            #expect(sent.status == .seeOther)
            #expect(try await client.page("/orgs/upc-cs-2020-1/rectification", branch).html.contains("待上级审核（较差 2 项）"))

            let (zongzhi, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let review = try await client.page("/orgs/upc-cs-2020-1/rectification", zongzhi)
            #expect(review.html.contains("id=\"rectification-approve\""))
            let approved = try await client.postForm(
                "/orgs/upc-cs-2020-1/rectification/decision", ["csrf": try csrfToken(review.html), "approve": "true"], browser: zongzhi)
            #expect(approved.status == .seeOther)
            #expect(try await client.page("/orgs/upc-cs-2020-1/rectification", zongzhi).html.contains("id=\"rectification-status\">基本合格"))

            // 2班: the parent fills it with no 较差: 合格 at once, and it loses its checkbox.
            var filled = [("csrf", try csrfToken(review.html))]
            for i in 1...10 { filled.append(("item\(i)", "好")) }
            #expect(try await client.postFormFields("/orgs/upc-cs-2020-2/rectification", filled, browser: zongzhi).status == .seeOther)
            let list = try await client.page("/orgs/upc-cs-2020/rectification/branches", zongzhi)
            #expect(list.html.contains("value=\"upc-cs-2020-1\""))
            #expect(!list.html.contains("value=\"upc-cs-2020-2\""))
            let none = try await client.postFormFields("/orgs/upc-cs-2020/rectification/branches", [("csrf", try csrfToken(list.html))], browser: zongzhi)
            #expect(none.status == .badRequest)
            let marked = try await client.postFormFields(
                "/orgs/upc-cs-2020/rectification/branches", [("csrf", try csrfToken(list.html)), ("branchId", "upc-cs-2020-1")], browser: zongzhi)
            #expect(marked.status == .seeOther)
            #expect(try await client.page("/orgs/upc-cs-2020-1/rectification", branch).html.contains("id=\"rectification-key\""))
            // The 团委 two levels up sees the list of its own direct branches only, and cannot mark 1班.
            let (committee, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let own = try await client.page("/orgs/upc-cs/rectification/branches", committee)
            #expect(own.status == .ok)
            let cross = try await client.postFormFields(
                "/orgs/upc-cs/rectification/branches", [("csrf", try csrfToken(own.html)), ("branchId", "upc-cs-2020-1")], browser: committee)
            #expect(cross.status == .notFound)
        }
    }
}

import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// 年度团籍注册 on the pages (ACT-1): the member reports a year; the branch admin's
/// 年度团籍注册审批 filters by name, status and period and decides from the list.
@Suite("Annual registration pages (ACT-1)")
struct PagesRegistrationTests {
    static let accounts = try! DemoAccounts.load()

    @Test("ACT-1: the member reports a year (an empty summary refused in place); the branch admin finds it by name and status, sends it back with a reason, and the member sees why")
    func reportFilterDecide() async throws {
        try await withDemoApp { client in
            let (member, _) = try await client.pageLogin(Self.accounts["member_old"])
            let mine = try await client.page("/me/registrations", member)
            #expect(mine.status == .ok)
            #expect(mine.html.contains("2026年度") && mine.html.contains("2025年度"))
            let csrf = try csrfToken(mine.html)
            let empty = try await client.postFormFields("/me/registrations", [("csrf", csrf), ("year", "2026"), ("summary", "  ")], browser: member)
            #expect(empty.status == .unprocessableContent)
            #expect(empty.html.contains("请填写年度个人总结"))
            let sent = try await client.postFormFields(
                "/me/registrations", [("csrf", csrf), ("year", "2026"), ("summary", "按时参加组织生活")], browser: member)
            #expect(sent.status == .seeOther)
            #expect(sent.headers[.location] == "/me/registrations?done=registration-submitted")
            #expect(try await client.page("/me/registrations", member).html.contains("待审批"))

            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let list = try await client.page("/orgs/upc-cs-2020-1/registrations?name=%E6%9E%97&status=pending", branch)
            #expect(list.status == .ok)
            #expect(list.html.contains("林子豪") && list.html.contains("按时参加组织生活"))
            #expect(try await client.page("/orgs/upc-cs-2020-1/registrations?status=approved", branch).html.contains("暂无符合条件"))
            let wrong = try await client.page("/orgs/upc-cs-2020-1/registrations?from=2026-11-30&to=2026-11-01", branch)
            #expect(wrong.status == .badRequest)
            #expect(wrong.html.contains("结束日期不能早于开始日期"))
            let action = try attribute(list.html, "action", startingWith: "/registrations/")
            let token = try csrfToken(list.html)
            let noReason = try await client.postFormFields(action, [("csrf", token), ("approve", "0"), ("reason", "")], browser: branch)
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.html.contains("退回年度团籍注册须填写原因"))
            let back = try await client.postFormFields(action, [("csrf", token), ("approve", "0"), ("reason", "请补充志愿服务情况")], browser: branch)
            #expect(back.headers[.location] == "/orgs/upc-cs-2020-1/registrations?done=registration-rejected")
            #expect(try await client.page("/me/registrations", member).html.contains("退回原因：请补充志愿服务情况"))

            let (sibling, _) = try await client.pageLogin(Self.accounts["sibling_branch_admin"])
            #expect(try await client.page("/orgs/upc-cs-2020-1/registrations", sibling).status == .notFound)
        }
    }
}

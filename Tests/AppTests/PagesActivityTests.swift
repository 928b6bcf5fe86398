import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// 三会·两制·一课 on the pages (ACT-1): recorded with attendees, corrected, withdrawn; the member
/// sees it on their own page.
@Suite("Activity pages (ACT-1)")
struct PagesActivityTests {
    static let accounts = try! DemoAccounts.load()

    @Test("ACT-1: the branch records a meeting ticking attendees; a future date is refused in place; a correction replaces the attendees; the member sees it; withdrawn, it is gone")
    func recordCorrectWithdraw() async throws {
        try await withDemoApp { client in
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let old = Self.accounts["member_old"].memberId!
            let newer = Self.accounts["member_new_2"].memberId!
            let page = try await client.page("/orgs/upc-cs-2020-1/activities", branch)
            #expect(page.status == .ok)
            #expect(page.html.contains("value=\"\(old)\""), "the branch's members are offered as attendees")
            let csrf = try csrfToken(page.html)
            let fields = [("csrf", csrf), ("kind", "lesson"), ("topic", "团史学习"), ("place", "南堂"), ("record", "学习团史"), ("attendee", old)]
            let future = try await client.postFormFields("/orgs/upc-cs-2020-1/activities", fields + [("date", "2030-01-01")], browser: branch)
            #expect(future.status == .unprocessableContent)
            #expect(future.html.contains("日期不能晚于今天"))
            #expect(future.html.contains("value=\"团史学习\""), "what was typed is kept")
            let saved = try await client.postFormFields("/orgs/upc-cs-2020-1/activities", fields + [("date", "2026-11-20")], browser: branch)
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location] == "/orgs/upc-cs-2020-1/activities?done=activity-recorded")
            let listed = try await client.page("/orgs/upc-cs-2020-1/activities", branch)
            #expect(listed.html.contains("团史学习"))
            let editHref = try attribute(listed.html, "href", startingWith: "/activities/")

            let (member, _) = try await client.pageLogin(Self.accounts["member_old"])
            #expect(try await client.page("/members/\(old)/record", member).html.contains("团课 · 团史学习"))

            let form = try await client.page(editHref, branch)
            #expect(form.html.contains("name=\"revision\" value=\"1\""))
            let corrected = try await client.postFormFields(
                editHref, [("csrf", csrf), ("revision", "1"), ("kind", "lesson"), ("date", "2026-11-20"), ("topic", "团史学习"), ("attendee", newer)],
                browser: branch)
            #expect(corrected.status == .seeOther)
            #expect(!(try await client.page("/members/\(old)/record", member)).html.contains("团史学习"))

            let withdrawAction = editHref.replacingOccurrences(of: "/edit", with: "/withdraw")
            let withdrawn = try await client.postForm(withdrawAction, ["csrf": csrf], browser: branch)
            #expect(withdrawn.headers[.location] == "/orgs/upc-cs-2020-1/activities?done=activity-withdrawn")
            #expect(!(try await client.page("/orgs/upc-cs-2020-1/activities", branch)).html.contains("团史学习"))
            let (sibling, _) = try await client.pageLogin(Self.accounts["sibling_branch_admin"])
            #expect(try await client.page("/orgs/upc-cs-2020-1/activities", sibling).status == .notFound)
        }
    }
}

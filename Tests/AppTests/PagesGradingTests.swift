import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// 对标定级 on the pages (issue 11 item 1): the branch grades itself, the committee finds it in
/// 待办事项 and reviews 不予定级, the branch is told and re-grades, and the committee sees the new
/// self-grade highlighted. Refusals come back in place.
@Suite("Grading pages (GRA-1 … GRA-5)")
struct PagesGradingTests {
    static let accounts = try! DemoAccounts.load()

    @Test("GRA-1, GRA-4, GRA-5, OPC-1: self-grade from the criteria page; review from the operation centre; 不予定级, the branch's notice, the re-grade shown in red")
    func branchYear() async throws {
        try await withDemoApp { client in
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let page = try await client.page("/orgs/upc-cs-2020-1/grading", branch)
            #expect(page.status == .ok)
            #expect(page.html.contains("id=\"grading-criteria\""))
            #expect(page.html.contains("组织体系健全"))
            #expect(page.html.contains("id=\"grading-form\""))
            #expect(page.html.contains("href=\"/orgs/upc-cs-2020-1/grading\""), "the navigation leads here")
            let unchosen = try await client.postForm("/orgs/upc-cs-2020-1/grading", ["csrf": try csrfToken(page.html), "grade": ""], browser: branch)
            #expect(unchosen.status == .badRequest)
            #expect(unchosen.html.contains("id=\"grading-error\""))
            let graded = try await client.postForm("/orgs/upc-cs-2020-1/grading", ["csrf": try csrfToken(page.html), "grade": "四星"], browser: branch)
            #expect(graded.status == .seeOther)
            #expect(graded.headers[.location] == "/orgs/upc-cs-2020-1/grading?done=grading-submitted")
            #expect(try await client.page("/orgs/upc-cs-2020-1/grading", branch).html.contains("id=\"grading-self\">四星"))

            let (committee, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let inbox = try await client.page("/inbox?type=grading_review", committee)
            #expect(inbox.status == .ok)
            #expect(inbox.html.contains("计算机学院2020级1班团支部"))
            #expect(inbox.html.contains("自评：四星"))
            #expect(inbox.html.contains("对标定级复核（1）"), "OPC-1: the tab counts its items")
            let href = try attribute(inbox.html, "href", startingWith: "/orgs/upc-cs/grading/reviews")
            let reviews = try await client.page(href, committee)
            #expect(reviews.html.contains("value=\"upc-cs-2020-1\""))
            #expect(!reviews.html.contains("value=\"upc-cs-2020-2\""), "2班 has not graded itself: nothing to tick")
            let none = try await client.postFormFields(href, [("csrf", try csrfToken(reviews.html)), ("grade", "不予定级")], browser: committee)
            #expect(none.status == .badRequest)
            #expect(none.html.contains("请勾选要复核的团(总)支部"))
            let reviewed = try await client.postFormFields(
                href, [("csrf", try csrfToken(reviews.html)), ("orgId", "upc-cs-2020-1"), ("grade", "不予定级")], browser: committee)
            #expect(reviewed.status == .seeOther)
            #expect(reviewed.headers[.location] == "/orgs/upc-cs/grading/reviews?done=grading-reviewed")

            let told = try await client.page("/inbox?type=grading_result", branch)
            #expect(told.html.contains("上级复核：不予定级"))
            let again = try await client.page("/orgs/upc-cs-2020-1/grading", branch)
            #expect(again.html.contains("id=\"grading-key-rectification\""))
            #expect(try await client.postForm("/orgs/upc-cs-2020-1/grading", ["csrf": try csrfToken(again.html), "grade": "二星"], browser: branch).status == .seeOther)
            let highlighted = try await client.page(href, committee)
            #expect(highlighted.html.contains("<strong class=\"text-danger\" title=\"不予定级后重新自评\">二星</strong>"))

            let final = try await client.postFormFields(
                href, [("csrf", try csrfToken(highlighted.html)), ("orgId", "upc-cs-2020-1"), ("grade", "二星")], browser: committee)
            #expect(final.status == .seeOther)
            let locked = try await client.page("/orgs/upc-cs-2020-1/grading", branch)
            #expect(!locked.html.contains("id=\"grading-form\""))
            #expect(locked.html.contains("上级团委已完成复核，自评结果不允许修改。"))
            // Another school's admin gets nothing of it.
            let (other, _) = try await client.pageLogin(Self.accounts["other_school_admin"])
            #expect(try await client.page("/orgs/upc-cs-2020-1/grading", other).status == .notFound)
            #expect(try await client.page(href, other).status == .notFound)
        }
    }
}

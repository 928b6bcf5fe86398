import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The transfer pages (issue 10 item 7): a member applies on `/me/transfers`, both sides decide
/// from their operation centres, the member sees every step; admins start 办理转入 and 办理转出
/// from their org's page. Each page shows a refusal's catalogue message in place.
@Suite("Transfer pages (TRF-1 … TRF-3, ARC-9)")
struct PagesTransferTests {
    static let accounts = try! DemoAccounts.load()
    static let otherBranch = "qdu-wx-2021-1"

    @Test("TRF-1: a member finds the other school's branch by name and applies; both sides approve from 待办事项; the history shows each step and the member's new branch")
    func memberAppliesAcrossSchools() async throws {
        try await withDemoApp { client in
            let (member, _) = try await client.pageLogin(Self.accounts["member_old"])
            let empty = try await client.page("/me/transfers", member)
            #expect(empty.status == .ok)
            #expect(empty.html.contains("暂无组织关系转接记录"))
            let search = try await client.page("/me/transfers?q=" + "文学院2021级1班".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!, member)
            #expect(search.html.contains("value=\"\(Self.otherBranch)\""), "the other school's branch is found by name")
            let applied = try await client.postForm(
                "/me/transfers", ["csrf": try csrfToken(search.html), "toOrgId": Self.otherBranch, "reason": "转学"], browser: member)
            #expect(applied.status == .seeOther)
            #expect(applied.headers[.location] == "/me/transfers?done=transfer-submitted")
            let pending = try await client.page("/me/transfers?done=transfer-submitted", member)
            #expect(pending.html.contains("id=\"open-transfer\""))
            #expect(pending.html.contains("step step-current"))
            #expect(!pending.html.contains("id=\"transfer-apply-form\""), "no second application while one is open")

            // The source branch decides first, from its operation centre.
            let (source, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let inbox = try await client.page("/inbox?type=transfer_approval", source)
            #expect(inbox.status == .ok)
            #expect(inbox.html.contains("林子豪"))
            let href = try attribute(inbox.html, "href", startingWith: "/transfers/")
            let detail = try await client.page(href, source)
            #expect(detail.html.contains("id=\"transfer-approve\""))
            // A rejection needs its reason: refused in place, nothing decided.
            let noReason = try await client.postForm(href + "/reject", ["csrf": try csrfToken(detail.html), "reason": " "], browser: source)
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.html.contains("id=\"transfer-error\""))
            let first = try await client.postForm(href + "/approve", ["csrf": try csrfToken(detail.html)], browser: source)
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == href + "?done=transfer-approved")
            // The destination school sees nothing of it before its turn; the source no longer may decide.
            let after = try await client.page(href, source)
            #expect(!after.html.contains("id=\"transfer-approve\""))
            let late = try await client.postForm(href + "/approve", ["csrf": try csrfToken(after.html)], browser: source)
            #expect(late.status == .forbidden)

            let (destination, _) = try await client.pageLogin(Self.accounts["other_branch_admin"])
            let theirs = try await client.page("/inbox?type=transfer_approval", destination)
            #expect(theirs.html.contains("林子豪"))
            let review = try await client.page(href, destination)
            let done = try await client.postForm(href + "/approve", ["csrf": try csrfToken(review.html)], browser: destination)
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == href + "?done=transfer-completed")
            let completed = try await client.page(href, destination)
            #expect(completed.html.contains("id=\"transfer-status\">已完成"))
            #expect(!completed.html.contains("step-current"))

            let history = try await client.page("/me/transfers", member)
            #expect(history.html.contains("文学院2021级1班团支部</strong>"), "the member's branch is the new one")
            #expect(history.html.contains("badge-completed"))
            #expect(history.html.contains("id=\"transfer-apply-form\""), "a new application is possible again")
            // The old branch no longer lists the member; the new one does.
            let oldList = try await client.page("/members?org=upc-cs-2020-1", source)
            #expect(!oldList.html.contains("林子豪"))
            let newList = try await client.page("/members?org=\(Self.otherBranch)", destination)
            #expect(newList.html.contains("林子豪"))
        }
    }

    @Test("ARC-9, TRF-5: an unverified new member's application is refused on the page with the gate's message, and nothing is started")
    func unverifiedRefused() async throws {
        try await withDemoApp { client in
            let (member, _) = try await client.pageLogin(Self.accounts["member_new"])
            let page = try await client.page("/me/transfers", member)
            let refused = try await client.postForm(
                "/me/transfers", ["csrf": try csrfToken(page.html), "toOrgId": Self.otherBranch, "reason": "转学"], browser: member)
            #expect(refused.status == .conflict)
            #expect(refused.html.contains("团员身份尚未认证"))
            #expect(refused.html.contains("马晓东"))
            let again = try await client.page("/me/transfers", member)
            #expect(again.html.contains("暂无组织关系转接记录"))
        }
    }

    @Test("TRF-2: 办理转入 finds the member by name and ID number together; a wrong pair says so without saying which; 办理转出 lists the branch's members")
    func adminForms() async throws {
        try await withDemoApp { client in
            let (destination, _) = try await client.pageLogin(Self.accounts["other_branch_admin"])
            let list = try await client.page("/orgs/\(Self.otherBranch)/transfers", destination)
            #expect(list.status == .ok)
            #expect(list.html.contains("id=\"start-in\""))
            #expect(!list.html.contains("id=\"start-batch\""), "a branch does no batch (TRF-4)")
            let form = try await client.page("/orgs/\(Self.otherBranch)/transfers/new?kind=in", destination)
            #expect(form.html.contains("id=\"transfer-id-number\""))
            let old = Self.accounts["member_old"]
            let wrong = try await client.postForm(
                "/orgs/\(Self.otherBranch)/transfers/new",
                ["csrf": try csrfToken(form.html), "kind": "in", "name": "林子", "idNumber": old.account, "reason": "转学"], browser: destination)
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.html.contains("未找到姓名与身份证号均相符的团员"))
            #expect(wrong.html.contains("value=\"林子\""), "the form keeps what was typed")
            let started = try await client.postForm(
                "/orgs/\(Self.otherBranch)/transfers/new",
                ["csrf": try csrfToken(form.html), "kind": "in", "name": "林子豪", "idNumber": old.account.lowercased(), "reason": "转学"],
                browser: destination)
            #expect(started.status == .seeOther)
            let href = try #require(started.headers[.location])
            #expect(href.hasPrefix("/transfers/"))
            let detail = try await client.page(href, destination)
            #expect(detail.html.contains("林子豪"))
            #expect(detail.html.contains("办理记录"))
            #expect(!detail.html.contains("id=\"transfer-approve\""), "the other side decides a transfer in")

            // The source branch sees it among its transfers out, and its 办理转出 form lists its members.
            let (source, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let outs = try await client.page("/orgs/upc-cs-2020-1/transfers?direction=out", source)
            #expect(outs.html.contains("林子豪"))
            let outForm = try await client.page("/orgs/upc-cs-2020-1/transfers/new?kind=out", source)
            #expect(outForm.html.contains("value=\"p-c1-03\""))
            // A sibling branch, neither end of it, reads none of it.
            let (stranger, _) = try await client.pageLogin(Self.accounts["sibling_branch_admin"])
            #expect(try await client.page(href, stranger).status == .notFound)
            #expect(try await client.page("/orgs/upc-cs-2020-1/transfers", stranger).status == .notFound)
        }
    }

    @Test("TRF-3: 办理转出 into a 团总支; it approves, then assigns one of its branches on the 分配团支部 item; an empty choice is refused in place")
    func committeeAssignsOnPages() async throws {
        try await withDemoApp { client in
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let form = try await client.page("/orgs/upc-cs-2020-1/transfers/new?kind=out&q=" + "2020级团总支".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!, branch)
            #expect(form.status == .ok)
            let started = try await client.postForm(
                "/orgs/upc-cs-2020-1/transfers/new",
                ["csrf": try csrfToken(form.html), "kind": "out", "memberId": "p-c1-05", "toOrgId": "upc-cs-2020", "reason": "调整班级"], browser: branch)
            #expect(started.status == .seeOther, "\(started.html)")
            let href = try #require(started.headers[.location]).components(separatedBy: "?")[0]

            let (zongzhi, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let approval = try await client.page(href, zongzhi)
            let approved = try await client.postForm(href + "/approve", ["csrf": try csrfToken(approval.html)], browser: zongzhi)
            #expect(approved.headers[.location] == href + "?done=transfer-approved", "the committee's approval is not the last step")
            let inbox = try await client.page("/inbox?type=branch_assignment", zongzhi)
            #expect(inbox.html.contains("分配团支部"))
            #expect(inbox.html.contains(href))
            let assignment = try await client.page(href, zongzhi)
            #expect(assignment.html.contains("value=\"upc-cs-2020-2\""))
            #expect(!assignment.html.contains("value=\"qdu-wx-2021-1\""), "only the 团总支's own branches are offered")
            let empty = try await client.postForm(href + "/assign", ["csrf": try csrfToken(assignment.html), "branchId": ""], browser: zongzhi)
            #expect(empty.status == .badRequest)
            #expect(empty.html.contains("请选择要分配的团支部"))
            let assigned = try await client.postForm(
                href + "/assign", ["csrf": try csrfToken(assignment.html), "branchId": "upc-cs-2020-2"], browser: zongzhi)
            #expect(assigned.headers[.location] == href + "?done=transfer-assigned")
            let done = try await client.page(href, zongzhi)
            #expect(done.html.contains("id=\"transfer-status\">已完成"))
            #expect(done.html.contains("分配团支部"), "the kept steps name the assignment")
        }
    }

    @Test("TRF-4, ARC-9: 批量接转 lists a branch's members as checkboxes; a batch naming an unverified new member is refused whole, naming them; a valid one moves at once")
    func batchOnPages() async throws {
        try await withDemoApp { client in
            let (zongzhi, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let list = try await client.page("/orgs/upc-cs-2020/transfers", zongzhi)
            #expect(list.html.contains("id=\"start-batch\""))
            #expect(!list.html.contains("id=\"start-out\""))
            let form = try await client.page("/orgs/upc-cs-2020/transfers/new?kind=batch&from=upc-cs-2020-1", zongzhi)
            #expect(form.html.contains("type=\"checkbox\" name=\"memberId\" value=\"p-c1-05\""))
            let csrf = try csrfToken(form.html)
            func post(_ members: [String]) async throws -> TestResponse {
                let fields = [("csrf", csrf), ("kind", "batch"), ("toOrgId", "upc-cs-2020-2"), ("reason", "分班"), ("from", "upc-cs-2020-1")]
                return try await client.postFormFields("/orgs/upc-cs-2020/transfers/new", fields + members.map { ("memberId", $0) }, browser: zongzhi)
            }
            let blocked = try await post(["p-c1-05", "p-c1-03"])
            #expect(blocked.status == .conflict)
            #expect(blocked.html.contains("马晓东"))
            #expect(blocked.html.contains("checked"), "the form keeps the ticked members")
            let moved = try await post(["p-c1-05"])
            #expect(moved.status == .seeOther)
            let after = try await client.page("/orgs/upc-cs-2020/transfers/new?kind=batch&from=upc-cs-2020-2", zongzhi)
            #expect(after.html.contains("value=\"p-c1-05\""), "the member is in the other branch now")
        }
    }

    @Test("GRD-1, GRD-2, GRD-3 through 毕业生标注: the 团总支 ticks two branches with one month; a marked branch has no checkbox and a forced second mark is refused; a month and a reason together are refused in place")
    func graduationMarksOnPages() async throws {
        try await withDemoApp { client in
            let (zongzhi, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let transfers = try await client.page("/orgs/upc-cs-2020/transfers", zongzhi)
            #expect(transfers.html.contains("href=\"/orgs/upc-cs-2020/graduation\""))
            let page = try await client.page("/orgs/upc-cs-2020/graduation", zongzhi)
            #expect(page.status == .ok)
            #expect(page.html.contains("name=\"branchId\" value=\"upc-cs-2020-1\""))
            let csrf = try csrfToken(page.html)
            func post(_ branches: [String], month: String, reason: String = "") async throws -> TestResponse {
                let fields = [("csrf", csrf), ("month", month), ("reason", reason)] + branches.map { ("branchId", $0) }
                return try await client.postFormFields("/orgs/upc-cs-2020/graduation", fields, browser: zongzhi)
            }
            let both = try await post(["upc-cs-2020-1"], month: "2027-06", reason: "待定")
            #expect(both.status == .unprocessableContent)
            #expect(both.html.contains("id=\"graduation-error\""))
            #expect(both.html.components(separatedBy: " checked>").count == 2, "the one ticked branch stays ticked")
            let marked = try await post(["upc-cs-2020-1", "upc-cs-2020-2"], month: "2027-06")
            #expect(marked.status == .seeOther)
            #expect(marked.headers[.location] == "/orgs/upc-cs-2020/graduation?done=graduation-marked")
            let after = try await client.page("/orgs/upc-cs-2020/graduation", zongzhi)
            #expect(after.html.contains("2027-06"))
            #expect(!after.html.contains("name=\"branchId\" value=\"upc-cs-2020-1\""), "a mark is final for the school (GRD-3)")
            let again = try await post(["upc-cs-2020-1"], month: "2027-07")
            #expect(again.status == .conflict)
            #expect(again.html.contains("省级团委"))
        }
    }

    @Test("GRD-5 on the member's page: no 延迟毕业 before the branch has a month; an earlier month is refused in place with the form kept; a later one is marked, shown and revoked")
    func delayedGraduationOnPages() async throws {
        try await withDemoApp { client in
            let (zongzhi, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let record = "/members/p-c1-05/record"
            let before = try await client.page(record, zongzhi)
            #expect(before.status == .ok)
            #expect(!before.html.contains("id=\"delayed-graduation\""), "the branch has no month to delay from yet")
            let marks = try await client.page("/orgs/upc-cs-2020/graduation", zongzhi)
            let marked = try await client.postFormFields(
                "/orgs/upc-cs-2020/graduation", [("csrf", try csrfToken(marks.html)), ("month", "2027-06"), ("branchId", "upc-cs-2020-1")],
                browser: zongzhi)
            #expect(marked.status == .seeOther)
            let page = try await client.page(record, zongzhi)
            #expect(page.html.contains("id=\"delay-form\""))
            #expect(page.html.contains("2027-06"))
            let early = try await client.postForm(
                record.replacingOccurrences(of: "/record", with: "/delayed-graduation"),
                ["csrf": try csrfToken(page.html), "month": "2027-06", "reason": "延长学制"], browser: zongzhi)
            #expect(early.status == .unprocessableContent)
            #expect(early.html.contains("value=\"延长学制\""), "the form keeps the reason")
            let delayed = try await client.postForm(
                "/members/p-c1-05/delayed-graduation", ["csrf": try csrfToken(page.html), "month": "2028-06", "reason": "延长学制"], browser: zongzhi)
            #expect(delayed.headers[.location] == record + "?done=delay-marked")
            let shown = try await client.page(record, zongzhi)
            #expect(shown.html.contains("id=\"delay-current\""))
            #expect(shown.html.contains("2028-06"))
            #expect(!shown.html.contains("id=\"delay-form\""), "one delay in force at a time")
            let revoked = try await client.postForm("/members/p-c1-05/delayed-graduation/revoke", ["csrf": try csrfToken(shown.html)], browser: zongzhi)
            #expect(revoked.headers[.location] == record + "?done=delay-revoked")
            let after = try await client.page(record, zongzhi)
            #expect(after.html.contains("id=\"delay-form\""))
            // A member sees their own record without the section.
            let (member, _) = try await client.pageLogin(Self.accounts["member_old"])
            #expect(!(try await client.page(record, member)).html.contains("id=\"delayed-graduation\""))
        }
    }
}

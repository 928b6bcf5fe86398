import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The member-record pages: 录入团员团干部, a member's 资料 with edit and removal, 团干部列表,
/// and the member list's new columns (issue 9, members).
@Suite("Member record pages")
struct PagesMemberRecordTests {
    static let accounts = try! DemoAccounts.load()

    @Test("MEM-1, MEM-3, MEM-4: the entry form shows every reason of a refused record in place, keeps the input, and enters a good one")
    func entryForm() async throws {
        try await withDemoApp { client in
            let (browser, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let members = try await client.page("/members?org=upc-cs-2020-1", browser)
            #expect(members.html.contains("href=\"/orgs/upc-cs-2020-1/members/new\""))
            #expect(members.html.contains("实名认证") && members.html.contains("/members/p-c1-03/record"))
            let form = try await client.page("/orgs/upc-cs-2020-1/members/new", browser)
            #expect(form.status == .ok)
            #expect(form.html.contains("录入团员团干部") && form.html.contains("name=\"idNumber\""))
            let csrf = try csrfToken(form.html)

            var fields = newMemberBody().mapValues { "\($0)" }
            fields["csrf"] = csrf
            fields["idNumber"] = "370211200405061230"
            fields["mobile"] = "12"
            let refused = try await client.postForm("/orgs/upc-cs-2020-1/members/new", fields, browser: browser)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("id=\"entry-reasons\""))
            #expect(refused.html.contains("<li>身份证号校验位不正确，请核对后重新填写</li>"))
            #expect(refused.html.contains("<li>手机号码应为11位数字</li>"))
            #expect(refused.html.contains("value=\"赵新\""))

            fields["idNumber"] = IDNumber.completing("37021120040506123")
            fields["mobile"] = "13800138000"
            let entered = try await client.postForm("/orgs/upc-cs-2020-1/members/new", fields, browser: browser)
            #expect(entered.status == .seeOther)
            let location = try #require(entered.headers[.location])
            #expect(location.hasSuffix("/record?done=entered"))
            let record = try await client.page(location, browser)
            #expect(record.html.contains("赵新") && record.html.contains("团员已录入"))

            // Without the token the form is refused.
            fields["csrf"] = "forged"
            #expect(try await client.postForm("/orgs/upc-cs-2020-1/members/new", fields, browser: browser).status == .forbidden)
        }
    }

    @Test("MEM-10: a member edits their own 资料 without name or ID number fields; MEM-2: the province sees them")
    func selfProfile() async throws {
        try await withDemoApp { client in
            let id = Self.accounts["member_new"].memberId!
            let (browser, _) = try await client.pageLogin(Self.accounts["member_new"])
            let page = try await client.page("/members/\(id)/record", browser)
            #expect(page.status == .ok)
            #expect(page.html.contains("id=\"edit-form\"") && !page.html.contains("id=\"e-name\""))
            #expect(page.html.contains("请联系省级团委管理员"))
            #expect(!page.html.contains("id=\"removal-form\""))
            let saved = try await client.postForm(
                "/members/\(id)/record", ["csrf": try csrfToken(page.html), "mobile": "13900139000", "education": "大学本科"], browser: browser)
            #expect(saved.status == .seeOther)
            let after = try await client.page(saved.headers[.location]!, browser)
            #expect(after.html.contains("13900139000") && after.html.contains("资料已保存"))
            #expect(after.html.contains("手机号码 （空） → 13900139000"))
            let bad = try await client.postForm("/members/\(id)/record", ["csrf": try csrfToken(page.html), "mobile": "1"], browser: browser)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("<li>手机号码应为11位数字</li>"))

            let (province, _) = try await client.pageLogin(Self.accounts["province_admin"])
            let seen = try await client.page("/members/\(id)/record", province)
            #expect(seen.html.contains("id=\"e-name\"") && seen.html.contains("id=\"removal-form\""))
        }
    }

    @Test("MEM-6: the removal form needs the record's name and ID number; then the member shows 已删除 and leaves the list")
    func removalForm() async throws {
        try await withDemoApp { client in
            let id = Self.accounts["member_old"].memberId!
            let (province, _) = try await client.pageLogin(Self.accounts["province_admin"])
            let page = try await client.page("/members/\(id)/record", province)
            let csrf = try csrfToken(page.html)
            let wrong = try await client.postForm("/members/\(id)/removal", ["csrf": csrf, "name": "林子豪", "idNumber": "123", "reason": "重复"], browser: province)
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.html.contains("<li>输入的身份证号与该团员记录不一致</li>"))
            let done = try await client.postForm(
                "/members/\(id)/removal", ["csrf": csrf, "name": "林子豪", "idNumber": Self.accounts["member_old"].account, "reason": "重复录入"],
                browser: province)
            #expect(done.status == .seeOther)
            let after = try await client.page(done.headers[.location]!, province)
            #expect(after.html.contains("id=\"removal-notice\"") && after.html.contains("重复录入"))
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            #expect(!(try await client.page("/members?org=upc-cs-2020-1", branch)).html.contains("林子豪"))
            // A branch admin has no removal form and cannot post one.
            let branchView = try await client.page("/members/p-c1-07/record", branch)
            #expect(!branchView.html.contains("id=\"removal-form\""))
            let refused = try await client.postForm(
                "/members/p-c1-07/removal", ["csrf": try csrfToken(branchView.html), "name": "郭子涵", "idNumber": "x", "reason": "x"], browser: branch)
            #expect(refused.status == .forbidden)
        }
    }

    @Test("团干部列表: posts with a change form, a change recorded in 团干部职务变更记录; the 书记's post is refused in place")
    func cadresPage() async throws {
        try await withDemoApp { client in
            let (browser, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let page = try await client.page("/orgs/upc-cs-2020-1/cadres", browser)
            #expect(page.status == .ok)
            #expect(page.html.contains("杨帆") && page.html.contains("徐晨") && page.html.contains("团干部职务变更记录"))
            let csrf = try csrfToken(page.html)
            let changed = try await client.postForm(
                "/orgs/upc-cs-2020-1/cadres", ["csrf": csrf, "personId": "p-c1-02", "post": "宣传委员"], browser: browser)
            #expect(changed.status == .seeOther)
            let after = try await client.page(changed.headers[.location]!, browser)
            #expect(after.html.contains("<td>组织委员</td><td>宣传委员</td><td>杨帆</td>"))
            let refused = try await client.postForm(
                "/orgs/upc-cs-2020-1/cadres", ["csrf": csrf, "personId": "p-c1-01", "post": "副书记"], browser: browser)
            #expect(refused.status == .forbidden)
            #expect(refused.html.contains("变更团组织书记职务须由上级团组织管理员办理"))
            let added = try await client.postForm(
                "/orgs/upc-cs-2020-1/cadres", ["csrf": csrf, "idNumber": Self.accounts["member_old"].account, "post": "文体委员"], browser: browser)
            #expect(added.status == .seeOther)
        }
    }
}

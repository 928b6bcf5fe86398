import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

extension TestClientProtocol {
    /// Opens a page that needs no login: the login cookie it sets and its form's token.
    func openForm(_ path: String) async throws -> (PageBrowser, String, TestResponse) {
        let page = try await page(path, nil)
        let set = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("zhtj_login=") })
        return (PageBrowser(cookie: String(set.prefix { $0 != ";" })), try csrfToken(page.html), page)
    }
}

/// The text right after `marker`, up to the next tag.
func textAfter(_ html: String, _ marker: String) throws -> String {
    let start = try #require(html.range(of: marker)).upperBound
    return String(html[start...].prefix { $0 != "<" })
}

@Suite("Admin onboarding pages (ADM-1 … ADM-5)")
struct AdminPagesTests {
    static let accounts = try! DemoAccounts.load()

    @Test("ADM-2 / ADM-5: the login page links to registration and the forgotten-password form")
    func loginLinks() async throws {
        try await withDemoApp { client in
            let html = try await client.page("/", nil).html
            #expect(html.contains("href=\"/register\""))
            #expect(html.contains("href=\"/forgot-password\""))
        }
    }

    @Test("ADM-1 / ADM-2: a parent generates a code on 注册码; a person finds the org by name and registers on /register")
    func registerJourney() async throws {
        try await withDemoApp { client in
            let (parent, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let codes = try await client.page("/orgs/upc-cs-2020/registration-codes", parent)
            #expect(codes.status == .ok)
            #expect(codes.html.contains("计算机学院2020级1班团支部"))
            #expect(codes.html.contains("未生成"))
            let issued = try await client.postForm(
                "/orgs/upc-cs-2020-1/registration-code", ["csrf": try csrfToken(codes.html)], browser: parent)
            #expect(issued.status == .ok)
            let code = try textAfter(issued.html, "class=\"mono code\">")
            #expect(OneTimeCode(code) != nil, "code shown: \(code)")
            #expect(try await client.page("/orgs/upc-cs-2020/registration-codes", parent).html.contains("有效，未使用"))

            let search = try await client.page("/register?q=2020%E7%BA%A71%E7%8F%AD", nil)
            #expect(search.html.contains("href=\"/register?org=upc-cs-2020-1\""))
            let (browser, token, form) = try await client.openForm("/register?org=upc-cs-2020-1")
            #expect(form.html.contains("共青团"))
            let r = Registrant()
            var fields = r.body(org: "upc-cs-2020-1", code: "Zz9Zz9Zz")
            fields["csrf"] = token
            fields["confirmPassword"] = r.password
            let wrong = try await client.postForm("/register", fields, browser: browser)
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.html.contains("注册码不正确"))
            #expect(wrong.html.contains("value=\"\(r.name)\""), "the form keeps what was typed")
            fields["code"] = code
            fields["csrf"] = try csrfToken(wrong.html)
            let done = try await client.postForm("/register", fields, browser: browser)
            #expect(done.status == .created)
            #expect(done.html.contains("注册成功"))
            // Without the form's token nothing happens.
            fields["csrf"] = "forged"
            #expect(try await client.postForm("/register", fields, browser: browser).status == .forbidden)
        }
    }

    @Test("ADM-2: every reason shows on the form at once")
    func registerReasons() async throws {
        try await withDemoApp { client in
            let parent = try await client.login(Self.accounts["zongzhi_admin"])
            let code = try await client.registrationCode(for: "upc-cs-2020-1", as: parent)
            let (browser, token, _) = try await client.openForm("/register?org=upc-cs-2020-1")
            var r = Registrant()
            r.mobile = "1"
            r.idNumber = Registrant.wrongCheckDigit
            var fields = r.body(org: "upc-cs-2020-1", code: code)
            fields["csrf"] = token
            let refused = try await client.postForm("/register", fields, browser: browser)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("请修改以下内容后重新提交"))
            #expect(refused.html.contains("手机号码应为11位数字"))
            #expect(refused.html.contains("身份证号校验位不正确"))
        }
    }

    @Test("ADM-4: the branch admin asks on 管理员; the parent approves from the operation centre")
    func adminChangeJourney() async throws {
        try await withDemoApp { client in
            let (own, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let page = try await client.page("/orgs/upc-cs-2020-1/admins", own)
            #expect(page.status == .ok)
            #expect(page.html.contains("徐晨"))
            let asked = try await client.postForm(
                "/orgs/upc-cs-2020-1/admins", ["csrf": try csrfToken(page.html), "action": "add", "personId": "p-c1-02"], browser: own)
            #expect(asked.status == .seeOther)
            #expect(asked.headers[.location] == "/orgs/upc-cs-2020-1/admins?done=admin-requested")
            let notCadre = try await client.postForm(
                "/orgs/upc-cs-2020-1/admins", ["csrf": try csrfToken(page.html), "action": "add", "personId": "p-c1-03"], browser: own)
            #expect(notCadre.status == .unprocessableContent)
            #expect(notCadre.html.contains("管理员必须是本组织的团干部"))

            let (parent, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let inbox = try await client.page("/inbox?type=admin_change", parent)
            #expect(inbox.html.contains("管理员变更"))
            let href = try attribute(inbox.html, "href", startingWith: "/inbox/admin-changes/")
            let review = try await client.page(href, parent)
            #expect(review.html.contains("增设管理员"))
            let approved = try await client.postForm(href + "/approve", ["csrf": try csrfToken(review.html)], browser: parent)
            #expect(approved.status == .seeOther)
            #expect(approved.headers[.location] == "/inbox?type=admin_change&done=admin-change-approved")
            let after = try await client.page("/orgs/upc-cs-2020-1/admins", own)
            #expect(!after.html.contains("设为管理员"), "both cadres are admins now")
        }
    }

    @Test("ADM-5: an admin generates a reset code on the person's page; the person resets on /forgot-password")
    func resetJourney() async throws {
        try await withDemoApp { client in
            let member = Self.accounts["member_new"]
            let (admin, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let form = try await client.page("/members/\(member.memberId!)/reset-code", admin)
            #expect(form.status == .ok)
            let issued = try await client.postForm("/members/\(member.memberId!)/reset-code", ["csrf": try csrfToken(form.html)], browser: admin)
            let code = try textAfter(issued.html, "id=\"reset-code-value\">")
            #expect(OneTimeCode(code) != nil)
            let (other, _) = try await client.pageLogin(Self.accounts["other_school_admin"])
            #expect(try await client.page("/members/\(member.memberId!)/reset-code", other).status == .notFound)

            let (browser, token, _) = try await client.openForm("/forgot-password")
            let fields = ["csrf": token, "account": member.account, "code": code, "newPassword": "Reset2026ok", "confirmPassword": "Reset2026ok"]
            let done = try await client.postForm("/forgot-password", fields, browser: browser)
            #expect(done.status == .ok)
            #expect(done.html.contains("密码已重置"))
            let again = try await client.postForm("/forgot-password", fields, browser: browser)
            #expect(again.status == .conflict)
            #expect(again.html.contains("该重置码已被使用"))
        }
    }
}

import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Persistence
import TestSupport
import Testing

/// A browser's view of a page session: the cookie it sends.
struct PageBrowser: Sendable {
    let cookie: String
    var headers: HTTPFields { [.cookie: cookie] }
}

extension TestClientProtocol {
    /// Logs in through the login form; returns the browser and the redirect target.
    func pageLogin(_ account: DemoDataSet.RoleAccount) async throws -> (PageBrowser, String) {
        let (form, token) = try await loginForm()
        let response = try await postForm(
            "/login", ["account": account.account, "password": account.password, "csrf": token], browser: form)
        #expect(response.status == .seeOther, "page login of \(account.account) answered \(response.status)")
        let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("zhtj_session=") })
        let pair = String(cookie.prefix { $0 != ";" })
        return (PageBrowser(cookie: pair), response.headers[.location] ?? "")
    }

    /// Opens the login form as a browser does: the login cookie it sets and the form's token.
    func loginForm() async throws -> (PageBrowser, String) {
        let form = try await page("/", nil)
        let set = try #require(form.headers[values: .setCookie].first { $0.hasPrefix("zhtj_login=") })
        return (PageBrowser(cookie: String(set.prefix { $0 != ";" })), try csrfToken(form.html))
    }

    func page(_ path: String, _ browser: PageBrowser?) async throws -> TestResponse {
        try await execute(uri: path, method: .get, headers: browser?.headers ?? [:])
    }

    func postForm(_ path: String, _ fields: [String: String], browser: PageBrowser?, extra: HTTPFields = [:]) async throws -> TestResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        var headers: HTTPFields = browser?.headers ?? [:]
        headers[.contentType] = "application/x-www-form-urlencoded"
        for field in extra { headers[field.name] = field.value }
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// Posts a form whose keys repeat (a group of checkboxes), in the order given.
    func postFormFields(_ path: String, _ fields: [(String, String)], browser: PageBrowser) async throws -> TestResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        var headers = browser.headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// Posts the member page's upload form (multipart, the token in the form's action).
    func postUpload(_ action: String, _ bytes: [UInt8], browser: PageBrowser) async throws -> TestResponse {
        let boundary = "----zhtj-test-boundary"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
        body += bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        var headers = browser.headers
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return try await execute(uri: action, method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }
}

extension TestResponse {
    var html: String { String(buffer: body) }
}

/// The first `name="csrf" value="…"` of a page.
func csrfToken(_ html: String) throws -> String {
    let marker = "name=\"csrf\" value=\""
    let start = try #require(html.range(of: marker)).upperBound
    return String(html[start...].prefix { $0 != "\"" })
}

/// The value of the first `attribute="…"` whose value starts with `prefix`, HTML-unescaped.
func attribute(_ html: String, _ attribute: String, startingWith prefix: String) throws -> String {
    let marker = "\(attribute)=\"\(prefix)"
    let start = try #require(html.range(of: marker)).lowerBound
    let value = html[html.index(start, offsetBy: attribute.count + 2)...].prefix { $0 != "\"" }
    return String(value).replacingOccurrences(of: "&amp;", with: "&")
}

@Suite("Pages")
struct PagesTests {
    static let accounts = try! DemoAccounts.load()
    static var memberNew: String { accounts["member_new"].memberId! }

    @Test("logged out: every page redirects to the login form, which carries the security headers")
    func loggedOut() async throws {
        try await withDemoApp { client in
            for path in ["/home", "/members", "/members/\(Self.memberNew)", "/inbox", "/inbox/archives/nope", "/me/archive", "/password"] {
                let response = try await client.page(path, nil)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location] == "/", "\(path)")
            }
            let login = try await client.page("/", nil)
            #expect(login.status == .ok)
            #expect(login.html.contains("用户登录"))
            #expect(login.html.contains("name=\"account\""))
            let csp = try #require(login.headers[.init("Content-Security-Policy")!])
            #expect(csp.contains("script-src 'self'"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(login.headers[.xContentTypeOptions] == "nosniff")
            #expect(login.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(!login.html.contains("<script>"))
            #expect(!login.html.contains("style=\""))
            // An invalid cookie is treated as logged out, not as an API error.
            let stale = try await client.page("/members", PageBrowser(cookie: "zhtj_session=not-a-session"))
            #expect(stale.status == .seeOther)
            #expect(stale.headers[.location] == "/")
            let css = try await client.page("/static/app.css", nil)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType]?.hasPrefix("text/css") == true)
            let js = try await client.page("/static/app.js", nil)
            #expect(js.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(js.html.contains("XMLHttpRequest"))
        }
    }

    @Test("login: a wrong password shows the server's message in place; success sets the session cookie and goes home")
    func login() async throws {
        try await withDemoApp { client in
            let committee = Self.accounts["committee_admin"]
            let (form, token) = try await client.loginForm()
            let wrong = try await client.postForm(
                "/login", ["account": committee.account, "password": "nope1234", "csrf": token], browser: form)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.html.contains("账号或密码错误"))
            #expect(wrong.html.contains("value=\"\(committee.account)\""))
            #expect(wrong.headers[values: .setCookie].isEmpty)

            let ok = try await client.postForm(
                "/login", ["account": committee.account, "password": committee.password, "csrf": token], browser: form)
            #expect(ok.status == .seeOther)
            #expect(ok.headers[.location] == "/home")
            let cookie = try #require(ok.headers[values: .setCookie].first { $0.hasPrefix("zhtj_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))

            // The same cookie works for the API (one session for both).
            let pair = String(cookie.prefix { $0 != ";" })
            let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: pair])
            #expect(me.status == .ok)
            // Visiting the login form while logged in goes home.
            let again = try await client.page("/", PageBrowser(cookie: pair))
            #expect(again.headers[.location] == "/home")

            let (_, memberHome) = try await client.pageLogin(Self.accounts["member_new"])
            #expect(memberHome == "/me/archive")
        }
    }

    @Test("ADM-6: the initial-password member changes the password first")
    func initialPassword() async throws {
        try await withDemoApp { client in
            let account = Self.accounts["member_initial"]
            let (browser, target) = try await client.pageLogin(account)
            #expect(target == "/password")
            let blocked = try await client.page("/me/archive", browser)
            #expect(blocked.status == .seeOther)
            #expect(blocked.headers[.location] == "/password")
            let form = try await client.page("/password", browser)
            #expect(form.status == .ok)
            #expect(form.html.contains("首次登录请先修改初始密码"))
            let csrf = try csrfToken(form.html)

            let mismatch = try await client.postForm(
                "/password", ["csrf": csrf, "currentPassword": account.password, "newPassword": "Qingdao2026", "confirmPassword": "Other2026"],
                browser: browser)
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.html.contains("两次输入的新密码不一致"))
            let weak = try await client.postForm(
                "/password", ["csrf": csrf, "currentPassword": account.password, "newPassword": "short", "confirmPassword": "short"],
                browser: browser)
            #expect(weak.status == .unprocessableContent)
            #expect(weak.html.contains("id=\"password-error\""))

            let changed = try await client.postForm(
                "/password",
                ["csrf": csrf, "currentPassword": account.password, "newPassword": "Qingdao2026", "confirmPassword": "Qingdao2026"],
                browser: browser)
            #expect(changed.status == .seeOther)
            #expect(changed.headers[.location] == "/me/archive?done=password")
            let mine = try await client.page("/me/archive?done=password", browser)
            #expect(mine.status == .ok)
            #expect(mine.html.contains("密码已修改"))
            #expect(mine.html.contains("我的电子档案"))
        }
    }

    @Test("ARC-12: the admin home shows the alerts banner linking to the lists")
    func adminHome() async throws {
        try await withDemoApp { client in
            let (committee, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let home = try await client.page("/home", committee)
            #expect(home.status == .ok)
            #expect(home.html.contains("组织内有团员档案尚未上传："))
            #expect(home.html.contains("组织内有团员身份尚未认证："))
            #expect(home.html.contains("/members?org=upc-cs&amp;status=not_uploaded"))
            #expect(home.html.contains("id=\"logout\""))
            // One org: no switcher.
            #expect(!home.html.contains("id=\"org-switcher\""))

            // A branch secretary is also a member: both navigations.
            let (branch, target) = try await client.pageLogin(Self.accounts["branch_admin"])
            #expect(target == "/home")
            let branchHome = try await client.page("/home", branch)
            #expect(branchHome.html.contains("计算机学院2020级1班团支部"))
            #expect(branchHome.html.contains("href=\"/me/archive\""))

            // Members have no admin home.
            let (member, _) = try await client.pageLogin(Self.accounts["member_new"])
            #expect(try await client.page("/home", member).headers[.location] == "/me/archive")
            #expect(try await client.page("/members", member).headers[.location] == "/me/archive")
            #expect(try await client.page("/inbox", member).headers[.location] == "/me/archive")
        }
    }

    @Test("/members: the admin's subtree only, masked ID numbers, filters and search; other schools see nothing of it")
    func membersScope() async throws {
        try await withDemoApp { client in
            let (committee, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let list = try await client.page("/members", committee)
            #expect(list.status == .ok)
            #expect(list.html.contains("马晓东"))
            #expect(list.html.contains("370***********1278"))
            #expect(!list.html.contains(Self.accounts["member_new"].account))
            #expect(list.html.contains("2020370200103"))
            #expect(list.html.contains("尚未上传"))
            #expect(list.html.contains("已逾期"))
            #expect(list.html.contains("无需上传"))  // member_old joined before 2020
            #expect(list.html.contains("value=\"upc-cs-2020-1\""))  // the org filter lists the subtree

            let pendingOnly = try await client.page("/members?org=upc-cs&status=pending", committee)
            #expect(pendingOnly.status == .ok)
            #expect(!pendingOnly.html.contains("马晓东"))
            let found = try await client.page("/members?org=upc-cs&q=\(urlQuery("马晓东"))", committee)
            #expect(found.html.contains("/members/\(Self.memberNew)"))
            let byNumber = try await client.page("/members?q=2020370200103", committee)
            #expect(byNumber.html.contains("马晓东"))

            let (other, _) = try await client.pageLogin(Self.accounts["other_school_admin"])
            let otherList = try await client.page("/members", other)
            #expect(otherList.status == .ok)
            #expect(!otherList.html.contains("马晓东"))
            let otherSearch = try await client.page("/members?q=\(urlQuery("马晓东"))", other)
            #expect(otherSearch.status == .ok)
            #expect(!otherSearch.html.contains("/members/\(Self.memberNew)"))
            #expect(!otherSearch.html.contains("2020370200103"))
            #expect(otherSearch.html.contains("没有符合条件的团员"))
            // Another school's org is answered as if it did not exist (issue 12 item 3).
            let forbidden = try await client.page("/members?org=upc-cs", other)
            #expect(forbidden.status == .notFound)
            #expect(forbidden.html.contains("请求的资源不存在"))
            #expect(!forbidden.html.contains("马晓东"))
            let detail = try await client.page("/members/\(Self.memberNew)", other)
            #expect(detail.status == .notFound)
            #expect(!detail.html.contains("马晓东"))
            #expect(detail.html.contains("智慧团建"))  // the same layout

            let missing = try await client.page("/members/p-nobody", committee)
            #expect(missing.status == .notFound)
            #expect(missing.html.contains("页面不存在"))
            let badStatus = try await client.page("/members?status=bogus", committee)
            #expect(badStatus.status == .badRequest)
            #expect(badStatus.html.contains("请求有误"))

            // The 团总支 admin sees 1班 and 2班 but not other schools.
            let (zongzhi, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let zongzhiList = try await client.page("/members", zongzhi)
            #expect(zongzhiList.html.contains("马晓东"))
            #expect(!zongzhiList.html.contains("青岛大学"))
        }
    }

    @Test("CSRF: every POST needs the session's token; a foreign Origin is refused; logout ends the session")
    func csrf() async throws {
        try await withDemoApp { client in
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let home = try await client.page("/home", branch)
            let token = try csrfToken(home.html)

            let none = try await client.postForm("/logout", [:], browser: branch)
            #expect(none.status == .forbidden)
            #expect(none.html.contains("请求已失效"))
            let wrong = try await client.postForm("/logout", ["csrf": String(token.reversed())], browser: branch)
            #expect(wrong.status == .forbidden)
            let upload = try await client.postUpload("/members/\(Self.memberNew)/archive", makePDF(pages: 12), browser: branch)
            #expect(upload.status == .forbidden)
            let foreign = try await client.postForm(
                "/logout", ["csrf": token], browser: branch, extra: [.origin: "https://evil.example"])
            #expect(foreign.status == .forbidden)

            // Another session's token does not fit this one.
            let (other, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let otherToken = try csrfToken(try await client.page("/home", other).html)
            #expect(otherToken != token)
            #expect(try await client.postForm("/logout", ["csrf": otherToken], browser: branch).status == .forbidden)

            // Still logged in after all those refusals.
            #expect(try await client.page("/home", branch).status == .ok)
            let out = try await client.postForm("/logout", ["csrf": token], browser: branch)
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/")
            #expect(out.headers[values: .setCookie].contains { $0.hasPrefix("zhtj_session=;") || $0.hasPrefix("zhtj_session=") && $0.contains("Max-Age=0") })
            let after = try await client.page("/home", branch)
            #expect(after.status == .seeOther)
            #expect(after.headers[.location] == "/")
            // A POST without a session goes to the login form.
            #expect(try await client.postForm("/logout", ["csrf": token], browser: nil).headers[.location] == "/")
        }
    }

    @Test("ARC-2, ARC-5, ARC-6 through the pages: refuse 9 pages, upload, review with thumbnails, reject, replace, approve, download")
    func journey() async throws {
        try await withDemoApp { client in
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let memberPath = "/members/\(Self.memberNew)"
            let detail = try await client.page(memberPath, branch)
            #expect(detail.status == .ok)
            #expect(detail.html.contains("尚未上传"))
            #expect(detail.html.contains("上传档案"))
            #expect(detail.html.contains("enctype=\"multipart/form-data\""))
            let action = try attribute(detail.html, "action", startingWith: "\(memberPath)/archive?csrf=")

            let nine = try await client.postUpload(action, makePDF(pages: 9), browser: branch)
            #expect(nine.status == .unprocessableContent)
            #expect(nine.html.contains("必须上传12页完整的电子版《入团志愿书》，当前为9页"))
            #expect(nine.html.contains("id=\"upload-form\""))

            let first = makePDF(pages: 12, salt: "v1")
            let uploaded = try await client.postUpload(action, first, browser: branch)
            #expect(uploaded.status == .seeOther)
            #expect(uploaded.headers[.location] == "\(memberPath)?done=uploaded")
            let pending = try await client.page("\(memberPath)?done=uploaded", branch)
            #expect(pending.html.contains("待审批"))
            #expect(pending.html.contains("电子档案已上传"))
            #expect(pending.html.contains("id=\"withdraw-form\""))
            #expect(!pending.html.contains("id=\"upload-form\""))
            // ARC-2a through the page: a second upload while pending is refused in place.
            let again = try await client.postUpload(action, makePDF(pages: 12, salt: "x"), browser: branch)
            #expect(again.status == .conflict)
            #expect(again.html.contains("团员电子档案审批中，不能重复发起"))

            // The committee finds it in the inbox, oldest first, filtered by type.
            let (committee, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let inbox = try await client.page("/inbox", committee)
            #expect(inbox.status == .ok)
            #expect(inbox.html.contains("团员电子档案审批"))
            #expect(inbox.html.contains("马晓东"))
            let reviewPath = try attribute(inbox.html, "href", startingWith: "/inbox/archives/")
            let approvals = try await client.page("/inbox?type=archive_approval", committee)
            #expect(approvals.html.contains(reviewPath))
            let changes = try await client.page("/inbox?type=archive_change_request", committee)
            #expect(!changes.html.contains(reviewPath))
            // The branch's own inbox does not hold its upload.
            #expect(!(try await client.page("/inbox", branch).html.contains(reviewPath)))

            let review = try await client.page(reviewPath, committee)
            #expect(review.status == .ok)
            for text in ["马晓东", "370***********1278", "2020370200103", "2020-10-15", "计算机学院2020级1班团支部", "审批通过", "id=\"reject-reason\""] {
                #expect(review.html.contains(text), "\(text)")
            }
            #expect(!review.html.contains(Self.accounts["member_new"].account))
            let archiveID = String(reviewPath.dropFirst("/inbox/archives/".count))
            for page in 1...12 {
                #expect(review.html.contains("/archives/\(archiveID)/versions/1/pages/\(page).png?w=200"))
            }
            #expect(review.html.contains("loading=\"lazy\""))

            // Thumbnails render on demand (in the inspector's child process) and are cached.
            let thumb = try await client.page("/archives/\(archiveID)/versions/1/pages/3.png?w=200", committee)
            #expect(thumb.status == .ok)
            #expect(thumb.headers[.contentType] == "image/png")
            #expect(Array(buffer: thumb.body).starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let cached = try await client.page("/archives/\(archiveID)/versions/1/pages/3.png?w=200", committee)
            #expect(Array(buffer: cached.body) == Array(buffer: thumb.body))
            #expect(try await client.page("/archives/\(archiveID)/versions/1/pages/13.png", committee).status == .notFound)
            let (other, _) = try await client.pageLogin(Self.accounts["other_school_admin"])
            #expect(try await client.page("/archives/\(archiveID)/versions/1/pages/1.png", other).status == .notFound)
            #expect(try await client.page(reviewPath, other).status == .notFound)
            // The uploading branch may look but not decide.
            let branchView = try await client.page(reviewPath, branch)
            #expect(branchView.status == .ok)
            #expect(!branchView.html.contains("id=\"approve-form\""))

            let token = try csrfToken(review.html)
            let empty = try await client.postForm("\(reviewPath)/reject", ["csrf": token, "reason": "  "], browser: committee)
            #expect(empty.status == .unprocessableContent)
            #expect(empty.html.contains("请填写理由"))
            let rejected = try await client.postForm("\(reviewPath)/reject", ["csrf": token, "reason": "第3页不清晰"], browser: committee)
            #expect(rejected.status == .seeOther)
            #expect(rejected.headers[.location] == "/inbox?done=rejected")
            // A second reviewer who was too late sees the API's 409 message.
            let late = try await client.postForm("\(reviewPath)/approve", ["csrf": token], browser: committee)
            #expect(late.status == .conflict)
            #expect(late.html.contains("该档案当前不在待审批状态，可能已被其他审批人处理"))

            let afterReject = try await client.page(memberPath, branch)
            #expect(afterReject.html.contains("认证不通过"))
            #expect(afterReject.html.contains("第3页不清晰"))
            #expect(afterReject.html.contains("替换档案"))
            let replaceAction = try attribute(afterReject.html, "action", startingWith: "\(memberPath)/archive?csrf=")
            let second = makePDF(pages: 12, salt: "v2")
            #expect(try await client.postUpload(replaceAction, second, browser: branch).status == .seeOther)

            let approveToken = try csrfToken(try await client.page(reviewPath, committee).html)
            let approved = try await client.postForm("\(reviewPath)/approve", ["csrf": approveToken], browser: committee)
            #expect(approved.status == .seeOther)
            #expect(approved.headers[.location] == "/inbox?done=approved")
            let history = try await client.page(memberPath, committee)
            #expect(history.html.contains("已认证"))
            #expect(history.html.contains("第 1 版"))
            #expect(history.html.contains("第 2 版"))
            #expect(history.html.contains("认证不通过"))

            // The member sees 已认证 and downloads the approved file, byte-identical.
            let (member, _) = try await client.pageLogin(Self.accounts["member_new"])
            let mine = try await client.page("/me/archive", member)
            #expect(mine.status == .ok)
            #expect(mine.html.contains("已认证"))
            let download = try attribute(mine.html, "href", startingWith: "/api/v1/me/archive/pdf")
            let pdf = try await client.page(download, member)
            #expect(pdf.status == .ok)
            #expect(Array(buffer: pdf.body) == second)
            // Another member's page is not theirs.
            #expect(try await client.page("/members/\(Self.accounts["member_new_2"].memberId!)", member).status == .notFound)
            // Their own member page is their archive page.
            #expect(try await client.page(memberPath, member).headers[.location] == "/me/archive")
        }
    }

    @Test("withdraw while pending, then change request on a verified archive through the pages")
    func withdrawAndChange() async throws {
        try await withDemoApp { client in
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let memberPath = "/members/\(Self.memberNew)"
            let action = try attribute(try await client.page(memberPath, branch).html, "action", startingWith: "\(memberPath)/archive?csrf=")
            #expect(try await client.postUpload(action, makePDF(pages: 12, salt: "w"), browser: branch).status == .seeOther)
            let pending = try await client.page(memberPath, branch)
            let token = try csrfToken(pending.html)
            let withdrawn = try await client.postForm("\(memberPath)/archive/withdraw", ["csrf": token], browser: branch)
            #expect(withdrawn.status == .seeOther)
            let back = try await client.page(memberPath, branch)
            #expect(back.html.contains("id=\"archive-status\">尚未上传"))
            #expect(back.html.contains("撤回"))

            // Upload again and have it approved.
            #expect(try await client.postUpload(action, makePDF(pages: 12, salt: "w2"), browser: branch).status == .seeOther)
            let (committee, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let reviewPath = try attribute(try await client.page("/inbox", committee).html, "href", startingWith: "/inbox/archives/")
            let reviewToken = try csrfToken(try await client.page(reviewPath, committee).html)
            #expect(try await client.postForm("\(reviewPath)/approve", ["csrf": reviewToken], browser: committee).status == .seeOther)

            // ARC-10: a verified archive changes only through a change request.
            let verified = try await client.page(memberPath, branch)
            #expect(verified.html.contains("id=\"change-form\""))
            #expect(!verified.html.contains("id=\"upload-form\""))
            let emptyReason = try await client.postForm("\(memberPath)/archive/change-requests", ["csrf": token, "reason": ""], browser: branch)
            #expect(emptyReason.status == .unprocessableContent)
            #expect(emptyReason.html.contains("请填写理由"))
            let requested = try await client.postForm(
                "\(memberPath)/archive/change-requests", ["csrf": token, "reason": "姓名写错"], browser: branch)
            #expect(requested.status == .seeOther)
            let changes = try await client.page("/inbox?type=archive_change_request", committee)
            #expect(changes.html.contains("团员电子档案修改申请"))
            #expect(changes.html.contains(reviewPath))
            let changeReview = try await client.page(reviewPath, committee)
            #expect(changeReview.html.contains("姓名写错"))
            #expect(changeReview.html.contains("同意修改"))
            let approveChange = try await client.postForm("\(reviewPath)/change/approve", ["csrf": reviewToken], browser: committee)
            #expect(approveChange.status == .seeOther)
            let open = try await client.page(memberPath, branch)
            #expect(open.html.contains("上传修改后的档案"))
        }
    }

    @Test("ADM-7: an admin of several orgs switches between them on the home page")
    func orgSwitcher() async throws {
        try await withPagesDemoApp(setup: { database in
            let cadres = SQLCadreRepository(database.sql)
            try await cadres.insert(
                CadrePost(personID: PersonID(rawValue: "p-upccs-admin")!, orgID: OrgID(rawValue: "nju")!, title: "兼职副书记"), at: testNow)
            try await cadres.appointAdmin(
                PersonID(rawValue: "p-upccs-admin")!, of: OrgID(rawValue: "nju")!, slot: 2, at: testNow)
        }) { client in
            let (committee, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let home = try await client.page("/home", committee)
            #expect(home.status == .ok)
            #expect(home.html.contains("id=\"org-switcher\""))
            #expect(home.html.contains("<option value=\"upc-cs\""))
            #expect(home.html.contains("<option value=\"nju\""))
            #expect(home.html.components(separatedBy: " selected>").count == 2)
            let upc = try await client.page("/home?org=upc-cs", committee)
            #expect(upc.html.contains("<option value=\"upc-cs\" selected>"))
            #expect(upc.html.contains("<strong>计算机科学与技术学院团委</strong>"))
            let nju = try await client.page("/home?org=nju", committee)
            #expect(nju.html.contains("<strong>南京大学团委</strong>"))
            #expect(nju.html.contains("<option value=\"nju\" selected>"))
            #expect(nju.html.contains("/members?org=nju"))
            let members = try await client.page("/members?org=nju", committee)
            #expect(members.status == .ok)
            #expect(!members.html.contains("马晓东"))
            // Not administered: the default org is shown instead, never the other school.
            let other = try await client.page("/home?org=qdu", committee)
            #expect(other.html == home.html)
            #expect(!other.html.contains("青岛大学团委"))
        }
    }
}

/// `withDemoApp`, with a step of its own on the database after the demo data is loaded.
func withPagesDemoApp(
    setup: @escaping @Sendable (Database) async throws -> Void, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    try await withDemoApp(setup: setup) { _, client in try await body(client) }
}

func urlQuery(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return value.addingPercentEncoding(withAllowedCharacters: allowed)!
}

@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

/// Issue 8: what a hostile client tried, each a way one person could take the service from
/// everyone else, or act as someone else.
@Suite("Hostile clients")
struct HostileClientTests {
    static let accounts = try! DemoAccounts.load()
    static var memberNew: String { accounts["member_new"].memberId! }
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func passwordBody(current: String, new: String) -> ByteBuffer {
        ByteBuffer(string: #"{"currentPassword":"\#(current)","newPassword":"\#(new)"}"#)
    }

    @Test("CSRF: a cookie-only password change or upload from another site is refused; the page's token lets the cookie through")
    func apiForgery() async throws {
        try await withDemoApp { client in
            let admin = Self.accounts["branch_admin"]
            let (browser, _) = try await client.pageLogin(admin)
            let change = passwordBody(current: admin.password, new: "Forged-2026-pw")

            // What a forged form on another site sends: the cookie, its Origin, text/plain.
            let forged = try await client.execute(
                uri: "/api/v1/me/password", method: .post,
                headers: [.cookie: browser.cookie, .origin: "https://evil.example", .contentType: "text/plain"], body: change)
            #expect(forged.status == .forbidden)
            #expect(forged.errorCode == "cross_site_request")
            let nullOrigin = try await client.execute(
                uri: "/api/v1/me/password", method: .post,
                headers: [.cookie: browser.cookie, .origin: "null", .contentType: "application/json"], body: change)
            #expect(nullOrigin.status == .forbidden)
            let fetched = try await client.execute(
                uri: "/api/v1/me/password", method: .post,
                headers: [.cookie: browser.cookie, Self.fetchSite: "cross-site", .contentType: "application/json"], body: change)
            #expect(fetched.errorCode == "cross_site_request")
            let sibling = try await client.execute(
                uri: "/api/v1/me/password", method: .post,
                headers: [.cookie: browser.cookie, Self.fetchSite: "same-site", .contentType: "application/json"], body: change)
            #expect(sibling.errorCode == "cross_site_request")
            // Same site, but no token: still refused.
            let tokenless = try await client.execute(
                uri: "/api/v1/me/password", method: .post, headers: [.cookie: browser.cookie, .contentType: "application/json"],
                body: change)
            #expect(tokenless.status == .forbidden)
            #expect(tokenless.errorCode == "csrf_rejected")

            let pdf = ByteBuffer(bytes: makePDF(pages: 12))
            let upload = "/api/v1/members/\(Self.memberNew)/archive"
            let forgedUpload = try await client.execute(
                uri: upload, method: .put, headers: [.cookie: browser.cookie, .origin: "https://evil.example", .contentType: "text/plain"],
                body: pdf)
            #expect(forgedUpload.status == .forbidden)
            let tokenlessUpload = try await client.execute(
                uri: upload, method: .put, headers: [.cookie: browser.cookie, .contentType: "application/pdf"], body: pdf)
            #expect(tokenlessUpload.errorCode == "csrf_rejected")

            // The password is unchanged: it still logs in.
            _ = try await client.login(admin)

            // The token the pages embed lets the pages' own script through (here a wrong
            // current password, so the guard is passed and nothing changes).
            let token = try csrfToken(try await client.page("/home", browser).html)
            let own = try await client.execute(
                uri: "/api/v1/me/password", method: .post,
                headers: [.cookie: browser.cookie, Self.csrfHeader: token, Self.fetchSite: "same-origin", .contentType: "application/json"],
                body: passwordBody(current: "not-my-password", new: "Forged-2026-pw"))
            #expect(own.errorCode == "wrong_current_password")
            let ownUpload = try await client.execute(
                uri: upload, method: .put, headers: [.cookie: browser.cookie, Self.csrfHeader: token, .contentType: "application/pdf"],
                body: pdf)
            #expect(ownUpload.status != .forbidden, "\(ownUpload.status) \(ownUpload.errorCode ?? "")")

            // A bearer call needs no token, but a JSON endpoint takes only JSON.
            let bearer = try await client.login(admin)
            let plain = try await client.execute(
                uri: "/api/v1/me/password", method: .post, headers: [.authorization: "Bearer \(bearer)", .contentType: "text/plain"],
                body: passwordBody(current: "not-my-password", new: "Forged-2026-pw"))
            #expect(plain.status == .unsupportedMediaType)
            let json = try await client.execute(
                uri: "/api/v1/me/password", method: .post, headers: [.authorization: "Bearer \(bearer)", .contentType: "application/json"],
                body: passwordBody(current: "not-my-password", new: "Forged-2026-pw"))
            #expect(json.errorCode == "wrong_current_password")
        }
    }

    @Test("login: the API takes only JSON from this site; the form's token is bound to its own cookie")
    func loginForgery() async throws {
        try await withDemoApp { client in
            let admin = Self.accounts["branch_admin"]
            let credentials = ByteBuffer(string: #"{"account":"\#(admin.account)","password":"\#(admin.password)"}"#)
            let plain = try await client.execute(uri: "/api/v1/login", method: .post, headers: [.contentType: "text/plain"], body: credentials)
            #expect(plain.status == .unsupportedMediaType)
            #expect(plain.headers[values: .setCookie].isEmpty)
            let foreign = try await client.execute(
                uri: "/api/v1/login", method: .post, headers: [.contentType: "application/json", .origin: "https://evil.example"],
                body: credentials)
            #expect(foreign.status == .forbidden)
            #expect(foreign.headers[values: .setCookie].isEmpty)

            let fields = ["account": admin.account, "password": admin.password]
            // No token: the form is shown again (403), with a fresh token and no session.
            let bare = try await client.postForm("/login", fields, browser: nil)
            #expect(bare.status == .forbidden)
            #expect(!bare.headers[values: .setCookie].contains { $0.hasPrefix("zhtj_session=") })
            #expect(bare.html.contains("id=\"login-form\""))
            // A token from another browser's form does not fit this browser's cookie.
            let (mine, _) = try await client.loginForm()
            let (_, theirs) = try await client.loginForm()
            let swapped = try await client.postForm("/login", fields.merging(["csrf": theirs]) { $1 }, browser: mine)
            #expect(swapped.status == .forbidden)
            // Origin: null (a sandboxed frame, a data: URL) is another site.
            let (form, token) = try await client.loginForm()
            let null = try await client.postForm("/login", fields.merging(["csrf": token]) { $1 }, browser: form, extra: [.origin: "null"])
            #expect(null.status == .forbidden)
            #expect(!null.headers[values: .setCookie].contains { $0.hasPrefix("zhtj_session=") })
            let cookie = try #require(
                try await client.page("/", nil).headers[values: .setCookie].first { $0.hasPrefix("zhtj_login=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            // The real form still works.
            let ok = try await client.postForm("/login", fields.merging(["csrf": token]) { $1 }, browser: form)
            #expect(ok.status == .seeOther)
        }
    }

    @Test("without a session every protected route answers 401 before looking anything up, whether the id exists or not")
    func unauthenticatedProbes() async throws {
        try await withDemoApp { client in
            let probes: [(HTTPRequest.Method, String)] = [
                (.get, "/api/v1/members/p-c1-03"), (.get, "/api/v1/members/nonexistent"), (.get, "/api/v1/members/%00"),
                (.get, "/api/v1/orgs/upc-cs"), (.get, "/api/v1/orgs/nonexistent"), (.get, "/api/v1/orgs/upc-cs/members"),
                (.get, "/api/v1/orgs/nonexistent/members"), (.get, "/api/v1/members/p-c1-03/archive"),
                (.get, "/api/v1/members/nonexistent/archive/pdf"), (.put, "/api/v1/members/nonexistent/archive"),
                (.post, "/api/v1/archives/nonexistent/approve"), (.get, "/api/v1/orgs/upc-cs/audit"), (.post, "/api/v1/transfers"),
            ]
            for (method, path) in probes {
                let anonymous = try await client.execute(uri: path, method: method)
                #expect(anonymous.status == .unauthorized, "\(method) \(path)")
                #expect(anonymous.errorCode == "unauthenticated", "\(method) \(path)")
                let madeUp = try await client.execute(uri: path, method: method, headers: [.authorization: "Bearer made-up"])
                #expect(madeUp.errorCode == "session_invalid", "\(method) \(path)")
            }
        }
    }

    @Test("ARC-6: bad input is a 4xx: 4 MiB JSON is 413, a NUL or a bidi override in a rejection reason 422, a 100 KB reason 422, q=%00 refused")
    func badInput() async throws {
        try await withDemoApp { client in
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 4 << 20)
            let login = try await client.execute(uri: "/api/v1/login", method: .post, headers: [.contentType: "application/json"], body: big)
            #expect(login.status == .contentTooLarge)
            #expect(login.errorCode == "too_large")
            let branch = try await client.login(Self.accounts["branch_admin"])
            let password = try await client.execute(
                uri: "/api/v1/me/password", method: .post, headers: [.authorization: "Bearer \(branch)", .contentType: "application/json"],
                body: big)
            #expect(password.status == .contentTooLarge)
            let form = try await client.postForm("/login", ["account": String(repeating: "a", count: 300_000)], browser: nil)
            #expect(form.status == .contentTooLarge)

            let committee = try await client.login(Self.accounts["committee_admin"])
            let created = try await client.upload("/api/v1/members/\(Self.memberNew)/archive", makePDF(pages: 12), token: branch)
            #expect(created.status == .created)
            let archive = try created.json()["archiveId"] as! String
            let reject = "/api/v1/archives/\(archive)/reject"
            for bad in ["\u{0000}", "第3页\u{0000}不清晰", "\u{202E}清晰", "不清晰\u{001B}[31m", String(repeating: "a", count: 100_000)] {
                let refused = try await client.post(reject, token: committee, json: ["reason": bad])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.errorCode == "invalid_text")
            }
            let huge = try await client.post(reject, token: committee, json: ["reason": String(repeating: "很", count: 100_000)])
            #expect(huge.status == .contentTooLarge)
            let raw = try await client.execute(
                uri: reject, method: .post, headers: [.authorization: "Bearer \(committee)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"reason":"\u0000"}"#))
            #expect(raw.errorCode == "invalid_text")
            let long = try await client.post(reject, token: committee, json: ["reason": String(repeating: "很", count: 501)])
            #expect(long.errorMessage == "理由不能超过500个字")
            let control = try await client.post(reject, token: committee, json: ["reason": "a\u{0000}"])
            #expect(control.errorMessage == "理由含有不可见的控制字符，请删除后重新填写")
            // Nothing was recorded by the refusals; a proper reason (two lines) still goes through.
            let rejected = try await client.post(reject, token: committee, json: ["reason": "第3页不清晰\n请重新扫描"])
            #expect(rejected.status == .ok)

            for q in ["%00", "%E2%80%AE", "a%0Ab", String(repeating: "x", count: 41)] {
                let search = try await client.get("/api/v1/archives/search?q=\(q)", token: committee)
                #expect(search.status == .unprocessableContent, "q=\(q)")
                #expect(search.errorCode == "invalid_text", "q=\(q)")
            }
            #expect(try await client.get("/api/v1/archives/search?q=%E9%A9%AC", token: committee).status == .ok)
        }
    }

    @Test("a wrong method answers 405 with Allow; HEAD answers wherever GET does, without a body")
    func methods() async throws {
        try await withDemoApp { client in
            let me = try await client.execute(uri: "/api/v1/me", method: .delete)
            #expect(me.status == .methodNotAllowed)
            #expect(me.errorCode == "method_not_allowed")
            #expect(me.headers[.allow] == "GET, HEAD")
            let login = try await client.execute(uri: "/api/v1/login", method: .get)
            #expect(login.headers[.allow] == "POST")
            let archive = try await client.execute(uri: "/api/v1/members/p-c1-03/archive", method: .delete)
            #expect(archive.headers[.allow].map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
                == ["GET", "PUT", "HEAD"])
            let page = try await client.execute(uri: "/home", method: .put)
            #expect(page.status == .methodNotAllowed)
            let password = try await client.execute(uri: "/password", method: .delete)
            #expect(password.headers[.allow].map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
                == ["GET", "POST", "HEAD"])
            #expect(try await client.execute(uri: "/api/v1/nothing-here", method: .delete).status == .notFound)

            let health = try await client.execute(uri: "/healthz", method: .head)
            #expect(health.status == .ok)
            #expect(health.body.readableBytes == 0)
            let token = try await client.login(Self.accounts["branch_admin"])
            let head = try await client.execute(uri: "/api/v1/me", method: .head, headers: [.authorization: "Bearer \(token)"])
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(try await client.execute(uri: "/", method: .head).status == .ok)
        }
    }

    @Test("every API route answers the methods its table lists and 405 for the others, so Allow never lies")
    func routeTable() async throws {
        try await withDemoApp { client in
            let ids = ["{orgId}": "upc-cs", "{memberId}": "p-c1-03", "{archiveId}": "a-none", "{requestId}": "r-none"]
            for (route, methods) in SiteRoute.registered {
                let pattern = route.path
                var path = pattern
                for (placeholder, id) in ids { path = path.replacingOccurrences(of: placeholder, with: id) }
                for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
                    let response = try await client.execute(uri: path, method: method, headers: [.contentType: "application/json"])
                    if methods.contains(method) {
                        #expect(response.status != .methodNotAllowed && response.status != .notFound, "\(method) \(path): \(response.status)")
                    } else {
                        #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.status)")
                    }
                }
            }
        }
    }
}

@Suite("Session cache")
struct SessionCacheTests {
    @Test("a logout here ends the session at once; one on another instance within the cache's lifetime")
    func revocation() async throws {
        let accounts = try DemoAccounts.load()
        try await withDemoApp(configure: { $0.sessionCacheSeconds = 0.3 }, setup: nil) { environment, client in
            let token = try await client.login(accounts["branch_admin"])
            #expect(try await client.get("/api/v1/me", token: token).status == .ok)
            // Another instance logs the session out; this one still holds it for a moment …
            try await withRestartedApp(environment, clock: FixedTimeSource(testNow)) { (other: any TestClientProtocol) async throws in
                #expect(try await other.post("/api/v1/logout", token: token).status == .noContent)
            }
            try await Task.sleep(for: .milliseconds(600))
            // … and no longer than that.
            #expect(try await client.get("/api/v1/me", token: token).status == .unauthorized)

            // Here, a logout takes effect at once.
            let second = try await client.login(accounts["branch_admin"])
            #expect(try await client.get("/api/v1/me", token: second).status == .ok)
            #expect(try await client.post("/api/v1/logout", token: second).status == .noContent)
            #expect(try await client.get("/api/v1/me", token: second).status == .unauthorized)
        }
    }

    @Test("ADM-6: after the password change the same session is no longer asked to change it")
    func passwordChangeRefreshes() async throws {
        let accounts = try DemoAccounts.load()
        try await withDemoApp(configure: { $0.sessionCacheSeconds = 60 }) { client in
            let initial = accounts["member_initial"]
            let token = try await client.login(initial)
            #expect(try await client.get("/api/v1/me/archive", token: token).errorCode == "password_change_required")
            let changed = try await client.execute(
                uri: "/api/v1/me/password", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"currentPassword":"\#(initial.password)","newPassword":"Better2026"}"#))
            #expect(changed.status == .noContent)
            #expect(try await client.get("/api/v1/me/archive", token: token).errorCode != "password_change_required")
        }
    }
}

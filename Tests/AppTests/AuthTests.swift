import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import Testing

@Suite("Login, sessions and passwords")
struct AuthTests {
    let accounts = try! DemoAccounts.load()

    @Test("every demo role but the initial-password member logs in directly, with a token and an HttpOnly SameSite cookie")
    func demoRolesLogIn() async throws {
        try await withDemoApp { client in
            for (role, account) in accounts.roles {
                let response = try await client.postJSON("/api/v1/login", ["account": account.account, "password": account.password])
                #expect(response.status == .ok, "\(role)")
                let body = try JSONDecoder().decode(LoginBody.self, from: Data(String(buffer: response.body).utf8))
                #expect(body.mustChangePassword == (role == "member_initial"), "\(role)")
                #expect(body.token.count >= 43)
                let cookie = response.headers[.setCookie] ?? ""
                #expect(cookie.contains("zhtj_session=\(body.token)"))
                #expect(cookie.contains("HttpOnly"))
                #expect(cookie.contains("SameSite=Lax"))
                let me = try await client.get("/api/v1/me", token: body.token)
                #expect(me.status == .ok)
            }
        }
    }

    @Test("the session cookie authenticates like the bearer token")
    func cookieAuth() async throws {
        try await withDemoApp { client in
            let token = try await client.login(accounts["branch_admin"])
            let response = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: "zhtj_session=\(token)"])
            #expect(response.status == .ok)
        }
    }

    @Test("a wrong password and an unknown account get the same 401 invalid_credentials")
    func wrongCredentials() async throws {
        try await withDemoApp { client in
            let wrong = try await client.postJSON("/api/v1/login", ["account": accounts["branch_admin"].account, "password": "nope-1234"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")
            #expect(wrong.errorMessage == "账号或密码错误")
            let unknown = try await client.postJSON("/api/v1/login", ["account": "110105194912310021", "password": "nope-1234"])
            #expect(unknown.status == .unauthorized)
            #expect(unknown.errorCode == "invalid_credentials")
            let empty = try await client.postJSON("/api/v1/login", ["account": "", "password": ""])
            #expect(empty.status == .unprocessableContent)
            let garbage = try await client.execute(uri: "/api/v1/login", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{"))
            #expect(garbage.status == .badRequest)
            #expect(garbage.errorCode == "bad_request")
        }
    }

    @Test("ID numbers log in with a lower-case x too")
    func lowercaseX() async throws {
        try await withDemoApp { client in
            let admin = accounts["branch_admin"]
            #expect(admin.account.hasSuffix("X"))
            let response = try await client.postJSON("/api/v1/login", ["account": admin.account.lowercased(), "password": admin.password])
            #expect(response.status == .ok)
        }
    }

    @Test("failed logins are limited per account with a clear 429 and Retry-After, lifted after the window")
    func throttled() async throws {
        let clock = FixedTimeSource(testNow)
        try await withDemoApp(clock: clock, limits: .init(perAccount: 3, perAddress: 100, windowSeconds: 600)) { client in
            let admin = accounts["branch_admin"]
            for _ in 0..<3 {
                let r = try await client.postJSON("/api/v1/login", ["account": admin.account, "password": "wrong-123"])
                #expect(r.status == .unauthorized)
            }
            // Even the right password is refused while the account is locked.
            let locked = try await client.postJSON("/api/v1/login", ["account": admin.account, "password": admin.password])
            #expect(locked.status == .tooManyRequests)
            #expect(locked.errorCode == "too_many_attempts")
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 0)
            // Other accounts are unaffected.
            let other = try await client.postJSON("/api/v1/login", ["account": accounts["member_new"].account, "password": accounts["member_new"].password])
            #expect(other.status == .ok)
            clock.advance(seconds: 601)
            let later = try await client.postJSON("/api/v1/login", ["account": admin.account, "password": admin.password])
            #expect(later.status == .ok)
        }
    }

    @Test("no token is 401 unauthenticated; a bad token is 401 session_invalid; logout ends the session")
    func sessions() async throws {
        try await withDemoApp { client in
            let none = try await client.get("/api/v1/me", token: nil)
            #expect(none.status == .unauthorized)
            #expect(none.errorCode == "unauthenticated")
            let bad = try await client.get("/api/v1/me", token: "forged")
            #expect(bad.status == .unauthorized)
            #expect(bad.errorCode == "session_invalid")
            let basic = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Basic eDp5"])
            #expect(basic.status == .unauthorized)

            let token = try await client.login(accounts["member_new"])
            let logout = try await client.postJSON("/api/v1/logout", [:], token: token)
            #expect(logout.status == .noContent)
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)
            let after = try await client.get("/api/v1/me", token: token)
            #expect(after.status == .unauthorized)
        }
    }

    @Test("sessions expire after their lifetime")
    func expiry() async throws {
        let clock = FixedTimeSource(testNow)
        try await withDemoApp(clock: clock) { client in
            let token = try await client.login(accounts["member_new"])
            clock.advance(seconds: 12 * 3600 + 1)
            #expect(try await client.get("/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test("ADM-6: the initial-password member must change it before anything else")
    func initialPassword() async throws {
        try await withDemoApp { client in
            let initial = accounts["member_initial"]
            let token = try await client.login(initial)
            let me = try await client.get("/api/v1/me", token: token)
            #expect(me.status == .ok)
            #expect(try me.json()["mustChangePassword"] as? Bool == true)
            let blocked = try await client.get("/api/v1/members/\(initial.memberId!)", token: token)
            #expect(blocked.status == .forbidden)
            #expect(blocked.errorCode == "password_change_required")

            let same = try await client.postJSON("/api/v1/me/password", ["currentPassword": initial.password, "newPassword": initial.password], token: token)
            #expect(same.status == .unprocessableContent)
            #expect(same.errorCode == "weak_password")
            let short = try await client.postJSON("/api/v1/me/password", ["currentPassword": initial.password, "newPassword": "a1"], token: token)
            #expect(short.errorCode == "weak_password")
            let wrong = try await client.postJSON("/api/v1/me/password", ["currentPassword": "not-it-1", "newPassword": "Better2026"], token: token)
            #expect(wrong.errorCode == "wrong_current_password")
            let changed = try await client.postJSON("/api/v1/me/password", ["currentPassword": initial.password, "newPassword": "Better2026"], token: token)
            #expect(changed.status == .noContent)

            let own = try await client.get("/api/v1/members/\(initial.memberId!)", token: token)
            #expect(own.status == .ok)
            let old = try await client.postJSON("/api/v1/login", ["account": initial.account, "password": initial.password])
            #expect(old.status == .unauthorized)
            let fresh = try await client.postJSON("/api/v1/login", ["account": initial.account, "password": "Better2026"])
            #expect(fresh.status == .ok)
            #expect(try fresh.json()["mustChangePassword"] as? Bool == false)
        }
    }

    @Test("a password change ends the account's other sessions")
    func passwordChangeRevokesOthers() async throws {
        try await withDemoApp { client in
            let account = accounts["member_new"]
            let a = try await client.login(account)
            let b = try await client.login(account)
            let changed = try await client.postJSON("/api/v1/me/password", ["currentPassword": account.password, "newPassword": "Another2026"], token: a)
            #expect(changed.status == .noContent)
            #expect(try await client.get("/api/v1/me", token: a).status == .ok)
            #expect(try await client.get("/api/v1/me", token: b).status == .unauthorized)
        }
    }
}

@Suite("Login throttle")
struct LoginThrottleTests {
    @Test("failures from one address across many accounts are limited per address")
    func perAddress() async {
        let clock = FixedTimeSource(testNow)
        let throttle = LoginThrottle(limits: .init(perAccount: 100, perAddress: 4, windowSeconds: 60), clock: clock)
        for i in 0..<4 {
            #expect(await throttle.retryAfter(account: "acct\(i)", address: "10.0.0.1") == nil)
            await throttle.recordFailure(account: "acct\(i)", address: "10.0.0.1")
        }
        #expect(await throttle.retryAfter(account: "fresh", address: "10.0.0.1") == 60)
        #expect(await throttle.retryAfter(account: "fresh", address: "10.0.0.2") == nil)
        clock.advance(seconds: 30)
        #expect(await throttle.retryAfter(account: "fresh", address: "10.0.0.1") == 30)
        clock.advance(seconds: 31)
        #expect(await throttle.retryAfter(account: "fresh", address: "10.0.0.1") == nil)
    }

    @Test("a success clears the account's failures but not the address's")
    func successClearsAccount() async {
        let throttle = LoginThrottle(limits: .init(perAccount: 2, perAddress: 3, windowSeconds: 60), clock: FixedTimeSource(testNow))
        await throttle.recordFailure(account: "a", address: "ip")
        await throttle.recordFailure(account: "a", address: "ip")
        #expect(await throttle.retryAfter(account: "a", address: "other") != nil)
        await throttle.recordSuccess(account: "a")
        #expect(await throttle.retryAfter(account: "a", address: "other") == nil)
        await throttle.recordFailure(account: "b", address: "ip")
        #expect(await throttle.retryAfter(account: "c", address: "ip") != nil)
    }
}

import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
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

    @Test("issue #8 (7): the owner's failures from one address do not lock the owner out of another")
    func ownerNotLockedOut() async throws {
        try await withDemoApp(configure: behindBalancer()) { client in
            let admin = accounts["branch_admin"]
            for attempt in 1...5 {
                let r = try await client.login(admin.account, "wrong-123", from: attacker)
                #expect(r.status == .unauthorized, "attempt \(attempt)")
            }
            let sixth = try await client.login(admin.account, "wrong-123", from: attacker)
            #expect(sixth.status == .tooManyRequests)
            #expect(sixth.errorCode == "too_many_attempts")
            // The right password from the refused address is refused too: the pair is throttled.
            #expect(try await client.login(admin.account, admin.password, from: attacker).status == .tooManyRequests)
            #expect(try await client.login(admin.account, admin.password, from: owner).status == .ok)
        }
    }

    @Test("one account from one address: the 6th attempt gets 429 with Retry-After until the oldest failure leaves the window")
    func pairLimit() async throws {
        let clock = FixedTimeSource(testNow)
        try await withDemoApp(clock: clock, configure: behindBalancer()) { client in
            let admin = accounts["branch_admin"]
            for _ in 1...5 { #expect(try await client.login(admin.account, "wrong-123", from: attacker).status == .unauthorized) }
            let locked = try await client.login(admin.account, admin.password, from: attacker)
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers[.retryAfter] == "900")
            #expect(locked.errorMessage == "登录失败次数过多，请15分钟后再试")
            clock.advance(seconds: 600)
            #expect(try await client.login(admin.account, admin.password, from: attacker).headers[.retryAfter] == "300")
            clock.advance(seconds: 300)
            #expect(try await client.login(admin.account, admin.password, from: attacker).status == .ok)
        }
    }

    @Test("one address trying many accounts is limited per address; other addresses are not")
    func addressLimit() async throws {
        try await withDemoApp(configure: behindBalancer(.init(perAddress: 4))) { client in
            for i in 0..<4 {
                let r = try await client.login("11010519491231\(1000 + i)", "guess-123", from: attacker)
                #expect(r.status == .unauthorized)
            }
            let admin = accounts["branch_admin"]
            let refused = try await client.login(admin.account, admin.password, from: attacker)
            #expect(refused.status == .tooManyRequests)
            #expect(Int(refused.headers[.retryAfter] ?? "") == 900)
            #expect(try await client.login(admin.account, admin.password, from: owner).status == .ok)
        }
    }

    @Test("a success resets the count of its account and address")
    func successResetsPair() async throws {
        let clock = FixedTimeSource(testNow)
        try await withDemoApp(clock: clock, configure: behindBalancer()) { (client: any TestClientProtocol) async throws in
            let admin = accounts["branch_admin"]
            for _ in 1...4 { #expect(try await client.login(admin.account, "wrong-123", from: owner).status == .unauthorized) }
            clock.advance(seconds: 1)
            #expect(try await client.login(admin.account.lowercased(), admin.password, from: owner).status == .ok)
            // Failures count after the success (a later instant; the record orders by time).
            clock.advance(seconds: 1)
            for _ in 1...5 { #expect(try await client.login(admin.account, "wrong-123", from: owner).status == .unauthorized) }
            #expect(try await client.login(admin.account, "wrong-123", from: owner).status == .tooManyRequests)
        }
    }

    @Test("across addresses an account is only delayed, far above the pair's bound, each wait twice the last up to the cap")
    func accountWideDelay() async throws {
        let clock = FixedTimeSource(testNow)
        let limits = LoginThrottle.Limits(perAccount: 3, accountDelayCapSeconds: 4)
        try await withDemoApp(clock: clock, configure: behindBalancer(limits)) { client in
            let admin = accounts["branch_admin"]
            var address = 0
            func next() -> String {
                address += 1
                return "192.0.2.\(address)"
            }
            for _ in 1...3 { #expect(try await client.login(admin.account, "wrong-123", from: next()).status == .unauthorized) }
            var waits: [String?] = []
            for _ in 1...4 {
                let delayed = try await client.login(admin.account, admin.password, from: next())
                #expect(delayed.status == .tooManyRequests)
                waits.append(delayed.headers[.retryAfter])
                clock.advance(seconds: Int64(delayed.headers[.retryAfter] ?? "") ?? 0)
                #expect(try await client.login(admin.account, "wrong-123", from: next()).status == .unauthorized)
            }
            #expect(waits == ["1", "2", "4", "4"])
            let message = try await client.login(admin.account, admin.password, from: next()).errorMessage
            #expect(message == "登录失败次数过多，请4秒后再试")
            clock.advance(seconds: 4)
            // Once the wait is over the owner gets in, from wherever.
            #expect(try await client.login(admin.account, admin.password, from: owner).status == .ok)
        }
    }

    @Test("the counts live in the database: an app rebuilt on the same data still refuses")
    func survivesRestart() async throws {
        let clock = FixedTimeSource(testNow)
        try await withDemoApp(clock: clock, configure: behindBalancer(), setup: nil) { environment, client in
            let admin = accounts["branch_admin"]
            for _ in 1...5 { #expect(try await client.login(admin.account, "wrong-123", from: attacker).status == .unauthorized) }
            try await withRestartedApp(environment, clock: clock) { restarted in
                let refused = try await restarted.login(admin.account, admin.password, from: attacker)
                #expect(refused.status == .tooManyRequests)
                #expect(refused.headers[.retryAfter] == "900")
                #expect(try await restarted.login(admin.account, admin.password, from: owner).status == .ok)
            }
        }
    }

    @Test("every login is recorded with its address and outcome, never the password nor the ID number; hammering a refusal is recorded once")
    func loginRecord() async throws {
        try await withDemoApp(configure: behindBalancer(), setup: nil) { environment, client in
            let admin = accounts["branch_admin"]
            let unknown = "110105194912310021"
            for _ in 1...5 { _ = try await client.login(admin.account, "wrong-secret-1", from: attacker) }
            for _ in 1...3 { #expect(try await client.login(admin.account, "wrong-secret-1", from: attacker).status == .tooManyRequests) }
            #expect(try await client.login(unknown, "guess-secret-2", from: attacker).status == .unauthorized)
            #expect(try await client.login(admin.account, admin.password, from: owner).status == .ok)

            let database = try await openDatabase(config: environment.config, logger: TestDatabase.logger)
            do {
                let attempts = database.repositories.loginAttempts
                let adminRows = try await attempts.list(loginKey: LoginThrottle.key(for: admin.account), limit: 100)
                #expect(adminRows.filter { $0.outcome == .wrongPassword && $0.address == attacker && $0.accountID != nil }.count == 5)
                #expect(adminRows.filter { $0.outcome == .throttled }.map(\.address) == [attacker])
                #expect(adminRows.filter { $0.outcome == .succeeded }.map(\.address) == [owner])
                let unknownRows = try await attempts.list(loginKey: LoginThrottle.key(for: unknown), limit: 100)
                #expect(unknownRows.map(\.outcome) == [.unknownAccount])
                #expect(unknownRows.first?.accountID == nil)
                #expect(unknownRows.first?.address == attacker)
                let everything = try await database.sql.raw("""
                    SELECT id || ' ' || at || ' ' || login_key || ' ' || COALESCE(account_id, '') || ' ' || address || ' ' || outcome AS line
                    FROM login_attempts
                    """).all().map { try $0.decode(column: "line", as: String.self) }
                #expect(everything.count == 8)
                for secret in ["wrong-secret-1", "guess-secret-2", admin.password, admin.account, unknown] {
                    #expect(!everything.contains { $0.contains(secret) }, "a login row holds \(secret)")
                }
                // Login events stay out of the archive audit chain, which `zhtj verify` checks.
                #expect(try await database.repositories.audit.all().isEmpty)
                try await database.close()
            } catch {
                try? await database.close()
                throw error
            }
        }
    }

    @Test("X-Forwarded-For counts only from a trusted proxy, and then its rightmost untrusted hop")
    func forwardedFor() async throws {
        let admin = accounts["branch_admin"]
        try await withDemoApp { client in
            // Not behind a trusted balancer: the header is the client's word and is ignored.
            for i in 1...5 { _ = try await client.login(admin.account, "wrong-123", from: "192.0.2.\(i)") }
            #expect(try await client.login(admin.account, admin.password, from: owner).status == .tooManyRequests)
        }
        try await withDemoApp(configure: behindBalancer()) { client in
            for i in 1...5 { _ = try await client.login(admin.account, "wrong-123", from: "192.0.2.\(i), \(attacker)") }
            #expect(try await client.login(admin.account, admin.password, from: "192.0.2.99, \(attacker)").status == .tooManyRequests)
            #expect(try await client.login(admin.account, admin.password, from: "\(attacker), \(owner)").status == .ok)
            // A hop that is no address falls back to the peer, and is counted there.
            for _ in 1...5 { _ = try await client.login(admin.account, "wrong-123", from: "not-an-address") }
            #expect(try await client.login(admin.account, admin.password, from: "").status == .tooManyRequests)
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
            // The scheme is case-insensitive and blanks around the token are not part of it.
            for header in ["Bearer \(token)", "bearer \(token)", "BEARER   \(token) \t"] {
                let answer = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: header])
                #expect(answer.status == .ok, "\(header.prefix(8))")
            }
            for header in ["Bearer", "Bearer ", "Bearerx \(token)", "Token \(token)", "Bearer x\(token)"] {
                let answer = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: header])
                #expect(answer.status == .unauthorized, "\(header.prefix(8))")
            }
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
    typealias Window = LoginFailureCounts.Window
    let limits = LoginThrottle.Limits(perPair: 5, perAddress: 30, windowSeconds: 900, perAccount: 50, accountDelayCapSeconds: 300)

    func counts(pair: Int = 0, address: Int = 0, account: Int = 0, newestThrottled: Timestamp? = nil) -> LoginFailureCounts {
        func window(_ n: Int) -> Window { n == 0 ? .empty : Window(count: n, oldest: testNow, newest: testNow) }
        return LoginFailureCounts(pair: window(pair), address: window(address), account: window(account), newestThrottled: newestThrottled)
    }

    @Test("below every bound the attempt goes ahead; the pair and address bounds wait for the oldest failure to leave the window")
    func strictBounds() {
        let now = testNow.adding(seconds: 100)
        #expect(LoginThrottle.verdict(counts(pair: 4, address: 29, account: 49), limits: limits, now: now) == .allowed)
        #expect(LoginThrottle.verdict(counts(pair: 5), limits: limits, now: now) == .refused(retryAfterSeconds: 800, record: true))
        #expect(LoginThrottle.verdict(counts(address: 30), limits: limits, now: now) == .refused(retryAfterSeconds: 800, record: true))
    }

    @Test("past the account-wide bound each wait doubles from 1 s, capped, counted from the newest failure")
    func doublingDelay() {
        let waits = (50...62).map { n -> Int64? in
            guard case .refused(let wait, _) = LoginThrottle.verdict(counts(account: n), limits: limits, now: testNow) else { return nil }
            return wait
        }
        #expect(waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300])
        #expect(LoginThrottle.verdict(counts(account: 10_000), limits: limits, now: testNow) == .refused(retryAfterSeconds: 300, record: true))
        #expect(LoginThrottle.verdict(counts(account: 53), limits: limits, now: testNow.adding(seconds: 8)) == .allowed)
    }

    @Test("a refusal is recorded once per failure of its address, so hammering does not grow the record")
    func refusalsRecordedOnce() {
        let later = testNow.adding(seconds: 1)
        #expect(LoginThrottle.verdict(counts(pair: 5, address: 5, newestThrottled: testNow), limits: limits, now: later) == .refused(retryAfterSeconds: 899, record: false))
        #expect(LoginThrottle.verdict(counts(pair: 5, address: 5, newestThrottled: testNow.adding(seconds: -5)), limits: limits, now: later) == .refused(retryAfterSeconds: 899, record: true))
        #expect(LoginThrottle.verdict(counts(account: 60, newestThrottled: testNow), limits: limits, now: later) == .refused(retryAfterSeconds: 299, record: false))
    }

    @Test("the login key is a hash: the same for every spelling the workflow normalises to, never the ID number")
    func loginKey() {
        let key = LoginThrottle.key(for: "37021120020315101X")
        #expect(key.count == 64)
        #expect(!key.contains("370211"))
        #expect(key != LoginThrottle.key(for: "37021120020315101Y"))
    }
}

extension TestClientProtocol {
    /// A login as a client behind the balancer at `address` sends it.
    func login(_ account: String, _ password: String, from address: String) async throws -> TestResponse {
        let body = try JSONSerialization.data(withJSONObject: ["account": account, "password": password])
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[.init("X-Forwarded-For")!] = address
        return try await execute(uri: "/api/v1/login", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }
}

/// The test transport has no peer address ("unknown"): trusting it as the balancer lets each
/// request name its client in `X-Forwarded-For`.
func behindBalancer(_ limits: LoginThrottle.Limits = .init()) -> @Sendable (inout AppConfig) throws -> Void {
    { config in
        config.trustedProxies = ["unknown"]
        config.loginThrottle = limits
    }
}

let attacker = "203.0.113.9"
let owner = "198.51.100.7"

import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

@Suite("Login attempts")
struct LoginAttemptTests {
    let key = String(repeating: "k", count: 64)
    let otherKey = String(repeating: "o", count: 64)

    /// An account to attach rows to (`account_id` references accounts).
    func account(in database: Database) async throws -> AccountID {
        let person = PersonRecord(id: PersonID(rawValue: "p1")!, name: "甲", idNumber: idNumber(born: "20020315", seq: "101"))
        try await SQLPersonRepository(database.sql).insert(person, at: t0)
        let id = AccountID(rawValue: "a1")!
        try await SQLAccountRepository(database.sql).insert(
            AccountRecord(id: id, personID: person.id, login: person.idNumber.value, passwordHash: String(repeating: "h", count: 60), mustChangePassword: false),
            at: t0)
        return id
    }

    @Test("failures are counted per pair since its last success, per address, and per login over the longer window")
    func counts() async throws {
        try await TestDatabase.withMigrated { database in
            let accountID = try await account(in: database)
            let attempts = database.repositories.loginAttempts
            func add(_ seconds: Int64, _ loginKey: String, _ address: String, _ outcome: LoginAttemptOutcome) async throws {
                let account = outcome == .succeeded || outcome == .wrongPassword ? accountID : nil
                try await attempts.record(
                    LoginAttempt(at: t0.adding(seconds: seconds), loginKey: loginKey, accountID: account, address: address, outcome: outcome))
            }
            try await add(-5000, key, "10.0.0.1", .wrongPassword)  // outside both windows
            try await add(-2000, key, "10.0.0.2", .wrongPassword)  // inside the account window only
            try await add(10, key, "10.0.0.1", .wrongPassword)
            try await add(20, key, "10.0.0.1", .succeeded)
            try await add(30, key, "10.0.0.1", .wrongPassword)
            try await add(40, key, "10.0.0.1", .wrongPassword)
            try await add(50, otherKey, "10.0.0.1", .unknownAccount)
            try await add(60, key, "10.0.0.1", .throttled)
            try await add(70, key, "10.0.0.3", .wrongPassword)

            let now = t0.adding(seconds: 100)
            let counts = try await attempts.failures(
                loginKey: key, address: "10.0.0.1", since: now.adding(seconds: -900), accountSince: now.adding(seconds: -3600))
            #expect(counts.pair == .init(count: 2, oldest: t0.adding(seconds: 30), newest: t0.adding(seconds: 40)))
            #expect(counts.address == .init(count: 4, oldest: t0.adding(seconds: 10), newest: t0.adding(seconds: 50)))
            #expect(counts.account == .init(count: 5, oldest: t0.adding(seconds: -2000), newest: t0.adding(seconds: 70)))
            #expect(counts.newestThrottled == t0.adding(seconds: 60))

            let fresh = try await attempts.failures(
                loginKey: key, address: "10.9.9.9", since: now.adding(seconds: -900), accountSince: now.adding(seconds: -3600))
            #expect(fresh.pair == .empty)
            #expect(fresh.address == .empty)
            #expect(fresh.newestThrottled == nil)

            let listed = try await attempts.list(loginKey: key, limit: 3)
            #expect(listed.map(\.outcome) == [.wrongPassword, .throttled, .wrongPassword])
            #expect(listed.first?.address == "10.0.0.3")
            #expect(listed.first?.accountID == accountID)
        }
    }

    @Test("the record is append-only and its constraints live in the schema")
    func appendOnly() async throws {
        try await TestDatabase.withMigrated { database in
            let accountID = try await account(in: database)
            let attempts = database.repositories.loginAttempts
            try await attempts.record(LoginAttempt(at: t0, loginKey: key, accountID: accountID, address: "10.0.0.1", outcome: .succeeded))
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM login_attempts").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE login_attempts SET outcome = 'succeeded'").run() }
            // A success or a wrong password names its account; an unknown account names none.
            #expect(await violation { try await attempts.record(LoginAttempt(at: t0, loginKey: key, accountID: nil, address: "x", outcome: .succeeded)) } != nil)
            #expect(await violation { try await attempts.record(LoginAttempt(at: t0, loginKey: key, accountID: accountID, address: "x", outcome: .unknownAccount)) } != nil)
            #expect(await violation { try await attempts.record(LoginAttempt(at: t0, loginKey: "short", accountID: nil, address: "x", outcome: .throttled)) } != nil)
            #expect(try await attempts.list(loginKey: key, limit: 10).count == 1)
        }
    }
}

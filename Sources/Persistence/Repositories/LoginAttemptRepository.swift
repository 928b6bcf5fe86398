import Domain
import Foundation
import SQLKit

/// What became of one login attempt.
public enum LoginAttemptOutcome: String, Sendable, Codable, CaseIterable {
    case succeeded
    case wrongPassword = "wrong_password"
    case unknownAccount = "unknown_account"
    /// Refused by the throttle before the password was looked at.
    case throttled

    /// Failures count against the throttle; successes and the throttle's own refusals do not.
    public var isFailure: Bool { self == .wrongPassword || self == .unknownAccount }
}

/// One row of the login record. Never holds the password, nor the login (an ID number).
public struct LoginAttempt: Sendable, Equatable {
    public let at: Timestamp
    /// SHA-256 (hex) of the normalised login: the same key whether or not the account exists.
    public let loginKey: String
    /// The account, when the login named one (nil for unknown accounts and throttled attempts).
    public let accountID: AccountID?
    /// The client address, as the throttle keys it.
    public let address: String
    public let outcome: LoginAttemptOutcome

    public init(at: Timestamp, loginKey: String, accountID: AccountID?, address: String, outcome: LoginAttemptOutcome) {
        self.at = at
        self.loginKey = loginKey
        self.accountID = accountID
        self.address = address
        self.outcome = outcome
    }
}

/// Failures within the throttle's windows, as one query counts them.
public struct LoginFailureCounts: Sendable, Equatable {
    public struct Window: Sendable, Equatable {
        public let count: Int
        public let oldest: Timestamp?
        public let newest: Timestamp?

        public init(count: Int, oldest: Timestamp?, newest: Timestamp?) {
            self.count = count
            self.oldest = oldest
            self.newest = newest
        }

        public static let empty = Window(count: 0, oldest: nil, newest: nil)
    }

    /// This login from this address, since the pair's last success.
    public let pair: Window
    /// Any login from this address.
    public let address: Window
    /// This login from every address, over the (longer) account window.
    public let account: Window
    /// The newest throttled attempt recorded for this address within the window.
    public let newestThrottled: Timestamp?

    public init(pair: Window, address: Window, account: Window, newestThrottled: Timestamp?) {
        self.pair = pair
        self.address = address
        self.account = account
        self.newestThrottled = newestThrottled
    }
}

public protocol LoginAttemptRepository: Sendable {
    func record(_ attempt: LoginAttempt) async throws
    /// Counts failures in one statement: the pair's and the address's after `since`, the
    /// login's across addresses after `accountSince`.
    func failures(loginKey: String, address: String, since: Timestamp, accountSince: Timestamp) async throws -> LoginFailureCounts
    /// Attempts with `loginKey`, newest first.
    func list(loginKey: String, limit: Int) async throws -> [LoginAttempt]
}

public struct SQLLoginAttemptRepository: LoginAttemptRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let failed = "outcome IN ('wrong_password', 'unknown_account')"

    public func record(_ attempt: LoginAttempt) async throws {
        try await sql.raw("""
            INSERT INTO login_attempts (id, at, login_key, account_id, address, outcome)
            VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: attempt.at.text), \(bind: attempt.loginKey),
                    \(bind: attempt.accountID?.rawValue), \(bind: attempt.address), \(bind: attempt.outcome.rawValue))
            """).run()
    }

    struct CountRow: Decodable {
        let scope: String
        let n: Int
        let oldest: String?
        let newest: String?
    }

    public func failures(loginKey: String, address: String, since: Timestamp, accountSince: Timestamp) async throws -> LoginFailureCounts {
        // Aggregates over index ranges only; no attempt row leaves the database.
        let rows = try await sql.raw("""
            SELECT 'pair' AS scope, COUNT(*) AS n, MIN(at) AS oldest, MAX(at) AS newest FROM login_attempts
            WHERE login_key = \(bind: loginKey) AND address = \(bind: address) AND \(unsafeRaw: Self.failed) AND at > \(bind: since.text)
              AND at > COALESCE((SELECT MAX(at) FROM login_attempts
                                 WHERE login_key = \(bind: loginKey) AND address = \(bind: address) AND outcome = 'succeeded'), '')
            UNION ALL
            SELECT 'address', COUNT(*), MIN(at), MAX(at) FROM login_attempts
            WHERE address = \(bind: address) AND \(unsafeRaw: Self.failed) AND at > \(bind: since.text)
            UNION ALL
            SELECT 'account', COUNT(*), MIN(at), MAX(at) FROM login_attempts
            WHERE login_key = \(bind: loginKey) AND \(unsafeRaw: Self.failed) AND at > \(bind: accountSince.text)
            UNION ALL
            SELECT 'throttled', COUNT(*), MIN(at), MAX(at) FROM login_attempts
            WHERE address = \(bind: address) AND outcome = 'throttled' AND at > \(bind: since.text)
            """).all(decoding: CountRow.self)
        var windows: [String: LoginFailureCounts.Window] = [:]
        for row in rows {
            windows[row.scope] = .init(count: row.n, oldest: row.oldest.flatMap(Timestamp.init(text:)), newest: row.newest.flatMap(Timestamp.init(text:)))
        }
        return LoginFailureCounts(
            pair: windows["pair"] ?? .empty, address: windows["address"] ?? .empty, account: windows["account"] ?? .empty,
            newestThrottled: windows["throttled"]?.newest)
    }

    struct Row: Decodable {
        let at: String
        let loginKey: String
        let accountId: String?
        let address: String
        let outcome: String
    }

    public func list(loginKey: String, limit: Int) async throws -> [LoginAttempt] {
        try await sql.raw("""
            SELECT at, login_key, account_id, address, outcome FROM login_attempts
            WHERE login_key = \(bind: loginKey) ORDER BY at DESC, id LIMIT \(limit: limit)
            """).all(decoding: Row.self, with: .snakeCase).map { row in
            guard let at = Timestamp(text: row.at), let outcome = LoginAttemptOutcome(rawValue: row.outcome) else {
                throw CorruptRow(table: "login_attempts", key: row.at)
            }
            return LoginAttempt(at: at, loginKey: row.loginKey, accountID: row.accountId.map(AccountID.init(unchecked:)), address: row.address, outcome: outcome)
        }
    }
}

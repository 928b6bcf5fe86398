import Domain
import SQLKit

public struct AccountRecord: Sendable, Equatable {
    public let id: AccountID
    public let personID: PersonID
    /// What the person types to log in: their ID number (ADM-6), upper-case X.
    public let login: String
    public let passwordHash: String
    public let mustChangePassword: Bool

    public init(id: AccountID, personID: PersonID, login: String, passwordHash: String, mustChangePassword: Bool) {
        self.id = id
        self.personID = personID
        self.login = login
        self.passwordHash = passwordHash
        self.mustChangePassword = mustChangePassword
    }
}

public struct SessionRecord: Sendable, Equatable {
    public let tokenHash: String
    public let accountID: AccountID
    public let createdAt: Timestamp
    public let expiresAt: Timestamp

    public init(tokenHash: String, accountID: AccountID, createdAt: Timestamp, expiresAt: Timestamp) {
        self.tokenHash = tokenHash
        self.accountID = accountID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

public protocol AccountRepository: Sendable {
    func insert(_ account: AccountRecord, at time: Timestamp) async throws
    func find(login: String) async throws -> AccountRecord?
    func find(_ id: AccountID) async throws -> AccountRecord?
    func updatePassword(_ id: AccountID, hash: String, at time: Timestamp) async throws
}

public protocol SessionRepository: Sendable {
    func insert(_ session: SessionRecord) async throws
    /// The session if it exists, is not revoked and has not expired at `now`, with its holder:
    /// the account, member record and administered orgs (in path order), in one query, since
    /// every authenticated request needs them.
    func findActiveHolder(tokenHash: String, now: Timestamp) async throws -> SessionHolder?
    func revoke(tokenHash: String, at time: Timestamp) async throws
    /// Ends every other session of the account, e.g. after a password change.
    func revokeAll(of account: AccountID, except tokenHash: String?, at time: Timestamp) async throws
}

public struct SQLAccountRepository: AccountRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    struct Row: Decodable {
        let id: String
        let personId: String
        let login: String
        let passwordHash: String
        let mustChangePassword: Bool
        func record() -> AccountRecord {
            AccountRecord(
                id: AccountID(unchecked: id), personID: PersonID(unchecked: personId), login: login,
                passwordHash: passwordHash, mustChangePassword: mustChangePassword)
        }
    }

    static let select = "SELECT id, person_id, login, password_hash, must_change_password FROM accounts"

    public func insert(_ account: AccountRecord, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO accounts (id, person_id, login, password_hash, must_change_password, created_at)
            VALUES (\(bind: account.id.rawValue), \(bind: account.personID.rawValue), \(bind: account.login),
                    \(bind: account.passwordHash), \(bind: account.mustChangePassword), \(bind: time.text))
            """).run()
    }

    public func find(login: String) async throws -> AccountRecord? {
        try await sql.raw("\(unsafeRaw: Self.select) WHERE login = \(bind: login)")
            .first(decoding: Row.self, with: .snakeCase)?.record()
    }

    public func find(_ id: AccountID) async throws -> AccountRecord? {
        try await sql.raw("\(unsafeRaw: Self.select) WHERE id = \(bind: id.rawValue)")
            .first(decoding: Row.self, with: .snakeCase)?.record()
    }

    public func updatePassword(_ id: AccountID, hash: String, at time: Timestamp) async throws {
        try await sql.raw("""
            UPDATE accounts SET password_hash = \(bind: hash), must_change_password = \(bind: false),
                password_changed_at = \(bind: time.text)
            WHERE id = \(bind: id.rawValue)
            """).run()
    }
}

/// A live session and who holds it.
public struct SessionHolder: Sendable {
    public let session: SessionRecord
    public let account: AccountRecord
    public let member: MemberRecord?
    public let administeredOrgs: [Org]
}

public struct SQLSessionRepository: SessionRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func insert(_ session: SessionRecord) async throws {
        try await sql.raw("""
            INSERT INTO sessions (token_hash, account_id, created_at, expires_at)
            VALUES (\(bind: session.tokenHash), \(bind: session.accountID.rawValue), \(bind: session.createdAt.text),
                    \(bind: session.expiresAt.text))
            """).run()
    }

    public func findActiveHolder(tokenHash: String, now: Timestamp) async throws -> SessionHolder? {
        // One row per administered org (one row with NULL org columns for none); the account
        // and member columns repeat on each. Prefixed so the existing row types decode them.
        let rows = try await sql.raw("""
            SELECT s.account_id, s.created_at, s.expires_at,
                   a.id AS a_id, a.person_id AS a_person_id, a.login AS a_login, a.password_hash AS a_password_hash,
                   a.must_change_password AS a_must_change_password,
                   mp.id AS m_person_id, mp.name AS m_name, mp.id_number AS m_id_number, m.branch_id AS m_branch_id,
                   m.joined_on AS m_joined_on, m.development_number AS m_development_number, mb.name AS m_branch_name,
                   mb.path AS m_branch_path, mb.category AS m_branch_category,
                   mb.upper_committee_id AS m_branch_upper_committee_id,
                   ao.id AS o_id, ao.parent_id AS o_parent_id, ao.name AS o_name, ao.full_name AS o_full_name,
                   ao.category AS o_category, ao.path AS o_path, ao.upper_committee_id AS o_upper_committee_id
            FROM sessions s
            JOIN accounts a ON a.id = s.account_id
            LEFT JOIN members m ON m.person_id = a.person_id AND m.removed_at IS NULL
            LEFT JOIN people mp ON mp.id = m.person_id
            LEFT JOIN orgs mb ON mb.id = m.branch_id
            LEFT JOIN org_admins oa ON oa.person_id = a.person_id
            LEFT JOIN orgs ao ON ao.id = oa.org_id
            WHERE s.token_hash = \(bind: tokenHash) AND s.revoked_at IS NULL AND s.expires_at > \(bind: now.text)
            ORDER BY ao.path
            """).all()
        guard let first = rows.first else { return nil }
        // Read by column name: this runs before every authenticated request.
        let accountID = try first.decode(column: "account_id", as: String.self)
        guard let created = Timestamp(text: try first.decode(column: "created_at", as: String.self)),
            let expires = Timestamp(text: try first.decode(column: "expires_at", as: String.self))
        else { throw CorruptRow(table: "sessions", key: accountID) }
        let account = AccountRecord(
            id: AccountID(unchecked: try first.decode(column: "a_id", as: String.self)),
            personID: PersonID(unchecked: try first.decode(column: "a_person_id", as: String.self)),
            login: try first.decode(column: "a_login", as: String.self),
            passwordHash: try first.decode(column: "a_password_hash", as: String.self),
            mustChangePassword: try first.decode(column: "a_must_change_password", as: Bool.self))
        let member =
            try first.decodeNil(column: "m_person_id")
            ? nil
            : try SQLMemberRepository.Row(row: first, prefix: "m_").record()
        var orgs: [Org] = []
        for row in rows where try !row.decodeNil(column: "o_id") {
            orgs.append(try SQLOrgRepository.Row(row: row, prefix: "o_").org())
        }
        return SessionHolder(
            session: SessionRecord(tokenHash: tokenHash, accountID: AccountID(unchecked: accountID), createdAt: created, expiresAt: expires),
            account: account, member: member, administeredOrgs: orgs)
    }

    public func revoke(tokenHash: String, at time: Timestamp) async throws {
        try await sql.raw("""
            UPDATE sessions SET revoked_at = \(bind: time.text) WHERE token_hash = \(bind: tokenHash) AND revoked_at IS NULL
            """).run()
    }

    public func revokeAll(of account: AccountID, except tokenHash: String?, at time: Timestamp) async throws {
        try await sql.raw("""
            UPDATE sessions SET revoked_at = \(bind: time.text)
            WHERE account_id = \(bind: account.rawValue) AND revoked_at IS NULL AND token_hash <> \(bind: tokenHash ?? "")
            """).run()
    }
}

import Domain
import SQLKit

/// Every row one new member needs (MEM-1, MEM-5, ADM-6): the person when the store did not
/// know them, the profile, the membership, the account when the person has none, the post and
/// its change record when one is given, and the audit entry.
public struct MemberEnrolment: Sendable {
    public let person: PersonRecord
    /// False for a person the store already knows (a cadre elsewhere, entered as a member).
    public let personIsNew: Bool
    public let profile: PersonProfile
    public let member: Member
    public let account: AccountRecord?
    public let post: CadrePost?
    public let postChange: CadrePostChange?
    public let audit: MemberAuditEvent

    public init(
        person: PersonRecord, personIsNew: Bool, profile: PersonProfile, member: Member, account: AccountRecord?, post: CadrePost?,
        postChange: CadrePostChange?, audit: MemberAuditEvent
    ) {
        self.person = person
        self.personIsNew = personIsNew
        self.profile = profile
        self.member = member
        self.account = account
        self.post = post
        self.postChange = postChange
        self.audit = audit
    }
}

/// Bulk entry's reads and writes, a statement per table for a whole batch: a bulk import's
/// cost is its statements (each one a hop to the database's threads), not its rows.
public protocol MemberEnrolmentRepository: Sendable {
    /// The people with these ID numbers, keyed by ID number.
    func people(withIDNumbers numbers: [IDNumber]) async throws -> [String: PersonRecord]
    /// The memberships of these people (removed ones included), keyed by person id.
    func memberships(of people: [PersonID]) async throws -> [PersonID: MemberRecord]
    /// Who holds each of these development numbers, keyed by the number (MEM-4).
    func holders(ofDevelopmentNumbers numbers: [DevelopmentNumber]) async throws -> [String: MemberRecord]
    /// Which of these logins already have an account.
    func takenLogins(_ logins: [String]) async throws -> Set<String>
    /// Writes every row of `batch` with one multi-row `INSERT` per table. The schema's
    /// constraints hold as for single inserts: a violation fails the statement, and the
    /// caller's transaction with it.
    func enrol(_ batch: [MemberEnrolment], at time: Timestamp) async throws
}

public struct SQLMemberEnrolmentRepository: MemberEnrolmentRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Rows per statement: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters
    /// at the widest table's nine columns.
    static let rowsPerStatement = 500

    public func people(withIDNumbers numbers: [IDNumber]) async throws -> [String: PersonRecord] {
        var found: [String: PersonRecord] = [:]
        for chunk in Self.chunks(numbers.map(\.value)) {
            for row in try await sql.raw("SELECT id, name, id_number FROM people WHERE id_number IN (\(binds: Array(chunk)))").all() {
                let text = try row.decode(column: "id_number", as: String.self)
                let id = try row.decode(column: "id", as: String.self)
                guard let personID = PersonID(rawValue: id), let number = try? IDNumber(text, today: farFuture) else {
                    throw CorruptRow(table: "people", key: id)
                }
                found[text] = PersonRecord(id: personID, name: try row.decode(column: "name", as: String.self), idNumber: number)
            }
        }
        return found
    }

    public func memberships(of people: [PersonID]) async throws -> [PersonID: MemberRecord] {
        var found: [PersonID: MemberRecord] = [:]
        for chunk in Self.chunks(people.map(\.rawValue)) {
            let rows = try await sql.raw("\(unsafeRaw: SQLMemberRepository.select) WHERE m.person_id IN (\(binds: Array(chunk)))").all()
            for row in rows {
                let record = try SQLMemberRepository.Row(row: row).record()
                found[record.member.personID] = record
            }
        }
        return found
    }

    public func holders(ofDevelopmentNumbers numbers: [DevelopmentNumber]) async throws -> [String: MemberRecord] {
        var found: [String: MemberRecord] = [:]
        for chunk in Self.chunks(numbers.map(\.value)) {
            let rows = try await sql.raw("\(unsafeRaw: SQLMemberRepository.select) WHERE m.development_number IN (\(binds: Array(chunk)))").all()
            for row in rows {
                let record = try SQLMemberRepository.Row(row: row).record()
                if let number = record.member.developmentNumber { found[number.value] = record }
            }
        }
        return found
    }

    public func takenLogins(_ logins: [String]) async throws -> Set<String> {
        var taken: Set<String> = []
        for chunk in Self.chunks(logins) {
            for row in try await sql.raw("SELECT login FROM accounts WHERE login IN (\(binds: Array(chunk)))").all() {
                taken.insert(try row.decode(column: "login", as: String.self))
            }
        }
        return taken
    }

    public func enrol(_ batch: [MemberEnrolment], at time: Timestamp) async throws {
        let at = time.text
        for chunk in Self.chunks(batch) {
            try await insert(
                "INSERT INTO people (id, name, gender, id_number, birth_date, created_at)",
                chunk.filter(\.personIsNew).map { e in
                    let p = e.person
                    return "(\(bind: p.id.rawValue), \(bind: p.name), \(bind: p.idNumber.gender.rawValue), \(bind: p.idNumber.value), \(bind: p.idNumber.birthDate.iso), \(bind: at))"
                })
            // The same upsert as `MemberRecordRepository.saveProfile`: a known person's profile
            // is replaced by what the entry says.
            try await insert(
                "INSERT INTO person_profiles (person_id, ethnicity, education, political_status, mobile, email, address, workplace, updated_at)",
                chunk.map { e in
                    let p = e.profile
                    return "(\(bind: e.person.id.rawValue), \(bind: p.ethnicity), \(bind: p.education), \(bind: p.politicalStatus), \(bind: p.mobile), \(bind: p.email), \(bind: p.address), \(bind: p.workplace), \(bind: at))"
                },
                suffix: """
                     ON CONFLICT (person_id) DO UPDATE SET
                        ethnicity = excluded.ethnicity, education = excluded.education, political_status = excluded.political_status,
                        mobile = excluded.mobile, email = excluded.email, address = excluded.address, workplace = excluded.workplace,
                        updated_at = excluded.updated_at
                    """)
            try await insert(
                "INSERT INTO members (person_id, branch_id, joined_on, development_number, created_at)",
                chunk.map { e in
                    let m = e.member
                    return "(\(bind: m.personID.rawValue), \(bind: m.branchID.rawValue), \(bind: m.joinedOn.iso), \(bind: m.developmentNumber?.value), \(bind: at))"
                })
            try await insert(
                "INSERT INTO accounts (id, person_id, login, password_hash, must_change_password, created_at)",
                chunk.compactMap(\.account).map { a in
                    "(\(bind: a.id.rawValue), \(bind: a.personID.rawValue), \(bind: a.login), \(bind: a.passwordHash), \(bind: a.mustChangePassword), \(bind: at))"
                })
            try await insert(
                "INSERT INTO cadre_posts (person_id, org_id, title, created_at)",
                chunk.compactMap(\.post).map { p in "(\(bind: p.personID.rawValue), \(bind: p.orgID.rawValue), \(bind: p.title), \(bind: at))" })
            // The trails' ordinals continue from the last one, in the batch's order, as the
            // single appends' `MAX(ordinal) + 1` would have numbered them one by one.
            let changes = chunk.compactMap(\.postChange)
            if !changes.isEmpty {
                let base = try await lastOrdinal("cadre_post_changes")
                try await insert(
                    "INSERT INTO cadre_post_changes (id, person_id, org_id, from_title, to_title, changed_by, changed_at, ordinal)",
                    changes.enumerated().map { i, c in
                        "(\(bind: c.id), \(bind: c.personID.rawValue), \(bind: c.orgID.rawValue), \(bind: c.fromTitle), \(bind: c.toTitle), \(bind: c.changedBy.rawValue), \(bind: c.changedAt.text), \(literal: base + i + 1))"
                    })
            }
            let base = try await lastOrdinal("member_audit")
            try await insert(
                "INSERT INTO member_audit (id, at, action, actor_id, person_id, org_path, detail, ordinal)",
                chunk.enumerated().map { i, e in
                    let a = e.audit
                    return "(\(bind: a.id), \(bind: a.at.text), \(bind: a.action.rawValue), \(bind: a.actorID.rawValue), \(bind: a.personID.rawValue), \(bind: a.orgPath.encoded), \(bind: a.detail), \(literal: base + i + 1))"
                })
        }
    }

    private func insert(_ head: String, _ values: [SQLQueryString], suffix: String = "") async throws {
        guard !values.isEmpty else { return }
        try await sql.raw("\(unsafeRaw: head) VALUES \(values.joined(separator: ", "))\(unsafeRaw: suffix)").run()
    }

    private func lastOrdinal(_ table: String) async throws -> Int {
        try await sql.raw("SELECT COALESCE(MAX(ordinal), 0) AS last FROM \(ident: table)").first()?.decode(column: "last", as: Int.self) ?? 0
    }

    static func chunks<T>(_ items: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: rowsPerStatement).map { items[$0..<min($0 + rowsPerStatement, items.count)] }
    }
}

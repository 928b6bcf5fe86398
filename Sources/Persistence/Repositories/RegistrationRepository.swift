import Domain
import SQLKit

/// One submission of a member's 年度团籍注册 and the decision on it, if any.
public struct RegistrationRecord: Sendable, Equatable {
    public struct Decision: Sendable, Equatable {
        public let approved: Bool
        public let reason: String?
        public let decidedBy: PersonID
        public let decidedAt: Timestamp
    }

    public let id: String
    public let member: PersonID
    public let memberName: String
    public let branch: OrgID
    public let year: Int
    public let revision: Int
    public let summary: String
    public let submittedAt: Timestamp
    public let decision: Decision?

    public var status: RegistrationStatus {
        guard let decision else { return .pending }
        return decision.approved ? .approved : .rejected
    }

    /// The state machine's view of the member's year, when this is its latest submission.
    public var state: AnnualRegistrationState {
        guard let decision else { return .pending }
        return decision.approved ? .approved : .rejected(reason: decision.reason ?? "")
    }
}

/// The 年度团籍注册审批 list's filter (manual 一(二)6: name, status, period), applied in the
/// query before the limit.
public struct RegistrationFilter: Sendable, Equatable {
    /// Part of the member's name.
    public var name: String?
    public var status: RegistrationStatus?
    /// Submitted at or after this moment, and before `until`.
    public var since: Timestamp?
    public var until: Timestamp?

    public init(name: String? = nil, status: RegistrationStatus? = nil, since: Timestamp? = nil, until: Timestamp? = nil) {
        self.name = name
        self.status = status
        self.since = since
        self.until = until
    }
}

public protocol RegistrationRepository: Sendable {
    func find(_ id: String) async throws -> RegistrationRecord?
    /// The member's latest submission for `year`.
    func latest(member: PersonID, year: Int) async throws -> RegistrationRecord?
    /// The member's submissions, newest first.
    func history(member: PersonID, limit: Int) async throws -> [RegistrationRecord]
    /// The branch's submissions matching `filter`, newest first, keyset-paged by (submitted_at, id).
    func list(branch: OrgID, filter: RegistrationFilter, before cursor: (Timestamp, String)?, limit: Int) async throws
        -> [RegistrationRecord]
    /// Submissions without a decision in `branches`, oldest first after `cursor` (the operation centre).
    func pending(in branches: [OrgID], after cursor: (Timestamp, String)?, limit: Int) async throws -> [RegistrationRecord]
    func insertSubmission(
        id: String, member: PersonID, branch: OrgID, year: Int, revision: Int, summary: String, at time: Timestamp) async throws
    func insertDecision(_ id: String, approved: Bool, reason: String?, by person: PersonID, at time: Timestamp) async throws
}

public struct SQLRegistrationRepository: RegistrationRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let select = """
        SELECT r.id, r.member_id, p.name AS member_name, r.branch_id, r.year, r.revision, r.summary, r.submitted_at,
               d.approved, d.reason, d.decided_by, d.decided_at
        FROM registrations r JOIN people p ON p.id = r.member_id
        LEFT JOIN registration_decisions d ON d.registration_id = r.id
        """

    static func record(_ row: any SQLRow) throws -> RegistrationRecord {
        let id = try row.decode(column: "id", as: String.self)
        guard let member = PersonID(rawValue: try row.decode(column: "member_id", as: String.self)),
            let branch = OrgID(rawValue: try row.decode(column: "branch_id", as: String.self)),
            let submittedAt = Timestamp(text: try row.decode(column: "submitted_at", as: String.self))
        else { throw CorruptRow(table: "registrations", key: id) }
        var decision: RegistrationRecord.Decision?
        if !(try row.decodeNil(column: "approved")) {
            guard let by = PersonID(rawValue: try row.decode(column: "decided_by", as: String.self)),
                let at = Timestamp(text: try row.decode(column: "decided_at", as: String.self))
            else { throw CorruptRow(table: "registration_decisions", key: id) }
            decision = .init(
                approved: try row.decode(column: "approved", as: Int.self) == 1,
                reason: try row.decodeNil(column: "reason") ? nil : try row.decode(column: "reason", as: String.self),
                decidedBy: by, decidedAt: at)
        }
        return RegistrationRecord(
            id: id, member: member, memberName: try row.decode(column: "member_name", as: String.self), branch: branch,
            year: try row.decode(column: "year", as: Int.self), revision: try row.decode(column: "revision", as: Int.self),
            summary: try row.decode(column: "summary", as: String.self), submittedAt: submittedAt, decision: decision)
    }

    public func find(_ id: String) async throws -> RegistrationRecord? {
        try await sql.raw("\(unsafeRaw: Self.select) WHERE r.id = \(bind: id)").first().map(Self.record)
    }

    public func latest(member: PersonID, year: Int) async throws -> RegistrationRecord? {
        try await sql.raw("""
            \(unsafeRaw: Self.select) WHERE r.member_id = \(bind: member.rawValue) AND r.year = \(bind: year)
            ORDER BY r.revision DESC LIMIT 1
            """).first().map(Self.record)
    }

    public func history(member: PersonID, limit: Int) async throws -> [RegistrationRecord] {
        try await sql.raw("""
            \(unsafeRaw: Self.select) WHERE r.member_id = \(bind: member.rawValue)
            ORDER BY r.year DESC, r.revision DESC LIMIT \(limit: limit)
            """).all().map(Self.record)
    }

    public func list(branch: OrgID, filter: RegistrationFilter, before cursor: (Timestamp, String)?, limit: Int) async throws
        -> [RegistrationRecord]
    {
        var conditions = SQLQueryString("r.branch_id = \(bind: branch.rawValue)")
        if let name = filter.name, !name.isEmpty {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            conditions.appendInterpolation(unsafeRaw: " AND p.name LIKE ")
            conditions.appendInterpolation(bind: "%" + escaped + "%")
            conditions.appendInterpolation(unsafeRaw: " ESCAPE '\\'")
        }
        switch filter.status {
        case nil: break
        case .pending: conditions.appendInterpolation(unsafeRaw: " AND d.registration_id IS NULL")
        case .approved: conditions.appendInterpolation(unsafeRaw: " AND d.approved = 1")
        case .rejected: conditions.appendInterpolation(unsafeRaw: " AND d.approved = 0")
        }
        if let since = filter.since {
            conditions.appendInterpolation(unsafeRaw: " AND r.submitted_at >= ")
            conditions.appendInterpolation(bind: since.text)
        }
        if let until = filter.until {
            conditions.appendInterpolation(unsafeRaw: " AND r.submitted_at < ")
            conditions.appendInterpolation(bind: until.text)
        }
        if let (at, id) = cursor {
            conditions.appendInterpolation(unsafeRaw: " AND (r.submitted_at < ")
            conditions.appendInterpolation(bind: at.text)
            conditions.appendInterpolation(unsafeRaw: " OR (r.submitted_at = ")
            conditions.appendInterpolation(bind: at.text)
            conditions.appendInterpolation(unsafeRaw: " AND r.id < ")
            conditions.appendInterpolation(bind: id)
            conditions.appendInterpolation(unsafeRaw: "))")
        }
        return try await sql.raw("""
            \(unsafeRaw: Self.select) WHERE \(conditions)
            ORDER BY r.submitted_at DESC, r.id DESC LIMIT \(limit: limit)
            """).all().map(Self.record)
    }

    public func pending(in branches: [OrgID], after cursor: (Timestamp, String)?, limit: Int) async throws -> [RegistrationRecord] {
        if branches.isEmpty { return [] }
        let at = cursor?.0.text ?? "", id = cursor?.1 ?? ""
        return try await sql.raw("""
            \(unsafeRaw: Self.select)
            WHERE r.branch_id IN (\(binds: branches.map(\.rawValue))) AND d.registration_id IS NULL
              AND (r.submitted_at > \(bind: at) OR (r.submitted_at = \(bind: at) AND r.id > \(bind: id)))
            ORDER BY r.submitted_at, r.id LIMIT \(limit: limit)
            """).all().map(Self.record)
    }

    public func insertSubmission(
        id: String, member: PersonID, branch: OrgID, year: Int, revision: Int, summary: String, at time: Timestamp
    ) async throws {
        try await sql.raw("""
            INSERT INTO registrations (id, member_id, branch_id, year, revision, summary, submitted_at)
            VALUES (\(bind: id), \(bind: member.rawValue), \(bind: branch.rawValue), \(bind: year), \(bind: revision),
                    \(bind: summary), \(bind: time.text))
            """).run()
    }

    public func insertDecision(_ id: String, approved: Bool, reason: String?, by person: PersonID, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO registration_decisions (registration_id, approved, reason, decided_by, decided_at)
            VALUES (\(bind: id), \(bind: approved ? 1 : 0), \(bind: reason), \(bind: person.rawValue), \(bind: time.text))
            """).run()
    }
}

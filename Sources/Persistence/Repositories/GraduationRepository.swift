import Domain
import SQLKit

/// A branch with its graduation state, as the marking pages and the June-1 sweep read it.
public struct GraduationBranchRecord: Sendable, Equatable {
    public let placement: OrgPlacement
    public let name: String
    /// The mark in force: the highest revision (GRD-3).
    public let mark: GraduationMark?
    public let markRevision: Int
    public let markID: String?
    public let markedAt: Timestamp?
    /// GRD-4: the year it became a 毕业生团组织, once it has.
    public let graduatedYear: Int?
    public let memberCount: Int
}

/// A member's delayed graduation in force (GRD-5).
public struct DelayedGraduationRecord: Sendable, Equatable {
    public let id: String
    public let personID: PersonID
    public let branchID: OrgID
    public let month: YearMonth
    public let reason: String
    public let markedBy: PersonID
    public let markedAt: Timestamp

    public init(id: String, personID: PersonID, branchID: OrgID, month: YearMonth, reason: String, markedBy: PersonID, markedAt: Timestamp) {
        self.id = id
        self.personID = personID
        self.branchID = branchID
        self.month = month
        self.reason = reason
        self.markedBy = markedBy
        self.markedAt = markedAt
    }
}

/// Graduation marks, delays and the June-1 conversion (GRD-1 … GRD-6). Marks and conversions
/// are append-only; a delay is revoked by marking it.
public protocol GraduationRepository: Sendable {
    /// The live branches below `path` (or `ids` of them) with their graduation state, in one
    /// query, ordered by path.
    func branches(below path: OrgPath, limit: Int) async throws -> [GraduationBranchRecord]
    func branches(_ ids: [OrgID]) async throws -> [GraduationBranchRecord]
    /// Appends `mark` as the branch's revision `revision`; a concurrent mark of the same
    /// revision throws `ConcurrentChange` (the schema's unique key).
    func appendMark(
        _ id: String, branch: OrgID, revision: Int, mark: GraduationMark, by org: OrgID, person: PersonID, at time: Timestamp
    ) async throws
    func delay(of person: PersonID) async throws -> DelayedGraduationRecord?
    func insertDelay(_ record: DelayedGraduationRecord) async throws
    /// Revokes the delay in force; `ConcurrentChange` when there is none any more.
    func revokeDelay(_ id: String, by person: PersonID, at time: Timestamp) async throws
    /// True when the person graduated in any year (GRD-4).
    func hasGraduated(_ person: PersonID) async throws -> Bool
    /// GRD-4: branches whose mark in force has a month of a year up to `year` and that have not
    /// converted yet, at most `limit`.
    func unconvertedBranches(upToYear year: Int, limit: Int) async throws -> [GraduationBranchRecord]
    /// GRD-4: records the branch's conversion and its members' graduation (except those with a
    /// delay in force), in the caller's transaction; `ConcurrentChange` when it converted already.
    /// Returns the number of members who graduated.
    func convert(_ branch: OrgID, markID: String, year: Int, at time: Timestamp) async throws -> Int
    /// GRD-4, GRD-5: delayed members whose own month's year is up to `year` and who have not
    /// graduated in it: graduates them; returns how many.
    func graduateDelayedMembers(upToYear year: Int, at time: Timestamp) async throws -> Int
    /// GRD-6: the branch's live members.
    func memberCount(of branch: OrgID) async throws -> Int
    /// GRD-6: whether the branch has become a 毕业生团组织.
    func isGraduated(_ branch: OrgID) async throws -> Bool
}

public struct SQLGraduationRepository: GraduationRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// The mark in force is the one with no later revision: one anti-join, not a query per branch.
    static let select = """
        SELECT o.id, o.name, o.path, o.category, o.upper_committee_id,
               m.id AS mark_id, m.revision AS mark_revision, m.month, m.reason, m.marked_at, g.year AS graduated_year,
               (SELECT COUNT(*) FROM members mb WHERE mb.branch_id = o.id AND mb.removed_at IS NULL) AS member_count
        FROM orgs o
        LEFT JOIN graduation_marks m ON m.branch_id = o.id
            AND NOT EXISTS (SELECT 1 FROM graduation_marks later WHERE later.branch_id = m.branch_id AND later.revision > m.revision)
        LEFT JOIN branch_graduations g ON g.branch_id = o.id
        """

    static func record(_ row: some SQLRow) throws -> GraduationBranchRecord {
        func text(_ c: String) throws -> String { try row.decode(column: c, as: String.self) }
        func optional(_ c: String) throws -> String? { try row.decodeNil(column: c) ? nil : try row.decode(column: c, as: String.self) }
        let raw = try text("id")
        guard let id = OrgID(rawValue: raw), let path = OrgPath(encoded: try text("path")), let category = OrgCategory(rawValue: try text("category"))
        else { throw CorruptRow(table: "orgs", key: raw) }
        var mark: GraduationMark?
        if let month = try optional("month") {
            guard let value = YearMonth(iso: month) else { throw CorruptRow(table: "graduation_marks", key: raw) }
            mark = .month(value)
        } else if let reason = try optional("reason") {
            mark = .reason(reason)
        }
        return GraduationBranchRecord(
            placement: OrgPlacement(id: id, path: path, category: category, upperCommitteeID: try optional("upper_committee_id").flatMap(OrgID.init(rawValue:))),
            name: try text("name"), mark: mark,
            markRevision: try row.decodeNil(column: "mark_revision") ? 0 : try row.decode(column: "mark_revision", as: Int.self),
            markID: try optional("mark_id"), markedAt: try optional("marked_at").flatMap(Timestamp.init(text:)),
            graduatedYear: try row.decodeNil(column: "graduated_year") ? nil : try row.decode(column: "graduated_year", as: Int.self),
            memberCount: try row.decode(column: "member_count", as: Int.self))
    }

    public func branches(below path: OrgPath, limit: Int) async throws -> [GraduationBranchRecord] {
        try await sql.raw("""
            \(unsafeRaw: Self.select)
            WHERE o.path LIKE \(bind: path.encoded + "%") AND o.category = 'branch' AND o.deleted_at IS NULL
            ORDER BY o.path LIMIT \(limit: limit)
            """).all().map { try Self.record($0) }
    }

    public func branches(_ ids: [OrgID]) async throws -> [GraduationBranchRecord] {
        if ids.isEmpty { return [] }
        return try await sql.raw("\(unsafeRaw: Self.select) WHERE o.id IN (\(binds: ids.map(\.rawValue))) AND o.deleted_at IS NULL ORDER BY o.path")
            .all().map { try Self.record($0) }
    }

    public func appendMark(
        _ id: String, branch: OrgID, revision: Int, mark: GraduationMark, by org: OrgID, person: PersonID, at time: Timestamp
    ) async throws {
        do {
            try await sql.raw("""
                INSERT INTO graduation_marks (id, branch_id, revision, month, reason, marking_org_id, marked_by, marked_at)
                VALUES (\(bind: id), \(bind: branch.rawValue), \(literal: revision), \(bind: mark.month?.iso), \(bind: mark.reason),
                    \(bind: org.rawValue), \(bind: person.rawValue), \(bind: time.text))
                """).run()
        } catch {
            if let violation = ConstraintViolation(error), case .unique = violation { throw ConcurrentChange(table: "graduation_marks") }
            throw error
        }
    }

    static func delay(_ row: some SQLRow) throws -> DelayedGraduationRecord {
        func text(_ c: String) throws -> String { try row.decode(column: c, as: String.self) }
        let id = try text("id")
        guard let person = PersonID(rawValue: try text("person_id")), let branch = OrgID(rawValue: try text("branch_id")),
            let month = YearMonth(iso: try text("month")), let by = PersonID(rawValue: try text("marked_by")),
            let at = Timestamp(text: try text("marked_at"))
        else { throw CorruptRow(table: "delayed_graduations", key: id) }
        return DelayedGraduationRecord(id: id, personID: person, branchID: branch, month: month, reason: try text("reason"), markedBy: by, markedAt: at)
    }

    public func delay(of person: PersonID) async throws -> DelayedGraduationRecord? {
        try await sql.raw("SELECT * FROM delayed_graduations WHERE person_id = \(bind: person.rawValue) AND revoked_at IS NULL")
            .first().map { try Self.delay($0) }
    }

    public func insertDelay(_ r: DelayedGraduationRecord) async throws {
        do {
            try await sql.raw("""
                INSERT INTO delayed_graduations (id, person_id, branch_id, month, reason, marked_by, marked_at)
                VALUES (\(bind: r.id), \(bind: r.personID.rawValue), \(bind: r.branchID.rawValue), \(bind: r.month.iso), \(bind: r.reason),
                    \(bind: r.markedBy.rawValue), \(bind: r.markedAt.text))
                """).run()
        } catch {
            if let violation = ConstraintViolation(error), case .unique = violation { throw ConcurrentChange(table: "delayed_graduations") }
            throw error
        }
    }

    public func revokeDelay(_ id: String, by person: PersonID, at time: Timestamp) async throws {
        let rows = try await sql.raw("""
            UPDATE delayed_graduations SET revoked_by = \(bind: person.rawValue), revoked_at = \(bind: time.text)
            WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING id
            """).all()
        if rows.isEmpty { throw ConcurrentChange(table: "delayed_graduations") }
    }

    public func hasGraduated(_ person: PersonID) async throws -> Bool {
        try await sql.raw("SELECT 1 AS one FROM member_graduations WHERE person_id = \(bind: person.rawValue) LIMIT 1").first() != nil
    }

    public func unconvertedBranches(upToYear year: Int, limit: Int) async throws -> [GraduationBranchRecord] {
        try await sql.raw("""
            \(unsafeRaw: Self.select)
            WHERE m.month IS NOT NULL AND substr(m.month, 1, 4) <= \(bind: Self.yearText(year)) AND g.branch_id IS NULL
              AND o.deleted_at IS NULL
            ORDER BY m.month, o.id LIMIT \(limit: limit)
            """).all().map { try Self.record($0) }
    }

    static func yearText(_ year: Int) -> String {
        let digits = String(year)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    public func convert(_ branch: OrgID, markID: String, year: Int, at time: Timestamp) async throws -> Int {
        do {
            try await sql.raw("""
                INSERT INTO branch_graduations (branch_id, mark_id, year, converted_at)
                VALUES (\(bind: branch.rawValue), \(bind: markID), \(literal: year), \(bind: time.text))
                """).run()
        } catch {
            if let violation = ConstraintViolation(error), case .unique = violation { throw ConcurrentChange(table: "branch_graduations") }
            throw error
        }
        let rows = try await sql.raw("""
            INSERT INTO member_graduations (person_id, year, branch_id, graduated_at)
            SELECT mb.person_id, \(literal: year), mb.branch_id, \(bind: time.text) FROM members mb
            WHERE mb.branch_id = \(bind: branch.rawValue) AND mb.removed_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM delayed_graduations d WHERE d.person_id = mb.person_id AND d.revoked_at IS NULL)
            ON CONFLICT (person_id, year) DO NOTHING
            RETURNING person_id
            """).all()
        return rows.count
    }

    public func graduateDelayedMembers(upToYear year: Int, at time: Timestamp) async throws -> Int {
        try await sql.raw("""
            INSERT INTO member_graduations (person_id, year, branch_id, graduated_at)
            SELECT d.person_id, CAST(substr(d.month, 1, 4) AS INTEGER), mb.branch_id, \(bind: time.text)
            FROM delayed_graduations d JOIN members mb ON mb.person_id = d.person_id AND mb.removed_at IS NULL
            WHERE d.revoked_at IS NULL AND substr(d.month, 1, 4) <= \(bind: Self.yearText(year))
            ON CONFLICT (person_id, year) DO NOTHING
            RETURNING person_id
            """).all().count
    }

    public func memberCount(of branch: OrgID) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM members WHERE branch_id = \(bind: branch.rawValue) AND removed_at IS NULL")
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }

    public func isGraduated(_ branch: OrgID) async throws -> Bool {
        try await sql.raw("SELECT 1 AS one FROM branch_graduations WHERE branch_id = \(bind: branch.rawValue)").first() != nil
    }
}

import Domain
import SQLKit

/// One org's grading year as stored: the org, the day it was founded, and its entries in order.
public struct GradingYearRecord: Sendable, Equatable {
    public let org: Org
    public let foundedOn: CivilDate
    public let record: GradingRecord
    /// When the latest entry was recorded, and of the latest self-grade.
    public let lastEntryAt: Timestamp?
    public let selfGradedAt: Timestamp?
    public let reviewedAt: Timestamp?
}

/// 对标定级: the year's criteria, each org's entries (append-only, numbered per org and year)
/// and the yearly lock (GRA-1 … GRA-5).
public protocol GradingRepository: Sendable {
    /// GRA-1: the criteria in force for `year`, in order; empty when none were published.
    func criteria(year: Int) async throws -> [GradingCriterion]
    /// The live org with its grading year, in one query; nil when there is no such org.
    func year(_ year: Int, of org: OrgID) async throws -> GradingYearRecord?
    /// GRA-4: the live orgs whose upper committee is `committee`, with their grading years, in
    /// one query, ordered by path (every category: the caller leaves out those not graded).
    func subordinates(ofCommittee committee: OrgID, year: Int) async throws -> [GradingYearRecord]
    /// Appends the entry numbered `seq` (the count read plus one); `ConcurrentChange` when
    /// another writer appended it first.
    func append(
        _ id: String, org: OrgID, year: Int, seq: Int, entry: GradingEntry, actingOrg: OrgID, person: PersonID, at time: Timestamp
    ) async throws
    /// GRA-4: records that `year` locked; false when it was recorded already.
    func lock(year: Int, at time: Timestamp) async throws -> Bool
    func lockedAt(year: Int) async throws -> Timestamp?
    /// Records the day an org was founded (an org entered later than it was founded).
    func recordFounding(of org: OrgID, on date: CivilDate) async throws
}

public struct SQLGradingRepository: GradingRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func criteria(year: Int) async throws -> [GradingCriterion] {
        try await sql.raw("""
            SELECT dimension, weight, content, indicator FROM grading_criteria
            WHERE first_year = (SELECT MAX(first_year) FROM grading_criteria WHERE first_year <= \(literal: year))
            ORDER BY position
            """).all().map { row in
            GradingCriterion(
                dimension: try row.decode(column: "dimension", as: String.self), weight: try row.decode(column: "weight", as: String.self),
                content: try row.decode(column: "content", as: String.self), indicator: try row.decode(column: "indicator", as: String.self))
        }
    }

    /// The org's columns prefixed `o_`, its founding day, and one row per entry (none: NULLs).
    private static func select(_ year: Int, where condition: SQLQueryString) -> SQLQueryString {
        """
        SELECT o.id AS o_id, o.parent_id AS o_parent_id, o.name AS o_name, o.full_name AS o_full_name,
               o.category AS o_category, o.path AS o_path, o.upper_committee_id AS o_upper_committee_id,
               COALESCE(f.founded_on, substr(o.created_at, 1, 10)) AS founded_on,
               e.seq, e.kind, e.grade, e.recorded_at
        FROM orgs o
        LEFT JOIN org_foundings f ON f.org_id = o.id
        LEFT JOIN grading_entries e ON e.org_id = o.id AND e.year = \(literal: year)
        WHERE o.deleted_at IS NULL AND \(condition)
        ORDER BY o.path, e.seq
        """
    }

    private static func records(_ rows: [any SQLRow], year: Int) throws -> [GradingYearRecord] {
        var result: [GradingYearRecord] = []
        var current: (org: Org, founded: CivilDate, entries: [GradingEntry], last: Timestamp?, selfAt: Timestamp?, reviewAt: Timestamp?)?
        func flush() {
            guard let c = current else { return }
            result.append(
                GradingYearRecord(
                    org: c.org, foundedOn: c.founded, record: GradingRecord(year: year, entries: c.entries), lastEntryAt: c.last,
                    selfGradedAt: c.selfAt, reviewedAt: c.reviewAt))
        }
        for row in rows {
            let org = try SQLOrgRepository.Row(row: row, prefix: "o_").org()
            if current?.org.id != org.id {
                flush()
                guard let founded = CivilDate(iso: try row.decode(column: "founded_on", as: String.self)) else {
                    throw CorruptRow(table: "org_foundings", key: org.id.rawValue)
                }
                current = (org, founded, [], nil, nil, nil)
            }
            guard let kind = try row.decode(column: "kind", as: String?.self) else { continue }
            let gradeText = try row.decode(column: "grade", as: String.self)
            guard let grade = Grade(rawValue: gradeText), let at = Timestamp(text: try row.decode(column: "recorded_at", as: String.self))
            else { throw CorruptRow(table: "grading_entries", key: org.id.rawValue) }
            current?.entries.append(kind == "review" ? .review(grade) : .selfGrade(grade))
            current?.last = at
            if kind == "review" { current?.reviewAt = at } else { current?.selfAt = at }
        }
        flush()
        return result
    }

    public func year(_ year: Int, of org: OrgID) async throws -> GradingYearRecord? {
        try Self.records(try await sql.raw(Self.select(year, where: "o.id = \(bind: org.rawValue)")).all(), year: year).first
    }

    public func subordinates(ofCommittee committee: OrgID, year: Int) async throws -> [GradingYearRecord] {
        try Self.records(try await sql.raw(Self.select(year, where: "o.upper_committee_id = \(bind: committee.rawValue)")).all(), year: year)
    }

    public func append(
        _ id: String, org: OrgID, year: Int, seq: Int, entry: GradingEntry, actingOrg: OrgID, person: PersonID, at time: Timestamp
    ) async throws {
        let (kind, grade): (String, Grade) =
            switch entry {
            case .selfGrade(let g): ("self", g)
            case .review(let g): ("review", g)
            }
        do {
            try await sql.raw("""
                INSERT INTO grading_entries (id, org_id, year, seq, kind, grade, acting_org_id, person_id, recorded_at)
                VALUES (\(bind: id), \(bind: org.rawValue), \(literal: year), \(literal: seq), \(bind: kind), \(bind: grade.rawValue),
                        \(bind: actingOrg.rawValue), \(bind: person.rawValue), \(bind: time.text))
                """).run()
        } catch {
            if let violation = ConstraintViolation(error), case .unique = violation { throw ConcurrentChange(table: "grading_entries") }
            throw error
        }
    }

    public func lock(year: Int, at time: Timestamp) async throws -> Bool {
        let rows = try await sql.raw("""
            INSERT INTO grading_year_locks (year, locked_at) VALUES (\(literal: year), \(bind: time.text))
            ON CONFLICT (year) DO NOTHING RETURNING year
            """).all()
        return !rows.isEmpty
    }

    public func lockedAt(year: Int) async throws -> Timestamp? {
        try await sql.raw("SELECT locked_at FROM grading_year_locks WHERE year = \(literal: year)").first()
            .flatMap { Timestamp(text: try $0.decode(column: "locked_at", as: String.self)) }
    }

    public func recordFounding(of org: OrgID, on date: CivilDate) async throws {
        try await sql.raw("INSERT INTO org_foundings (org_id, founded_on) VALUES (\(bind: org.rawValue), \(bind: date.iso))").run()
    }
}

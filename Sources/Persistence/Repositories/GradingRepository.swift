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

/// An operation-centre item of grading (OPC-1): a self-grade waiting on its upper committee
/// (对标定级复核), or a review the graded org is told of (its result).
public struct GradingInboxRow: Sendable, Equatable {
    /// The latest entry's id: the item's key.
    public let entryID: String
    public let org: Org
    public let year: Int
    /// True: a self-grade waiting for review; false: the committee's review, for the org.
    public let awaitsReview: Bool
    public let grade: Grade
    public let recordedAt: Timestamp
    /// GRA-5: a self-grade after a 不予定级 review.
    public let regraded: Bool
}

/// A committee's view of grading in its whole subtree (every level below it).
public struct GradingProgress: Sendable, Equatable {
    /// 团(总)支部 in scope: of a graded category, founded on or before the cutoff.
    public let orgs: Int
    public let selfGraded: Int
    public let reviewed: Int
    /// GRA-5: the latest review was 不予定级.
    public let notGraded: Int

    public init(orgs: Int, selfGraded: Int, reviewed: Int, notGraded: Int) {
        self.orgs = orgs
        self.selfGraded = selfGraded
        self.reviewed = reviewed
        self.notGraded = notGraded
    }
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
    /// OPC-1: for the admin of `orgs`, the orgs of `year` whose latest entry is a self-grade and
    /// whose upper committee is one of `orgs`, and those of `orgs` whose latest entry is a
    /// review (`reviews`, `results`: which of the two), oldest first by (recorded_at, entry id)
    /// after the keyset, at most `limit`, one query: the kinds are filtered before the limit.
    func inbox(for orgs: [OrgID], year: Int, reviews: Bool, results: Bool, after: (Timestamp, String)?, limit: Int) async throws
        -> [GradingInboxRow]
    /// The progress of every in-scope org below `path` (GRA-2: `categories`, founded on or before
    /// `foundedBy`), in one query.
    func progress(below path: OrgPath, year: Int, categories: [OrgCategory], foundedBy: CivilDate) async throws -> GradingProgress
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

    public func inbox(for orgs: [OrgID], year: Int, reviews: Bool, results: Bool, after: (Timestamp, String)?, limit: Int) async throws
        -> [GradingInboxRow]
    {
        if orgs.isEmpty || !(reviews || results) { return [] }
        let ids = orgs.map(\.rawValue)
        let (since, key) = after.map { ($0.0.text, $0.1) } ?? ("", "")
        let rows = try await sql.raw("""
            SELECT e.id AS e_id, e.kind, e.grade, e.recorded_at,
                   o.id AS o_id, o.parent_id AS o_parent_id, o.name AS o_name, o.full_name AS o_full_name,
                   o.category AS o_category, o.path AS o_path, o.upper_committee_id AS o_upper_committee_id,
                   CASE WHEN e.kind = 'self' AND (
                       SELECT r.grade FROM grading_entries r WHERE r.org_id = e.org_id AND r.year = e.year AND r.kind = 'review'
                       ORDER BY r.seq DESC LIMIT 1) = 'not_graded' THEN 1 ELSE 0 END AS regraded
            FROM grading_entries e JOIN orgs o ON o.id = e.org_id
            WHERE e.year = \(literal: year) AND o.deleted_at IS NULL
              AND e.seq = (SELECT MAX(x.seq) FROM grading_entries x WHERE x.org_id = e.org_id AND x.year = e.year)
              AND ((\(unsafeRaw: reviews ? "1 = 1" : "1 = 0") AND e.kind = 'self' AND o.upper_committee_id IN (\(binds: ids)))
                OR (\(unsafeRaw: results ? "1 = 1" : "1 = 0") AND e.kind = 'review' AND o.id IN (\(binds: ids))))
              AND (e.recorded_at > \(bind: since) OR (e.recorded_at = \(bind: since) AND e.id > \(bind: key)))
            ORDER BY e.recorded_at, e.id LIMIT \(limit: limit)
            """).all()
        return try rows.map { row in
            let org = try SQLOrgRepository.Row(row: row, prefix: "o_").org()
            let id = try row.decode(column: "e_id", as: String.self)
            guard let grade = Grade(rawValue: try row.decode(column: "grade", as: String.self)),
                let at = Timestamp(text: try row.decode(column: "recorded_at", as: String.self))
            else { throw CorruptRow(table: "grading_entries", key: id) }
            return GradingInboxRow(
                entryID: id, org: org, year: year, awaitsReview: try row.decode(column: "kind", as: String.self) == "self", grade: grade,
                recordedAt: at, regraded: try row.decode(column: "regraded", as: Int.self) == 1)
        }
    }

    public func progress(below path: OrgPath, year: Int, categories: [OrgCategory], foundedBy: CivilDate) async throws -> GradingProgress {
        guard !categories.isEmpty else { return GradingProgress(orgs: 0, selfGraded: 0, reviewed: 0, notGraded: 0) }
        // Migration 23's counts of the subtree, less the org's own facets (it is not below itself).
        let ancestor = path.leaf.rawValue
        func scope(_ facet: String, _ year: Int) -> SQLQueryString {
            """
            facet = \(bind: facet) AND year = \(literal: year) AND founded_on <= \(bind: foundedBy.iso)
            AND category IN (\(binds: categories.map(\.rawValue)))
            """
        }
        let rows = try await sql.raw("""
            SELECT facet, value, SUM(n) AS n FROM (
                SELECT facet, value, orgs AS n FROM subtree_org_tallies WHERE ancestor_id = \(bind: ancestor) AND \(scope("orgs", 0))
                UNION ALL
                SELECT facet, value, orgs FROM subtree_org_tallies WHERE ancestor_id = \(bind: ancestor) AND \(scope("grading", year))
                UNION ALL
                SELECT facet, value, -1 FROM org_tally_facets WHERE org_id = \(bind: ancestor) AND \(scope("orgs", 0))
                UNION ALL
                SELECT facet, value, -1 FROM org_tally_facets WHERE org_id = \(bind: ancestor) AND \(scope("grading", year))
            ) t GROUP BY facet, value
            """).all()
        var orgs = 0, selfGraded = 0, reviewed = 0, notGraded = 0
        for row in rows {
            let facet = try row.decode(column: "facet", as: String.self), value = try row.decode(column: "value", as: String.self)
            let n = try row.decode(column: "n", as: Int.self)
            if facet == "orgs" { orgs += n; continue }
            let flags = value.split(separator: "|").map { $0 == "1" }
            guard flags.count == 3 else { throw CorruptRow(table: "subtree_org_tallies", key: value) }
            if flags[0] { selfGraded += n }
            if flags[1] { reviewed += n }
            if flags[2] { notGraded += n }
        }
        return GradingProgress(orgs: orgs, selfGraded: selfGraded, reviewed: reviewed, notGraded: notGraded)
    }

    public func recordFounding(of org: OrgID, on date: CivilDate) async throws {
        try await sql.raw("INSERT INTO org_foundings (org_id, founded_on) VALUES (\(bind: org.rawValue), \(bind: date.iso))").run()
    }
}

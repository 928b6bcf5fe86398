import Domain
import SQLKit

/// A branch's rectification year as stored: the org, its founding day, its entries, and the
/// ratings of its latest form.
public struct RectificationYearRecord: Sendable, Equatable {
    public let org: Org
    public let foundedOn: CivilDate
    public let record: RectificationRecord
    /// The latest form's ratings, in item order; empty before the first.
    public let latestRatings: [CheckRating]
    /// 单位所属行业类别, nil while the org's profile leaves it unfilled.
    public var industry: IndustryCategory? = nil
}

/// 组织整顿: the year's self-check items and each branch's entries (RCT-1 … RCT-4).
public protocol RectificationRepository: Sendable {
    func items(year: Int) async throws -> [String]
    func year(_ year: Int, of org: OrgID) async throws -> RectificationYearRecord?
    /// The live direct sub-orgs of `parent` holding members, with their years, in one query.
    func children(of parent: OrgID, year: Int) async throws -> [RectificationYearRecord]
    /// Every live org holding members below `ancestor`, with its year, in one query (the
    /// committee's statistics and key-rectification list).
    func subtree(of ancestor: OrgID, year: Int) async throws -> [RectificationYearRecord]
    /// Appends the entry numbered `seq`; `ConcurrentChange` when another writer took it.
    func append(
        _ id: String, org: OrgID, year: Int, seq: Int, entry: RectificationEntry, ratings: [CheckRating]?, actingOrg: OrgID,
        person: PersonID, at time: Timestamp
    ) async throws
}

public struct SQLRectificationRepository: RectificationRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func items(year: Int) async throws -> [String] {
        try await sql.raw("""
            SELECT text FROM rectification_items
            WHERE first_year = (SELECT MAX(first_year) FROM rectification_items WHERE first_year <= \(literal: year)) ORDER BY position
            """).all().map { try $0.decode(column: "text", as: String.self) }
    }

    private static func select(_ year: Int, where condition: SQLQueryString) -> SQLQueryString {
        """
        SELECT o.id AS o_id, o.parent_id AS o_parent_id, o.name AS o_name, o.full_name AS o_full_name,
               o.category AS o_category, o.path AS o_path, o.upper_committee_id AS o_upper_committee_id,
               COALESCE(f.founded_on, substr(o.created_at, 1, 10)) AS founded_on,
               o.industry_category, e.seq, e.kind, e.month, e.poor_count, e.by_parent, e.ratings
        FROM orgs o
        LEFT JOIN org_foundings f ON f.org_id = o.id
        LEFT JOIN rectification_entries e ON e.org_id = o.id AND e.year = \(literal: year)
        WHERE o.deleted_at IS NULL AND \(condition)
        ORDER BY o.path, e.seq
        """
    }

    private static func records(_ rows: [any SQLRow], year: Int) throws -> [RectificationYearRecord] {
        var result: [RectificationYearRecord] = []
        var current: (org: Org, founded: CivilDate, industry: IndustryCategory?, entries: [RectificationEntry], ratings: [CheckRating])?
        func flush() {
            guard let c = current else { return }
            result.append(
                RectificationYearRecord(
                    org: c.org, foundedOn: c.founded, record: RectificationRecord(year: year, entries: c.entries), latestRatings: c.ratings,
                    industry: c.industry))
        }
        for row in rows {
            let org = try SQLOrgRepository.Row(row: row, prefix: "o_").org()
            if current?.org.id != org.id {
                flush()
                guard let founded = CivilDate(iso: try row.decode(column: "founded_on", as: String.self)) else {
                    throw CorruptRow(table: "org_foundings", key: org.id.rawValue)
                }
                let industry = try row.decode(column: "industry_category", as: String?.self).flatMap(IndustryCategory.init(rawValue:))
                current = (org, founded, industry, [], [])
            }
            guard let entry = try Self.entry(row, key: org.id.rawValue) else { continue }
            current?.entries.append(entry)
            if case .submit = entry, let text = try row.decode(column: "ratings", as: String?.self) {
                current?.ratings = try text.split(separator: ",").map { raw in
                    guard let rating = CheckRating(rawValue: String(raw)) else { throw CorruptRow(table: "rectification_entries", key: org.id.rawValue) }
                    return rating
                }
            }
        }
        flush()
        return result
    }

    /// The entry of a row with `kind`, `month`, `poor_count` and `by_parent`; nil for a row
    /// without one (an org with no entries, from a LEFT JOIN).
    static func entry(_ row: some SQLRow, key: String) throws -> RectificationEntry? {
        switch try row.decode(column: "kind", as: String?.self) {
        case nil: return nil
        case "submit"?:
            guard let poor = try row.decode(column: "poor_count", as: Int?.self), let month = try row.decode(column: "month", as: Int?.self) else {
                throw CorruptRow(table: "rectification_entries", key: key)
            }
            return .submit(poor: poor, month: month, byParent: try row.decode(column: "by_parent", as: Bool.self))
        case "approve"?: return .approve
        case "reject"?: return .reject
        case "mark_key"?: return .markKey
        default: throw CorruptRow(table: "rectification_entries", key: key)
        }
    }

    public func year(_ year: Int, of org: OrgID) async throws -> RectificationYearRecord? {
        try Self.records(try await sql.raw(Self.select(year, where: "o.id = \(bind: org.rawValue)")).all(), year: year).first
    }

    public func children(of parent: OrgID, year: Int) async throws -> [RectificationYearRecord] {
        try Self.records(try await sql.raw(Self.select(year, where: "o.parent_id = \(bind: parent.rawValue) AND o.holds_members")).all(), year: year)
    }

    public func subtree(of ancestor: OrgID, year: Int) async throws -> [RectificationYearRecord] {
        try Self.records(
            try await sql.raw(Self.select(year, where: """
                o.holds_members AND o.id IN (SELECT descendant_id FROM org_ancestry WHERE ancestor_id = \(bind: ancestor.rawValue))
                """)).all(), year: year)
    }

    public func append(
        _ id: String, org: OrgID, year: Int, seq: Int, entry: RectificationEntry, ratings: [CheckRating]?, actingOrg: OrgID,
        person: PersonID, at time: Timestamp
    ) async throws {
        var kind = "mark_key", month: Int?, poor: Int?, byParent = false
        switch entry {
        case .submit(let p, let m, let parent): (kind, month, poor, byParent) = ("submit", m, p, parent)
        case .approve: kind = "approve"
        case .reject: kind = "reject"
        case .markKey: kind = "mark_key"
        }
        do {
            try await sql.raw("""
                INSERT INTO rectification_entries (id, org_id, year, seq, kind, month, poor_count, by_parent, ratings, acting_org_id, person_id, recorded_at)
                VALUES (\(bind: id), \(bind: org.rawValue), \(literal: year), \(literal: seq), \(bind: kind), \(bind: month), \(bind: poor),
                        \(bind: byParent), \(bind: ratings.map { $0.map(\.rawValue).joined(separator: ",") }), \(bind: actingOrg.rawValue),
                        \(bind: person.rawValue), \(bind: time.text))
                """).run()
        } catch {
            if let violation = ConstraintViolation(error), case .unique = violation { throw ConcurrentChange(table: "rectification_entries") }
            throw error
        }
        // The year's state as the entries now fold (migration 22), from the entries themselves
        // rather than the caller's copy, in the same transaction.
        let entries = try await sql.raw("""
            SELECT kind, month, poor_count, by_parent FROM rectification_entries
            WHERE org_id = \(bind: org.rawValue) AND year = \(literal: year) ORDER BY seq
            """).all().compactMap { try Self.entry($0, key: org.rawValue) }
        try await Self.saveState(RectificationRecord(year: year, entries: entries), of: org.rawValue, on: sql)
    }

    /// The state of `record`, which holds all of its year's entries.
    static func saveState(_ record: RectificationRecord, of org: String, on sql: any SQLDatabase) async throws {
        let state = record.state
        try await sql.raw("""
            INSERT INTO rectification_states (org_id, year, status, under_key, entries)
            VALUES (\(bind: org), \(literal: record.year), \(bind: state.status?.rawValue), \(bind: state.underKeyRectification), \(literal: record.entries.count))
            ON CONFLICT (org_id, year) DO UPDATE SET
                status = excluded.status, under_key = excluded.under_key, entries = excluded.entries
            """).run()
    }
}

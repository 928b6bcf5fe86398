import Domain
import SQLKit

/// 团内大数据 (STA-1): distributions over a subtree's members, one query per figure.
public protocol StatisticsRepository: Sendable {
    /// Members (not removed) of the subtree per age band (`bounds` from `StatisticsRules`).
    func ages(inSubtreeOf path: OrgPath, bounds: [(label: String, earliest: CivilDate?, latest: CivilDate)]) async throws -> [StatisticsBar]
    /// Members per value of a profile field (`ethnicity` or `education`), 未填写 for none, largest first.
    func distribution(of field: StatisticsField, inSubtreeOf path: OrgPath) async throws -> [StatisticsBar]
    /// RCT-1: every branch of the subtree with its rectification entries of `year`, in one query.
    func rectificationYears(inSubtreeOf path: OrgPath, year: Int) async throws -> [RectificationRecord]
}

public enum StatisticsField: String, Sendable, CaseIterable {
    case ethnicity, education
}

public struct SQLStatisticsRepository: StatisticsRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// The subtree's members: its orgs from the materialised ancestry (an index range), then each
    /// branch's members by `members_branch`.
    static func scope(_ path: OrgPath) -> SQLQueryString {
        """
        FROM org_ancestry x JOIN members m ON m.branch_id = x.descendant_id JOIN people p ON p.id = m.person_id
        WHERE x.ancestor_id = \(bind: path.leaf.rawValue) AND m.removed_at IS NULL
        """
    }

    public func ages(inSubtreeOf path: OrgPath, bounds: [(label: String, earliest: CivilDate?, latest: CivilDate)]) async throws -> [StatisticsBar] {
        var cases: [SQLQueryString] = []
        for (index, band) in bounds.enumerated() {
            var condition: SQLQueryString = "p.birth_date <= \(bind: band.latest.iso)"
            if let earliest = band.earliest { condition = "\(condition) AND p.birth_date > \(bind: earliest.iso)" }
            cases.append("WHEN \(condition) THEN \(literal: index)")
        }
        let rows = try await sql.raw("""
            SELECT band, COUNT(*) AS n FROM (
                SELECT CASE \(cases.joined(separator: " ")) ELSE -1 END AS band
                \(Self.scope(path))
            ) b GROUP BY band
            """).all()
        var counts: [Int: Int] = [:]
        for row in rows { counts[try row.decode(column: "band", as: Int.self)] = try row.decode(column: "n", as: Int.self) }
        return bounds.enumerated().map { StatisticsBar(label: $0.element.label, count: counts[$0.offset] ?? 0) }
    }

    public func distribution(of field: StatisticsField, inSubtreeOf path: OrgPath) async throws -> [StatisticsBar] {
        try await sql.raw("""
            SELECT COALESCE(pp.\(unsafeRaw: field.rawValue), '未填写') AS v, COUNT(*) AS n
            FROM org_ancestry x JOIN members m ON m.branch_id = x.descendant_id
            LEFT JOIN person_profiles pp ON pp.person_id = m.person_id
            WHERE x.ancestor_id = \(bind: path.leaf.rawValue) AND m.removed_at IS NULL
            GROUP BY COALESCE(pp.\(unsafeRaw: field.rawValue), '未填写') ORDER BY n DESC, v
            """).all().map { StatisticsBar(label: try $0.decode(column: "v", as: String.self), count: try $0.decode(column: "n", as: Int.self)) }
    }

    public func rectificationYears(inSubtreeOf path: OrgPath, year: Int) async throws -> [RectificationRecord] {
        let rows = try await sql.raw("""
            SELECT o.id, e.kind, e.month, e.poor_count, e.by_parent
            FROM org_ancestry x JOIN orgs o ON o.id = x.descendant_id
            LEFT JOIN rectification_entries e ON e.org_id = o.id AND e.year = \(literal: year)
            WHERE x.ancestor_id = \(bind: path.leaf.rawValue) AND o.deleted_at IS NULL AND o.holds_members
            ORDER BY o.id, e.seq
            """).all()
        var records: [RectificationRecord] = []
        var current: (id: String, entries: [RectificationEntry])?
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            if current?.id != id {
                if let c = current { records.append(RectificationRecord(year: year, entries: c.entries)) }
                current = (id, [])
            }
            if let entry = try SQLRectificationRepository.entry(row, key: id) { current?.entries.append(entry) }
        }
        if let c = current { records.append(RectificationRecord(year: year, entries: c.entries)) }
        return records
    }
}

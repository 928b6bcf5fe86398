import Domain
import SQLKit

/// 团内大数据 (STA-1): distributions over a subtree's members, one query per figure.
public protocol StatisticsRepository: Sendable {
    /// Members (not removed) of the subtree per age band (`bounds` from `StatisticsRules`).
    func ages(inSubtreeOf path: OrgPath, bounds: [(label: String, earliest: CivilDate?, latest: CivilDate)]) async throws -> [StatisticsBar]
    /// Members per value of a profile field (`ethnicity` or `education`), 未填写 for none, largest first.
    func distribution(of field: StatisticsField, inSubtreeOf path: OrgPath) async throws -> [StatisticsBar]
    /// The subtree counts (migrations 21 and 23) that differ from a count of the rows they
    /// count, and rectification states (22) that do not fold all of their year's entries, up to
    /// `limit`, as "table key…: counted n, stored m"; for `zhtj verify`.
    func tallyDrift(limit: Int) async throws -> [String]
    /// RCT-1: the subtree's branches (itself too) per rectification status of `year`, from
    /// migration 23's counts.
    func rectification(inSubtreeOf path: OrgPath, year: Int) async throws -> RectificationCounts
}

public enum StatisticsField: String, Sendable, CaseIterable {
    case ethnicity, education
}

public struct SQLStatisticsRepository: StatisticsRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func ages(inSubtreeOf path: OrgPath, bounds: [(label: String, earliest: CivilDate?, latest: CivilDate)]) async throws -> [StatisticsBar] {
        guard !bounds.isEmpty else { return [] }
        // One range of migration 21's birth dates per band (one row per birth date in the
        // subtree, however many members share it), summed without evaluating every band per row.
        var sums: [SQLQueryString] = []
        for (index, band) in bounds.enumerated() {
            var condition: SQLQueryString = "born_on <= \(bind: band.latest.iso)"
            if let earliest = band.earliest { condition = "\(condition) AND born_on > \(bind: earliest.iso)" }
            sums.append("""
                (SELECT COALESCE(SUM(members), 0) FROM subtree_tallies
                 WHERE ancestor_id = \(bind: path.leaf.rawValue) AND facet = 'birth' AND \(condition)) AS band\(unsafeRaw: String(index))
                """)
        }
        guard let row = try await sql.raw("SELECT \(sums.joined(separator: ", "))").first() else { return [] }
        return try bounds.enumerated().map { index, band in
            StatisticsBar(label: band.label, count: try row.decode(column: "band\(index)", as: Int.self))
        }
    }

    public func distribution(of field: StatisticsField, inSubtreeOf path: OrgPath) async throws -> [StatisticsBar] {
        try await sql.raw("""
            SELECT value AS v, members AS n FROM subtree_tallies
            WHERE ancestor_id = \(bind: path.leaf.rawValue) AND facet = \(bind: field.rawValue) AND born_on = '' AND members > 0
            ORDER BY members DESC, value
            """).all().map { StatisticsBar(label: try $0.decode(column: "v", as: String.self), count: try $0.decode(column: "n", as: Int.self)) }
    }

    public func tallyDrift(limit: Int) async throws -> [String] {
        var found = try await Self.drift(
            of: "subtree_tallies", from: "member_tally_facets", place: "branch_id", keys: ["facet", "born_on", "value"], count: "members",
            limit: limit, on: sql)
        found += try await Self.drift(
            of: "subtree_org_tallies", from: "org_tally_facets", place: "org_id", keys: ["facet", "year", "founded_on", "category", "value"],
            count: "orgs", limit: limit, on: sql)
        // Migration 22's states each fold all of their year's entries.
        found += try await sql.raw("""
            SELECT s.org_id, s.year, s.entries, COUNT(e.seq) AS stored FROM rectification_states s
            LEFT JOIN rectification_entries e ON e.org_id = s.org_id AND e.year = s.year
            GROUP BY s.org_id, s.year, s.entries HAVING COUNT(e.seq) <> s.entries
            UNION ALL
            SELECT e.org_id, e.year, 0, COUNT(*) FROM rectification_entries e
            WHERE NOT EXISTS (SELECT 1 FROM rectification_states s WHERE s.org_id = e.org_id AND s.year = e.year)
            GROUP BY e.org_id, e.year
            ORDER BY 1, 2 LIMIT \(literal: limit)
            """).all().map { row in
            "rectification_states \(try row.decode(column: "org_id", as: String.self)) \(try row.decode(column: "year", as: Int.self)): "
                + "folds \(try row.decode(column: "entries", as: Int.self)) entries, \(try row.decode(column: "stored", as: Int.self)) stored"
        }
        return Array(found.prefix(limit))
    }

    /// The counts of `table` that differ from counting `view`'s facets over the ancestry.
    static func drift(
        of table: String, from view: String, place: String, keys: [String], count: String, limit: Int, on sql: any SQLDatabase
    ) async throws -> [String] {
        let all = ["ancestor_id"] + keys
        let match = { (a: String, b: String) in all.map { "\(a).\($0) = \(b).\($0)" }.joined(separator: " AND ") }
        let columns = all.map { "c.\($0)" }.joined(separator: ", ")
        return try await sql.raw("""
            WITH counted AS (
                SELECT x.ancestor_id, \(unsafeRaw: keys.map { "f.\($0)" }.joined(separator: ", ")), COUNT(*) AS n
                FROM \(unsafeRaw: view) f JOIN org_ancestry x ON x.descendant_id = f.\(unsafeRaw: place)
                GROUP BY x.ancestor_id, \(unsafeRaw: keys.map { "f.\($0)" }.joined(separator: ", "))
            )
            SELECT \(unsafeRaw: columns), c.n AS counted, COALESCE(t.\(unsafeRaw: count), 0) AS stored
            FROM counted c LEFT JOIN \(unsafeRaw: table) t ON \(unsafeRaw: match("t", "c"))
            WHERE t.\(unsafeRaw: count) IS NULL OR t.\(unsafeRaw: count) <> c.n
            UNION ALL
            SELECT \(unsafeRaw: all.map { "t.\($0)" }.joined(separator: ", ")), 0, t.\(unsafeRaw: count) FROM \(unsafeRaw: table) t
            WHERE t.\(unsafeRaw: count) <> 0 AND NOT EXISTS (SELECT 1 FROM counted c WHERE \(unsafeRaw: match("c", "t")))
            ORDER BY 1, 2 LIMIT \(literal: limit)
            """).all().map { row in
            var key: [String] = []
            for column in all {
                key.append(column == "year" ? String(try row.decode(column: column, as: Int.self)) : try row.decode(column: column, as: String.self))
            }
            return "\(table) \(key.joined(separator: " ")): counted \(try row.decode(column: "counted", as: Int.self)), "
                + "stored \(try row.decode(column: "stored", as: Int.self))"
        }
    }

    public func rectification(inSubtreeOf path: OrgPath, year: Int) async throws -> RectificationCounts {
        let ancestor = path.leaf.rawValue
        let rows = try await sql.raw("""
            SELECT 'branches' AS value, COALESCE(SUM(orgs), 0) AS n FROM subtree_org_tallies
            WHERE ancestor_id = \(bind: ancestor) AND facet = 'orgs' AND year = 0 AND value = '1'
            UNION ALL
            SELECT value, orgs FROM subtree_org_tallies
            WHERE ancestor_id = \(bind: ancestor) AND facet = 'rectification' AND year = \(literal: year) AND orgs > 0
            """).all()
        var branches = 0, assessed = 0, key = 0
        var byStatus: [RectificationStatus: Int] = [:]
        for row in rows {
            let value = try row.decode(column: "value", as: String.self), n = try row.decode(column: "n", as: Int.self)
            if value == "branches" { branches = n; continue }
            let parts = value.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw CorruptRow(table: "subtree_org_tallies", key: value) }
            if parts[1] == "1" { key += n }
            guard !parts[0].isEmpty else { continue }
            guard let status = RectificationStatus(rawValue: String(parts[0])) else { throw CorruptRow(table: "subtree_org_tallies", key: value) }
            byStatus[status, default: 0] += n
            assessed += n
        }
        return RectificationCounts(byStatus: byStatus, unassessed: branches - assessed, underKey: key)
    }
}

/// RCT-1's figures of a subtree: branches per status, those with none yet (未评定), and those
/// under key rectification.
public struct RectificationCounts: Sendable, Equatable {
    public let byStatus: [RectificationStatus: Int]
    public let unassessed: Int
    public let underKey: Int

    public init(byStatus: [RectificationStatus: Int], unassessed: Int, underKey: Int) {
        self.byStatus = byStatus
        self.unassessed = unassessed
        self.underKey = underKey
    }
}

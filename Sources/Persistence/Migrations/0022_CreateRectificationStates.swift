import Domain
import SQLKit

/// Each branch's rectification state per year (RCT-1), as `RectificationRecord` folds its
/// entries: written by `SQLRectificationRepository.append` in the same transaction as each entry,
/// so the committee's figures (migration 23) count states instead of folding every branch's
/// entries on each read. The entries stay the record; `entries` says how many of them the state
/// folds, which `zhtj verify` checks against the entries themselves.
let m0022CreateRectificationStates = Migration(
    version: 22, name: "create_rectification_states",
    statements: [
        """
        CREATE TABLE rectification_states (
            org_id TEXT NOT NULL REFERENCES orgs (id),
            year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 9999),
            status TEXT CHECK (status IS NULL OR status IN (\(RectificationStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")))),
            under_key BOOLEAN NOT NULL,
            entries INTEGER NOT NULL CHECK (entries >= 1),
            PRIMARY KEY (org_id, year)
        )
        """
    ],
    derive: { sql in
        // The entries stored before this migration, folded by the domain's rules.
        let rows = try await sql.raw("""
            SELECT org_id, year, kind, month, poor_count, by_parent FROM rectification_entries ORDER BY org_id, year, seq
            """).all()
        var current: (org: String, year: Int, entries: [RectificationEntry])?
        func flush() async throws {
            guard let c = current else { return }
            try await SQLRectificationRepository.saveState(
                RectificationRecord(year: c.year, entries: c.entries), of: c.org, on: sql)
        }
        for row in rows {
            let org = try row.decode(column: "org_id", as: String.self), year = try row.decode(column: "year", as: Int.self)
            if current?.org != org || current?.year != year {
                try await flush()
                current = (org, year, [])
            }
            if let entry = try SQLRectificationRepository.entry(row, key: org) { current?.entries.append(entry) }
        }
        try await flush()
    })

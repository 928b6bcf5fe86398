/// Counts of orgs per subtree (issue 11, Speed): the grading progress (GRA-4) and the
/// rectification figures (RCT-1) of a committee read a few rows however many branches lie below
/// it, instead of every org with its entries. Kept by `TallyTriggers` like migration 21's. The
/// facets, each counting live orgs (not deleted) and the org itself among its own:
/// - `orgs`: `year` 0, `founded_on` (GRA-1's founding day, else the day it was created), its
///   category, `value` 1 when it holds members (a branch) and 0 otherwise;
/// - `grading`: per year with entries, the same `founded_on` and category, `value`
///   `self|review|not_graded` (each 0 or 1: a self-grade, a review, the latest review 不予定级);
/// - `rectification`: per year with a state (migration 22), branches only, `value`
///   `status|key` (the status's raw value or empty, key 0 or 1).
let m0023CreateSubtreeOrgTallies = Migration(
    version: 23, name: "create_subtree_org_tallies",
    statements: [
        // No foreign key to orgs, as for subtree_tallies.
        """
        CREATE TABLE subtree_org_tallies (
            ancestor_id TEXT NOT NULL,
            facet TEXT NOT NULL CHECK (facet IN ('orgs', 'grading', 'rectification')),
            year INTEGER NOT NULL,
            founded_on TEXT NOT NULL,
            category TEXT NOT NULL,
            value TEXT NOT NULL,
            orgs INTEGER NOT NULL CHECK (orgs >= 0),
            PRIMARY KEY (ancestor_id, facet, year, founded_on, category, value)
        )
        """,
        // A year's grading facet comes from its first entry's row (every org-year with entries
        // has exactly one seq 1), so no grouping subquery stands between a trigger and the index.
        """
        CREATE VIEW org_tally_facets AS
            SELECT o.id AS org_id, 'orgs' AS facet, 0 AS year, COALESCE(f.founded_on, substr(o.created_at, 1, 10)) AS founded_on,
                   o.category AS category, CASE WHEN o.holds_members THEN '1' ELSE '0' END AS value
            FROM orgs o LEFT JOIN org_foundings f ON f.org_id = o.id WHERE o.deleted_at IS NULL
        UNION ALL
            SELECT o.id, 'grading', g.year, COALESCE(f.founded_on, substr(o.created_at, 1, 10)), o.category,
                   (CASE WHEN EXISTS (SELECT 1 FROM grading_entries e WHERE e.org_id = o.id AND e.year = g.year AND e.kind = 'self') THEN '1' ELSE '0' END)
                   || '|' || (CASE WHEN EXISTS (SELECT 1 FROM grading_entries e WHERE e.org_id = o.id AND e.year = g.year AND e.kind = 'review') THEN '1' ELSE '0' END)
                   || '|' || (CASE WHEN (SELECT e.grade FROM grading_entries e WHERE e.org_id = o.id AND e.year = g.year AND e.kind = 'review'
                                         ORDER BY e.seq DESC LIMIT 1) = 'not_graded' THEN '1' ELSE '0' END)
            FROM orgs o LEFT JOIN org_foundings f ON f.org_id = o.id JOIN grading_entries g ON g.org_id = o.id AND g.seq = 1
            WHERE o.deleted_at IS NULL
        UNION ALL
            SELECT o.id, 'rectification', s.year, '', '', COALESCE(s.status, '') || '|' || (CASE WHEN s.under_key THEN '1' ELSE '0' END)
            FROM orgs o JOIN rectification_states s ON s.org_id = o.id WHERE o.deleted_at IS NULL AND o.holds_members
        """,
        """
        INSERT INTO subtree_org_tallies (ancestor_id, facet, year, founded_on, category, value, orgs)
        SELECT x.ancestor_id, f.facet, f.year, f.founded_on, f.category, f.value, COUNT(*)
        FROM org_tally_facets f JOIN org_ancestry x ON x.descendant_id = f.org_id
        GROUP BY x.ancestor_id, f.facet, f.year, f.founded_on, f.category, f.value
        """,
    ],
    sqliteStatements: orgTallies.sqlite,
    postgresStatements: orgTallies.postgres)

private let orgTallies = TallyTriggers(
    table: "subtree_org_tallies", view: "org_tally_facets", subject: "org_id", place: "org_id",
    keys: ["facet", "year", "founded_on", "category", "value"], count: "orgs",
    sources: [
        // The org itself and the orgs above its parent (ORG-4: it never moves).
        .init(table: "orgs", subject: "id", columns: ["deleted_at"], facets: ["orgs", "grading", "rectification"],
              insert: .addsAt(ancestors: { org in
                  "SELECT \(org) AS ancestor_id UNION ALL SELECT ancestor_id FROM org_ancestry WHERE descendant_id = NEW.parent_id"
              })),
        // Founding days are append-only, set once.
        .init(table: "org_foundings", subject: "org_id", columns: [], facets: ["orgs", "grading"], insert: .plain),
        .init(table: "grading_entries", subject: "org_id", columns: [], facets: ["grading"], insert: .plain),
        // Upserted: a first state adds; a later one runs the update triggers.
        .init(table: "rectification_states", subject: "org_id", columns: ["status", "under_key"], facets: ["rectification"], insert: .adds),
    ])

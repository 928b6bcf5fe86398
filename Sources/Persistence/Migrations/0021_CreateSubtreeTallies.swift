/// Counts of members per subtree (issue 11, Speed): one row per (ancestor, facet, value) with how
/// many members of the ancestor's subtree have that value, so a committee's figures read a few
/// thousand rows however many members lie below it, instead of every member with three joins.
///
/// The counts are not a cache: triggers on every table a figure reads change them in the same
/// transaction as the change itself, so a committed count always equals a count of the rows
/// (tests compare the two after every kind of write), and `members >= 0` catches a drift the
/// moment it would happen. The facets:
/// - `birth`: `born_on` is the birth date (the age bands depend on today, so the day is kept);
/// - `ethnicity`, `education`: `value` is the profile's value, 未填写 for none;
/// - `new`: the members who joined on or after 2020-01-01 (ARC-1, `Member.archiveRequiredFrom`),
///   `value` is `joined_on|verified|uploaded` (each flag 0 or 1);
/// - `new_ageing`: the same members less the cadres (never over age, MEM-7), with `born_on`, so
///   the over-age ones of today are a range on the key and are taken off `new`.
///
/// The triggers (`TallyTriggers`) follow every table a facet reads.
let m0021CreateSubtreeTallies = Migration(
    version: 21, name: "create_subtree_tallies",
    statements: [
        // No foreign key to orgs: every ancestor comes from org_ancestry, which has one, and the
        // check would cost a lookup on each of the several rows a member's change touches.
        """
        CREATE TABLE subtree_tallies (
            ancestor_id TEXT NOT NULL,
            facet TEXT NOT NULL CHECK (facet IN ('birth', 'ethnicity', 'education', 'new', 'new_ageing')),
            born_on TEXT NOT NULL,
            value TEXT NOT NULL,
            members INTEGER NOT NULL CHECK (members >= 0),
            PRIMARY KEY (ancestor_id, facet, born_on, value)
        )
        """,
        // Each member's facets, one row each; only members not removed (MEM-6) count.
        """
        CREATE VIEW member_tally_facets AS
            SELECT m.person_id, m.branch_id, 'birth' AS facet, p.birth_date AS born_on, '' AS value
            FROM members m JOIN people p ON p.id = m.person_id WHERE m.removed_at IS NULL
        UNION ALL
            SELECT m.person_id, m.branch_id, 'ethnicity', '', COALESCE(pp.ethnicity, '未填写')
            FROM members m LEFT JOIN person_profiles pp ON pp.person_id = m.person_id WHERE m.removed_at IS NULL
        UNION ALL
            SELECT m.person_id, m.branch_id, 'education', '', COALESCE(pp.education, '未填写')
            FROM members m LEFT JOIN person_profiles pp ON pp.person_id = m.person_id WHERE m.removed_at IS NULL
        UNION ALL
            SELECT m.person_id, m.branch_id, 'new', '',
                   m.joined_on || '|' || (CASE WHEN a.verified_version IS NOT NULL THEN '1' ELSE '0' END)
                   || '|' || (CASE WHEN a.state IS NULL OR a.state = 'not_uploaded' THEN '0' ELSE '1' END)
            FROM members m LEFT JOIN archives a ON a.member_id = m.person_id
            WHERE m.removed_at IS NULL AND m.joined_on >= '2020-01-01'
        UNION ALL
            SELECT m.person_id, m.branch_id, 'new_ageing', p.birth_date,
                   m.joined_on || '|' || (CASE WHEN a.verified_version IS NOT NULL THEN '1' ELSE '0' END)
                   || '|' || (CASE WHEN a.state IS NULL OR a.state = 'not_uploaded' THEN '0' ELSE '1' END)
            FROM members m JOIN people p ON p.id = m.person_id LEFT JOIN archives a ON a.member_id = m.person_id
            WHERE m.removed_at IS NULL AND m.joined_on >= '2020-01-01'
              AND NOT EXISTS (SELECT 1 FROM cadre_posts c WHERE c.person_id = m.person_id)
        """,
        """
        INSERT INTO subtree_tallies (ancestor_id, facet, born_on, value, members)
        SELECT x.ancestor_id, f.facet, f.born_on, f.value, COUNT(*)
        FROM member_tally_facets f JOIN org_ancestry x ON x.descendant_id = f.branch_id
        GROUP BY x.ancestor_id, f.facet, f.born_on, f.value
        """,
    ],
    sqliteStatements: memberTallies.sqlite,
    postgresStatements: memberTallies.postgres)

private let memberTallies = TallyTriggers(
    table: "subtree_tallies", view: "member_tally_facets", subject: "person_id", place: "branch_id",
    keys: ["facet", "born_on", "value"], count: "members",
    sources: [
        .init(table: "members", subject: "person_id", columns: ["branch_id", "removed_at", "joined_on"],
              facets: ["birth", "ethnicity", "education", "new", "new_ageing"], insert: .adds),
        .init(table: "people", subject: "id", columns: ["birth_date"], facets: ["birth", "new_ageing"], insert: .none),
        .init(table: "person_profiles", subject: "person_id", columns: ["ethnicity", "education"], facets: ["ethnicity", "education"],
              insert: .upserted(none: { person in
                  // A member without a profile counted as 未填写 for both. One arm per facet, so
                  // SQLite finds each count by its whole key.
                  ["ethnicity", "education"].map { facet in
                      """
                      SELECT x.ancestor_id, '\(facet)' AS facet, '' AS born_on, '未填写' AS value
                      FROM members m JOIN org_ancestry x ON x.descendant_id = m.branch_id
                      WHERE m.person_id = \(person) AND m.removed_at IS NULL
                      """
                  }.joined(separator: " UNION ALL ")
              })),
        .init(table: "archives", subject: "member_id", columns: ["state", "verified_version"], facets: ["new", "new_ageing"], insert: .plain),
        // Cadre posts are never updated in a way that matters (only the title changes).
        .init(table: "cadre_posts", subject: "person_id", columns: [], facets: ["new_ageing"], insert: .plain),
    ])

/// The materialised ancestry (issue 11, Speed): one row per (ancestor, descendant) pair, the org
/// itself included, so "the members of X's subtree" is an index range on `ancestor_id` followed
/// by the members of each branch found, instead of a scan of every member with a `LIKE` on the
/// path (which SQLite's case-insensitive `LIKE` cannot take from an index). Orgs never move
/// (ORG-4), so a row is written once, by a trigger on the org's insert, and never changes.
let m0018CreateOrgAncestry = Migration(
    version: 18, name: "create_org_ancestry",
    statements: [
        """
        CREATE TABLE org_ancestry (
            ancestor_id TEXT NOT NULL REFERENCES orgs (id),
            descendant_id TEXT NOT NULL REFERENCES orgs (id),
            PRIMARY KEY (ancestor_id, descendant_id)
        )
        """,
        "CREATE INDEX org_ancestry_descendant ON org_ancestry (descendant_id)",
        // Every org so far: itself and each org above it, from the path.
        """
        WITH RECURSIVE up (descendant_id, ancestor_id) AS (
            SELECT id, id FROM orgs
            UNION ALL
            SELECT up.descendant_id, o.parent_id FROM up JOIN orgs o ON o.id = up.ancestor_id WHERE o.parent_id IS NOT NULL
        )
        INSERT INTO org_ancestry (ancestor_id, descendant_id) SELECT ancestor_id, descendant_id FROM up
        """,
    ],
    sqliteStatements: AppendOnly.sqlite("org_ancestry") + [
        """
        CREATE TRIGGER orgs_ancestry AFTER INSERT ON orgs
        BEGIN
            INSERT INTO org_ancestry (ancestor_id, descendant_id) VALUES (NEW.id, NEW.id);
            INSERT INTO org_ancestry (ancestor_id, descendant_id)
                SELECT ancestor_id, NEW.id FROM org_ancestry WHERE descendant_id = NEW.parent_id;
        END
        """
    ],
    postgresStatements: AppendOnly.postgres("org_ancestry") + [
        """
        CREATE OR REPLACE FUNCTION zhtj_org_ancestry() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO org_ancestry (ancestor_id, descendant_id) VALUES (NEW.id, NEW.id);
            INSERT INTO org_ancestry (ancestor_id, descendant_id)
                SELECT ancestor_id, NEW.id FROM org_ancestry WHERE descendant_id = NEW.parent_id;
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER orgs_ancestry AFTER INSERT ON orgs FOR EACH ROW EXECUTE FUNCTION zhtj_org_ancestry()",
    ])

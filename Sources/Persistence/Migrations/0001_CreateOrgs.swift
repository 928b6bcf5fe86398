/// The org tree (ORG-1, ORG-2). `path` is the materialised ancestry (`/tzy/sd/…/`) so subtree
/// queries are a prefix match; `holds_members` is derived from the category and lets members
/// reference only branches through a composite foreign key (ORG-7).
let m0001CreateOrgs = Migration(
    version: 1, name: "create_orgs",
    statements: [
        """
        CREATE TABLE orgs (
            id TEXT PRIMARY KEY,
            parent_id TEXT REFERENCES orgs (id),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            full_name TEXT NOT NULL CHECK (length(full_name) BETWEEN 1 AND 300),
            category TEXT NOT NULL CHECK (category IN (
                'leading_organ', 'committee', 'working_committee', 'general_branch', 'branch',
                'graduate_branch', 'delayed_graduation_branch', 'floating_member_branch',
                'pending_transfer_branch', 'school_to_society_branch', 'overseas_study_branch',
                'special_pool')),
            holds_members BOOLEAN NOT NULL,
            path TEXT NOT NULL UNIQUE,
            depth INTEGER NOT NULL CHECK (depth >= 0),
            upper_committee_id TEXT REFERENCES orgs (id),
            created_at TEXT NOT NULL,
            UNIQUE (id, holds_members),
            CHECK ((parent_id IS NULL) = (depth = 0)),
            CHECK (holds_members = (category NOT IN ('leading_organ', 'committee', 'working_committee', 'general_branch')))
        )
        """,
        // ORG-1: one tree, so one root.
        "CREATE UNIQUE INDEX orgs_single_root ON orgs ((parent_id IS NULL)) WHERE parent_id IS NULL",
        // Two children of one parent with the same short name would be indistinguishable.
        "CREATE UNIQUE INDEX orgs_sibling_name ON orgs (parent_id, name)",
        "CREATE INDEX orgs_upper_committee ON orgs (upper_committee_id)",
    ])

/// The rest of a member's record (issue 9, members): personal fields beyond name and ID number
/// (MEM-10), removal marks and their record (MEM-6), the real-name check's status and its
/// history (MEM-9), the history of post changes (团干部职务变更记录), and the member-record
/// audit trail with before and after values (MEM-2). Histories are append-only.
///
/// The archive's `audit_log` stays as it is: its columns are an archive's (`archive_id NOT
/// NULL`) and its hash chain is what `zhtj verify` checks; member-record changes get their
/// own append-only trail, `member_audit`.
let m0010CreateMemberRecords = Migration(
    version: 10, name: "create_member_records",
    statements: [
        """
        CREATE TABLE person_profiles (
            person_id TEXT PRIMARY KEY REFERENCES people (id),
            ethnicity TEXT CHECK (ethnicity IS NULL OR length(ethnicity) BETWEEN 1 AND 20),
            education TEXT CHECK (education IS NULL OR length(education) BETWEEN 1 AND 20),
            political_status TEXT CHECK (political_status IS NULL OR length(political_status) BETWEEN 1 AND 20),
            mobile TEXT CHECK (mobile IS NULL OR length(mobile) = 11),
            email TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 200),
            address TEXT CHECK (address IS NULL OR length(address) BETWEEN 1 AND 200),
            workplace TEXT CHECK (workplace IS NULL OR length(workplace) BETWEEN 1 AND 200),
            updated_at TEXT NOT NULL
        )
        """,
        // MEM-6: the mark; the lists and counts read `removed_at IS NULL`.
        "ALTER TABLE members ADD COLUMN removed_at TEXT",
        """
        CREATE TABLE member_removals (
            person_id TEXT PRIMARY KEY REFERENCES members (person_id),
            branch_id TEXT NOT NULL REFERENCES orgs (id),
            reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
            removed_by TEXT NOT NULL REFERENCES people (id),
            removed_at TEXT NOT NULL
        )
        """,
        // MEM-9: the current status beside the person, so lists read it in the same query.
        "ALTER TABLE people ADD COLUMN identity_status TEXT NOT NULL DEFAULT 'unverified' CHECK (identity_status IN ('unverified', 'passed', 'failed'))",
        """
        CREATE TABLE identity_checks (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people (id),
            status TEXT NOT NULL CHECK (status IN ('unverified', 'passed', 'failed')),
            -- what was checked, so a later change of the name or ID number is visible
            checked_name TEXT NOT NULL,
            checked_id_number TEXT NOT NULL CHECK (length(checked_id_number) = 18),
            source TEXT NOT NULL CHECK (source IN ('answer_file', 'record_change')),
            note TEXT,
            recorded_by TEXT NOT NULL REFERENCES people (id),
            recorded_at TEXT NOT NULL,
            -- 1, 2, 3 … in the order written: entries of one instant keep their order
            ordinal INTEGER NOT NULL CHECK (ordinal >= 1)
        )
        """,
        "CREATE INDEX identity_checks_person ON identity_checks (person_id, ordinal)",
        "CREATE INDEX people_identity_status ON people (identity_status, id)",
        """
        CREATE TABLE cadre_post_changes (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people (id),
            org_id TEXT NOT NULL REFERENCES orgs (id),
            -- NULL: the person got their first post in the org
            from_title TEXT,
            to_title TEXT NOT NULL CHECK (length(to_title) BETWEEN 1 AND 30),
            changed_by TEXT NOT NULL REFERENCES people (id),
            changed_at TEXT NOT NULL,
            ordinal INTEGER NOT NULL CHECK (ordinal >= 1)
        )
        """,
        "CREATE INDEX cadre_post_changes_org ON cadre_post_changes (org_id, ordinal)",
        """
        CREATE TABLE member_audit (
            id TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN (
                'member.enter', 'member.profile', 'member.identity', 'member.remove', 'member.identity_check',
                'cadre.post')),
            actor_id TEXT NOT NULL REFERENCES people (id),
            person_id TEXT NOT NULL REFERENCES people (id),
            -- the org the change concerns (the member's branch, or the cadre's org), for scoping
            org_path TEXT NOT NULL,
            -- JSON: [{"field","before","after"}] or the reason
            detail TEXT NOT NULL,
            ordinal INTEGER NOT NULL CHECK (ordinal >= 1)
        )
        """,
        "CREATE INDEX member_audit_org ON member_audit (org_path, ordinal)",
        "CREATE INDEX member_audit_person ON member_audit (person_id, ordinal)",
        "CREATE INDEX member_audit_ordinal ON member_audit (ordinal)",
        "CREATE INDEX identity_checks_ordinal ON identity_checks (ordinal)",
        "CREATE INDEX cadre_post_changes_ordinal ON cadre_post_changes (ordinal)",
    ],
    sqliteStatements: AppendOnly.sqlite("member_removals") + AppendOnly.sqlite("identity_checks")
        + AppendOnly.sqlite("cadre_post_changes") + AppendOnly.sqlite("member_audit"),
    postgresStatements: [AppendOnly.postgresFunction] + AppendOnly.postgres("member_removals") + AppendOnly.postgres("identity_checks")
        + AppendOnly.postgres("cadre_post_changes") + AppendOnly.postgres("member_audit"))

/// Graduation (GRD-1 … GRD-6). A branch's marks are append-only and numbered per branch: the
/// first is the school's mark, every later one a provincial committee's correction (GRD-3),
/// so "final for the org" is the unique `(branch_id, revision)` a second mark would break.
/// A member's delayed graduation (GRD-5) is revoked by marking it, never by removing it. The
/// June-1 conversion (GRD-4) is recorded once per branch and once per member and year: the
/// keys make a second sweep, or a second instance, convert nothing twice.
let m0012CreateGraduation = Migration(
    version: 12, name: "create_graduation",
    statements: [
        """
        CREATE TABLE graduation_marks (
            id TEXT PRIMARY KEY,
            branch_id TEXT NOT NULL REFERENCES orgs (id),
            revision INTEGER NOT NULL CHECK (revision >= 1),
            month TEXT CHECK (month IS NULL OR (length(month) = 7 AND substr(month, 5, 1) = '-')),
            reason TEXT CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
            marking_org_id TEXT NOT NULL REFERENCES orgs (id),
            marked_by TEXT NOT NULL REFERENCES people (id),
            marked_at TEXT NOT NULL,
            CHECK ((month IS NULL) <> (reason IS NULL)),
            UNIQUE (branch_id, revision)
        )
        """,
        """
        CREATE TABLE delayed_graduations (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people (id),
            branch_id TEXT NOT NULL REFERENCES orgs (id),
            month TEXT NOT NULL CHECK (length(month) = 7 AND substr(month, 5, 1) = '-'),
            reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
            marked_by TEXT NOT NULL REFERENCES people (id),
            marked_at TEXT NOT NULL,
            revoked_by TEXT REFERENCES people (id),
            revoked_at TEXT,
            CHECK ((revoked_by IS NULL) = (revoked_at IS NULL))
        )
        """,
        // One delay in force per person.
        "CREATE UNIQUE INDEX delayed_graduations_live ON delayed_graduations (person_id) WHERE revoked_at IS NULL",
        """
        CREATE TABLE branch_graduations (
            branch_id TEXT PRIMARY KEY REFERENCES orgs (id),
            mark_id TEXT NOT NULL REFERENCES graduation_marks (id),
            year INTEGER NOT NULL,
            converted_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE member_graduations (
            person_id TEXT NOT NULL REFERENCES people (id),
            year INTEGER NOT NULL,
            branch_id TEXT NOT NULL REFERENCES orgs (id),
            graduated_at TEXT NOT NULL,
            PRIMARY KEY (person_id, year)
        )
        """,
    ],
    sqliteStatements: AppendOnly.sqlite("graduation_marks") + AppendOnly.sqlite("branch_graduations")
        + AppendOnly.sqlite("member_graduations") + [
            """
            CREATE TRIGGER delayed_graduations_revoke_only BEFORE UPDATE ON delayed_graduations
            WHEN OLD.revoked_at IS NOT NULL OR OLD.id IS NOT NEW.id OR OLD.person_id IS NOT NEW.person_id
                OR OLD.branch_id IS NOT NEW.branch_id OR OLD.month IS NOT NEW.month OR OLD.reason IS NOT NEW.reason
                OR OLD.marked_by IS NOT NEW.marked_by OR OLD.marked_at IS NOT NEW.marked_at
            BEGIN SELECT RAISE(ABORT, 'delayed_graduations: a delay is revoked once, never edited (GRD-5)'); END
            """,
            "CREATE TRIGGER delayed_graduations_no_delete BEFORE DELETE ON delayed_graduations BEGIN SELECT RAISE(ABORT, 'delayed_graduations is append-only'); END",
        ],
    postgresStatements: AppendOnly.postgres("graduation_marks") + AppendOnly.postgres("branch_graduations")
        + AppendOnly.postgres("member_graduations") + [
            """
            CREATE OR REPLACE FUNCTION zhtj_delay_revoke_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' OR OLD.revoked_at IS NOT NULL OR OLD.id IS DISTINCT FROM NEW.id
                    OR OLD.person_id IS DISTINCT FROM NEW.person_id OR OLD.branch_id IS DISTINCT FROM NEW.branch_id
                    OR OLD.month IS DISTINCT FROM NEW.month OR OLD.reason IS DISTINCT FROM NEW.reason
                    OR OLD.marked_by IS DISTINCT FROM NEW.marked_by OR OLD.marked_at IS DISTINCT FROM NEW.marked_at THEN
                    RAISE EXCEPTION 'delayed_graduations: a delay is revoked once, never edited (GRD-5)';
                END IF;
                RETURN NEW;
            END
            $$
            """,
            "CREATE TRIGGER delayed_graduations_revoke_only BEFORE UPDATE OR DELETE ON delayed_graduations FOR EACH ROW EXECUTE FUNCTION zhtj_delay_revoke_only()",
        ])

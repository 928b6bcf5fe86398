/// 三会·两制·一课 and 团日活动 (ACT-1). An entry is its versions: editing one (the fix for an
/// entry sent twice on a slow network, or a mistyped attendee) appends a version with who and
/// when, and withdrawing marks the entry once; nothing is overwritten or removed.
let m0016CreateActivities = Migration(
    version: 16, name: "create_activities",
    statements: [
        """
        CREATE TABLE activities (
            id TEXT PRIMARY KEY,
            branch_id TEXT NOT NULL REFERENCES orgs (id),
            created_by TEXT NOT NULL REFERENCES people (id),
            created_at TEXT NOT NULL,
            withdrawn_by TEXT REFERENCES people (id),
            withdrawn_at TEXT,
            CHECK ((withdrawn_by IS NULL) = (withdrawn_at IS NULL))
        )
        """,
        "CREATE INDEX activities_branch ON activities (branch_id, created_at)",
        """
        CREATE TABLE activity_versions (
            activity_id TEXT NOT NULL REFERENCES activities (id),
            revision INTEGER NOT NULL CHECK (revision >= 1),
            kind TEXT NOT NULL CHECK (kind IN ('members_meeting', 'committee_meeting', 'group_meeting', 'lesson', 'league_day',
                'education_review', 'registration')),
            held_on TEXT NOT NULL CHECK (length(held_on) = 10),
            topic TEXT NOT NULL CHECK (length(topic) BETWEEN 1 AND 200),
            place TEXT NOT NULL CHECK (length(place) <= 200),
            record TEXT NOT NULL CHECK (length(record) <= 5000),
            edited_by TEXT NOT NULL REFERENCES people (id),
            edited_at TEXT NOT NULL,
            PRIMARY KEY (activity_id, revision)
        )
        """,
        """
        CREATE TABLE activity_attendees (
            activity_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            person_id TEXT NOT NULL REFERENCES people (id),
            PRIMARY KEY (activity_id, revision, person_id),
            FOREIGN KEY (activity_id, revision) REFERENCES activity_versions (activity_id, revision)
        )
        """,
        "CREATE INDEX activity_attendees_person ON activity_attendees (person_id)",
    ],
    sqliteStatements: AppendOnly.sqlite("activity_versions") + AppendOnly.sqlite("activity_attendees") + [
        """
        CREATE TRIGGER activities_withdraw_only BEFORE UPDATE ON activities
        WHEN OLD.withdrawn_at IS NOT NULL OR OLD.id IS NOT NEW.id OR OLD.branch_id IS NOT NEW.branch_id
            OR OLD.created_by IS NOT NEW.created_by OR OLD.created_at IS NOT NEW.created_at
        BEGIN SELECT RAISE(ABORT, 'activities: an entry is withdrawn once, never edited in place (ACT-1)'); END
        """,
        "CREATE TRIGGER activities_no_delete BEFORE DELETE ON activities BEGIN SELECT RAISE(ABORT, 'activities is append-only'); END",
    ],
    postgresStatements: AppendOnly.postgres("activity_versions") + AppendOnly.postgres("activity_attendees") + [
        """
        CREATE OR REPLACE FUNCTION zhtj_activity_withdraw_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR OLD.withdrawn_at IS NOT NULL OR OLD.id IS DISTINCT FROM NEW.id
                OR OLD.branch_id IS DISTINCT FROM NEW.branch_id OR OLD.created_by IS DISTINCT FROM NEW.created_by
                OR OLD.created_at IS DISTINCT FROM NEW.created_at THEN
                RAISE EXCEPTION 'activities: an entry is withdrawn once, never edited in place (ACT-1)';
            END IF;
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER activities_withdraw_only BEFORE UPDATE OR DELETE ON activities FOR EACH ROW EXECUTE FUNCTION zhtj_activity_withdraw_only()",
    ])

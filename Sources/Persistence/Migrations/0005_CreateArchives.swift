/// The e-archive (ARC-2 … ARC-10): one archive row per member holding the current state of
/// the flow, and append-only histories of every version and every decision.
let m0005CreateArchives = Migration(
    version: 5, name: "create_archives",
    statements: [
        """
        CREATE TABLE archives (
            id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL UNIQUE REFERENCES members (person_id),
            state TEXT NOT NULL CHECK (state IN (
                'not_uploaded', 'pending', 'verified', 'rejected', 'change_requested', 'change_approved')),
            latest_version INTEGER CHECK (latest_version >= 1),
            verified_version INTEGER CHECK (verified_version >= 1),
            resumes TEXT CHECK (resumes IN ('not_uploaded', 'rejected', 'change_approved')),
            pending_since TEXT,
            reviewer_org_id TEXT REFERENCES orgs (id),
            revision INTEGER NOT NULL CHECK (revision >= 1),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK ((state = 'pending') = (resumes IS NOT NULL)),
            CHECK ((state = 'pending') = (pending_since IS NOT NULL)),
            CHECK ((state = 'not_uploaded') = (latest_version IS NULL)),
            CHECK (state NOT IN ('verified', 'change_requested', 'change_approved') OR verified_version IS NOT NULL)
        )
        """,
        // The operation centre: what waits on a reviewer, oldest first (ARC-6).
        "CREATE INDEX archives_inbox ON archives (reviewer_org_id, state, pending_since, id)",
        """
        CREATE TABLE archive_versions (
            archive_id TEXT NOT NULL REFERENCES archives (id),
            version INTEGER NOT NULL CHECK (version >= 1),
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            bytes INTEGER NOT NULL CHECK (bytes > 0),
            pages INTEGER NOT NULL CHECK (pages > 0),
            uploaded_by TEXT NOT NULL REFERENCES people (id),
            uploaded_by_org TEXT NOT NULL REFERENCES orgs (id),
            uploaded_at TEXT NOT NULL,
            inspection TEXT NOT NULL,
            PRIMARY KEY (archive_id, version)
        )
        """,
        "CREATE INDEX archive_versions_sha256 ON archive_versions (sha256)",
        """
        CREATE TABLE archive_decisions (
            id TEXT PRIMARY KEY,
            archive_id TEXT NOT NULL REFERENCES archives (id),
            -- 1, 2, 3 … per archive: the order of decisions, independent of clock resolution.
            ordinal INTEGER NOT NULL CHECK (ordinal >= 1),
            version INTEGER,
            kind TEXT NOT NULL CHECK (kind IN (
                'approve', 'auto_approve', 'reject', 'withdraw', 'change_request', 'change_approve', 'change_reject')),
            reason TEXT,
            actor_id TEXT NOT NULL REFERENCES people (id),
            actor_org_id TEXT REFERENCES orgs (id),
            decided_at TEXT NOT NULL,
            CHECK (kind NOT IN ('reject', 'change_request', 'change_reject') OR (reason IS NOT NULL AND length(reason) > 0)),
            UNIQUE (archive_id, ordinal)
        )
        """,
            ],
    sqliteStatements: AppendOnly.sqlite("archive_versions") + AppendOnly.sqlite("archive_decisions"),
    postgresStatements: [AppendOnly.postgresFunction] + AppendOnly.postgres("archive_versions")
        + AppendOnly.postgres("archive_decisions"))

/// 工作通知 (issue 11 item 4). A notice is kept as published, never edited nor removed; who read
/// it is one row per reader, kept once (a second read records nothing).
let m0015CreateNotices = Migration(
    version: 15, name: "create_notices",
    statements: [
        """
        CREATE TABLE notices (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
            body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
            published_by TEXT NOT NULL REFERENCES people (id),
            published_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX notices_org ON notices (org_id, published_at)",
        """
        CREATE TABLE notice_reads (
            notice_id TEXT NOT NULL REFERENCES notices (id),
            person_id TEXT NOT NULL REFERENCES people (id),
            read_at TEXT NOT NULL,
            PRIMARY KEY (notice_id, person_id)
        )
        """,
    ],
    sqliteStatements: AppendOnly.sqlite("notices") + AppendOnly.sqlite("notice_reads"),
    postgresStatements: AppendOnly.postgres("notices") + AppendOnly.postgres("notice_reads"))

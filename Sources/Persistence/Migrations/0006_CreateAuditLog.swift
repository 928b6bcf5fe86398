/// The audit log: every upload, decision and download, each entry carrying the hash of the
/// previous one so `zhtj verify` detects an edited or deleted entry. Append-only in the schema.
let m0006CreateAuditLog = Migration(
    version: 6, name: "create_audit_log",
    statements: [
        """
        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY CHECK (seq >= 1),
            at TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN (
                'archive.upload', 'archive.approve', 'archive.reject', 'archive.withdraw',
                'archive.change_request', 'archive.change_approve', 'archive.change_reject', 'archive.download')),
            actor_id TEXT NOT NULL,
            member_id TEXT NOT NULL,
            branch_path TEXT NOT NULL,
            archive_id TEXT NOT NULL,
            version INTEGER,
            sha256 TEXT,
            detail TEXT,
            prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
            hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
        )
        """,
        "CREATE INDEX audit_log_branch ON audit_log (branch_path, seq)",
    ],
    sqliteStatements: AppendOnly.sqlite("audit_log"),
    postgresStatements: AppendOnly.postgres("audit_log"))

/// One calendar sweep at a time across instances (issue 10: "on PostgreSQL, one instance sweeps
/// at a time"; SQLite takes the same path). A lease rather than a lock held on a connection, so
/// an instance that dies mid-sweep frees it when it expires. The row coordinates processes and
/// records nothing about a member or an org, so unlike every record it is updated in place.
let m0013CreateSweepLeases = Migration(
    version: 13, name: "create_sweep_leases",
    statements: [
        """
        CREATE TABLE sweep_leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_ms BIGINT NOT NULL
        )
        """,
        "INSERT INTO sweep_leases (name, holder, expires_ms) VALUES ('calendar_rules', '', 0)",
    ])

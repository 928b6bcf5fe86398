/// 年度团籍注册 (ACT-1): a member's report on a year, one row per submission, and the branch
/// admin's decision on it, one row per submission at most. Both append-only: a registration sent
/// back is followed by a new submission (the next revision), never edited.
let m0019CreateAnnualRegistrations = Migration(
    version: 19, name: "create_annual_registrations",
    statements: [
        """
        CREATE TABLE registrations (
            id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL REFERENCES people (id),
            branch_id TEXT NOT NULL REFERENCES orgs (id),
            year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
            revision INTEGER NOT NULL CHECK (revision >= 1),
            summary TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 5000),
            submitted_at TEXT NOT NULL,
            UNIQUE (member_id, year, revision)
        )
        """,
        // The approval list: a branch's registrations by submission time.
        "CREATE INDEX registrations_branch ON registrations (branch_id, submitted_at, id)",
        """
        CREATE TABLE registration_decisions (
            registration_id TEXT PRIMARY KEY REFERENCES registrations (id),
            approved INTEGER NOT NULL CHECK (approved IN (0, 1)),
            reason TEXT CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
            decided_by TEXT NOT NULL REFERENCES people (id),
            decided_at TEXT NOT NULL,
            CHECK ((approved = 1) = (reason IS NULL))
        )
        """,
    ],
    sqliteStatements: AppendOnly.sqlite("registrations") + AppendOnly.sqlite("registration_decisions"),
    postgresStatements: AppendOnly.postgres("registrations") + AppendOnly.postgres("registration_decisions"))

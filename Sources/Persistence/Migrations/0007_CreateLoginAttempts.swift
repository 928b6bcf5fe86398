/// Every login attempt: the throttle counts failures here (so the counts survive a restart and
/// are shared by every instance behind a balancer), and the rows are the audit record of logins.
/// The login itself is an ID number, which no audit row may hold: `login_key` is its SHA-256.
/// Append-only in the schema, like the audit log; rows outside the throttle's windows are simply
/// no longer counted.
let m0007CreateLoginAttempts = Migration(
    version: 7, name: "create_login_attempts",
    statements: [
        """
        CREATE TABLE login_attempts (
            id TEXT PRIMARY KEY,
            at TEXT NOT NULL CHECK (length(at) = 24),
            login_key TEXT NOT NULL CHECK (length(login_key) = 64),
            account_id TEXT REFERENCES accounts (id),
            address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 64),
            outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'wrong_password', 'unknown_account', 'throttled')),
            CHECK (outcome NOT IN ('succeeded', 'wrong_password') OR account_id IS NOT NULL),
            CHECK (outcome <> 'unknown_account' OR account_id IS NULL)
        )
        """,
        // One per count the throttle makes; `outcome` before `at` so each count is a range scan.
        "CREATE INDEX login_attempts_pair ON login_attempts (login_key, address, outcome, at)",
        "CREATE INDEX login_attempts_address ON login_attempts (address, outcome, at)",
        "CREATE INDEX login_attempts_login ON login_attempts (login_key, outcome, at)",
    ],
    sqliteStatements: AppendOnly.sqlite("login_attempts"),
    postgresStatements: [AppendOnly.postgresFunction] + AppendOnly.postgres("login_attempts"))

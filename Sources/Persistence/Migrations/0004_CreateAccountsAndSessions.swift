/// Login accounts (one per person; ADM-6) and sessions. Only a SHA-256 of each session
/// token is stored, so a leaked table does not hand out sessions.
let m0004CreateAccountsAndSessions = Migration(
    version: 4, name: "create_accounts_and_sessions",
    statements: [
        """
        CREATE TABLE accounts (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL UNIQUE REFERENCES people (id),
            login TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 1 AND 64),
            password_hash TEXT NOT NULL CHECK (length(password_hash) >= 50),
            must_change_password BOOLEAN NOT NULL,
            created_at TEXT NOT NULL,
            password_changed_at TEXT
        )
        """,
        """
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
            account_id TEXT NOT NULL REFERENCES accounts (id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            revoked_at TEXT
        )
        """,
        "CREATE INDEX sessions_account ON sessions (account_id)",
    ])

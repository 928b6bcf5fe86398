/// Org-relationship transfers (TRF-1 … TRF-11). A transfer names one member; a batch (TRF-4)
/// is several transfers sharing a `batch_id`, written in one transaction. The transfer row
/// holds where it stands (its `revision` makes a second decision on the same step lose, not
/// double); `transfer_steps` keeps every decision, append-only.
let m0011CreateTransfers = Migration(
    version: 11, name: "create_transfers",
    statements: [
        """
        CREATE TABLE transfers (
            id TEXT PRIMARY KEY,
            batch_id TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('apply', 'in', 'out', 'batch', 'graduate', 'dropout')),
            person_id TEXT NOT NULL REFERENCES members (person_id),
            source_branch_id TEXT NOT NULL REFERENCES orgs (id),
            destination_org_id TEXT NOT NULL REFERENCES orgs (id),
            initiated_by TEXT NOT NULL REFERENCES people (id),
            initiating_org_id TEXT REFERENCES orgs (id),
            reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
            outcome TEXT,
            channel TEXT,
            chain TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'rejected', 'withdrawn', 'returned')),
            current_step INTEGER,
            step_opened_on TEXT,
            -- Whose turn it is (OPC-1): the open step, the org whose admins act on it, and
            -- whether that org's direct parent's admins may act too.
            waiting_step TEXT,
            waiting_on TEXT REFERENCES orgs (id),
            waiting_includes_parent BOOLEAN,
            completed_branch_id TEXT REFERENCES orgs (id),
            rejection_reason TEXT,
            created_at TEXT NOT NULL,
            closed_at TEXT,
            revision INTEGER NOT NULL DEFAULT 1,
            CHECK ((status = 'pending') = (current_step IS NOT NULL AND step_opened_on IS NOT NULL)),
            CHECK ((status = 'pending') = (waiting_step IS NOT NULL AND waiting_on IS NOT NULL AND waiting_includes_parent IS NOT NULL)),
            CHECK ((status = 'completed') = (completed_branch_id IS NOT NULL))
        )
        """,
        // One open transfer per member at a time.
        "CREATE UNIQUE INDEX transfers_open_member ON transfers (person_id) WHERE status = 'pending'",
        "CREATE INDEX transfers_person ON transfers (person_id, created_at)",
        "CREATE INDEX transfers_source ON transfers (source_branch_id, created_at)",
        "CREATE INDEX transfers_destination ON transfers (destination_org_id, created_at)",
        "CREATE INDEX transfers_pending_step ON transfers (status, step_opened_on)",
        "CREATE INDEX transfers_waiting_on ON transfers (waiting_on, created_at) WHERE status = 'pending'",
        """
        CREATE TABLE transfer_steps (
            id TEXT PRIMARY KEY,
            transfer_id TEXT NOT NULL REFERENCES transfers (id),
            ordinal INTEGER NOT NULL CHECK (ordinal >= 1),
            step TEXT,
            decision TEXT NOT NULL CHECK (decision IN ('submit', 'approve', 'auto_approve', 'reject', 'withdraw', 'assign', 'return')),
            actor_id TEXT REFERENCES people (id),
            reason TEXT,
            at TEXT NOT NULL,
            UNIQUE (transfer_id, ordinal)
        )
        """,
    ],
    sqliteStatements: AppendOnly.sqlite("transfer_steps"),
    postgresStatements: AppendOnly.postgres("transfer_steps"))

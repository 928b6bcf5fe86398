/// Admin onboarding (ADM-1 … ADM-5): registration codes, registrations, admin appointments that
/// can be revoked, admin-change requests, password-reset codes, code attempts and their audit.
///
/// `org_admins` (0003) had UNIQUE (org_id, slot), so a replaced admin could only be deleted.
/// Its rows move to `admin_appointments`, where revocation marks a row and partial unique
/// indexes count only the active ones; `org_admins` becomes a view of the active rows, so every
/// reader keeps working unchanged. Codes are stored as SHA-256 only: the plain code is shown
/// once, to the admin who generated it.
let m0009CreateAdminOnboarding = Migration(
    version: 9, name: "create_admin_onboarding",
    statements: [
        """
        CREATE TABLE admin_appointments (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            person_id TEXT NOT NULL,
            slot INTEGER NOT NULL CHECK (slot IN (1, 2)),
            appointed_at TEXT NOT NULL,
            appointed_by TEXT REFERENCES people (id),
            revoked_at TEXT,
            revoked_by TEXT REFERENCES people (id),
            CHECK (revoked_by IS NULL OR revoked_at IS NOT NULL),
            FOREIGN KEY (person_id, org_id) REFERENCES cadre_posts (person_id, org_id)
        )
        """,
        // ADM-3: two active slots per org, one active appointment per person and org.
        "CREATE UNIQUE INDEX admin_appointments_active_slot ON admin_appointments (org_id, slot) WHERE revoked_at IS NULL",
        "CREATE UNIQUE INDEX admin_appointments_active_person ON admin_appointments (org_id, person_id) WHERE revoked_at IS NULL",
        "CREATE INDEX admin_appointments_person ON admin_appointments (person_id)",
        """
        INSERT INTO admin_appointments (id, org_id, person_id, slot, appointed_at)
        SELECT 'm0009-' || org_id || '-' || slot, org_id, person_id, slot, appointed_at FROM org_admins
        """,
        "DROP TABLE org_admins",
        "CREATE VIEW org_admins AS SELECT org_id, person_id, slot, appointed_at FROM admin_appointments WHERE revoked_at IS NULL",
        // ADM-1: one current (not superseded) code per org; used and superseded rows stay.
        """
        CREATE TABLE registration_codes (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            code_hash TEXT NOT NULL CHECK (length(code_hash) = 64),
            issued_by TEXT NOT NULL REFERENCES people (id),
            issued_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            superseded_at TEXT,
            used_at TEXT,
            used_by TEXT REFERENCES people (id),
            CHECK ((used_at IS NULL) = (used_by IS NULL)),
            CHECK (expires_at > issued_at)
        )
        """,
        "CREATE UNIQUE INDEX registration_codes_current ON registration_codes (org_id) WHERE superseded_at IS NULL",
        "CREATE INDEX registration_codes_hash ON registration_codes (code_hash)",
        // ADM-2: what the registrant entered that has no other home yet (mobile, join date, post).
        """
        CREATE TABLE admin_registrations (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            person_id TEXT NOT NULL REFERENCES people (id),
            code_id TEXT NOT NULL UNIQUE REFERENCES registration_codes (id),
            post TEXT NOT NULL CHECK (length(post) BETWEEN 1 AND 30),
            mobile TEXT NOT NULL CHECK (length(mobile) = 11),
            joined_on TEXT NOT NULL CHECK (length(joined_on) = 10),
            registered_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX admin_registrations_person ON admin_registrations (person_id)",
        // ADM-4: a request waits for the parent's admins; one open request per appointee and org.
        """
        CREATE TABLE admin_change_requests (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            decider_org_id TEXT NOT NULL REFERENCES orgs (id),
            kind TEXT NOT NULL CHECK (kind IN ('add', 'replace')),
            person_id TEXT NOT NULL,
            replaces_person_id TEXT REFERENCES people (id),
            requested_by TEXT NOT NULL REFERENCES people (id),
            requested_at TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
            decided_by TEXT REFERENCES people (id),
            decided_at TEXT,
            reason TEXT CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
            CHECK ((kind = 'replace') = (replaces_person_id IS NOT NULL)),
            CHECK ((state = 'pending') = (decided_at IS NULL)),
            CHECK (state <> 'rejected' OR reason IS NOT NULL),
            FOREIGN KEY (person_id, org_id) REFERENCES cadre_posts (person_id, org_id)
        )
        """,
        "CREATE UNIQUE INDEX admin_change_requests_open ON admin_change_requests (org_id, person_id) WHERE state = 'pending'",
        "CREATE INDEX admin_change_requests_decider ON admin_change_requests (decider_org_id, state, requested_at, id)",
        // ADM-5 (decided): only the latest code of an account is valid.
        """
        CREATE TABLE password_reset_codes (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id),
            code_hash TEXT NOT NULL CHECK (length(code_hash) = 64),
            issued_by TEXT NOT NULL REFERENCES people (id),
            issued_by_org TEXT NOT NULL REFERENCES orgs (id),
            issued_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            superseded_at TEXT,
            used_at TEXT,
            CHECK (expires_at > issued_at)
        )
        """,
        "CREATE UNIQUE INDEX password_reset_codes_current ON password_reset_codes (account_id) WHERE superseded_at IS NULL",
        // Every failed or throttled code attempt, per address: the throttle counts these.
        """
        CREATE TABLE code_attempts (
            id TEXT PRIMARY KEY,
            at TEXT NOT NULL CHECK (length(at) = 24),
            purpose TEXT NOT NULL CHECK (purpose IN ('admin_registration', 'password_reset')),
            address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 64),
            outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'throttled'))
        )
        """,
        "CREATE INDEX code_attempts_address ON code_attempts (address, outcome, at)",
        // The audit of admin and account changes. Never an ID number nor a code in `detail`.
        """
        CREATE TABLE admin_audit_log (
            id TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN (
                'registration_code.issue', 'admin.register', 'admin.appoint', 'admin.revoke',
                'admin_change.request', 'admin_change.approve', 'admin_change.reject',
                'password_reset.issue', 'password_reset.use')),
            actor_id TEXT REFERENCES people (id),
            subject_id TEXT REFERENCES people (id),
            org_id TEXT NOT NULL REFERENCES orgs (id),
            org_path TEXT NOT NULL,
            detail TEXT
        )
        """,
        "CREATE INDEX admin_audit_log_org ON admin_audit_log (org_path, at)",
    ],
    sqliteStatements: [
        "CREATE TRIGGER admin_appointments_no_delete BEFORE DELETE ON admin_appointments BEGIN SELECT RAISE(ABORT, 'admin_appointments rows are revoked, never deleted'); END",
        "CREATE TRIGGER registration_codes_no_delete BEFORE DELETE ON registration_codes BEGIN SELECT RAISE(ABORT, 'registration_codes rows are never deleted'); END",
        "CREATE TRIGGER admin_change_requests_no_delete BEFORE DELETE ON admin_change_requests BEGIN SELECT RAISE(ABORT, 'admin_change_requests rows are never deleted'); END",
        "CREATE TRIGGER password_reset_codes_no_delete BEFORE DELETE ON password_reset_codes BEGIN SELECT RAISE(ABORT, 'password_reset_codes rows are never deleted'); END",
    ] + AppendOnly.sqlite("admin_registrations") + AppendOnly.sqlite("code_attempts") + AppendOnly.sqlite("admin_audit_log"),
    postgresStatements: [AppendOnly.postgresFunction]
        + ["admin_appointments", "registration_codes", "admin_change_requests", "password_reset_codes"].map {
            "CREATE TRIGGER \($0)_no_delete BEFORE DELETE ON \($0) FOR EACH ROW EXECUTE FUNCTION zhtj_append_only()"
        }
        + AppendOnly.postgres("admin_registrations") + AppendOnly.postgres("code_attempts") + AppendOnly.postgres("admin_audit_log"))

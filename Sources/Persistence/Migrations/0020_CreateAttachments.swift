/// Attachments of meeting records (ACT-1) and work notices: files inspected in the isolated
/// child (PDF, PNG or JPEG) and kept in the content-addressed blob store, one row each. A row is
/// never edited; withdrawing one marks it once, and the file stays.
let m0020CreateAttachments = Migration(
    version: 20, name: "create_attachments",
    statements: [
        """
        CREATE TABLE attachments (
            id TEXT PRIMARY KEY,
            activity_id TEXT REFERENCES activities (id),
            notice_id TEXT REFERENCES notices (id),
            file_name TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
            media_type TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg')),
            bytes INTEGER NOT NULL CHECK (bytes > 0),
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            inspection TEXT NOT NULL,
            uploaded_by TEXT NOT NULL REFERENCES people (id),
            uploaded_at TEXT NOT NULL,
            withdrawn_by TEXT REFERENCES people (id),
            withdrawn_at TEXT,
            CHECK ((activity_id IS NULL) <> (notice_id IS NULL)),
            CHECK ((withdrawn_by IS NULL) = (withdrawn_at IS NULL))
        )
        """,
        "CREATE INDEX attachments_activity ON attachments (activity_id, uploaded_at)",
        "CREATE INDEX attachments_notice ON attachments (notice_id, uploaded_at)",
    ],
    sqliteStatements: [
        """
        CREATE TRIGGER attachments_withdraw_only BEFORE UPDATE ON attachments
        WHEN OLD.withdrawn_at IS NOT NULL OR OLD.id IS NOT NEW.id OR OLD.activity_id IS NOT NEW.activity_id
            OR OLD.notice_id IS NOT NEW.notice_id OR OLD.file_name IS NOT NEW.file_name OR OLD.media_type IS NOT NEW.media_type
            OR OLD.bytes IS NOT NEW.bytes OR OLD.sha256 IS NOT NEW.sha256 OR OLD.inspection IS NOT NEW.inspection
            OR OLD.uploaded_by IS NOT NEW.uploaded_by OR OLD.uploaded_at IS NOT NEW.uploaded_at
        BEGIN SELECT RAISE(ABORT, 'attachments: withdrawn once, never edited in place'); END
        """,
        "CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments BEGIN SELECT RAISE(ABORT, 'attachments is append-only'); END",
    ],
    postgresStatements: [
        """
        CREATE OR REPLACE FUNCTION zhtj_attachment_withdraw_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR OLD.withdrawn_at IS NOT NULL OR OLD.id IS DISTINCT FROM NEW.id
                OR OLD.activity_id IS DISTINCT FROM NEW.activity_id OR OLD.notice_id IS DISTINCT FROM NEW.notice_id
                OR OLD.file_name IS DISTINCT FROM NEW.file_name OR OLD.media_type IS DISTINCT FROM NEW.media_type
                OR OLD.bytes IS DISTINCT FROM NEW.bytes OR OLD.sha256 IS DISTINCT FROM NEW.sha256
                OR OLD.inspection IS DISTINCT FROM NEW.inspection OR OLD.uploaded_by IS DISTINCT FROM NEW.uploaded_by
                OR OLD.uploaded_at IS DISTINCT FROM NEW.uploaded_at THEN
                RAISE EXCEPTION 'attachments: withdrawn once, never edited in place';
            END IF;
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER attachments_withdraw_only BEFORE UPDATE OR DELETE ON attachments FOR EACH ROW EXECUTE FUNCTION zhtj_attachment_withdraw_only()",
    ])

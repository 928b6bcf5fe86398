/// Building the tree by hand (ORG-1 … ORG-11): the industry category and the deletion mark on
/// orgs, each org's information (ORG-5), and the append-only log of org changes.
///
/// ORG-4 and ORG-10 hold in the schema too: short name, full name, category, parent and path
/// never change; the industry category is set once; a deletion mark is never lifted; no org row
/// is ever removed; a deleted org gets no sub-orgs and no members.
let m0008OrgTreeAdministration = Migration(
    version: 8, name: "org_tree_administration",
    statements: [
        """
        ALTER TABLE orgs ADD COLUMN industry_category TEXT CHECK (industry_category IN (
            '普通高等学校', '中等职业学校', '普通高中', '初中', '机关', '事业单位', '国有企业', '非公企业', '农村',
            '城市社区', '社会组织', '其他'))
        """,
        "ALTER TABLE orgs ADD COLUMN deleted_at TEXT",
        "ALTER TABLE orgs ADD COLUMN deleted_by TEXT REFERENCES people (id)",
        // A deleted sub-org keeps its name; a new sibling may take it again.
        "DROP INDEX orgs_sibling_name",
        "CREATE UNIQUE INDEX orgs_sibling_name_live ON orgs (parent_id, name) WHERE deleted_at IS NULL",
        "CREATE INDEX orgs_parent_live ON orgs (parent_id, id) WHERE deleted_at IS NULL",
        // Progress (ORG-9) asks per org whether any admin ever logged in.
        "CREATE INDEX login_attempts_account_outcome ON login_attempts (account_id, outcome)",
        """
        CREATE TABLE org_profiles (
            org_id TEXT PRIMARY KEY REFERENCES orgs (id),
            phone TEXT CHECK (phone IS NULL OR length(phone) BETWEEN 7 AND 20),
            email TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 100),
            administrative_staffing INTEGER CHECK (administrative_staffing >= 0),
            administrative_staffed INTEGER CHECK (administrative_staffed >= 0),
            public_service_staffing INTEGER CHECK (public_service_staffing >= 0),
            public_service_staffed INTEGER CHECK (public_service_staffed >= 0),
            secretary_name TEXT CHECK (secretary_name IS NULL OR length(secretary_name) BETWEEN 1 AND 50),
            secretary_id_number TEXT CHECK (secretary_id_number IS NULL OR length(secretary_id_number) = 18),
            secretary_mobile TEXT CHECK (secretary_mobile IS NULL OR length(secretary_mobile) = 11),
            youth_count INTEGER CHECK (youth_count BETWEEN 0 AND 10000),
            party_recommended_count INTEGER CHECK (party_recommended_count BETWEEN 0 AND 1000),
            revision INTEGER NOT NULL CHECK (revision >= 1),
            updated_at TEXT NOT NULL,
            updated_by TEXT REFERENCES people (id)
        )
        """,
        // Creation, deletion and every change of an org's information, with before and after,
        // chained like the archive audit log so an edit or a removal is detected.
        """
        CREATE TABLE org_audit_log (
            seq INTEGER PRIMARY KEY CHECK (seq >= 1),
            at TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('org.create', 'org.delete', 'org.profile_update')),
            actor_id TEXT NOT NULL,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            org_path TEXT NOT NULL,
            detail TEXT,
            prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
            hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
        )
        """,
        "CREATE INDEX org_audit_log_path ON org_audit_log (org_path, seq)",
    ],
    sqliteStatements: AppendOnly.sqlite("org_audit_log") + [
        """
        CREATE TRIGGER orgs_fixed_fields BEFORE UPDATE ON orgs
        WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name OR OLD.full_name IS NOT NEW.full_name
            OR OLD.category IS NOT NEW.category OR OLD.parent_id IS NOT NEW.parent_id OR OLD.path IS NOT NEW.path
            OR OLD.upper_committee_id IS NOT NEW.upper_committee_id
            OR (OLD.industry_category IS NOT NULL AND OLD.industry_category IS NOT NEW.industry_category)
            OR (OLD.deleted_at IS NOT NULL AND OLD.deleted_at IS NOT NEW.deleted_at)
        BEGIN SELECT RAISE(ABORT, 'orgs: short name, full name, category and industry category are fixed once set (ORG-4)'); END
        """,
        "CREATE TRIGGER orgs_no_delete BEFORE DELETE ON orgs BEGIN SELECT RAISE(ABORT, 'orgs are marked deleted, never removed (ORG-10)'); END",
        """
        CREATE TRIGGER orgs_no_child_of_deleted BEFORE INSERT ON orgs
        WHEN NEW.parent_id IS NOT NULL AND (SELECT deleted_at FROM orgs WHERE id = NEW.parent_id) IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'orgs: a deleted org gets no sub-orgs (ORG-10)'); END
        """,
        """
        CREATE TRIGGER members_not_in_deleted BEFORE INSERT ON members
        WHEN (SELECT deleted_at FROM orgs WHERE id = NEW.branch_id) IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'members: a deleted branch gets no members (ORG-10)'); END
        """,
        """
        CREATE TRIGGER members_not_moved_to_deleted BEFORE UPDATE OF branch_id ON members
        WHEN (SELECT deleted_at FROM orgs WHERE id = NEW.branch_id) IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'members: a deleted branch gets no members (ORG-10)'); END
        """,
    ],
    postgresStatements: [AppendOnly.postgresFunction] + AppendOnly.postgres("org_audit_log") + [
        """
        CREATE OR REPLACE FUNCTION zhtj_orgs_fixed_fields() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'orgs are marked deleted, never removed (ORG-10)';
            END IF;
            IF OLD.id IS DISTINCT FROM NEW.id OR OLD.name IS DISTINCT FROM NEW.name
                OR OLD.full_name IS DISTINCT FROM NEW.full_name OR OLD.category IS DISTINCT FROM NEW.category
                OR OLD.parent_id IS DISTINCT FROM NEW.parent_id OR OLD.path IS DISTINCT FROM NEW.path
                OR OLD.upper_committee_id IS DISTINCT FROM NEW.upper_committee_id
                OR (OLD.industry_category IS NOT NULL AND OLD.industry_category IS DISTINCT FROM NEW.industry_category)
                OR (OLD.deleted_at IS NOT NULL AND OLD.deleted_at IS DISTINCT FROM NEW.deleted_at) THEN
                RAISE EXCEPTION 'orgs: short name, full name, category and industry category are fixed once set (ORG-4)';
            END IF;
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER orgs_fixed_fields BEFORE UPDATE OR DELETE ON orgs FOR EACH ROW EXECUTE FUNCTION zhtj_orgs_fixed_fields()",
        """
        CREATE OR REPLACE FUNCTION zhtj_no_place_in_deleted_org() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            target TEXT;
        BEGIN
            IF TG_TABLE_NAME = 'orgs' THEN target := NEW.parent_id; ELSE target := NEW.branch_id; END IF;
            IF target IS NOT NULL AND (SELECT deleted_at FROM orgs WHERE id = target) IS NOT NULL THEN
                RAISE EXCEPTION '%: a deleted org gets no sub-orgs and no members (ORG-10)', TG_TABLE_NAME;
            END IF;
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER orgs_no_child_of_deleted BEFORE INSERT ON orgs FOR EACH ROW EXECUTE FUNCTION zhtj_no_place_in_deleted_org()",
        """
        CREATE TRIGGER members_not_in_deleted BEFORE INSERT OR UPDATE OF branch_id ON members
        FOR EACH ROW EXECUTE FUNCTION zhtj_no_place_in_deleted_org()
        """,
    ])

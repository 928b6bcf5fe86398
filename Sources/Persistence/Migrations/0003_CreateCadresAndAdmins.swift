/// Cadre posts (MEM-5) and admin appointments (ADM-3: at most two per org, each a cadre of it).
let m0003CreateCadresAndAdmins = Migration(
    version: 3, name: "create_cadres_and_admins",
    statements: [
        """
        CREATE TABLE cadre_posts (
            person_id TEXT NOT NULL REFERENCES people (id),
            org_id TEXT NOT NULL REFERENCES orgs (id),
            title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 30),
            created_at TEXT NOT NULL,
            PRIMARY KEY (person_id, org_id)
        )
        """,
        "CREATE INDEX cadre_posts_org ON cadre_posts (org_id)",
        // Two slots per org make "at most two" a constraint rather than a count in code.
        """
        CREATE TABLE org_admins (
            org_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            slot INTEGER NOT NULL CHECK (slot IN (1, 2)),
            appointed_at TEXT NOT NULL,
            PRIMARY KEY (org_id, person_id),
            UNIQUE (org_id, slot),
            FOREIGN KEY (person_id, org_id) REFERENCES cadre_posts (person_id, org_id)
        )
        """,
        "CREATE INDEX org_admins_person ON org_admins (person_id)",
    ])

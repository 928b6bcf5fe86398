/// People (anyone with an ID number: members and cadres) and members (MEM-1, MEM-4, MEM-5).
let m0002CreatePeopleAndMembers = Migration(
    version: 2, name: "create_people_and_members",
    statements: [
        """
        CREATE TABLE people (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
            gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
            id_number TEXT NOT NULL UNIQUE CHECK (length(id_number) = 18),
            birth_date TEXT NOT NULL CHECK (length(birth_date) = 10),
            created_at TEXT NOT NULL
        )
        """,
        // MEM-5: a member is in exactly one branch (primary key on the person); ORG-7: only
        // orgs whose holds_members is true can be referenced.
        """
        CREATE TABLE members (
            person_id TEXT PRIMARY KEY REFERENCES people (id),
            branch_id TEXT NOT NULL,
            branch_holds_members BOOLEAN NOT NULL DEFAULT TRUE CHECK (branch_holds_members),
            joined_on TEXT NOT NULL CHECK (length(joined_on) = 10),
            development_number TEXT UNIQUE CHECK (
                development_number IS NULL OR substr(development_number, 1, 4) = substr(joined_on, 1, 4)),
            created_at TEXT NOT NULL,
            FOREIGN KEY (branch_id, branch_holds_members) REFERENCES orgs (id, holds_members)
        )
        """,
        "CREATE INDEX members_branch ON members (branch_id, person_id)",
    ])

/// 组织整顿 (RCT-1 … RCT-4). The self-check items are data, like the grading criteria: a year
/// uses the set with the highest `first_year` not after it. The manual names the form's rating
/// ("较差" and the count of such items) but not its items; this loads ten items drawn from the
/// manual's own standards (班子建设, 团员管理, 基础团务, 活动开展), to be replaced by the
/// committee's official list as rows. A branch's year is its entries, append-only and numbered.
let m0017CreateRectification = Migration(
    version: 17, name: "create_rectification",
    statements: [
        """
        CREATE TABLE rectification_items (
            first_year INTEGER NOT NULL CHECK (first_year BETWEEN 2000 AND 9999),
            position INTEGER NOT NULL CHECK (position >= 1),
            text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 200),
            PRIMARY KEY (first_year, position)
        )
        """,
        """
        INSERT INTO rectification_items (first_year, position, text) VALUES
        (2020, 1, '团支部书记配备齐整，随缺随补，按期换届'),
        (2020, 2, '支委分工明确，支委会运转正常、能发挥作用'),
        (2020, 3, '支部团员底数清晰，团员信息完整，能联系上'),
        (2020, 4, '严格按照程序发展团员，规范组织入团仪式'),
        (2020, 5, '团员组织关系应转尽转、应接尽接'),
        (2020, 6, '按时足额缴纳、上缴团费'),
        (2020, 7, '每月至少开展1次团支部活动，团员参与率50%以上'),
        (2020, 8, '每年至少召开1次组织生活会，有主题有记录'),
        (2020, 9, '落实“三会两制一课”，记录完整'),
        (2020, 10, '隶属关系清晰，规范设立、管理团小组')
        """,
        """
        CREATE TABLE rectification_entries (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 9999),
            seq INTEGER NOT NULL CHECK (seq >= 1),
            kind TEXT NOT NULL CHECK (kind IN ('submit', 'approve', 'reject', 'mark_key')),
            month INTEGER CHECK (month IS NULL OR month BETWEEN 1 AND 12),
            poor_count INTEGER CHECK (poor_count IS NULL OR poor_count >= 0),
            by_parent BOOLEAN NOT NULL,
            ratings TEXT,
            acting_org_id TEXT NOT NULL REFERENCES orgs (id),
            person_id TEXT NOT NULL REFERENCES people (id),
            recorded_at TEXT NOT NULL,
            CHECK ((kind = 'submit') = (month IS NOT NULL AND poor_count IS NOT NULL AND ratings IS NOT NULL)),
            UNIQUE (org_id, year, seq)
        )
        """,
    ],
    sqliteStatements: AppendOnly.sqlite("rectification_items") + AppendOnly.sqlite("rectification_entries"),
    postgresStatements: AppendOnly.postgres("rectification_items") + AppendOnly.postgres("rectification_entries"))

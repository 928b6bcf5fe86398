/// 对标定级 (GRA-1 … GRA-5). The criteria are data: a year's table is the set with the highest
/// `first_year` not after it, so next year's table is rows inserted, not code changed; this
/// migration loads the manual's table from 2020 on. A grading year is its entries, append-only
/// and numbered per org and year (`seq`), so two admins deciding at once cannot both succeed
/// from the same state. The 12-31 12:00 lock is recorded once per year by the calendar sweep.
/// `org_foundings` keeps the day an org was founded where it differs from the day its record
/// was created (an org brought into the system later than it was founded, as the demo's are);
/// without a row, the creation day is the founding day.
let m0014CreateGrading = Migration(
    version: 14, name: "create_grading",
    statements: [
        """
        CREATE TABLE grading_criteria (
            first_year INTEGER NOT NULL CHECK (first_year BETWEEN 2000 AND 9999),
            position INTEGER NOT NULL CHECK (position >= 1),
            dimension TEXT NOT NULL CHECK (length(dimension) BETWEEN 1 AND 50),
            weight TEXT NOT NULL CHECK (length(weight) BETWEEN 1 AND 20),
            content TEXT NOT NULL CHECK (length(content) BETWEEN 1 AND 100),
            indicator TEXT NOT NULL CHECK (length(indicator) BETWEEN 1 AND 500),
            PRIMARY KEY (first_year, position)
        )
        """,
        """
        INSERT INTO grading_criteria (first_year, position, dimension, weight, content, indicator) VALUES
        (2020, 1, '班子建设', '15% 左右', '1. 班子配备齐整', '书记配备齐整，随缺随补，按期换届；支书称职。'),
        (2020, 2, '班子建设', '15% 左右', '2. 班子运转有序', '支委分工明确，支委会运转正常、能发挥作用。'),
        (2020, 3, '团员管理', '20% 左右', '3. 团员信息完整', '支部团员底数清晰，团员信息完整，能联系上。'),
        (2020, 4, '团员管理', '20% 左右', '4. 入团程序规范', '严格按照程序发展团员；无突击发展团员、不满14周岁入团等现象；规范组织入团仪式。'),
        (2020, 5, '团员管理', '20% 左右', '5. 基础团务规范', '团员组织关系应转尽转、应接尽接；按时足额缴纳、上缴团费。'),
        (2020, 6, '活动开展', '20% 左右', '6. 经常开展团支部活动', '团支部每月至少开展1次活动；每次团员参与率50%以上。'),
        (2020, 7, '活动开展', '20% 左右', '7. 按规定召开组织生活会', '定期开展组织生活会，每年不少于1次，有主题有记录。团总支书记、副书记编入一个团的支部，并参加所在团支部或者团小组组织生活。'),
        (2020, 8, '活动开展', '20% 左右', '8. 组织体系健全', '隶属关系清晰；团总支至少有2个下属支部；规范设立、管理团小组。')
        """,
        """
        CREATE TABLE grading_entries (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 9999),
            seq INTEGER NOT NULL CHECK (seq >= 1),
            kind TEXT NOT NULL CHECK (kind IN ('self', 'review')),
            grade TEXT NOT NULL CHECK (grade IN ('five_stars', 'four_stars', 'three_stars', 'two_stars', 'one_star', 'not_graded')),
            acting_org_id TEXT NOT NULL REFERENCES orgs (id),
            person_id TEXT NOT NULL REFERENCES people (id),
            recorded_at TEXT NOT NULL,
            UNIQUE (org_id, year, seq)
        )
        """,
        "CREATE INDEX grading_entries_year ON grading_entries (year, org_id, seq)",
        """
        CREATE TABLE grading_year_locks (
            year INTEGER PRIMARY KEY,
            locked_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE org_foundings (
            org_id TEXT PRIMARY KEY REFERENCES orgs (id),
            founded_on TEXT NOT NULL CHECK (length(founded_on) = 10 AND substr(founded_on, 5, 1) = '-')
        )
        """,
        // GRA-4: a committee's list, in path order, from the index alone.
        "CREATE INDEX orgs_upper_committee_path ON orgs (upper_committee_id, path)",
    ],
    sqliteStatements: AppendOnly.sqlite("grading_criteria") + AppendOnly.sqlite("grading_entries")
        + AppendOnly.sqlite("grading_year_locks") + AppendOnly.sqlite("org_foundings"),
    postgresStatements: AppendOnly.postgres("grading_criteria") + AppendOnly.postgres("grading_entries")
        + AppendOnly.postgres("grading_year_locks") + AppendOnly.postgres("org_foundings"))

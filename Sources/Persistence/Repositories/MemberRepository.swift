import Domain
import SQLKit

/// A person as stored: anyone with an ID number (members and cadres).
public struct PersonRecord: Sendable, Equatable {
    public let id: PersonID
    public let name: String
    public let idNumber: IDNumber

    public init(id: PersonID, name: String, idNumber: IDNumber) {
        self.id = id
        self.name = name
        self.idNumber = idNumber
    }
}

/// A member with the branch they sit in, as lists and detail views need it.
public struct MemberRecord: Sendable, Equatable {
    public let member: Member
    public let branch: OrgPlacement
    public let branchName: String
    /// MEM-9: the real-name check's current status.
    public let identityStatus: IdentityCheckStatus
    /// MEM-7: holds a post in some org, which keeps membership past 28.
    public let holdsLeaguePost: Bool
    /// MEM-6: marked removed; the record stays but leaves lists and counts.
    public let removed: Bool

    public init(
        member: Member, branch: OrgPlacement, branchName: String, identityStatus: IdentityCheckStatus = .unverified,
        holdsLeaguePost: Bool = false, removed: Bool = false
    ) {
        self.member = member
        self.branch = branch
        self.branchName = branchName
        self.identityStatus = identityStatus
        self.holdsLeaguePost = holdsLeaguePost
        self.removed = removed
    }

    /// MEM-7: shown as 超龄 and left out of the counts.
    public func isOverAge(on today: CivilDate) -> Bool {
        MembershipRules.isOverAge(birthDate: member.idNumber.birthDate, today: today, holdsLeaguePost: holdsLeaguePost)
    }
}

public protocol PersonRepository: Sendable {
    func insert(_ person: PersonRecord, at time: Timestamp) async throws
    func find(_ id: PersonID) async throws -> PersonRecord?
    /// Several people in one query; unknown ids are left out.
    func find(_ ids: [PersonID]) async throws -> [PersonRecord]
}

public protocol MemberRepository: Sendable {
    /// The person row must exist; the schema refuses a second branch (MEM-5), a non-branch
    /// org (ORG-7) and a taken development number (MEM-4).
    func insert(_ member: Member, at time: Timestamp) async throws
    func find(_ id: PersonID) async throws -> MemberRecord?
    /// The org `id` and one page of the members of the branches in its subtree, ordered by
    /// person id, starting after `cursor` (keyset paging: stable under inserts, no OFFSET
    /// scans). Two statements, each in index order; the org's identifying fields never change
    /// (migration 0008's `orgs_fixed_fields`), so they need no common snapshot. Nil when no
    /// such org exists.
    func page(ofSubtree id: OrgID, after cursor: MemberListCursor?, limit: Int) async throws -> (org: Org, members: [MemberRecord])?
    func count(inSubtreeOf path: OrgPath) async throws -> Int
    /// MEM-6, MEM-7: members not removed and not over age on `today`.
    func count(inSubtreeOf path: OrgPath, today: CivilDate) async throws -> Int
    /// Who holds a development number, to tell a user whom to contact (MEM-4).
    func holder(ofDevelopmentNumber number: DevelopmentNumber) async throws -> MemberRecord?
}

/// Stored ID numbers were validated on entry; re-reading them must not depend on today's date.
let farFuture = CivilDate(year: 9999, month: 12, day: 31)!

public struct SQLPersonRepository: PersonRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    struct Row: Decodable { let id: String; let name: String; let idNumber: String }

    public func insert(_ person: PersonRecord, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO people (id, name, gender, id_number, birth_date, created_at)
            VALUES (\(bind: person.id.rawValue), \(bind: person.name), \(bind: person.idNumber.gender.rawValue),
                    \(bind: person.idNumber.value), \(bind: person.idNumber.birthDate.iso), \(bind: time.text))
            """).run()
    }

    public func find(_ id: PersonID) async throws -> PersonRecord? {
        guard let row = try await sql.raw("SELECT id, name, id_number FROM people WHERE id = \(bind: id.rawValue)")
            .first(decoding: Row.self, with: .snakeCase)
        else { return nil }
        guard let idNumber = try? IDNumber(row.idNumber, today: farFuture) else { throw CorruptRow(table: "people", key: row.id) }
        return PersonRecord(id: id, name: row.name, idNumber: idNumber)
    }

    public func find(_ ids: [PersonID]) async throws -> [PersonRecord] {
        if ids.isEmpty { return [] }
        return try await sql.raw("SELECT id, name, id_number FROM people WHERE id IN (\(binds: ids.map(\.rawValue))) ORDER BY id")
            .all(decoding: Row.self, with: .snakeCase).map { row in
                guard let id = PersonID(rawValue: row.id), let idNumber = try? IDNumber(row.idNumber, today: farFuture) else {
                    throw CorruptRow(table: "people", key: row.id)
                }
                return PersonRecord(id: id, name: row.name, idNumber: idNumber)
            }
    }
}

public struct SQLMemberRepository: MemberRepository {
    let sql: any SQLDatabase
    let committedOrgs: CommittedOrgs?
    public init(_ sql: any SQLDatabase) { self.init(sql, committedOrgs: nil) }
    init(_ sql: any SQLDatabase, committedOrgs: CommittedOrgs?) {
        self.sql = sql
        self.committedOrgs = committedOrgs
    }

    static let select = """
        SELECT p.id AS person_id, p.name, p.id_number, m.branch_id, m.joined_on, m.development_number,
               o.name AS branch_name, o.path AS branch_path, o.category AS branch_category,
               o.upper_committee_id AS branch_upper_committee_id, p.identity_status, m.removed_at,
               CASE WHEN EXISTS (SELECT 1 FROM cadre_posts c WHERE c.person_id = p.id) THEN 1 ELSE 0 END AS holds_post
        FROM members m JOIN people p ON p.id = m.person_id JOIN orgs o ON o.id = m.branch_id
        """

    /// The columns `Row` reads beyond the member's own, for selects written elsewhere.
    public static let recordColumns = """
        p.identity_status, m.removed_at,
        CASE WHEN EXISTS (SELECT 1 FROM cadre_posts c WHERE c.person_id = p.id) THEN 1 ELSE 0 END AS holds_post
        """

    /// After `cursor` in (branch, person) order, for a select that joins `org_ancestry` (as
    /// `ancestry`) and `members m`; the branch side is on the ancestry's `descendant_id`, so that
    /// its index range starts there.
    static func after(_ cursor: MemberListCursor?, ancestry: String = "a") -> SQLQueryString {
        let branch = cursor?.branch.rawValue ?? "", person = cursor?.person.rawValue ?? ""
        var condition = SQLQueryString("(")
        condition.appendInterpolation(unsafeRaw: ancestry + ".descendant_id > ")
        condition.appendInterpolation(bind: branch)
        condition.appendInterpolation(unsafeRaw: " OR (" + ancestry + ".descendant_id = ")
        condition.appendInterpolation(bind: branch)
        condition.appendInterpolation(unsafeRaw: " AND m.person_id > ")
        condition.appendInterpolation(bind: person)
        condition.appendInterpolation(unsafeRaw: "))")
        return condition
    }

    /// MEM-7 in SQL: born on or before the cutoff and holding no post.
    static func notOverAge(_ today: CivilDate) -> SQLQueryString {
        """
        NOT (p.birth_date <= \(bind: MembershipRules.overAgeBirthCutoff(today: today).iso)
             AND NOT EXISTS (SELECT 1 FROM cadre_posts c WHERE c.person_id = p.id))
        """
    }

    struct Row: Decodable {
        let personId: String
        let name: String
        let idNumber: String
        let branchId: String
        let joinedOn: String
        let developmentNumber: String?
        let branchName: String
        let branchPath: String
        let branchCategory: String
        let branchUpperCommitteeId: String?
        let identityStatus: String?
        let removedAt: String?
        let holdsPost: Int?

        /// Read by column name, without `Decodable`: member lists are the hottest read, and
        /// SQLKit's keyed decoding resolves and converts every key of every row.
        init(row: some SQLRow, prefix: String = "") throws {
            func key(_ column: String) -> String { prefix.isEmpty ? column : prefix + column }
            func text(_ column: String) throws -> String { try row.decode(column: key(column), as: String.self) }
            // NULL is told apart first: decoding `String?` takes the drivers' nested `Decoder`
            // path (an allocation and a dynamic cast per cell), `String` their direct one.
            func optional(_ column: String) throws -> String? {
                let column = key(column)
                return try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: String.self)
            }
            personId = try text("person_id")
            name = try text("name")
            idNumber = try text("id_number")
            branchId = try text("branch_id")
            joinedOn = try text("joined_on")
            developmentNumber = try optional("development_number")
            branchName = try text("branch_name")
            branchPath = try text("branch_path")
            branchCategory = try text("branch_category")
            branchUpperCommitteeId = try optional("branch_upper_committee_id")
            // Selects written before issue 9 (the session's) do not carry these: a missing
            // column reads as NULL (both drivers' `decodeNil`).
            identityStatus = try optional("identity_status")
            removedAt = try optional("removed_at")
            let holds = key("holds_post")
            holdsPost = try row.decodeNil(column: holds) ? nil : try row.decode(column: holds, as: Int.self)
        }

        func record() throws -> MemberRecord {
            var paths: [String: OrgPath] = [:]
            return try record(paths: &paths)
        }

        /// `paths`: the branch paths already parsed for this list (a page has few branches).
        func record(paths: inout [String: OrgPath]) throws -> MemberRecord {
            let parsed = paths[branchPath] ?? OrgPath(encoded: branchPath)
            paths[branchPath] = parsed
            guard let personID = PersonID(rawValue: personId), let branchID = OrgID(rawValue: branchId),
                let idNumber = try? IDNumber(idNumber, today: farFuture), let joinedOn = CivilDate(iso: joinedOn),
                let path = parsed, let category = OrgCategory(rawValue: branchCategory)
            else { throw CorruptRow(table: "members", key: personId) }
            let member = Member(
                personID: personID, name: name, idNumber: idNumber, branchID: branchID, joinedOn: joinedOn,
                developmentNumber: developmentNumber.flatMap(DevelopmentNumber.init))
            return MemberRecord(member: member, branch: OrgPlacement(
                    id: branchID, path: path, category: category,
                    upperCommitteeID: branchUpperCommitteeId.flatMap(OrgID.init(rawValue:))),
                branchName: branchName, identityStatus: identityStatus.flatMap(IdentityCheckStatus.init(rawValue:)) ?? .unverified,
                holdsLeaguePost: (holdsPost ?? 0) == 1, removed: removedAt != nil)
        }
    }

    public func insert(_ member: Member, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO members (person_id, branch_id, joined_on, development_number, created_at)
            VALUES (\(bind: member.personID.rawValue), \(bind: member.branchID.rawValue), \(bind: member.joinedOn.iso),
                    \(bind: member.developmentNumber?.value), \(bind: time.text))
            """).run()
    }

    public func find(_ id: PersonID) async throws -> MemberRecord? {
        try await sql.raw("\(unsafeRaw: Self.select) WHERE m.person_id = \(bind: id.rawValue)")
            .first().map { try Row(row: $0).record() }
    }

    public func page(ofSubtree id: OrgID, after cursor: MemberListCursor?, limit: Int) async throws -> (org: Org, members: [MemberRecord])? {
        // Two statements, the org and then the page, each read in index order. One statement
        // that LEFT JOINed the page onto the org (to get the org when the subtree has no
        // members) made SQLite materialise the page and sort it again: a third of a page's time
        // inside SQLite (perf, release). The branches come from the ancestry (0018) in id order
        // and each branch's members from `members_branch` in person order, so nothing is sorted
        // (`MemberListCursor` says why the order is by branch first).
        let org: Org
        if let kept = committedOrgs?.org(id) {
            org = kept
        } else {
            // Not `SQLOrgRepository.find`: that one leaves deleted orgs out, the list never did.
            guard let orgRow = try await sql.raw("SELECT \(unsafeRaw: SQLOrgRepository.columns) FROM orgs WHERE id = \(bind: id.rawValue)").first()
            else { return nil }
            org = try SQLOrgRepository.Row(row: orgRow).org()
            committedOrgs?.keep(org)
        }
        let rows = try await sql.raw("""
            SELECT p.id AS person_id, p.name, p.id_number, m.branch_id, m.joined_on, m.development_number,
                   o.name AS branch_name, o.path AS branch_path, o.category AS branch_category,
                   o.upper_committee_id AS branch_upper_committee_id, p.identity_status, m.removed_at,
                   CASE WHEN EXISTS (SELECT 1 FROM cadre_posts c WHERE c.person_id = p.id) THEN 1 ELSE 0 END AS holds_post
            FROM org_ancestry a JOIN members m ON m.branch_id = a.descendant_id
                 JOIN orgs o ON o.id = m.branch_id JOIN people p ON p.id = m.person_id
            WHERE a.ancestor_id = \(bind: id.rawValue) AND \(Self.after(cursor)) AND m.removed_at IS NULL
            ORDER BY a.descendant_id, m.person_id LIMIT \(limit: limit)
            """).all()
        var paths: [String: OrgPath] = [:]
        return (org, try rows.map { try Row(row: $0).record(paths: &paths) })
    }

    public func count(inSubtreeOf path: OrgPath) async throws -> Int {
        try await sql.raw("""
            SELECT COUNT(*) AS n FROM members m JOIN orgs o ON o.id = m.branch_id
            WHERE o.path LIKE \(bind: path.encoded + "%") AND m.removed_at IS NULL
            """).first()!.decode(column: "n", as: Int.self)
    }

    public func count(inSubtreeOf path: OrgPath, today: CivilDate) async throws -> Int {
        try await sql.raw("""
            SELECT COUNT(*) AS n FROM members m JOIN people p ON p.id = m.person_id JOIN orgs o ON o.id = m.branch_id
            WHERE o.path LIKE \(bind: path.encoded + "%") AND m.removed_at IS NULL AND \(Self.notOverAge(today))
            """).first()!.decode(column: "n", as: Int.self)
    }

    public func holder(ofDevelopmentNumber number: DevelopmentNumber) async throws -> MemberRecord? {
        try await sql.raw("\(unsafeRaw: Self.select) WHERE m.development_number = \(bind: number.value)")
            .first().map { try Row(row: $0).record() }
    }
}

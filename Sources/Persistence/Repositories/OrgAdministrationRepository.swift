import Domain
import SQLKit

/// An org with what its administration pages need: industry category, information (ORG-5) and
/// how many admins, members, cadres and live sub-orgs it has (ORG-8, ORG-10).
public struct OrgDetails: Sendable, Equatable {
    public let org: Org
    public let industryCategory: IndustryCategory?
    public let profile: OrgProfile
    /// 0 while nothing has been filled in.
    public let profileRevision: Int
    public let profileUpdatedAt: Timestamp?
    public let adminCount: Int
    public let memberCount: Int
    public let cadreCount: Int
    public let subOrgCount: Int

    public init(
        org: Org, industryCategory: IndustryCategory?, profile: OrgProfile, profileRevision: Int, profileUpdatedAt: Timestamp?,
        adminCount: Int, memberCount: Int, cadreCount: Int, subOrgCount: Int
    ) {
        self.org = org
        self.industryCategory = industryCategory
        self.profile = profile
        self.profileRevision = profileRevision
        self.profileUpdatedAt = profileUpdatedAt
        self.adminCount = adminCount
        self.memberCount = memberCount
        self.cadreCount = cadreCount
        self.subOrgCount = subOrgCount
    }

    public var completeness: OrgCompleteness {
        OrgCompleteness.evaluate(
            category: org.category, industryCategory: industryCategory, profile: profile, cadreCount: cadreCount,
            memberCount: memberCount)
    }
}

/// One org of a progress level (ORG-9).
public struct OrgProgressRow: Sendable, Equatable {
    public let details: OrgDetails
    public let parentName: String?
    /// Any admin of the org has ever logged in successfully.
    public let loggedIn: Bool
    /// Its admins' names, slot order.
    public let adminNames: [String]
}

/// Creating, reading, filling in and deleting orgs (ORG-1 … ORG-10). Deleted orgs are marked,
/// never removed; the schema refuses changes to the fields ORG-4 fixes.
public protocol OrgAdministrationRepository: Sendable {
    func insert(_ org: Org, industryCategory: IndustryCategory?, at time: Timestamp) async throws
    /// A live org with its details.
    func details(_ id: OrgID) async throws -> OrgDetails?
    /// The live direct sub-orgs with their details, in one query, ordered by id.
    func childDetails(of id: OrgID) async throws -> [OrgDetails]
    /// The live sub-org of `parent` with this short name.
    func liveChild(of parent: OrgID, named name: String) async throws -> Org?
    /// Sets the industry category of an org that has none yet (ORG-4: once); throws
    /// `ConcurrentChange` when it has one already.
    func setIndustryCategory(_ category: IndustryCategory, of id: OrgID) async throws
    /// Writes the information; `expectedRevision` is the revision read (0: none yet). A lost
    /// race throws `ConcurrentChange`. `person` nil: loaded with the demo, by nobody.
    func saveProfile(_ profile: OrgProfile, of id: OrgID, expectedRevision: Int, by person: PersonID?, at time: Timestamp) async throws
    /// ORG-10, GRD-6: marks the org deleted; throws `ConcurrentChange` when it already is.
    /// `person` nil: closed by the calendar (a graduate org whose last member left on a default approval).
    func markDeleted(_ id: OrgID, by person: PersonID?, at time: Timestamp) async throws
    /// Live orgs below `path` per depth: (depth, count), shallowest first.
    func depthCounts(below path: OrgPath) async throws -> [(depth: Int, count: Int)]
    /// Every live org at `depth` below `path`, with the progress flags, in one query, ordered by path.
    func progressRows(below path: OrgPath, depth: Int) async throws -> [OrgProgressRow]
}

public struct SQLOrgAdministrationRepository: OrgAdministrationRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let profileColumns = """
        p.phone, p.email, p.administrative_staffing, p.administrative_staffed, p.public_service_staffing,
        p.public_service_staffed, p.secretary_name, p.secretary_id_number, p.secretary_mobile, p.youth_count,
        p.party_recommended_count, p.revision AS profile_revision, p.updated_at AS profile_updated_at
        """

    static let detailColumns = """
        o.id, o.parent_id, o.name, o.full_name, o.category, o.path, o.upper_committee_id, o.industry_category,
        \(profileColumns),
        (SELECT COUNT(*) FROM org_admins a WHERE a.org_id = o.id) AS admin_count,
        (SELECT COUNT(*) FROM members m WHERE m.branch_id = o.id AND m.removed_at IS NULL) AS member_count,
        (SELECT COUNT(*) FROM cadre_posts c WHERE c.org_id = o.id) AS cadre_count,
        (SELECT COUNT(*) FROM orgs k WHERE k.parent_id = o.id AND k.deleted_at IS NULL) AS sub_org_count
        """

    static func details(_ row: some SQLRow) throws -> OrgDetails {
        let org = try SQLOrgRepository.Row(row: row).org()
        func int(_ column: String) throws -> Int? { try row.decode(column: column, as: Int?.self) }
        func text(_ column: String) throws -> String? { try row.decode(column: column, as: String?.self) }
        let industry = try text("industry_category")
        let profile = OrgProfile(
            phone: try text("phone"), email: try text("email"), administrativeStaffing: try int("administrative_staffing"),
            administrativeStaffed: try int("administrative_staffed"), publicServiceStaffing: try int("public_service_staffing"),
            publicServiceStaffed: try int("public_service_staffed"), secretaryName: try text("secretary_name"),
            secretaryIdNumber: try text("secretary_id_number"), secretaryMobile: try text("secretary_mobile"),
            youthCount: try int("youth_count"), partyRecommendedCount: try int("party_recommended_count"))
        guard industry == nil || IndustryCategory(rawValue: industry!) != nil else { throw CorruptRow(table: "orgs", key: org.id.rawValue) }
        return OrgDetails(
            org: org, industryCategory: industry.flatMap(IndustryCategory.init(rawValue:)), profile: profile,
            profileRevision: try int("profile_revision") ?? 0, profileUpdatedAt: try text("profile_updated_at").flatMap(Timestamp.init(text:)),
            adminCount: try int("admin_count") ?? 0, memberCount: try int("member_count") ?? 0, cadreCount: try int("cadre_count") ?? 0,
            subOrgCount: try int("sub_org_count") ?? 0)
    }

    public func insert(_ org: Org, industryCategory: IndustryCategory?, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO orgs (id, parent_id, name, full_name, category, holds_members, path, depth, upper_committee_id, industry_category, created_at)
            VALUES (\(bind: org.id.rawValue), \(bind: org.parentID?.rawValue), \(bind: org.name), \(bind: org.fullName),
                    \(bind: org.category.rawValue), \(bind: org.category.holdsMembers), \(bind: org.path.encoded),
                    \(bind: org.path.depth), \(bind: org.upperCommitteeID?.rawValue), \(bind: industryCategory?.rawValue), \(bind: time.text))
            """).run()
    }

    public func details(_ id: OrgID) async throws -> OrgDetails? {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.detailColumns)
            FROM orgs o LEFT JOIN org_profiles p ON p.org_id = o.id
            WHERE o.id = \(bind: id.rawValue) AND o.deleted_at IS NULL
            """).first().map { try Self.details($0) }
    }

    public func childDetails(of id: OrgID) async throws -> [OrgDetails] {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.detailColumns)
            FROM orgs o LEFT JOIN org_profiles p ON p.org_id = o.id
            WHERE o.parent_id = \(bind: id.rawValue) AND o.deleted_at IS NULL ORDER BY o.id
            """).all().map { try Self.details($0) }
    }

    public func liveChild(of parent: OrgID, named name: String) async throws -> Org? {
        try await sql.raw("""
            SELECT \(unsafeRaw: SQLOrgRepository.columns) FROM orgs
            WHERE parent_id = \(bind: parent.rawValue) AND name = \(bind: name) AND deleted_at IS NULL
            """).first().map { try SQLOrgRepository.Row(row: $0).org() }
    }

    public func setIndustryCategory(_ category: IndustryCategory, of id: OrgID) async throws {
        let changed = try await sql.raw("""
            UPDATE orgs SET industry_category = \(bind: category.rawValue)
            WHERE id = \(bind: id.rawValue) AND industry_category IS NULL AND deleted_at IS NULL RETURNING id
            """).all()
        if changed.isEmpty { throw ConcurrentChange(table: "orgs") }
    }

    public func saveProfile(_ p: OrgProfile, of id: OrgID, expectedRevision: Int, by person: PersonID?, at time: Timestamp) async throws {
        if expectedRevision == 0 {
            do {
                try await sql.raw("""
                    INSERT INTO org_profiles (org_id, phone, email, administrative_staffing, administrative_staffed,
                        public_service_staffing, public_service_staffed, secretary_name, secretary_id_number, secretary_mobile,
                        youth_count, party_recommended_count, revision, updated_at, updated_by)
                    VALUES (\(bind: id.rawValue), \(bind: p.phone), \(bind: p.email), \(bind: p.administrativeStaffing),
                        \(bind: p.administrativeStaffed), \(bind: p.publicServiceStaffing), \(bind: p.publicServiceStaffed),
                        \(bind: p.secretaryName), \(bind: p.secretaryIdNumber), \(bind: p.secretaryMobile), \(bind: p.youthCount),
                        \(bind: p.partyRecommendedCount), 1, \(bind: time.text), \(bind: person?.rawValue))
                    """).run()
            } catch {
                if case .unique = ConstraintViolation(error) { throw ConcurrentChange(table: "org_profiles") }
                throw error
            }
            return
        }
        let changed = try await sql.raw("""
            UPDATE org_profiles SET phone = \(bind: p.phone), email = \(bind: p.email),
                administrative_staffing = \(bind: p.administrativeStaffing), administrative_staffed = \(bind: p.administrativeStaffed),
                public_service_staffing = \(bind: p.publicServiceStaffing), public_service_staffed = \(bind: p.publicServiceStaffed),
                secretary_name = \(bind: p.secretaryName), secretary_id_number = \(bind: p.secretaryIdNumber),
                secretary_mobile = \(bind: p.secretaryMobile), youth_count = \(bind: p.youthCount),
                party_recommended_count = \(bind: p.partyRecommendedCount), revision = revision + 1,
                updated_at = \(bind: time.text), updated_by = \(bind: person?.rawValue)
            WHERE org_id = \(bind: id.rawValue) AND revision = \(bind: expectedRevision) RETURNING revision
            """).all()
        if changed.isEmpty { throw ConcurrentChange(table: "org_profiles") }
    }

    public func markDeleted(_ id: OrgID, by person: PersonID?, at time: Timestamp) async throws {
        let changed = try await sql.raw("""
            UPDATE orgs SET deleted_at = \(bind: time.text), deleted_by = \(bind: person?.rawValue)
            WHERE id = \(bind: id.rawValue) AND deleted_at IS NULL RETURNING id
            """).all()
        if changed.isEmpty { throw ConcurrentChange(table: "orgs") }
    }

    public func depthCounts(below path: OrgPath) async throws -> [(depth: Int, count: Int)] {
        try await sql.raw("""
            SELECT depth, COUNT(*) AS n FROM orgs
            WHERE path LIKE \(bind: path.encoded + "%") AND depth > \(bind: path.depth) AND deleted_at IS NULL
            GROUP BY depth ORDER BY depth
            """).all().map { (depth: try $0.decode(column: "depth", as: Int.self), count: try $0.decode(column: "n", as: Int.self)) }
    }

    public func progressRows(below path: OrgPath, depth: Int) async throws -> [OrgProgressRow] {
        // At most two rows per org (ADM-3's two admin slots), folded below.
        let rows = try await sql.raw("""
            SELECT \(unsafeRaw: Self.detailColumns),
                CASE WHEN EXISTS (
                    SELECT 1 FROM org_admins la_admin
                    JOIN accounts la_account ON la_account.person_id = la_admin.person_id
                    JOIN login_attempts la ON la.account_id = la_account.id AND la.outcome = 'succeeded'
                    WHERE la_admin.org_id = o.id) THEN 1 ELSE 0 END AS logged_in,
                parent.name AS parent_name, admin_person.name AS admin_name
            FROM orgs o LEFT JOIN org_profiles p ON p.org_id = o.id
            LEFT JOIN orgs parent ON parent.id = o.parent_id
            LEFT JOIN org_admins admin ON admin.org_id = o.id
            LEFT JOIN people admin_person ON admin_person.id = admin.person_id
            WHERE o.path LIKE \(bind: path.encoded + "%") AND o.depth = \(bind: depth) AND o.deleted_at IS NULL
            ORDER BY o.path, admin.slot
            """).all()
        var out: [OrgProgressRow] = []
        for row in rows {
            let details = try Self.details(row)
            let admin = try row.decode(column: "admin_name", as: String?.self)
            if let last = out.last, last.details.org.id == details.org.id {
                out[out.count - 1] = OrgProgressRow(
                    details: last.details, parentName: last.parentName, loggedIn: last.loggedIn, adminNames: last.adminNames + [admin].compactMap { $0 })
                continue
            }
            out.append(
                OrgProgressRow(
                    details: details, parentName: try row.decode(column: "parent_name", as: String?.self),
                    loggedIn: try row.decode(column: "logged_in", as: Int.self) != 0, adminNames: [admin].compactMap { $0 }))
        }
        return out
    }
}

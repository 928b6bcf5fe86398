import Domain
import Hummingbird
import Persistence

/// A value that is written as `null` when absent, so every field of a form is in the answer.
struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    let value: Value?
    init(_ value: Value?) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

/// A field of the 组织信息 form, as lists of required and missing fields name it.
struct ProfileFieldResponse: Encodable, Sendable, Equatable {
    let field: String
    let label: String

    init(_ field: OrgProfileField) {
        self.field = field.rawValue
        label = field.label
    }
}

/// `GET /api/v1/reference`: the choices the forms and templates offer.
struct ReferenceResponse: ResponseEncodable {
    struct Category: Encodable { let code: String; let name: String; let creatable: Bool }
    let orgCategories: [Category]
    let industryCategories: [String]
    /// ORG-11: the industry categories of the school domain.
    let schoolIndustryCategories: [String]
    let cadrePosts: [String]

    static let current = ReferenceResponse(
        orgCategories: OrgCategory.allCases.map {
            Category(code: $0.rawValue, name: $0.chineseName, creatable: SubOrgDraft.creatableCategories.contains($0))
        },
        industryCategories: IndustryCategory.allCases.map(\.rawValue),
        schoolIndustryCategories: IndustryCategory.allCases.filter(\.isSchoolDomain).map(\.rawValue),
        cadrePosts: CadrePostTitle.allCases.map(\.rawValue))
}

/// An org with its administration figures (the sub-org list, a created sub-org).
struct OrgDetailsResponse: ResponseEncodable, Sendable {
    let id: String
    let name: String
    let shortName: String
    let fullName: String
    let category: String
    let categoryName: String
    let industryCategory: Nullable<String>
    /// ORG-11.
    let schoolDomain: Bool
    let parentId: Nullable<String>
    let upperCommitteeId: Nullable<String>
    /// Root first, the org itself last.
    let path: [String]
    let adminCount: Int
    let memberCount: Int
    let cadreCount: Int
    let subOrgCount: Int
    /// ORG-8.
    let complete: Bool
    let entryComplete: Bool
    /// ORG-10: empty, so its parent may delete it.
    let deletable: Bool

    init(_ d: OrgDetails) {
        let org = d.org
        id = org.id.rawValue
        name = org.name
        shortName = org.name
        fullName = org.fullName
        category = org.category.rawValue
        categoryName = org.category.chineseName
        industryCategory = Nullable(d.industryCategory?.rawValue)
        schoolDomain = d.industryCategory?.isSchoolDomain ?? false
        parentId = Nullable(org.parentID?.rawValue)
        upperCommitteeId = Nullable(org.upperCommitteeID?.rawValue)
        path = org.path.ids.map(\.rawValue)
        adminCount = d.adminCount
        memberCount = d.memberCount
        cadreCount = d.cadreCount
        subOrgCount = d.subOrgCount
        let completeness = d.completeness
        complete = completeness.infoComplete
        entryComplete = completeness.entryComplete
        deletable = OrgDeletion.problems(category: org.category, admins: d.adminCount, members: d.memberCount, subOrgs: d.subOrgCount).isEmpty
    }
}

/// `POST …/children/preview`: the checked draft with the generated full name (ORG-3).
struct SubOrgPreviewResponse: ResponseEncodable {
    let shortName: String
    let category: String
    let categoryName: String
    let industryCategory: Nullable<String>
    /// What the ancestry gives.
    let generatedFullName: String
    /// What will be stored: the correction if one was sent, else the generated name.
    let fullName: String
    let parentId: String
    let upperCommitteeId: Nullable<String>

    init(_ accepted: SubOrgDraft.Accepted) {
        let org = accepted.org
        shortName = org.name
        category = org.category.rawValue
        categoryName = org.category.chineseName
        industryCategory = Nullable(accepted.industryCategory?.rawValue)
        generatedFullName = accepted.generatedFullName
        fullName = org.fullName
        parentId = org.parentID?.rawValue ?? ""
        upperCommitteeId = Nullable(org.upperCommitteeID?.rawValue)
    }
}

/// `GET /api/v1/orgs/{orgId}/profile` (ORG-5, ORG-8).
struct OrgProfileResponse: ResponseEncodable {
    let orgId: String
    let shortName: String
    let fullName: String
    let category: String
    let categoryName: String
    let industryCategory: Nullable<String>
    let schoolDomain: Bool
    let phone: Nullable<String>
    let email: Nullable<String>
    let administrativeStaffing: Nullable<Int>
    let administrativeStaffed: Nullable<Int>
    let publicServiceStaffing: Nullable<Int>
    let publicServiceStaffed: Nullable<Int>
    let secretaryName: Nullable<String>
    let secretaryIdNumber: Nullable<String>
    let secretaryIdNumberMasked: Bool
    let secretaryMobile: Nullable<String>
    let youthCount: Nullable<Int>
    let partyRecommendedCount: Nullable<Int>
    /// ORG-5's required fields for this category.
    let required: [ProfileFieldResponse]
    /// ORG-8: every required field filled in.
    let complete: Bool
    let missing: [ProfileFieldResponse]
    /// ORG-8: ≥ 2 cadres (团委/团工委/团总支) or ≥ 3 members (团支部).
    let entryComplete: Bool
    let cadreCount: Int
    let memberCount: Int
    let cadresNeeded: Int
    let membersNeeded: Int
    /// The viewer is the org's own admin.
    let editable: Bool
    let revision: Int
    let updatedAt: Nullable<String>

    init(_ view: OrgProfileView) {
        let d = view.details
        let p = d.profile
        orgId = d.org.id.rawValue
        shortName = d.org.name
        fullName = d.org.fullName
        category = d.org.category.rawValue
        categoryName = d.org.category.chineseName
        industryCategory = Nullable(d.industryCategory?.rawValue)
        schoolDomain = d.industryCategory?.isSchoolDomain ?? false
        phone = Nullable(p.phone)
        email = Nullable(p.email)
        administrativeStaffing = Nullable(p.administrativeStaffing)
        administrativeStaffed = Nullable(p.administrativeStaffed)
        publicServiceStaffing = Nullable(p.publicServiceStaffing)
        publicServiceStaffed = Nullable(p.publicServiceStaffed)
        secretaryName = Nullable(p.secretaryName)
        secretaryIdNumber = Nullable(p.secretaryIdNumber.map { view.showsFullIDNumber ? $0 : IDNumber.mask($0) })
        secretaryIdNumberMasked = !view.showsFullIDNumber
        secretaryMobile = Nullable(p.secretaryMobile)
        youthCount = Nullable(p.youthCount)
        partyRecommendedCount = Nullable(p.partyRecommendedCount)
        required = OrgProfileField.required(for: d.org.category).map(ProfileFieldResponse.init)
        let completeness = d.completeness
        complete = completeness.infoComplete
        missing = completeness.missing.map(ProfileFieldResponse.init)
        entryComplete = completeness.entryComplete
        cadreCount = completeness.cadreCount
        memberCount = completeness.memberCount
        cadresNeeded = completeness.cadresNeeded
        membersNeeded = completeness.membersNeeded
        editable = view.editable
        revision = d.profileRevision
        updatedAt = Nullable(d.profileUpdatedAt?.text)
    }
}

/// `GET /api/v1/orgs/{orgId}/progress` (ORG-9): one entry per level, each with its figures and
/// its orgs, so that a spreadsheet is one sheet per level with one row per item.
struct ProgressResponse: ResponseEncodable {
    struct OrgRef: Encodable { let id: String; let name: String; let fullName: String }
    struct Item: Encodable {
        let id: String
        let shortName: String
        let fullName: String
        let category: String
        let categoryName: String
        let parentId: Nullable<String>
        let parentName: Nullable<String>
        /// 是否已登录过系统: any admin of it has logged in.
        let loggedIn: Bool
        /// 组织信息是否完整 (ORG-8).
        let infoComplete: Bool
        let missing: [ProfileFieldResponse]
        /// False for branches, which hold members and no sub-orgs (ORG-7).
        let mayHaveSubOrgs: Bool
        /// 是否已创建下级组织.
        let hasSubOrgs: Bool
        let subOrgCount: Int
        let entryComplete: Bool
        let cadreCount: Int
        let memberCount: Int
        /// 组织管理员.
        let admins: [String]
        /// 联系电话.
        let phone: Nullable<String>
    }
    struct Level: Encodable {
        let level: Int
        /// "三级组织".
        let name: String
        let total: Int
        /// Absent for the levels not read (`?level=` names another).
        let loggedIn: Int?
        let notLoggedIn: Int?
        let infoComplete: Int?
        let infoIncomplete: Int?
        let entryComplete: Int?
        let mayHaveSubOrgs: Int?
        let withSubOrgs: Int?
        let withoutSubOrgs: Int?
        let items: [Item]?
    }
    let org: OrgRef
    let levels: [Level]

    init(_ progress: EntryProgress) {
        org = OrgRef(id: progress.org.id.rawValue, name: progress.org.name, fullName: progress.org.fullName)
        levels = progress.levels.map { level in
            let c = level.counts
            return Level(
                level: level.level, name: level.name, total: level.total, loggedIn: c?.loggedIn,
                notLoggedIn: c.map { level.total - $0.loggedIn }, infoComplete: c?.infoComplete,
                infoIncomplete: c.map { level.total - $0.infoComplete }, entryComplete: c?.entryComplete,
                mayHaveSubOrgs: c?.mayHaveSubOrgs, withSubOrgs: c?.withSubOrgs, withoutSubOrgs: c.map { $0.mayHaveSubOrgs - $0.withSubOrgs },
                items: c == nil ? nil : level.rows.map(Self.item))
        }
    }

    static func item(_ row: OrgProgressRow) -> Item {
        let d = row.details
        let completeness = d.completeness
        return Item(
            id: d.org.id.rawValue, shortName: d.org.name, fullName: d.org.fullName, category: d.org.category.rawValue,
            categoryName: d.org.category.chineseName, parentId: Nullable(d.org.parentID?.rawValue), parentName: Nullable(row.parentName),
            loggedIn: row.loggedIn, infoComplete: completeness.infoComplete, missing: completeness.missing.map(ProfileFieldResponse.init),
            mayHaveSubOrgs: !d.org.category.holdsMembers, hasSubOrgs: d.subOrgCount > 0, subOrgCount: d.subOrgCount,
            entryComplete: completeness.entryComplete, cadreCount: d.cadreCount, memberCount: d.memberCount, admins: row.adminNames,
            phone: Nullable(d.profile.phone))
    }
}

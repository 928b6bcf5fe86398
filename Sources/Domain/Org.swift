/// The category of an org (RULES ORG-2).
public enum OrgCategory: String, Codable, Sendable, CaseIterable {
    /// 团的领导机关: 团中央, provincial, city and county committees.
    case leadingOrgan = "leading_organ"
    /// 团委 (基层团委).
    case committee
    /// 团工委.
    case workingCommittee = "working_committee"
    /// 团总支.
    case generalBranch = "general_branch"
    /// 团支部.
    case branch
    /// 毕业生团组织.
    case graduateBranch = "graduate_branch"
    /// 延迟毕业团组织.
    case delayedGraduationBranch = "delayed_graduation_branch"
    /// 流动团员团支部.
    case floatingMemberBranch = "floating_member_branch"
    /// 待接转团支部.
    case pendingTransferBranch = "pending_transfer_branch"
    /// 学社衔接临时团支部.
    case schoolToSocietyBranch = "school_to_society_branch"
    /// 出国(境)学习研究团员团支部.
    case overseasStudyBranch = "overseas_study_branch"
    /// 特殊单位专属库: members who enlist.
    case specialPool = "special_pool"

    public var chineseName: String {
        switch self {
        case .leadingOrgan: "团的领导机关"
        case .committee: "团委"
        case .workingCommittee: "团工委"
        case .generalBranch: "团总支"
        case .branch: "团支部"
        case .graduateBranch: "毕业生团组织"
        case .delayedGraduationBranch: "延迟毕业团组织"
        case .floatingMemberBranch: "流动团员团支部"
        case .pendingTransferBranch: "待接转团支部"
        case .schoolToSocietyBranch: "学社衔接临时团支部"
        case .overseasStudyBranch: "出国(境)学习研究团员团支部"
        case .specialPool: "特殊单位专属库"
        }
    }

    /// Orgs that hold members' organisational relationship: branches of every kind (ORG-7).
    /// They are leaves of the tree.
    public var holdsMembers: Bool {
        switch self {
        case .leadingOrgan, .committee, .workingCommittee, .generalBranch: false
        default: true
        }
    }

    /// Orgs that can be an upper committee (上级团委) and approve archives (ARC-4, ARC-6).
    public var isUpperCommitteeKind: Bool {
        switch self {
        case .leadingOrgan, .committee, .workingCommittee: true
        default: false
        }
    }

    /// Which categories may sit directly below this one.
    public func mayParent(_ child: OrgCategory) -> Bool {
        if holdsMembers { return false }
        switch child {
        case .leadingOrgan: return self == .leadingOrgan
        case .committee, .workingCommittee: return isUpperCommitteeKind
        case .generalBranch: return isUpperCommitteeKind
        default: return true
        }
    }
}

/// The ancestry of an org, root first and the org itself last.
///
/// Stored as `/tzy/sd/sd-qd/` so that "is X in the subtree of Y" is a string prefix test, in
/// Swift and in SQL (`path LIKE '/tzy/sd/%'`) alike.
public struct OrgPath: Hashable, Sendable, Codable, CustomStringConvertible {
    public let ids: [OrgID]

    public init(_ ids: [OrgID]) {
        precondition(!ids.isEmpty)
        self.ids = ids
    }

    public init?(encoded: String) {
        // Over UTF-8 bytes: every member row read carries its branch's path, and the
        // Character-based versions of these checks were a tenth of a member list's cost.
        let bytes = encoded.utf8
        let slash = UInt8(ascii: "/")
        guard bytes.count > 2, bytes.first == slash, bytes.last == slash else { return nil }
        var ids: [OrgID] = []
        for part in bytes.dropFirst().dropLast().split(separator: slash, omittingEmptySubsequences: false) {
            guard let raw = String(part), let id = OrgID(rawValue: raw) else { return nil }
            ids.append(id)
        }
        self.ids = ids
    }

    public var encoded: String { "/" + ids.map(\.rawValue).joined(separator: "/") + "/" }
    public var description: String { encoded }
    public var leaf: OrgID { ids[ids.count - 1] }
    public var depth: Int { ids.count - 1 }

    public func appending(_ id: OrgID) -> OrgPath { OrgPath(ids + [id]) }

    /// True when `self` is `ancestor` or lies below it.
    public func isWithin(_ ancestor: OrgPath) -> Bool {
        ancestor.ids.count <= ids.count && Array(ids.prefix(ancestor.ids.count)) == ancestor.ids
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(encoded)
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let path = OrgPath(encoded: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid org path"))
        }
        self = path
    }
}

/// A node of the league tree.
public struct Org: Hashable, Sendable, Codable {
    public let id: OrgID
    public let parentID: OrgID?
    /// 简称, e.g. 计算机学院2020级1班团支部 (ORG-3). Immutable once set (ORG-4).
    public let name: String
    /// 全称, generated from the ancestry (ORG-3).
    public let fullName: String
    public let category: OrgCategory
    public let path: OrgPath
    /// The nearest ancestor that is a 团的领导机关, 团委 or 团工委: the org that approves this
    /// org's archives. Fixed at creation because categories never change (ORG-4) and orgs
    /// never move.
    public let upperCommitteeID: OrgID?

    public init(
        id: OrgID, parentID: OrgID?, name: String, fullName: String, category: OrgCategory,
        path: OrgPath, upperCommitteeID: OrgID?
    ) {
        self.id = id
        self.parentID = parentID
        self.name = name
        self.fullName = fullName
        self.category = category
        self.path = path
        self.upperCommitteeID = upperCommitteeID
    }

    public enum CreationError: Error, Equatable, Sendable {
        case emptyName
        case nameTooLong
        /// The root of the tree must be a leading organ (团中央, ORG-1).
        case rootMustBeLeadingOrgan
        /// e.g. a 团委 below a 团总支, or anything below a branch.
        case categoryNotAllowed(parent: OrgCategory, child: OrgCategory)
    }

    /// The root of the tree: 团中央 (ORG-1).
    public static func root(id: OrgID, name: String) throws(CreationError) -> Org {
        let name = try validName(name)
        return Org(
            id: id, parentID: nil, name: name, fullName: name, category: .leadingOrgan,
            path: OrgPath([id]), upperCommitteeID: nil)
    }

    /// A sub-org created by its parent (ORG-1). The full name is derived from the parent's
    /// unless given (ORG-3: "generated from the ancestry and shown for correction").
    public func child(
        id: OrgID, name: String, category: OrgCategory, fullName: String? = nil
    ) throws(CreationError) -> Org {
        let name = try Org.validName(name)
        guard self.category.mayParent(category) else {
            throw .categoryNotAllowed(parent: self.category, child: category)
        }
        let generated = self.category == .leadingOrgan ? name : self.fullName + name
        return Org(
            id: id, parentID: self.id, name: name, fullName: fullName ?? generated,
            category: category, path: path.appending(id),
            upperCommitteeID: self.category.isUpperCommitteeKind ? self.id : self.upperCommitteeID)
    }

    static func validName(_ raw: String) throws(CreationError) -> String {
        let name = raw.trimmingWhitespace()
        if name.isEmpty { throw .emptyName }
        if name.count > 100 { throw .nameTooLong }
        return name
    }

    /// True when `self` is `other` or lies in its subtree.
    public func isWithin(_ other: Org) -> Bool { path.isWithin(other.path) }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

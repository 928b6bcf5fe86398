/// ORG-3: what a short name must look like for its category.
public enum ShortNameRule {
    /// The suffix every short name of `category` ends with.
    public static func suffix(for category: OrgCategory) -> String {
        switch category {
        case .leadingOrgan: "委"
        case .committee: "团委"
        case .workingCommittee: "团工委"
        case .generalBranch: "团总支"
        default: "团支部"
        }
    }

    /// True when `name` (already trimmed) follows the pattern of `category`:
    /// leading organs "团 + 区划 + 委", other orgs "单位/区划 + 团委/团工委/团总支/团支部", and a
    /// school class branch "(专业)入学年份级 + 班号 + 班团支部", where the year has four digits.
    public static func accepts(_ name: String, for category: OrgCategory) -> Bool {
        let suffix = suffix(for: category)
        guard name.hasSuffix(suffix) else { return false }
        let unit = String(name.dropLast(suffix.count))
        switch category {
        case .leadingOrgan:
            // 团 + at least one character of the region + 委; "团委" itself is a committee's suffix.
            return unit.hasPrefix("团") && unit.count >= 2 && !name.hasSuffix("团委")
        case .committee, .workingCommittee, .generalBranch:
            return !unit.isEmpty
        default:
            return !unit.isEmpty && classPartIsWellFormed(unit)
        }
    }

    /// A class branch names its entry year with four digits before 级 and a class before 班:
    /// "17级1班" is refused, "2017级1班" and "计算机专业2017级3班" are accepted.
    static func classPartIsWellFormed(_ unit: String) -> Bool {
        let chars = Array(unit)
        guard let level = chars.firstIndex(of: "级") else { return !(unit == "班") }
        var digits = 0
        var i = level - 1
        while i >= 0, chars[i].isASCII, chars[i].isNumber {
            digits += 1
            i -= 1
        }
        if digits > 0 && digits != 4 { return false }
        if digits == 4 {
            let year = Int(String(chars[(level - 4)..<level]))!
            guard (1949...2100).contains(year) else { return false }
        }
        if chars.last == "班" {
            // Something between 级 and 班: the class number.
            return chars.count - 1 > level + 1
        }
        return true
    }
}

/// ORG-3: the full name generated from the ancestry, which the creating admin may correct.
public enum OrgFullName {
    public static let maximumLength = 150

    /// 团委 and 团工委 take the form of their committee ("共青团…委员会"), continuing the
    /// parent committee's name; 团总支 and 团支部 append their short name to the parent's full name.
    public static func generated(shortName: String, category: OrgCategory, parent: Org) -> String {
        switch category {
        case .committee, .workingCommittee:
            let unit = String(shortName.dropLast(ShortNameRule.suffix(for: category).count))
            let ending = category == .committee ? "委员会" : "工作委员会"
            return committeeStem(of: parent) + unit + ending
        case .leadingOrgan:
            return shortName
        default:
            return parent.fullName + shortName
        }
    }

    /// "共青团中国石油大学（华东）委员会" → "共青团中国石油大学（华东）"; a parent that is not a
    /// committee by name (a leading organ) starts afresh with "共青团".
    static func committeeStem(of parent: Org) -> String {
        let name = parent.fullName
        guard parent.category != .leadingOrgan, name.hasPrefix("共青团") else { return "共青团" }
        for ending in ["工作委员会", "委员会"] where name.hasSuffix(ending) {
            return String(name.dropLast(ending.count))
        }
        return "共青团"
    }
}

/// One reason a sub-org draft cannot be created. A draft reports every reason at once, so a
/// bulk row's admin fixes all of them in one go (ORG-6).
public enum SubOrgProblem: Error, Equatable, Sendable {
    case shortNameMissing
    case shortNameText(FreeTextProblem.Kind)
    /// ORG-3: the name does not follow its category's pattern.
    case shortNamePattern(OrgCategory)
    /// Another live sub-org of the same parent already has this short name.
    case shortNameTaken
    case categoryMissing
    /// Neither a category code nor a category's Chinese name.
    case categoryUnknown
    case fullNameTooLong(maximum: Int)
    case fullNameText(FreeTextProblem.Kind)
    /// Leading organs are set up with the tree (ORG-1); the special branches are made by the
    /// service's own flows (graduation, transfers).
    case categoryNotCreatable(OrgCategory)
    /// ORG-7: a branch holds members and has no sub-orgs.
    case parentHoldsMembers
    /// e.g. a 团委 below a 团总支.
    case categoryNotAllowed(parent: OrgCategory, child: OrgCategory)
    /// A deleted org gets no sub-orgs (ORG-10).
    case parentDeleted
    case profile(OrgProfileProblem)
}

/// Everything wrong with a draft.
public struct SubOrgRejection: Error, Equatable, Sendable {
    public let problems: [SubOrgProblem]
    public init(_ problems: [SubOrgProblem]) { self.problems = problems }
}

/// A sub-org as its parent's admin enters it (ORG-1, ORG-3, ORG-5): short name, category,
/// optionally the industry category, a corrected full name and the ORG-5 fields, as typed (a
/// form, a JSON body or a spreadsheet row), so that every problem is found here at once.
public struct SubOrgDraft: Sendable, Equatable {
    public var shortName: String
    /// The category's code (`branch`) or its Chinese name (团支部), as a spreadsheet names it.
    public var category: String
    /// The Chinese name, e.g. 普通高等学校; nil or blank: not chosen yet.
    public var industryCategory: String?
    /// The admin's correction of the generated full name; nil or blank keeps the generated one.
    public var fullName: String?
    /// ORG-5 fields as typed (counts as text).
    public var profileFields: [OrgProfileField: String?]

    public init(
        shortName: String, category: String, industryCategory: String? = nil, fullName: String? = nil,
        profileFields: [OrgProfileField: String?] = [:]
    ) {
        self.shortName = shortName
        self.category = category
        self.industryCategory = industryCategory
        self.fullName = fullName
        self.profileFields = profileFields
    }

    /// The categories an admin creates by hand.
    public static let creatableCategories: [OrgCategory] = [
        .committee, .workingCommittee, .generalBranch, .branch, .floatingMemberBranch,
    ]

    /// A category by code or Chinese name.
    public static func category(named text: String) -> OrgCategory? {
        let t = text.trimmingWhitespace()
        return OrgCategory(rawValue: t) ?? OrgCategory.allCases.first { $0.chineseName == t }
    }

    /// A draft that passed every rule: the org to insert and what goes with it.
    public struct Accepted: Sendable, Equatable {
        public let org: Org
        public let industryCategory: IndustryCategory?
        public let profile: OrgProfile
        /// The full name the ancestry gives, shown beside a corrected one.
        public let generatedFullName: String
    }

    /// Checks every rule that needs nothing but the parent; the caller adds what only the
    /// database knows (a live sibling with the same name) as `shortNameTaken`.
    public func validated(
        under parent: Org, id: OrgID, today: CivilDate, shortNameTaken: Bool = false
    ) -> Result<Accepted, SubOrgRejection> {
        var problems: [SubOrgProblem] = []
        var name = ""
        do {
            name = try FreeText.checked(shortName, as: .name)
            if name.isEmpty { problems.append(.shortNameMissing) }
        } catch {
            problems.append(.shortNameText(error.kind))
        }
        let category = Self.category(named: category)
        if let category {
            if !Self.creatableCategories.contains(category) {
                problems.append(.categoryNotCreatable(category))
            } else if parent.category.holdsMembers {
                problems.append(.parentHoldsMembers)
            } else if !parent.category.mayParent(category) {
                problems.append(.categoryNotAllowed(parent: parent.category, child: category))
            }
            if !name.isEmpty, !ShortNameRule.accepts(name, for: category) { problems.append(.shortNamePattern(category)) }
        } else {
            problems.append(self.category.trimmingWhitespace().isEmpty ? .categoryMissing : .categoryUnknown)
            if parent.category.holdsMembers { problems.append(.parentHoldsMembers) }
        }
        if shortNameTaken { problems.append(.shortNameTaken) }
        var industry: IndustryCategory?
        if let text = industryCategory?.trimmingWhitespace(), !text.isEmpty {
            industry = IndustryCategory(rawValue: text)
            if industry == nil { problems.append(.profile(.unknownIndustryCategory)) }
        }
        let generated = OrgFullName.generated(shortName: name, category: category ?? .branch, parent: parent)
        var full = generated
        if let corrected = fullName, !corrected.trimmingWhitespace().isEmpty {
            do {
                let checked = try FreeText.checked(corrected, as: .topic)
                if checked.count > OrgFullName.maximumLength { problems.append(.fullNameTooLong(maximum: OrgFullName.maximumLength)) }
                else if checked.contains(where: \.isNewline) { problems.append(.fullNameText(.invisibleCharacter)) }
                else { full = checked }
            } catch {
                if case .tooLong = error.kind { problems.append(.fullNameTooLong(maximum: OrgFullName.maximumLength)) }
                else { problems.append(.fullNameText(error.kind)) }
            }
        } else if generated.count > OrgFullName.maximumLength {
            problems.append(.fullNameTooLong(maximum: OrgFullName.maximumLength))
        }
        let (profile, parseProblems) = OrgProfile().applying(profileFields)
        problems += (parseProblems + profile.problems(today: today)).map(SubOrgProblem.profile)
        guard problems.isEmpty, let category else { return .failure(SubOrgRejection(problems)) }
        do {
            let org = try parent.child(id: id, name: name, category: category, fullName: full)
            return .success(Accepted(org: org, industryCategory: industry, profile: profile, generatedFullName: generated))
        } catch {
            return .failure(SubOrgRejection([.shortNameMissing]))
        }
    }
}

/// ORG-10: why a sub-org cannot be deleted yet.
public enum OrgDeletionProblem: Error, Hashable, Sendable {
    /// Its admins must be revoked first.
    case hasAdmins(Int)
    /// Its members must leave first (transferred out).
    case hasMembers(Int)
    /// Its own sub-orgs must be deleted first (decided: a parent never disappears under live children).
    case hasSubOrgs(Int)
    /// Leading organs belong to the tree's set-up (ORG-1), never deleted by hand.
    case leadingOrgan
}

public enum OrgDeletion {
    /// Every reason the org cannot be deleted; empty when it may be.
    public static func problems(category: OrgCategory, admins: Int, members: Int, subOrgs: Int) -> [OrgDeletionProblem] {
        var problems: [OrgDeletionProblem] = []
        if category == .leadingOrgan { problems.append(.leadingOrgan) }
        if admins > 0 { problems.append(.hasAdmins(admins)) }
        if members > 0 { problems.append(.hasMembers(members)) }
        if subOrgs > 0 { problems.append(.hasSubOrgs(subOrgs)) }
        return problems
    }
}

/// ORG-4: the fields fixed once set.
public enum OrgFixedField: String, Sendable, CaseIterable {
    case shortName, fullName, category, industryCategory

    public var label: String {
        switch self {
        case .shortName: "组织简称"
        case .fullName: "组织全称"
        case .category: "组织类别"
        case .industryCategory: "单位所属行业类别"
        }
    }
}

/// An attempt to change a field ORG-4 fixes.
public struct OrgFixedFieldChange: Error, Equatable, Sendable {
    public let fields: [OrgFixedField]
    public init(_ fields: [OrgFixedField]) { self.fields = fields }
}

extension Org {
    /// ORG-4: which of the requested values would change a fixed field. Asking for a field's
    /// current value changes nothing; an industry category not yet chosen may be set once.
    public func fixedFieldChanges(
        shortName: String?, fullName: String?, category: OrgCategory?, industryCategory: IndustryCategory??,
        currentIndustryCategory: IndustryCategory?
    ) -> [OrgFixedField] {
        var changed: [OrgFixedField] = []
        if let shortName, shortName.trimmingWhitespace() != name { changed.append(.shortName) }
        if let fullName, fullName.trimmingWhitespace() != self.fullName { changed.append(.fullName) }
        if let category, category != self.category { changed.append(.category) }
        if let requested = industryCategory, let current = currentIndustryCategory, requested != current {
            changed.append(.industryCategory)
        }
        return changed
    }
}

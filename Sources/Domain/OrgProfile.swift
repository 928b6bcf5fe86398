/// The fields of an org's information page (组织信息, ORG-5), in the order the form shows them.
public enum OrgProfileField: String, Sendable, CaseIterable, Codable {
    case category, shortName, fullName, industryCategory
    case phone, email
    case administrativeStaffing, administrativeStaffed, publicServiceStaffing, publicServiceStaffed
    case secretaryName, secretaryIdNumber, secretaryMobile
    case youthCount, partyRecommendedCount

    /// The label of the manual's form.
    public var label: String {
        switch self {
        case .category: "组织类别"
        case .shortName: "组织简称"
        case .fullName: "组织全称"
        case .industryCategory: "单位所属行业类别"
        case .phone: "联系电话"
        case .email: "电子邮箱"
        case .administrativeStaffing: "本级团组织行政编制数"
        case .administrativeStaffed: "行政编制实际配备数"
        case .publicServiceStaffing: "本级团组织事业编制数"
        case .publicServiceStaffed: "事业编制实际配备数"
        case .secretaryName: "书记姓名"
        case .secretaryIdNumber: "书记身份证号码"
        case .secretaryMobile: "书记手机号码"
        case .youthCount: "14-28周岁青年数"
        case .partyRecommendedCount: "年度经推入党团员数"
        }
    }

    /// ORG-5: the required fields per category. 团工委 follows 团委; 团总支 and the special
    /// branches follow 团支部 (decided: they have no staffing of their own).
    public static func required(for category: OrgCategory) -> [OrgProfileField] {
        let names: [OrgProfileField] = [.category, .shortName, .fullName]
        let staffing: [OrgProfileField] = [.administrativeStaffing, .administrativeStaffed, .publicServiceStaffing, .publicServiceStaffed]
        let secretary: [OrgProfileField] = [.secretaryName, .secretaryIdNumber, .secretaryMobile]
        switch category {
        case .leadingOrgan: return names + [.phone, .email] + staffing + secretary
        case .committee, .workingCommittee: return names + [.industryCategory] + staffing + secretary
        default: return names + [.industryCategory] + secretary
        }
    }

    /// The fields with an upper bound (ORG-5); every count is at least 0.
    public var maximum: Int? {
        switch self {
        case .youthCount: 10000
        case .partyRecommendedCount: 1000
        case .administrativeStaffing, .administrativeStaffed, .publicServiceStaffing, .publicServiceStaffed: 100_000
        default: nil
        }
    }
}

/// One reason the information of an org is refused.
public enum OrgProfileProblem: Error, Equatable, Sendable {
    /// A count below 0 or above its bound (ORG-5: 14–28岁青年数 ≤ 10000, 年度经推入党团员数 ≤ 1000).
    case outOfRange(OrgProfileField, maximum: Int)
    case invalidPhone
    case invalidEmail
    case invalidMobile
    case secretaryName(FreeTextProblem.Kind)
    /// MEM-1 applied to the secretary's ID number.
    case secretaryIdNumber(IDNumber.Invalid)
    /// A count given as something other than a whole number.
    case notAnInteger(OrgProfileField)
    case unknownIndustryCategory
}

/// What an org's own admin fills in (ORG-5). Every field may be empty until the org is
/// complete (ORG-8); what is filled must be valid.
public struct OrgProfile: Sendable, Equatable, Hashable {
    public var phone: String?
    public var email: String?
    public var administrativeStaffing: Int?
    public var administrativeStaffed: Int?
    public var publicServiceStaffing: Int?
    public var publicServiceStaffed: Int?
    public var secretaryName: String?
    /// The full number: an official record. Shown masked to whoever may not see it.
    public var secretaryIdNumber: String?
    public var secretaryMobile: String?
    public var youthCount: Int?
    public var partyRecommendedCount: Int?

    public init(
        phone: String? = nil, email: String? = nil, administrativeStaffing: Int? = nil, administrativeStaffed: Int? = nil,
        publicServiceStaffing: Int? = nil, publicServiceStaffed: Int? = nil, secretaryName: String? = nil,
        secretaryIdNumber: String? = nil, secretaryMobile: String? = nil, youthCount: Int? = nil, partyRecommendedCount: Int? = nil
    ) {
        self.phone = phone
        self.email = email
        self.administrativeStaffing = administrativeStaffing
        self.administrativeStaffed = administrativeStaffed
        self.publicServiceStaffing = publicServiceStaffing
        self.publicServiceStaffed = publicServiceStaffed
        self.secretaryName = secretaryName
        self.secretaryIdNumber = secretaryIdNumber
        self.secretaryMobile = secretaryMobile
        self.youthCount = youthCount
        self.partyRecommendedCount = partyRecommendedCount
    }

    public var isEmpty: Bool { self == OrgProfile() }

    public func count(_ field: OrgProfileField) -> Int? {
        switch field {
        case .administrativeStaffing: administrativeStaffing
        case .administrativeStaffed: administrativeStaffed
        case .publicServiceStaffing: publicServiceStaffing
        case .publicServiceStaffed: publicServiceStaffed
        case .youthCount: youthCount
        case .partyRecommendedCount: partyRecommendedCount
        default: nil
        }
    }

    /// True when the field holds a value (the names and category always do: they are set at creation).
    public func isFilled(_ field: OrgProfileField, industryCategory: IndustryCategory?) -> Bool {
        switch field {
        case .category, .shortName, .fullName: true
        case .industryCategory: industryCategory != nil
        case .phone: !(phone ?? "").isEmpty
        case .email: !(email ?? "").isEmpty
        case .secretaryName: !(secretaryName ?? "").isEmpty
        case .secretaryIdNumber: !(secretaryIdNumber ?? "").isEmpty
        case .secretaryMobile: !(secretaryMobile ?? "").isEmpty
        default: count(field) != nil
        }
    }

    /// The information with `edits` applied, as a form or a PATCH sends them: a field mapped to
    /// nil or to blank text is cleared; counts are parsed from their text. The names, category
    /// and industry category are not information fields and are ignored here (ORG-4).
    public func applying(_ edits: [OrgProfileField: String?]) -> (OrgProfile, [OrgProfileProblem]) {
        var next = self
        var problems: [OrgProfileProblem] = []
        for field in OrgProfileField.allCases {
            guard let edit = edits[field] else { continue }
            let text = edit?.trimmingWhitespace() ?? ""
            let value: String? = text.isEmpty ? nil : text
            func number() -> Int? {
                guard let value else { return nil }
                guard let n = Int(value) else {
                    problems.append(.notAnInteger(field))
                    return nil
                }
                return n
            }
            switch field {
            case .category, .shortName, .fullName, .industryCategory: continue
            case .phone: next.phone = value
            case .email: next.email = value
            case .secretaryName: next.secretaryName = value
            case .secretaryIdNumber: next.secretaryIdNumber = value?.uppercased()
            case .secretaryMobile: next.secretaryMobile = value
            case .administrativeStaffing: next.administrativeStaffing = number()
            case .administrativeStaffed: next.administrativeStaffed = number()
            case .publicServiceStaffing: next.publicServiceStaffing = number()
            case .publicServiceStaffed: next.publicServiceStaffed = number()
            case .youthCount: next.youthCount = number()
            case .partyRecommendedCount: next.partyRecommendedCount = number()
            }
        }
        return (next, problems)
    }

    /// The fields whose values differ between `self` and `other`.
    public func changedFields(to other: OrgProfile) -> [OrgProfileField] {
        OrgProfileField.allCases.filter { value(of: $0) != other.value(of: $0) }
    }

    /// A field's value as text (nil when empty), as the form and the audit record show it.
    public func value(of field: OrgProfileField) -> String? {
        switch field {
        case .category, .shortName, .fullName, .industryCategory: nil
        case .phone: phone
        case .email: email
        case .secretaryName: secretaryName
        case .secretaryIdNumber: secretaryIdNumber
        case .secretaryMobile: secretaryMobile
        default: count(field).map(String.init)
        }
    }

    /// Every problem with what is filled in; empty fields are not problems here.
    public func problems(today: CivilDate) -> [OrgProfileProblem] {
        var problems: [OrgProfileProblem] = []
        if let phone, !phone.isEmpty, !Self.isPhone(phone) { problems.append(.invalidPhone) }
        if let email, !email.isEmpty, !Self.isEmail(email) { problems.append(.invalidEmail) }
        for field in OrgProfileField.allCases {
            guard let value = count(field), let maximum = field.maximum else { continue }
            if value < 0 || value > maximum { problems.append(.outOfRange(field, maximum: maximum)) }
        }
        if let name = secretaryName {
            do { _ = try FreeText.checked(name, as: .name) } catch { problems.append(.secretaryName(error.kind)) }
        }
        if let number = secretaryIdNumber, !number.isEmpty {
            do { _ = try IDNumber(number, today: today) } catch { problems.append(.secretaryIdNumber(error)) }
        }
        if let mobile = secretaryMobile, !mobile.isEmpty, !Self.isMobile(mobile) { problems.append(.invalidMobile) }
        return problems
    }

    /// A landline or mobile: digits with optional area-code dash or extension, 7 to 20 characters.
    static func isPhone(_ s: String) -> Bool {
        (7...20).contains(s.utf8.count) && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
            && s.utf8.first.map { $0 != UInt8(ascii: "-") } == true
    }

    /// A mainland mobile number: 11 digits starting with 1.
    static func isMobile(_ s: String) -> Bool {
        s.utf8.count == 11 && s.utf8.first == UInt8(ascii: "1") && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    static func isEmail(_ s: String) -> Bool {
        guard s.utf8.count <= 100, !s.contains(where: \.isWhitespace) else { return false }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return domain.count >= 2 && domain.allSatisfy { !$0.isEmpty }
    }
}

/// Everything wrong with an org's information.
public struct OrgProfileRejection: Error, Equatable, Sendable {
    public let problems: [OrgProfileProblem]
    public init(_ problems: [OrgProfileProblem]) { self.problems = problems }
}

/// ORG-8: whether an org's information and its entry of people are complete.
public struct OrgCompleteness: Sendable, Equatable {
    /// Required fields not filled in, in the form's order.
    public let missing: [OrgProfileField]
    /// Cadres needed for a 团委/团工委/团总支 (and leading organs, decided), members for a branch.
    public let cadresNeeded: Int
    public let membersNeeded: Int
    public let cadreCount: Int
    public let memberCount: Int

    /// "组织信息完整": the required fields are filled, the secretary's mobile among them.
    public var infoComplete: Bool { missing.isEmpty }
    /// "录入完整": enough cadres (committees) or members (branches) are entered.
    public var entryComplete: Bool { cadreCount >= cadresNeeded && memberCount >= membersNeeded }

    public static func evaluate(
        category: OrgCategory, industryCategory: IndustryCategory?, profile: OrgProfile, cadreCount: Int, memberCount: Int
    ) -> OrgCompleteness {
        let missing = OrgProfileField.required(for: category).filter { !profile.isFilled($0, industryCategory: industryCategory) }
        return OrgCompleteness(
            missing: missing, cadresNeeded: category.holdsMembers ? 0 : 2, membersNeeded: category.holdsMembers ? 3 : 0,
            cadreCount: cadreCount, memberCount: memberCount)
    }
}

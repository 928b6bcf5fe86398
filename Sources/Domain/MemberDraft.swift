/// A member as an admin typed it (the single-entry form, or one row of an import template):
/// every field is the raw text, so that the form and the importer hand over exactly what they
/// received and `validated` reports every reason the record cannot be entered (MEM-1, MEM-3,
/// MEM-4, ORG-7), not only the first.
public struct MemberDraft: Sendable, Equatable, Codable {
    public var name: String
    /// 男 / 女 (or `male` / `female`).
    public var gender: String
    public var idNumber: String
    public var ethnicity: String
    public var education: String
    /// 政治面貌; empty means 共青团员.
    public var politicalStatus: String
    /// 入团时间, `YYYY-MM-DD`.
    public var joinedOn: String
    /// 发展团员编号.
    public var developmentNumber: String
    public var mobile: String
    public var email: String
    /// 现居住地.
    public var address: String
    /// 工作单位/学校.
    public var workplace: String
    /// 团内职务 in the branch, if the member is also one of its cadres.
    public var post: String

    public init(
        name: String = "", gender: String = "", idNumber: String = "", ethnicity: String = "", education: String = "",
        politicalStatus: String = "", joinedOn: String = "", developmentNumber: String = "", mobile: String = "",
        email: String = "", address: String = "", workplace: String = "", post: String = ""
    ) {
        self.name = name
        self.gender = gender
        self.idNumber = idNumber
        self.ethnicity = ethnicity
        self.education = education
        self.politicalStatus = politicalStatus
        self.joinedOn = joinedOn
        self.developmentNumber = developmentNumber
        self.mobile = mobile
        self.email = email
        self.address = address
        self.workplace = workplace
        self.post = post
    }

    /// The fields, as the templates' columns and the problems name them.
    public enum Field: String, Sendable, CaseIterable, Codable {
        case branch, name, gender, idNumber, ethnicity, education, politicalStatus, joinedOn, developmentNumber
        case mobile, email, address, workplace, post

        /// The column header and form label.
        public var chineseName: String {
            switch self {
            case .branch: "所在团支部"
            case .name: "姓名"
            case .gender: "性别"
            case .idNumber: "身份证号"
            case .ethnicity: "民族"
            case .education: "学历"
            case .politicalStatus: "政治面貌"
            case .joinedOn: "入团时间"
            case .developmentNumber: "发展团员编号"
            case .mobile: "手机号码"
            case .email: "电子邮箱"
            case .address: "现居住地"
            case .workplace: "工作单位/学校"
            case .post: "团内职务"
            }
        }
    }

    /// Sets one field from a template cell or a form field.
    public mutating func set(_ field: Field, _ value: String) {
        switch field {
        case .branch: break
        case .name: name = value
        case .gender: gender = value
        case .idNumber: idNumber = value
        case .ethnicity: ethnicity = value
        case .education: education = value
        case .politicalStatus: politicalStatus = value
        case .joinedOn: joinedOn = value
        case .developmentNumber: developmentNumber = value
        case .mobile: mobile = value
        case .email: email = value
        case .address: address = value
        case .workplace: workplace = value
        case .post: post = value
        }
    }
}

/// Why a draft cannot be entered. The error catalogue gives each its Chinese reason.
public enum MemberDraftProblem: Sendable, Equatable {
    case required(MemberDraft.Field)
    /// A field too long or with invisible characters.
    case invalidText(MemberDraft.Field, FreeTextProblem)
    /// MEM-1.
    case invalidIDNumber(IDNumber.Invalid)
    /// The gender typed is not the one the ID number carries.
    case genderMismatch(idNumberGender: Gender)
    case unknownGender
    case unknownEthnicity
    case unknownEducation
    case unknownPoliticalStatus
    case unknownPost
    case invalidJoinDate
    case invalidDevelopmentNumber
    case invalidMobile
    case invalidEmail
    /// MEM-3, MEM-4, ORG-7 and the join date's own bounds.
    case membership(MembershipRules.Violation)
    /// MEM-4: the number belongs to someone else; `branchName` is whom to contact (never
    /// their ID number).
    case developmentNumberTaken(branchName: String)
    /// MEM-5: the person is already a member, of this branch or another.
    case alreadyMember(branchName: String)
    /// An edit would give the person an ID number another person already has.
    case idNumberTaken
}

/// Every reason a draft was refused, in field order.
public struct MemberDraftRejection: Error, Sendable, Equatable {
    public let problems: [MemberDraftProblem]
    public init(_ problems: [MemberDraftProblem]) { self.problems = problems }
}

/// A draft that passed every rule the domain can check alone.
public struct MemberEntry: Sendable, Equatable {
    public let name: String
    public let idNumber: IDNumber
    public let ethnicity: String
    public let education: String
    public let politicalStatus: String
    public let joinedOn: CivilDate
    public let developmentNumber: DevelopmentNumber?
    public let mobile: String
    public let email: String?
    public let address: String?
    public let workplace: String?
    public let post: CadrePostTitle?

    public var gender: Gender { idNumber.gender }
    public var profile: PersonProfile {
        PersonProfile(
            ethnicity: ethnicity, education: education, politicalStatus: politicalStatus, mobile: mobile, email: email,
            address: address, workplace: workplace)
    }
}

/// The personal fields beyond name, gender and ID number (MEM-10: the member edits these).
public struct PersonProfile: Sendable, Equatable, Codable {
    public var ethnicity: String?
    public var education: String?
    public var politicalStatus: String?
    public var mobile: String?
    public var email: String?
    public var address: String?
    public var workplace: String?

    public init(
        ethnicity: String? = nil, education: String? = nil, politicalStatus: String? = nil, mobile: String? = nil,
        email: String? = nil, address: String? = nil, workplace: String? = nil
    ) {
        self.ethnicity = ethnicity
        self.education = education
        self.politicalStatus = politicalStatus
        self.mobile = mobile
        self.email = email
        self.address = address
        self.workplace = workplace
    }
}

/// The choice lists of the form and the templates.
public enum MemberVocabulary {
    /// 民族: the 56 ethnic groups, then the two entries the identity card allows besides.
    public static let ethnicities = [
        "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族",
        "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族",
        "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族",
        "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
        "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族", "穿青人", "其他",
    ]
    /// 学历, highest first.
    public static let educations = [
        "博士研究生", "硕士研究生", "大学本科", "大学专科", "中等专科", "职业高中", "技工学校", "普通高中", "初中", "小学", "其他",
    ]
    /// 政治面貌 of a league member.
    public static let politicalStatuses = ["共青团员", "中共预备党员", "中共党员"]
    public static let defaultPoliticalStatus = "共青团员"
}

extension MemberDraft {
    /// Checks every field and every rule a new member's record must satisfy, and returns the
    /// typed entry, or every reason it fails. Uniqueness (MEM-4's number, MEM-5's one branch)
    /// needs the store and is added by the workflow to the same list.
    public func validated(branchCategory: OrgCategory, today: CivilDate) throws(MemberDraftRejection) -> MemberEntry {
        var problems: [MemberDraftProblem] = []
        func text(_ value: String, _ field: MemberDraft.Field, as kind: FreeTextField) -> String {
            do { return try FreeText.checked(value, as: kind) } catch {
                problems.append(.invalidText(field, error))
                return ""
            }
        }
        func optional(_ value: String, _ field: MemberDraft.Field) -> String? {
            let v = text(value, field, as: .topic)
            return v.isEmpty ? nil : v
        }
        let name = text(self.name, .name, as: .name)
        if name.isEmpty, !problems.contains(where: { if case .invalidText(.name, _) = $0 { true } else { false } }) {
            problems.append(.required(.name))
        }
        if !branchCategory.holdsMembers { problems.append(.membership(.notABranch(branchCategory))) }

        let gender = Self.gender(self.gender)
        if self.gender.trimmingWhitespace().isEmpty { problems.append(.required(.gender)) } else if gender == nil { problems.append(.unknownGender) }

        var idNumber: IDNumber?
        let rawID = self.idNumber.trimmingWhitespace()
        if rawID.isEmpty {
            problems.append(.required(.idNumber))
        } else {
            do { idNumber = try IDNumber(rawID, today: today) } catch { problems.append(.invalidIDNumber(error)) }
        }
        if let idNumber, let gender, idNumber.gender != gender { problems.append(.genderMismatch(idNumberGender: idNumber.gender)) }

        let ethnicity = self.ethnicity.trimmingWhitespace()
        if ethnicity.isEmpty { problems.append(.required(.ethnicity)) } else if !MemberVocabulary.ethnicities.contains(ethnicity) {
            problems.append(.unknownEthnicity)
        }
        let education = self.education.trimmingWhitespace()
        if education.isEmpty { problems.append(.required(.education)) } else if !MemberVocabulary.educations.contains(education) {
            problems.append(.unknownEducation)
        }
        var political = self.politicalStatus.trimmingWhitespace()
        if political.isEmpty { political = MemberVocabulary.defaultPoliticalStatus }
        if !MemberVocabulary.politicalStatuses.contains(political) { problems.append(.unknownPoliticalStatus) }

        var joinedOn: CivilDate?
        let rawJoined = self.joinedOn.trimmingWhitespace()
        if rawJoined.isEmpty { problems.append(.required(.joinedOn)) } else if let date = Self.date(rawJoined) { joinedOn = date } else {
            problems.append(.invalidJoinDate)
        }

        var number: DevelopmentNumber?
        let rawNumber = developmentNumber.trimmingWhitespace()
        if !rawNumber.isEmpty {
            if let n = DevelopmentNumber(rawNumber) { number = n } else { problems.append(.invalidDevelopmentNumber) }
        }
        if let idNumber, let joinedOn {
            for violation in MembershipRules.violations(
                idNumber: idNumber, joinedOn: joinedOn, developmentNumber: number, numberGiven: !rawNumber.isEmpty, today: today)
            {
                problems.append(.membership(violation))
            }
        }

        let mobile = self.mobile.trimmingWhitespace()
        if mobile.isEmpty { problems.append(.required(.mobile)) } else if !Self.isMobile(mobile) { problems.append(.invalidMobile) }
        let email = optional(self.email, .email)
        if let email, !Self.isEmail(email) { problems.append(.invalidEmail) }
        let address = optional(self.address, .address)
        let workplace = optional(self.workplace, .workplace)
        var post: CadrePostTitle?
        let rawPost = self.post.trimmingWhitespace()
        if !rawPost.isEmpty {
            if let p = CadrePostTitle(title: rawPost) { post = p } else { problems.append(.unknownPost) }
        }

        guard problems.isEmpty, let idNumber, let joinedOn else { throw MemberDraftRejection(problems) }
        return MemberEntry(
            name: name, idNumber: idNumber, ethnicity: ethnicity, education: education, politicalStatus: political,
            joinedOn: joinedOn, developmentNumber: number, mobile: mobile, email: email, address: address, workplace: workplace,
            post: post)
    }

    /// 男/女, or the API's `male`/`female`.
    public static func gender(_ raw: String) -> Gender? {
        switch raw.trimmingWhitespace() {
        case "男", "male", "男性": .male
        case "女", "female", "女性": .female
        default: nil
        }
    }

    /// `YYYY-MM-DD`, also `YYYY/MM/DD` and `YYYY.MM.DD` with one-digit months and days, as
    /// people type them into a spreadsheet.
    public static func date(_ raw: String) -> CivilDate? {
        let parts = raw.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." })
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        return CivilDate(year: y, month: m, day: d)
    }

    /// 11 digits starting with 1 (a mainland mobile number).
    public static func isMobile(_ raw: String) -> Bool {
        let bytes = Array(raw.utf8)
        return bytes.count == 11 && bytes[0] == UInt8(ascii: "1") && bytes.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    static func isEmail(_ raw: String) -> Bool {
        let parts = raw.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && raw.utf8.count <= 100
            && !raw.contains(where: { $0.isWhitespace })
    }
}

extension MembershipRules {
    /// MEM-3 and MEM-4 (the number's presence and year) and the join date's bounds, every
    /// violation at once. `numberGiven` is true when a number was typed but did not parse: its
    /// absence is then already reported as malformed, not as missing.
    public static func violations(
        idNumber: IDNumber, joinedOn: CivilDate, developmentNumber: DevelopmentNumber?, numberGiven: Bool, today: CivilDate
    ) -> [Violation] {
        var found: [Violation] = []
        if joinedOn > today { found.append(.joinDateInFuture) }
        if joinedOn < idNumber.birthDate {
            found.append(.joinDateBeforeBirth)
        } else {
            let minimum = minimumJoinAge(joinedOn: joinedOn, xinjiang: idNumber.isXinjiang)
            let age = idNumber.birthDate.age(on: joinedOn)
            if age < minimum { found.append(.tooYoungToJoin(minimumAge: minimum, ageAtJoining: age)) }
        }
        if let number = developmentNumber {
            if number.year != joinedOn.year { found.append(.developmentNumberYearMismatch(joinYear: joinedOn.year, numberYear: number.year)) }
        } else if !numberGiven && joinedOn >= developmentNumberRequiredFrom(xinjiang: idNumber.isXinjiang) {
            found.append(.developmentNumberRequired)
        }
        return found
    }
}

/// The two bulk-entry templates of the manual (MEM-8), which are not interchangeable: each
/// carries its kind in its title cell, and the importer refuses the other kind with the
/// manual's message.
public enum MemberTemplate: String, Sendable, CaseIterable, Codable {
    /// 导入下级团支部团员团干部: members (and branch cadres) of the branches below.
    case branchMembers = "branch_members"
    /// 导入本级团干部: the org's own cadres.
    case ownCadres = "own_cadres"

    public var title: String {
        switch self {
        case .branchMembers: "下级团支部团员团干部"
        case .ownCadres: "本级团干部"
        }
    }

    public struct Column: Sendable, Equatable {
        public let field: MemberDraft.Field
        public let required: Bool
        /// Formatted as text in the template (the ID number, so Excel keeps all 18 digits;
        /// the development number and mobile for the same reason).
        public let text: Bool
        /// The header cell: the field's name, with ＊ when required.
        public var header: String { (required ? "*" : "") + field.chineseName }
    }

    /// The columns in sheet order.
    public var columns: [Column] {
        func c(_ f: MemberDraft.Field, _ required: Bool, text: Bool = false) -> Column { Column(field: f, required: required, text: text) }
        let person = [
            c(.name, true), c(.gender, true), c(.idNumber, true, text: true), c(.ethnicity, true), c(.education, true),
            c(.politicalStatus, false), c(.joinedOn, true), c(.developmentNumber, false, text: true), c(.mobile, true, text: true),
        ]
        switch self {
        case .branchMembers:
            return [c(.branch, true)] + person + [c(.post, false), c(.email, false), c(.address, false), c(.workplace, false)]
        case .ownCadres:
            return person + [c(.post, true), c(.email, false), c(.workplace, false)]
        }
    }

    /// MEM-8: the manual's message when one template is uploaded in place of the other.
    public static let mixedTemplatesMessage =
        "您上传的 excel 表格错误，‘导入本级团干部’和‘导入下级团支部团员团干部’中所下载的模板不可混用，请重新上传正确的表格"
}

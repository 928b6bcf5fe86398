/// One field's value before and after a change, as the audit records it (MEM-2: "every change
/// audited with before and after values").
public struct FieldChange: Sendable, Equatable, Codable {
    public let field: MemberDraft.Field
    public let before: String?
    public let after: String?

    public init(field: MemberDraft.Field, before: String?, after: String?) {
        self.field = field
        self.before = before
        self.after = after
    }
}

/// A member's record as it stands, the input of a change.
public struct MemberSnapshot: Sendable, Equatable {
    public let name: String
    public let idNumber: IDNumber
    public let joinedOn: CivilDate
    public let developmentNumber: DevelopmentNumber?
    public let profile: PersonProfile

    public init(name: String, idNumber: IDNumber, joinedOn: CivilDate, developmentNumber: DevelopmentNumber?, profile: PersonProfile) {
        self.name = name
        self.idNumber = idNumber
        self.joinedOn = joinedOn
        self.developmentNumber = developmentNumber
        self.profile = profile
    }
}

/// A requested edit of a member's record (`PATCH /api/v1/members/{id}`): nil leaves a field
/// as it is, "" clears an optional one.
public struct MemberProfileEdit: Sendable, Equatable, Codable {
    public var name: String?
    public var gender: String?
    public var idNumber: String?
    public var developmentNumber: String?
    public var ethnicity: String?
    public var education: String?
    public var politicalStatus: String?
    public var mobile: String?
    public var email: String?
    public var address: String?
    public var workplace: String?

    public init(
        name: String? = nil, gender: String? = nil, idNumber: String? = nil, developmentNumber: String? = nil,
        ethnicity: String? = nil, education: String? = nil, politicalStatus: String? = nil, mobile: String? = nil,
        email: String? = nil, address: String? = nil, workplace: String? = nil
    ) {
        self.name = name
        self.gender = gender
        self.idNumber = idNumber
        self.developmentNumber = developmentNumber
        self.ethnicity = ethnicity
        self.education = education
        self.politicalStatus = politicalStatus
        self.mobile = mobile
        self.email = email
        self.address = address
        self.workplace = workplace
    }

    /// The fields of an edit that only the provincial committee may make (MEM-2).
    public static let identityFields: Set<MemberDraft.Field> = [.name, .gender, .idNumber]

    /// The edit with every unchanged field left out, so that a form posting the whole record
    /// back does not look like an attempt to change the name (MEM-2, MEM-10).
    public func onlyChanges(from current: MemberSnapshot) -> MemberProfileEdit {
        var edit = self
        func same(_ value: String?, _ now: String?) -> Bool {
            guard let value else { return true }
            return value.trimmingWhitespace() == (now ?? "")
        }
        if same(name, current.name) { edit.name = nil }
        if let g = gender, MemberDraft.gender(g) == current.idNumber.gender { edit.gender = nil }
        if let id = idNumber, id.trimmingWhitespace().uppercased() == current.idNumber.value { edit.idNumber = nil }
        if same(developmentNumber, current.developmentNumber?.value) { edit.developmentNumber = nil }
        let p = current.profile
        if same(ethnicity, p.ethnicity) { edit.ethnicity = nil }
        if same(education, p.education) { edit.education = nil }
        if same(politicalStatus, p.politicalStatus) { edit.politicalStatus = nil }
        if same(mobile, p.mobile) { edit.mobile = nil }
        if same(email, p.email) { edit.email = nil }
        if same(address, p.address) { edit.address = nil }
        if same(workplace, p.workplace) { edit.workplace = nil }
        return edit
    }

    /// The fields this edit touches.
    public var fields: Set<MemberDraft.Field> {
        var f: Set<MemberDraft.Field> = []
        if name != nil { f.insert(.name) }
        if gender != nil { f.insert(.gender) }
        if idNumber != nil { f.insert(.idNumber) }
        if developmentNumber != nil { f.insert(.developmentNumber) }
        if ethnicity != nil { f.insert(.ethnicity) }
        if education != nil { f.insert(.education) }
        if politicalStatus != nil { f.insert(.politicalStatus) }
        if mobile != nil { f.insert(.mobile) }
        if email != nil { f.insert(.email) }
        if address != nil { f.insert(.address) }
        if workplace != nil { f.insert(.workplace) }
        return f
    }

    public var touchesIdentity: Bool { !fields.isDisjoint(with: Self.identityFields) }

    /// The record after the edit, or every reason it is refused: the same field rules as a new
    /// entry (MEM-1, MEM-3, MEM-4 against the join date that stays).
    public func applied(to current: MemberSnapshot, today: CivilDate) throws(MemberDraftRejection) -> (MemberSnapshot, [FieldChange]) {
        var problems: [MemberDraftProblem] = []
        var changes: [FieldChange] = []

        var name = current.name
        if let raw = self.name {
            do {
                let v = try FreeText.checked(raw, as: .name)
                if v.isEmpty { problems.append(.required(.name)) } else { name = v }
            } catch { problems.append(.invalidText(.name, error)) }
        }
        var idNumber = current.idNumber
        if let raw = self.idNumber {
            do { idNumber = try IDNumber(raw.trimmingWhitespace(), today: today) } catch {
                problems.append(raw.trimmingWhitespace().isEmpty ? .required(.idNumber) : .invalidIDNumber(error))
            }
        }
        if let raw = gender {
            if let g = MemberDraft.gender(raw) {
                if g != idNumber.gender { problems.append(.genderMismatch(idNumberGender: idNumber.gender)) }
            } else {
                problems.append(.unknownGender)
            }
        }
        var number = current.developmentNumber
        var numberGiven = false
        if let raw = developmentNumber {
            let v = raw.trimmingWhitespace()
            if v.isEmpty { number = nil } else if let n = DevelopmentNumber(v) { number = n } else {
                numberGiven = true
                problems.append(.invalidDevelopmentNumber)
            }
        }
        if self.idNumber != nil || developmentNumber != nil {
            // Today's bound is not re-checked: the join date is not edited here.
            for v in MembershipRules.violations(
                idNumber: idNumber, joinedOn: current.joinedOn, developmentNumber: number, numberGiven: numberGiven,
                today: max(today, current.joinedOn)) {
                problems.append(.membership(v))
            }
        }

        var profile = current.profile
        func choice(_ raw: String?, _ field: MemberDraft.Field, _ list: [String], _ unknown: MemberDraftProblem, _ keyPath: WritableKeyPath<PersonProfile, String?>) {
            guard let raw else { return }
            let v = raw.trimmingWhitespace()
            if v.isEmpty { problems.append(.required(field)) } else if !list.contains(v) { problems.append(unknown) } else { profile[keyPath: keyPath] = v }
        }
        choice(ethnicity, .ethnicity, MemberVocabulary.ethnicities, .unknownEthnicity, \.ethnicity)
        choice(education, .education, MemberVocabulary.educations, .unknownEducation, \.education)
        choice(politicalStatus, .politicalStatus, MemberVocabulary.politicalStatuses, .unknownPoliticalStatus, \.politicalStatus)
        if let raw = mobile {
            let v = raw.trimmingWhitespace()
            if v.isEmpty { problems.append(.required(.mobile)) } else if !MemberDraft.isMobile(v) { problems.append(.invalidMobile) } else { profile.mobile = v }
        }
        func free(_ raw: String?, _ field: MemberDraft.Field, _ keyPath: WritableKeyPath<PersonProfile, String?>) {
            guard let raw else { return }
            do {
                let v = try FreeText.checked(raw, as: .topic)
                if field == .email, !v.isEmpty, !MemberDraft.isEmail(v) { problems.append(.invalidEmail); return }
                profile[keyPath: keyPath] = v.isEmpty ? nil : v
            } catch { problems.append(.invalidText(field, error)) }
        }
        free(email, .email, \.email)
        free(address, .address, \.address)
        free(workplace, .workplace, \.workplace)
        if !problems.isEmpty { throw MemberDraftRejection(problems) }

        func note(_ field: MemberDraft.Field, _ before: String?, _ after: String?) {
            if before != after { changes.append(FieldChange(field: field, before: before, after: after)) }
        }
        note(.name, current.name, name)
        note(.gender, current.idNumber.gender.chineseName, idNumber.gender.chineseName)
        note(.idNumber, current.idNumber.value, idNumber.value)
        note(.developmentNumber, current.developmentNumber?.value, number?.value)
        let p = current.profile
        note(.ethnicity, p.ethnicity, profile.ethnicity)
        note(.education, p.education, profile.education)
        note(.politicalStatus, p.politicalStatus, profile.politicalStatus)
        note(.mobile, p.mobile, profile.mobile)
        note(.email, p.email, profile.email)
        note(.address, p.address, profile.address)
        note(.workplace, p.workplace, profile.workplace)
        let next = MemberSnapshot(name: name, idNumber: idNumber, joinedOn: current.joinedOn, developmentNumber: number, profile: profile)
        return (next, changes)
    }
}

/// MEM-6: removing a member is a top-level act that names the person twice, by name and ID
/// number as typed, and says why. The record is kept, marked removed.
public enum MemberRemoval {
    public enum Problem: Sendable, Equatable {
        case nameMismatch
        case idNumberMismatch
        case reasonRequired
        case invalidReason(FreeTextProblem)
    }

    public struct Refused: Error, Sendable, Equatable {
        public let problems: [Problem]
        public init(_ problems: [Problem]) { self.problems = problems }
    }

    /// The trimmed reason when the typed name and ID number are the record's; every problem
    /// otherwise.
    public static func confirm(name typedName: String, idNumber typedID: String, reason: String, of member: Member) throws(Refused) -> String {
        var problems: [Problem] = []
        if typedName.trimmingWhitespace() != member.name { problems.append(.nameMismatch) }
        if typedID.trimmingWhitespace().uppercased() != member.idNumber.value { problems.append(.idNumberMismatch) }
        var trimmed = ""
        do {
            trimmed = try FreeText.checked(reason, as: .reason)
            if trimmed.isEmpty { problems.append(.reasonRequired) }
        } catch { problems.append(.invalidReason(error)) }
        if !problems.isEmpty { throw Refused(problems) }
        return trimmed
    }
}

extension MembershipRules {
    /// MEM-7: "年满二十八周岁，没有在团内担任职务，不再保留团籍".
    public static let membershipEndsAtAge = 28

    /// Membership has ended by age: 28 or older on `today` and holding no league post.
    public static func isOverAge(birthDate: CivilDate, today: CivilDate, holdsLeaguePost: Bool) -> Bool {
        !holdsLeaguePost && birthDate.age(on: today) >= membershipEndsAtAge
    }

    /// The latest birth date of someone who is 28 on `today`: born on or before it means 28 or
    /// older, the same test as `isOverAge` for a query (a 02-29 birthday counts from 03-01).
    public static func overAgeBirthCutoff(today: CivilDate) -> CivilDate {
        let year = today.year - membershipEndsAtAge
        return CivilDate(year: year, month: today.month, day: today.day)
            ?? CivilDate(year: year, month: today.month, day: today.day - 1)!
    }
}

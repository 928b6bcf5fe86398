/// One-time codes (ADM-1 registration codes, ADM-5 password-reset codes): 8 case-sensitive
/// letters and digits.
public struct OneTimeCode: Hashable, Sendable, CustomStringConvertible {
    /// Letters of both cases and digits: 62^8 ≈ 2·10^14 codes, so guessing one within the
    /// throttle's bounds is hopeless.
    public static let alphabet: [Character] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    public static let length = 8

    public let value: String

    /// A typed code: surrounding whitespace is forgiven, case is not (ADM-1 "case-sensitive").
    public init?(_ raw: String) {
        let v = raw.trimmingWhitespace()
        guard v.count == Self.length, v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        value = v
    }

    init(unchecked value: String) { self.value = value }

    /// A fresh code drawn uniformly from `alphabet` with `generator`.
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> OneTimeCode {
        OneTimeCode(unchecked: String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }))
    }

    /// A fresh code from the operating system's cryptographic source (`SystemRandomNumberGenerator`
    /// reads getrandom/arc4random), never from a seeded generator.
    public static func generate() -> OneTimeCode {
        var system = SystemRandomNumberGenerator()
        return generate(using: &system)
    }

    /// Never the code itself: it is a credential.
    public var description: String { "********" }
}

/// What a one-time code is for, and how long it lasts.
public enum OneTimeCodePurpose: String, Sendable, CaseIterable {
    /// ADM-1: valid 20 days.
    case adminRegistration = "admin_registration"
    /// ADM-5 (decided): valid 48 hours.
    case passwordReset = "password_reset"

    public var validitySeconds: Int64 {
        switch self {
        case .adminRegistration: 20 * 24 * 3600
        case .passwordReset: 48 * 3600
        }
    }
}

/// Why a presented code opens nothing.
public enum CodeRefusal: Error, Sendable, Equatable {
    /// No current code matches, or the code belongs to another org or account: one case, so the
    /// answer never tells whether someone else's code exists.
    case wrong
    case expired
    case used
    /// A newer code for the same org or account was generated (only the latest is valid).
    case superseded
}

/// A code as issued and stored: what redeeming it depends on. Times are milliseconds since
/// the epoch, so the rule needs no clock of its own.
public struct IssuedCode: Sendable, Equatable {
    public let issuedAt: Int64
    public let expiresAt: Int64
    public let superseded: Bool
    public let used: Bool

    public init(issuedAt: Int64, expiresAt: Int64, superseded: Bool, used: Bool) {
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.superseded = superseded
        self.used = used
    }

    /// The expiry of a code issued at `now` for `purpose`.
    public static func expiry(issuedAt now: Int64, for purpose: OneTimeCodePurpose) -> Int64 {
        now + purpose.validitySeconds * 1000
    }

    /// ADM-1 / ADM-5: usable once, until it expires, and only while it is the latest. Used
    /// outranks superseded outranks expired, so the person hears the most useful reason.
    public static func redeemable(_ code: IssuedCode?, now: Int64) throws(CodeRefusal) {
        guard let code else { throw .wrong }
        if code.used { throw .used }
        if code.superseded { throw .superseded }
        if now >= code.expiresAt { throw .expired }
    }
}

/// ADM-6: the initial password of an account created for a member is the last 8 characters of
/// the ID number, and it must be changed at first login (`mustChangePassword`).
public func initialPassword(for idNumber: IDNumber) -> String { idNumber.initialPassword }

/// The admin slots of one org (ADM-3): at most two, each held by a cadre of the org. Slots
/// are what the schema's partial unique index counts, so an appointment names its slot.
public struct AdminRoster: Sendable, Equatable {
    public let orgID: OrgID
    /// Active appointments, by slot (1 or 2).
    public private(set) var slots: [Int: PersonID]

    public init(orgID: OrgID, slots: [Int: PersonID]) {
        self.orgID = orgID
        self.slots = slots
    }

    public enum Refusal: Error, Sendable, Equatable {
        /// ADM-3: the person holds no post in the org.
        case notACadre
        case alreadyAdmin
        /// ADM-3: two admins already.
        case full
        /// The admin to be replaced is not an admin of the org.
        case notAnAdmin
    }

    public var admins: [PersonID] { slots.keys.sorted().compactMap { slots[$0] } }

    /// Adds `person` in the first free slot and returns it.
    public mutating func appoint(_ person: PersonID, isCadre: Bool) throws(Refusal) -> Int {
        guard isCadre else { throw .notACadre }
        if slots.values.contains(person) { throw .alreadyAdmin }
        guard let free = (1...OrgAdmins.maximum).first(where: { slots[$0] == nil }) else { throw .full }
        slots[free] = person
        return free
    }

    /// Puts `person` in the slot `old` held and returns it; `old` loses admin rights.
    public mutating func replace(_ old: PersonID, with person: PersonID, isCadre: Bool) throws(Refusal) -> Int {
        guard let slot = slots.first(where: { $0.value == old })?.key else { throw .notAnAdmin }
        guard isCadre else { throw .notACadre }
        if slots.values.contains(person) { throw .alreadyAdmin }
        slots[slot] = person
        return slot
    }

    /// Ends `person`'s appointment and returns the slot it freed.
    public mutating func revoke(_ person: PersonID) throws(Refusal) -> Int {
        guard let slot = slots.first(where: { $0.value == person })?.key else { throw .notAnAdmin }
        slots[slot] = nil
        return slot
    }
}

/// What an admin change does to an org's roster.
public enum AdminChange: Sendable, Equatable {
    case add(PersonID)
    case replace(PersonID, with: PersonID)
    case revoke(PersonID)

    /// The person who becomes admin, if any.
    public var appointee: PersonID? {
        switch self {
        case .add(let p), .replace(_, with: let p): p
        case .revoke: nil
        }
    }

    /// Applies the change to `roster`; `isCadre` says whether the appointee holds a post in the org.
    public func apply(to roster: inout AdminRoster, appointeeIsCadre isCadre: Bool) throws(AdminRoster.Refusal) -> Int {
        switch self {
        case .add(let p): try roster.appoint(p, isCadre: isCadre)
        case .replace(let old, let new): try roster.replace(old, with: new, isCadre: isCadre)
        case .revoke(let p): try roster.revoke(p)
        }
    }
}

/// ADM-4: how a change of an org's admins takes effect, decided by who asks. Whether the
/// actor may ask at all is `authorize(_, .manageAdmins, _)`'s decision.
public enum AdminChangeRoute: Sendable, Equatable {
    /// The direct parent's admin (or the tree's root, which has no parent): at once.
    case immediate
    /// An admin of the org itself: a request that waits for the parent's admins.
    case needsApproval(parent: OrgID)

    public static func route(for actor: Actor, changing org: OrgPlacement) -> AdminChangeRoute {
        guard let parent = org.parentID else { return .immediate }
        return actor.isAdmin(of: parent) ? .immediate : .needsApproval(parent: parent)
    }
}

/// The admin-change request (ADM-4, operation-centre type 管理员变更) as a state machine in the
/// swift-nio style: `apply` returns the next state and what the caller must do, or a refusal.
public enum AdminChangeRequestState: Sendable, Equatable {
    case pending
    case approved
    case rejected(reason: String)

    public enum Event: Sendable, Equatable {
        case approve
        case reject(reason: String)
    }

    public enum Effect: Sendable, Equatable {
        /// Apply the change to the roster (in the same transaction as the decision).
        case applyChange
        /// End the sessions' admin rights of whoever lost them.
        case refreshSessions
        case audit
    }

    public enum Refusal: Error, Sendable, Equatable {
        /// Already decided (by another admin of the parent, or earlier).
        case notPending
        case reasonRequired
    }

    public var code: String {
        switch self {
        case .pending: "pending"
        case .approved: "approved"
        case .rejected: "rejected"
        }
    }

    public func apply(_ event: Event) throws(Refusal) -> (AdminChangeRequestState, [Effect]) {
        guard self == .pending else { throw .notPending }
        switch event {
        case .approve:
            return (.approved, [.applyChange, .refreshSessions, .audit])
        case .reject(let reason):
            let trimmed = reason.trimmingWhitespace()
            guard !trimmed.isEmpty else { throw .reasonRequired }
            return (.rejected(reason: trimmed), [.audit])
        }
    }
}

/// ADM-2: the personal data a registrant gives, checked as a whole so every reason comes back
/// at once (the bulk importer and the form both show them all).
public struct AdminRegistrationDraft: Sendable, Equatable {
    public var name: String
    public var gender: Gender?
    public var idNumber: String
    public var joinedOn: String
    public var mobile: String
    public var post: String

    public init(name: String, gender: Gender?, idNumber: String, joinedOn: String, mobile: String, post: String) {
        self.name = name
        self.gender = gender
        self.idNumber = idNumber
        self.joinedOn = joinedOn
        self.mobile = mobile
        self.post = post
    }

    /// The draft once every field passed.
    public struct Checked: Sendable, Equatable {
        public let name: String
        public let idNumber: IDNumber
        public let joinedOn: CivilDate
        public let mobile: String
        public let post: String
    }

    /// A mainland mobile number: 11 digits starting with 1.
    public static func isMobile(_ raw: String) -> Bool {
        raw.count == 11 && raw.hasPrefix("1") && raw.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Every reason the draft fails, in Chinese, or the checked values. MEM-1 for the ID number,
    /// MEM-3 for the join date (as `MembershipRules` decides it).
    public func check(today: CivilDate) -> Result<Checked, ReasonList> {
        var reasons: [String] = []
        let name = name.trimmingWhitespace()
        if name.isEmpty { reasons.append("请填写姓名") } else if name.count > 50 { reasons.append("姓名不能超过50个字") }
        else if (try? FreeText.checked(name, as: .name)) == nil { reasons.append("姓名含有不可见的控制字符，请删除后重新填写") }
        var id: IDNumber?
        do {
            id = try IDNumber(idNumber, today: today)
        } catch {
            reasons.append(Self.message(error))
        }
        if let id, let gender, gender != id.gender { reasons.append("性别与身份证号不符（身份证号显示为\(id.gender.chineseName)）") }
        if gender == nil { reasons.append("请选择性别") }
        let joined = CivilDate(iso: joinedOn.trimmingWhitespace())
        if joined == nil { reasons.append("入团时间格式应为 YYYY-MM-DD") }
        if let id, let joined {
            if joined > today { reasons.append("入团时间不能晚于今天") }
            else if joined < id.birthDate { reasons.append("入团时间不能早于出生日期") }
            else {
                let minimum = MembershipRules.minimumJoinAge(joinedOn: joined, xinjiang: id.isXinjiang)
                let age = id.birthDate.age(on: joined)
                if age < minimum { reasons.append("入团时年龄须满\(minimum)周岁（按身份证号计算入团时为\(age)周岁）") }
            }
        }
        let mobile = mobile.trimmingWhitespace()
        if !Self.isMobile(mobile) { reasons.append("手机号码应为11位数字") }
        let post = post.trimmingWhitespace()
        if post.isEmpty { reasons.append("请选择团内职务") } else if post.count > 30 { reasons.append("团内职务不能超过30个字") }
        else if (try? FreeText.checked(post, as: .name)) == nil { reasons.append("团内职务含有不可见的控制字符") }
        guard reasons.isEmpty, let id, let joined else { return .failure(ReasonList(reasons)) }
        return .success(Checked(name: name, idNumber: id, joinedOn: joined, mobile: mobile, post: post))
    }

    static func message(_ invalid: IDNumber.Invalid) -> String {
        switch invalid {
        case .wrongLength: "身份证号应为18位"
        case .badCharacters: "身份证号只能由数字和末位的X组成"
        case .unknownRegion: "身份证号的地区码不正确"
        case .impossibleBirthDate, .birthDateInFuture: "身份证号中的出生日期不正确"
        case .checkDigitMismatch: "身份证号校验位不正确，请核对"
        }
    }
}

/// Every reason a draft fails, each a Chinese sentence for the person who typed it.
public struct ReasonList: Error, Sendable, Equatable {
    public let reasons: [String]
    public init(_ reasons: [String]) { self.reasons = reasons }
}

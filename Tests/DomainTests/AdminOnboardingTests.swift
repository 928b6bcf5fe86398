import Testing
@testable import Domain

@Suite("Admin onboarding rules (ADM-1 … ADM-6)")
struct AdminOnboardingTests {
    static let tree = SampleTree()
    static let day: Int64 = 24 * 3600 * 1000

    static func admin(of orgs: [Org], person: String = "p-admin", mustChange: Bool = false) -> Actor {
        Actor(
            accountID: AccountID(rawValue: "a-\(person)")!, personID: PersonID(rawValue: person)!, memberBranch: nil,
            administeredOrgs: orgs.map(OrgPlacement.init), mustChangePassword: mustChange)
    }

    static func p(_ raw: String) -> PersonID { PersonID(rawValue: raw)! }

    // MARK: ADM-1 codes

    @Test("ADM-1: a generated code is 8 letters and digits, drawn from both cases")
    func codeFormat() {
        var seen: Set<String> = []
        var sawLower = false, sawUpper = false, sawDigit = false
        for _ in 0..<500 {
            let code = OneTimeCode.generate()
            #expect(code.value.count == 8)
            #expect(code.value.allSatisfy { OneTimeCode.alphabet.contains($0) })
            #expect(OneTimeCode(code.value) == code)
            sawLower = sawLower || code.value.contains(where: \.isLowercase)
            sawUpper = sawUpper || code.value.contains(where: \.isUppercase)
            sawDigit = sawDigit || code.value.contains(where: \.isNumber)
            seen.insert(code.value)
        }
        #expect(sawLower && sawUpper && sawDigit)
        #expect(seen.count == 500, "500 draws from 62^8 codes should not repeat")
        #expect(OneTimeCode.alphabet.count == 62)
    }

    @Test("ADM-1: codes are case-sensitive, exactly 8 characters, letters and digits only")
    func codeParsing() {
        #expect(OneTimeCode("aB3dE6gH") != nil)
        #expect(OneTimeCode(" aB3dE6gH ")?.value == "aB3dE6gH")
        #expect(OneTimeCode("aB3dE6gH") != OneTimeCode("Ab3De6Gh"))
        #expect(OneTimeCode("aB3dE6g") == nil)
        #expect(OneTimeCode("aB3dE6gH9") == nil)
        #expect(OneTimeCode("aB3dE6g!") == nil)
        #expect(OneTimeCode("aB3dE6g中") == nil)
        #expect(OneTimeCode.generate().description == "********", "a code never prints itself")
    }

    @Test("ADM-1: a registration code is valid 20 days from issue, and not a moment longer")
    func registrationExpiry() throws {
        let issued: Int64 = 1_700_000_000_000
        let expires = IssuedCode.expiry(issuedAt: issued, for: .adminRegistration)
        #expect(expires - issued == 20 * Self.day)
        let code = IssuedCode(issuedAt: issued, expiresAt: expires, superseded: false, used: false)
        try IssuedCode.redeemable(code, now: expires - 1)
        #expect(throws: CodeRefusal.expired) { try IssuedCode.redeemable(code, now: expires) }
    }

    @Test("ADM-1: a code is used once; a newer code supersedes it; an unknown code is just wrong")
    func singleUseAndReplacement() {
        let fresh = IssuedCode(issuedAt: 0, expiresAt: Self.day, superseded: false, used: false)
        #expect(throws: Never.self) { try IssuedCode.redeemable(fresh, now: 1) }
        #expect(throws: CodeRefusal.used) { try IssuedCode.redeemable(IssuedCode(issuedAt: 0, expiresAt: Self.day, superseded: false, used: true), now: 1) }
        #expect(throws: CodeRefusal.superseded) {
            try IssuedCode.redeemable(IssuedCode(issuedAt: 0, expiresAt: Self.day, superseded: true, used: false), now: 1)
        }
        #expect(throws: CodeRefusal.wrong) { try IssuedCode.redeemable(nil, now: 1) }
        // Used outranks expired: the person learns the code is spent, not merely old.
        #expect(throws: CodeRefusal.used) { try IssuedCode.redeemable(IssuedCode(issuedAt: 0, expiresAt: 1, superseded: true, used: true), now: 5) }
    }

    @Test("ADM-1: only the direct parent's admin issues a sub-org's code")
    func issuingCodes() {
        let t = Self.tree
        let zongzhiAdmin = Self.admin(of: [t.zongzhi])
        #expect(authorize(zongzhiAdmin, .issueRegistrationCode, .org(OrgPlacement(t.class1))) == .allow)
        #expect(authorize(zongzhiAdmin, .issueRegistrationCode, .org(OrgPlacement(t.zongzhi))) == .deny(.outOfScope), "not for its own org")
        #expect(authorize(Self.admin(of: [t.college]), .issueRegistrationCode, .org(OrgPlacement(t.class1))) == .deny(.outOfScope), "not a grandparent")
        #expect(authorize(Self.admin(of: [t.class1]), .issueRegistrationCode, .org(OrgPlacement(t.class2))) == .deny(.unseen), "not a sibling")
        #expect(authorize(Self.admin(of: [t.zongzhi], mustChange: true), .issueRegistrationCode, .org(OrgPlacement(t.class1))) == .deny(.passwordChangeRequired))
        #expect(authorize(zongzhiAdmin, .issueRegistrationCode, .member(Self.p("p-x"), branch: OrgPlacement(t.class1))) == .deny(.notApplicable))
    }

    // MARK: ADM-2 registration data

    @Test("ADM-2: every reason a registration's data fails comes back at once")
    func everyReason() throws {
        let draft = AdminRegistrationDraft(name: " ", gender: nil, idNumber: "370211200203151230", joinedOn: "2017/05/04", mobile: "1380000", post: "")
        guard case .failure(let list) = draft.check(today: date("2026-11-25")) else { Issue.record("accepted"); return }
        #expect(list.reasons.contains("请填写姓名"))
        #expect(list.reasons.contains("身份证号校验位不正确，请核对"))
        #expect(list.reasons.contains("请选择性别"))
        #expect(list.reasons.contains("入团时间格式应为 YYYY-MM-DD"))
        #expect(list.reasons.contains("手机号码应为11位数字"))
        #expect(list.reasons.contains("请选择团内职务"))
        #expect(list.reasons.count == 6)
    }

    @Test("ADM-2 with MEM-3: the join date must satisfy the join age (13 from 2017, 12 before)")
    func joinAge() {
        let id = idNumber(born: "20040701", seq: "123")
        func reasons(_ joined: String) -> [String] {
            let draft = AdminRegistrationDraft(name: "张三", gender: id.gender, idNumber: id.value, joinedOn: joined, mobile: "13800000000", post: "书记")
            if case .failure(let list) = draft.check(today: date("2026-11-25")) { return list.reasons }
            return []
        }
        #expect(reasons("2017-06-01") == ["入团时年龄须满13周岁（按身份证号计算入团时为12周岁）"])
        #expect(reasons("2018-01-01").isEmpty)
        #expect(reasons("2016-12-31").isEmpty, "12 is enough before 2017")
        #expect(reasons("2027-01-01") == ["入团时间不能晚于今天"])
        #expect(reasons("2004-01-01") == ["入团时间不能早于出生日期"])
        let xinjiang = idNumber("650102", born: "20040701", seq: "123")
        let draft = AdminRegistrationDraft(name: "张三", gender: xinjiang.gender, idNumber: xinjiang.value, joinedOn: "2016-12-31", mobile: "13800000000", post: "书记")
        guard case .failure = draft.check(today: date("2026-11-25")) else { Issue.record("Xinjiang needs 13 always"); return }
    }

    @Test("ADM-2 with MEM-1: the gender must be the ID number's; a valid draft passes with its values")
    func genderAndSuccess() throws {
        let id = idNumber(born: "20020315", seq: "123")
        #expect(id.gender == .male)
        let wrong = AdminRegistrationDraft(name: "杨帆", gender: .female, idNumber: id.value.lowercased(), joinedOn: "2017-05-04", mobile: "13800000000", post: "书记")
        guard case .failure(let list) = wrong.check(today: date("2026-11-25")) else { Issue.record("accepted"); return }
        #expect(list.reasons == ["性别与身份证号不符（身份证号显示为男）"])
        let right = AdminRegistrationDraft(name: " 杨帆 ", gender: .male, idNumber: id.value, joinedOn: "2017-05-04", mobile: "13800000000", post: "副书记")
        let checked = try right.check(today: date("2026-11-25")).get()
        #expect(checked.name == "杨帆")
        #expect(checked.idNumber == id)
        #expect(checked.post == "副书记")
    }

    // MARK: ADM-3 roster

    @Test("ADM-3: at most two admins, each a cadre of the org")
    func roster() throws {
        var roster = AdminRoster(orgID: Self.tree.class1.id, slots: [:])
        #expect(try roster.appoint(Self.p("p-1"), isCadre: true) == 1)
        #expect(throws: AdminRoster.Refusal.alreadyAdmin) { try roster.appoint(Self.p("p-1"), isCadre: true) }
        #expect(throws: AdminRoster.Refusal.notACadre) { try roster.appoint(Self.p("p-2"), isCadre: false) }
        #expect(try roster.appoint(Self.p("p-2"), isCadre: true) == 2)
        #expect(throws: AdminRoster.Refusal.full) { try roster.appoint(Self.p("p-3"), isCadre: true) }
        #expect(roster.admins == [Self.p("p-1"), Self.p("p-2")])
    }

    @Test("ADM-3 / ADM-4: replacing keeps the slot; revoking frees it for the next appointment")
    func replaceAndRevoke() throws {
        var roster = AdminRoster(orgID: Self.tree.class1.id, slots: [1: Self.p("p-1"), 2: Self.p("p-2")])
        #expect(try AdminChange.replace(Self.p("p-1"), with: Self.p("p-3")).apply(to: &roster, appointeeIsCadre: true) == 1)
        #expect(roster.slots == [1: Self.p("p-3"), 2: Self.p("p-2")])
        #expect(throws: AdminRoster.Refusal.notAnAdmin) { try roster.replace(Self.p("p-9"), with: Self.p("p-4"), isCadre: true) }
        #expect(throws: AdminRoster.Refusal.notACadre) { try roster.replace(Self.p("p-2"), with: Self.p("p-4"), isCadre: false) }
        #expect(throws: AdminRoster.Refusal.alreadyAdmin) { try roster.replace(Self.p("p-2"), with: Self.p("p-3"), isCadre: true) }
        #expect(try AdminChange.revoke(Self.p("p-3")).apply(to: &roster, appointeeIsCadre: true) == 1)
        #expect(try roster.appoint(Self.p("p-5"), isCadre: true) == 1)
    }

    // MARK: ADM-4 changes

    @Test("ADM-4: the parent's admin changes at once; the org's own admin needs the parent's approval")
    func route() {
        let t = Self.tree
        let class1 = OrgPlacement(t.class1)
        #expect(AdminChangeRoute.route(for: Self.admin(of: [t.zongzhi]), changing: class1) == .immediate)
        #expect(AdminChangeRoute.route(for: Self.admin(of: [t.class1]), changing: class1) == .needsApproval(parent: t.zongzhi.id))
        #expect(AdminChangeRoute.route(for: Self.admin(of: [t.class1, t.zongzhi]), changing: class1) == .immediate)
        #expect(AdminChangeRoute.route(for: Self.admin(of: [t.root]), changing: OrgPlacement(t.root)) == .immediate, "the root has no parent")
        // Who may ask at all is authorize's decision.
        #expect(authorize(Self.admin(of: [t.class1]), .manageAdmins, .org(class1)) == .allow)
        #expect(authorize(Self.admin(of: [t.zongzhi]), .manageAdmins, .org(class1)) == .allow)
        #expect(authorize(Self.admin(of: [t.college]), .manageAdmins, .org(class1)) == .deny(.outOfScope))
        #expect(authorize(Self.admin(of: [t.class2]), .manageAdmins, .org(class1)) == .deny(.unseen))
        #expect(authorize(Self.admin(of: [t.zongzhi]), .decideAdminChange, .org(class1)) == .allow)
        #expect(authorize(Self.admin(of: [t.class1]), .decideAdminChange, .org(class1)) == .deny(.outOfScope), "nobody approves their own request")
    }

    @Test("ADM-4: a request is approved or rejected with a reason, once")
    func requestStateMachine() throws {
        let (approved, effects) = try AdminChangeRequestState.pending.apply(.approve)
        #expect(approved == .approved)
        #expect(effects == [.applyChange, .refreshSessions, .audit])
        let (rejected, rejectEffects) = try AdminChangeRequestState.pending.apply(.reject(reason: "  非本组织团干部 "))
        #expect(rejected == .rejected(reason: "非本组织团干部"))
        #expect(rejectEffects == [.audit])
        #expect(throws: AdminChangeRequestState.Refusal.reasonRequired) { try AdminChangeRequestState.pending.apply(.reject(reason: " ")) }
        #expect(throws: AdminChangeRequestState.Refusal.notPending) { try approved.apply(.approve) }
        #expect(throws: AdminChangeRequestState.Refusal.notPending) { try rejected.apply(.reject(reason: "x")) }
    }

    // MARK: ADM-5 / ADM-6

    @Test("ADM-5: a reset code lasts 48 hours; the person's org or its direct parent issues it")
    func resetCodes() {
        #expect(IssuedCode.expiry(issuedAt: 0, for: .passwordReset) == 2 * Self.day)
        let t = Self.tree
        let person = AccessTarget.person(Self.p("p-c1-03"), orgs: [OrgPlacement(t.class1)])
        #expect(authorize(Self.admin(of: [t.class1]), .issuePasswordReset, person) == .allow)
        #expect(authorize(Self.admin(of: [t.zongzhi]), .issuePasswordReset, person) == .allow)
        #expect(authorize(Self.admin(of: [t.college]), .issuePasswordReset, person) == .deny(.outOfScope), "not a grandparent")
        #expect(authorize(Self.admin(of: [t.class2]), .issuePasswordReset, person) == .deny(.unseen))
        // A cadre with posts in two orgs: either org's admin.
        let cadre = AccessTarget.person(Self.p("p-c1-02"), orgs: [OrgPlacement(t.class1), OrgPlacement(t.otherBranch)])
        #expect(authorize(Self.admin(of: [t.otherSchool]), .issuePasswordReset, cadre) == .allow)
        #expect(authorize(Self.admin(of: [t.class1]), .viewOrg, cadre) == .deny(.notApplicable))
    }

    @Test("ADM-6: the initial password is the ID number's last 8 characters")
    func initialPasswordRule() {
        let id = idNumber(born: "20030917", seq: "132")
        #expect(initialPassword(for: id) == String(id.value.suffix(8)))
        #expect(initialPassword(for: id).count == 8)
    }
}

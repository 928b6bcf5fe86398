import Testing
@testable import Domain

/// The member-record rules of issue 9: entry (MEM-1, MEM-3, MEM-4, ORG-7), profile edits
/// (MEM-2, MEM-10), removal (MEM-6), over age (MEM-7), the real-name batch (MEM-9), cadre
/// posts and who may do each.
@Suite("Member records")
struct MemberRecordRulesTests {
    static let today = date("2026-11-25")
    static let tree = SampleTree()

    /// A draft that passes every rule; tests break one field at a time.
    static func draft(
        id: IDNumber = idNumber(born: "20000315", seq: "121"), joined: String = "2020-05-04", number: String = "2020370200999"
    ) -> MemberDraft {
        MemberDraft(
            name: "王小明", gender: id.gender.chineseName, idNumber: id.value, ethnicity: "汉族", education: "大学本科",
            politicalStatus: "", joinedOn: joined, developmentNumber: number, mobile: "13800138000")
    }

    static func problems(_ draft: MemberDraft, category: OrgCategory = .branch) -> [MemberDraftProblem] {
        do {
            _ = try draft.validated(branchCategory: category, today: today)
            return []
        } catch { return error.problems }
    }

    @Test("MEM-1: a valid draft becomes an entry; the political status defaults to 共青团员")
    func validDraft() throws {
        let entry = try Self.draft().validated(branchCategory: .branch, today: Self.today)
        #expect(entry.name == "王小明")
        #expect(entry.politicalStatus == "共青团员")
        #expect(entry.developmentNumber?.value == "2020370200999")
        #expect(entry.joinedOn == date("2020-05-04"))
    }

    @Test("MEM-1: a wrong check digit, a bad length and an impossible birth date are each reported")
    func idNumberRules() {
        var d = Self.draft()
        let good = d.idNumber
        let last = good.last!
        d.idNumber = String(good.dropLast()) + (last == "1" ? "2" : "1")
        #expect(Self.problems(d).contains(.invalidIDNumber(.checkDigitMismatch)))
        d.idNumber = "3702112005"
        #expect(Self.problems(d).contains(.invalidIDNumber(.wrongLength)))
        d.idNumber = IDNumber.completing("37021120050230121")
        #expect(Self.problems(d).contains(.invalidIDNumber(.impossibleBirthDate)))
    }

    @Test("MEM-1: the gender typed must be the ID number's")
    func genderMustMatch() {
        var d = Self.draft()
        d.gender = "女"
        #expect(Self.problems(d) == [.genderMismatch(idNumberGender: .male)])
    }

    @Test("MEM-3: under 13 at a join from 2017 is refused, 12 suffices before 2017; Xinjiang needs 13 always")
    func joinAge() {
        // Born 2005-03-15: 12 on 2017-05-04; born 2004-03-15: 12 on 2016-05-04.
        var d = Self.draft(id: idNumber(born: "20050315", seq: "121"), joined: "2017-05-04", number: "2017370200999")
        #expect(Self.problems(d) == [.membership(.tooYoungToJoin(minimumAge: 13, ageAtJoining: 12))])
        d = Self.draft(id: idNumber(born: "20040315", seq: "121"), joined: "2016-05-04", number: "")
        #expect(Self.problems(d).isEmpty)
        let xinjiang = idNumber("650102", born: "20030315", seq: "121")
        d = Self.draft(id: xinjiang, joined: "2015-05-04", number: "")
        #expect(Self.problems(d) == [.membership(.tooYoungToJoin(minimumAge: 13, ageAtJoining: 12))])
    }

    @Test("MEM-4: the development number is required from 2017-01-01, not before")
    func numberRequiredFrom2017() {
        #expect(Self.problems(Self.draft(joined: "2017-01-01", number: "")) == [.membership(.developmentNumberRequired)])
        #expect(Self.problems(Self.draft(joined: "2016-12-31", number: "")).isEmpty)
    }

    @Test("MEM-4: in Xinjiang (ID numbers starting 65) it is required from 2016")
    func numberRequiredXinjiang2016() {
        let xinjiang = idNumber("650102", born: "20000315", seq: "121")
        #expect(Self.problems(Self.draft(id: xinjiang, joined: "2016-01-01", number: "")) == [.membership(.developmentNumberRequired)])
        #expect(Self.problems(Self.draft(id: xinjiang, joined: "2015-12-31", number: "")).isEmpty)
    }

    @Test("MEM-4: the first four digits are the join year; a malformed number is its own reason")
    func numberYear() {
        #expect(
            Self.problems(Self.draft(joined: "2020-05-04", number: "2019370200999"))
                == [.membership(.developmentNumberYearMismatch(joinYear: 2020, numberYear: 2019))])
        #expect(Self.problems(Self.draft(number: "20AB")) == [.invalidDevelopmentNumber])
    }

    @Test("ORG-7: only a branch holds members")
    func onlyBranches() {
        #expect(Self.problems(Self.draft(), category: .generalBranch) == [.membership(.notABranch(.generalBranch))])
        #expect(Self.problems(Self.draft(), category: .floatingMemberBranch).isEmpty)
    }

    @Test("MEM-1, MEM-3, MEM-4: every reason is reported at once, not only the first")
    func everyReason() {
        let d = MemberDraft(
            name: "", gender: "未知", idNumber: "123", ethnicity: "火星族", education: "", joinedOn: "2020-13-01",
            developmentNumber: "abc", mobile: "123", email: "no-at-sign", post: "队长")
        let found = Self.problems(d)
        for expected: MemberDraftProblem in [
            .required(.name), .unknownGender, .invalidIDNumber(.wrongLength), .unknownEthnicity, .required(.education),
            .invalidJoinDate, .invalidDevelopmentNumber, .invalidMobile, .invalidEmail, .unknownPost,
        ] {
            #expect(found.contains(expected), "missing \(expected)")
        }
        #expect(found.count == 10)
    }

    @Test("a date typed as a spreadsheet shows it is accepted: 2020/5/4 and 2020.05.04")
    func dateForms() {
        #expect(MemberDraft.date("2020/5/4") == date("2020-05-04"))
        #expect(MemberDraft.date("2020.05.04") == date("2020-05-04"))
        #expect(MemberDraft.date("20200504") == nil)
    }

    @Test("MEM-8: the two templates have their manual titles and different columns; the ID number column is text")
    func templates() {
        #expect(MemberTemplate.branchMembers.title == "下级团支部团员团干部")
        #expect(MemberTemplate.ownCadres.title == "本级团干部")
        #expect(MemberTemplate.branchMembers.columns.first?.field == .branch)
        #expect(!MemberTemplate.ownCadres.columns.contains { $0.field == .branch })
        #expect(MemberTemplate.ownCadres.columns.contains { $0.field == .post && $0.required })
        for template in MemberTemplate.allCases {
            #expect(template.columns.contains { $0.field == .idNumber && $0.text && $0.required })
        }
        #expect(MemberTemplate.mixedTemplatesMessage.contains("模板不可混用"))
    }

    // MARK: Profile edits

    static func snapshot() -> MemberSnapshot {
        let id = idNumber(born: "20050315", seq: "121")
        return MemberSnapshot(
            name: "王小明", idNumber: id, joinedOn: date("2020-05-04"), developmentNumber: DevelopmentNumber("2020370200999"),
            profile: PersonProfile(ethnicity: "汉族", education: "大学本科", politicalStatus: "共青团员", mobile: "13800138000"))
    }

    @Test("MEM-10: a member's edit of mobile and education is recorded field by field with before and after")
    func profileEdit() throws {
        let edit = MemberProfileEdit(education: "硕士研究生", mobile: "13900139000")
        #expect(!edit.touchesIdentity)
        let (next, changes) = try edit.applied(to: Self.snapshot(), today: Self.today)
        #expect(next.profile.mobile == "13900139000")
        #expect(changes == [
            FieldChange(field: .education, before: "大学本科", after: "硕士研究生"),
            FieldChange(field: .mobile, before: "13800138000", after: "13900139000"),
        ])
    }

    @Test("MEM-2, MEM-10: name, gender and ID number are identity fields; posting them unchanged is no change")
    func identityFields() {
        let s = Self.snapshot()
        #expect(MemberProfileEdit(name: "王大明").touchesIdentity)
        #expect(MemberProfileEdit(idNumber: "x").touchesIdentity)
        #expect(MemberProfileEdit(gender: "女").touchesIdentity)
        let resent = MemberProfileEdit(name: "王小明", gender: "男", idNumber: s.idNumber.value.lowercased(), mobile: "13900139000")
        #expect(!resent.onlyChanges(from: s).touchesIdentity)
        #expect(resent.onlyChanges(from: s).mobile == "13900139000")
    }

    @Test("MEM-2: an ID number change is checked like a new one and re-checks the join age")
    func identityChangeChecked() {
        let s = Self.snapshot()
        #expect(throws: MemberDraftRejection([.invalidIDNumber(.checkDigitMismatch)])) {
            var bad = s.idNumber.value
            bad = String(bad.dropLast()) + (bad.last == "1" ? "2" : "1")
            _ = try MemberProfileEdit(idNumber: bad).applied(to: s, today: Self.today)
        }
        // Born 2008-03-15: 12 on the 2020 join date.
        let young = idNumber(born: "20080315", seq: "121")
        #expect(throws: MemberDraftRejection([.membership(.tooYoungToJoin(minimumAge: 13, ageAtJoining: 12))])) {
            _ = try MemberProfileEdit(idNumber: young.value).applied(to: s, today: Self.today)
        }
    }

    @Test("MEM-4: the development number may be edited, but not cleared when required nor given another year")
    func developmentNumberEdit() throws {
        let s = Self.snapshot()
        let (next, _) = try MemberProfileEdit(developmentNumber: "2020370200555").applied(to: s, today: Self.today)
        #expect(next.developmentNumber?.value == "2020370200555")
        #expect(throws: MemberDraftRejection([.membership(.developmentNumberRequired)])) {
            _ = try MemberProfileEdit(developmentNumber: "").applied(to: s, today: Self.today)
        }
        #expect(throws: MemberDraftRejection([.membership(.developmentNumberYearMismatch(joinYear: 2020, numberYear: 2021))])) {
            _ = try MemberProfileEdit(developmentNumber: "2021370200555").applied(to: s, today: Self.today)
        }
    }

    // MARK: Removal

    @Test("MEM-6: removal needs the record's name and ID number typed, and a reason; every mismatch is named")
    func removal() throws {
        let id = idNumber(born: "20050315", seq: "121")
        let member = Member(
            personID: PersonID(rawValue: "p-1")!, name: "王小明", idNumber: id, branchID: Self.tree.class1.id, joinedOn: date("2020-05-04"),
            developmentNumber: nil)
        #expect(try MemberRemoval.confirm(name: " 王小明 ", idNumber: id.value.lowercased(), reason: " 重复录入 ", of: member) == "重复录入")
        #expect(throws: MemberRemoval.Refused([.nameMismatch, .idNumberMismatch, .reasonRequired])) {
            _ = try MemberRemoval.confirm(name: "王晓明", idNumber: "370211", reason: "  ", of: member)
        }
    }

    // MARK: Over age

    @Test("MEM-7: membership ends at 28 (on the 28th birthday) unless the member holds a league post")
    func overAge() {
        let born = date("1998-11-25")
        #expect(MembershipRules.isOverAge(birthDate: born, today: date("2026-11-25"), holdsLeaguePost: false))
        #expect(!MembershipRules.isOverAge(birthDate: born, today: date("2026-11-24"), holdsLeaguePost: false))
        #expect(!MembershipRules.isOverAge(birthDate: born, today: date("2026-11-25"), holdsLeaguePost: true))
    }

    @Test("MEM-7: the query's birth-date cutoff agrees with isOverAge, 29 February included")
    func overAgeCutoff() {
        for today in [date("2026-11-25"), date("2028-02-29"), date("2027-02-28"), date("2027-03-01")] {
            let cutoff = MembershipRules.overAgeBirthCutoff(today: today)
            #expect(MembershipRules.isOverAge(birthDate: cutoff, today: today, holdsLeaguePost: false), "\(today)")
            #expect(!MembershipRules.isOverAge(birthDate: cutoff.adding(days: 1), today: today, holdsLeaguePost: false), "\(today)")
        }
        // Born 2000-02-29: 28 only from 2028-02-29 on.
        #expect(!MembershipRules.isOverAge(birthDate: date("2000-02-29"), today: date("2028-02-28"), holdsLeaguePost: false))
    }

    // MARK: Real-name check

    @Test("MEM-9: the request file lists id, name and ID number under a fixed header, with a BOM")
    func requestFile() {
        let csv = IdentityCheckFile.request([(PersonID(rawValue: "p-1")!, "王,小明", "370211200503151213")])
        #expect(csv.hasPrefix("\u{FEFF}编号,姓名,公民身份号码\r\n"))
        #expect(csv.contains("p-1,\"王,小明\",370211200503151213\r\n"))
    }

    @Test("MEM-9: answers set 认证通过 / 认证不通过; malformed lines come back with their numbers and reasons")
    func answerFile() throws {
        let text = "\u{FEFF}编号,姓名,公民身份号码,核验结果,说明\r\n"
            + "p-1,王小明,37021120050315121x,一致,\n"
            + "p-2,李红,370211200503151221,不一致,姓名与号码不符\n"
            + "\n"
            + "p-3,张三,370211200503151221,待定\n"
            + "p-4,张三\n"
            + "P_5,张三,370211200503151221,一致\n"
            + "p-1,王小明,37021120050315121X,一致\n"
        let (answers, rejected) = try IdentityCheckFile.parseAnswers(Array(text.utf8))
        #expect(answers.map(\.status) == [.passed, .failed])
        #expect(answers[0].idNumber == "37021120050315121X")
        #expect(answers[1].note == "姓名与号码不符")
        #expect(rejected == [
            .init(line: 5, problem: .unknownResult("待定")), .init(line: 6, problem: .wrongFieldCount(found: 2)),
            .init(line: 7, problem: .unknownPersonID), .init(line: 8, problem: .duplicate(firstLine: 2)),
        ])
        #expect(throws: IdentityCheckFile.FileProblem.wrongHeader) { _ = try IdentityCheckFile.parseAnswers(Array("a,b,c\n".utf8)) }
        #expect(throws: IdentityCheckFile.FileProblem.notUTF8) { _ = try IdentityCheckFile.parseAnswers([0xC4, 0xE3, 0x0A]) }
        #expect(IdentityCheckStatus.allCases.map(\.chineseName) == ["未认证", "认证通过", "认证不通过"])
    }

    // MARK: Cadre posts

    @Test("cadre posts: the picker's list, and old titles such as 团支部书记 read as 书记")
    func postTitles() {
        #expect(CadrePostTitle.all.prefix(5).map(\.rawValue) == ["书记", "副书记", "组织委员", "宣传委员", "文体委员"])
        #expect(CadrePostTitle(title: "团支部书记") == .secretary)
        #expect(CadrePostTitle(title: "团总支副书记") == .deputySecretary)
        #expect(CadrePostTitle(title: "队长") == nil)
    }

    // MARK: Who may

    static func actor(_ orgs: [Org], person: String = "p-actor", member: Org? = nil) -> Actor {
        Actor(
            accountID: AccountID(rawValue: "a-\(person)")!, personID: PersonID(rawValue: person)!, memberBranch: member.map(OrgPlacement.init),
            administeredOrgs: orgs.map(OrgPlacement.init), mustChangePassword: false)
    }

    @Test("MEM-1: a branch's admin and its direct parent's enter members; the committee above does not")
    func whoEnters() {
        let t = Self.tree
        let branch = AccessTarget.org(OrgPlacement(t.class1))
        #expect(authorize(Self.actor([t.class1]), .enterMember, branch) == .allow)
        #expect(authorize(Self.actor([t.zongzhi]), .enterMember, branch) == .allow)
        #expect(authorize(Self.actor([t.college]), .enterMember, branch) == .deny(.outOfScope))
        #expect(authorize(Self.actor([t.class2]), .enterMember, branch) == .deny(.unseen))
    }

    @Test("MEM-2, MEM-10, MEM-4: the member, the branch and its parent edit the profile; only the province the identity fields")
    func whoEdits() {
        let t = Self.tree
        let person = PersonID(rawValue: "p-m")!
        let target = AccessTarget.member(person, branch: OrgPlacement(t.class1))
        let selfActor = Self.actor([], person: "p-m", member: t.class1)
        #expect(authorize(selfActor, .editMemberProfile, target) == .allow)
        #expect(authorize(selfActor, .editMemberIdentity, target) == .deny(.outOfScope))
        #expect(authorize(Self.actor([t.class1]), .editMemberProfile, target) == .allow)
        #expect(authorize(Self.actor([t.zongzhi]), .editMemberProfile, target) == .allow)
        #expect(authorize(Self.actor([t.college]), .editMemberProfile, target) == .deny(.outOfScope))
        for admin in [t.class1, t.zongzhi, t.college, t.qingdao] {
            #expect(authorize(Self.actor([admin]), .editMemberIdentity, target) == .deny(.outOfScope), "\(admin.name)")
        }
        #expect(authorize(Self.actor([t.shandong]), .editMemberIdentity, target) == .allow)
        #expect(authorize(Self.actor([t.jiangsu]), .editMemberIdentity, target) == .deny(.unseen))
    }

    @Test("MEM-6: branch admins cannot remove members; the provincial committee can")
    func whoRemoves() {
        let t = Self.tree
        let target = AccessTarget.member(PersonID(rawValue: "p-m")!, branch: OrgPlacement(t.class1))
        #expect(authorize(Self.actor([t.class1]), .removeMember, target) == .deny(.outOfScope))
        #expect(authorize(Self.actor([t.zongzhi]), .removeMember, target) == .deny(.outOfScope))
        #expect(authorize(Self.actor([t.shandong]), .removeMember, target) == .allow)
        #expect(authorize(Self.actor([t.root]), .removeMember, target) == .allow)
    }

    @Test("MEM-9: only a top-level admin runs the real-name batch, over their own subtree")
    func whoChecksIdentities() {
        let t = Self.tree
        #expect(authorize(Self.actor([t.shandong]), .checkIdentities, .org(OrgPlacement(t.shandong))) == .allow)
        #expect(authorize(Self.actor([t.shandong]), .checkIdentities, .org(OrgPlacement(t.jiangsu))) == .deny(.unseen))
        #expect(authorize(Self.actor([t.qingdao]), .checkIdentities, .org(OrgPlacement(t.qingdao))) == .deny(.outOfScope))
    }

    @Test("cadres: the org's admin changes posts, but the 书记's post only the direct parent's admin")
    func whoChangesPosts() {
        let t = Self.tree
        let branch = AccessTarget.org(OrgPlacement(t.class1))
        #expect(authorize(Self.actor([t.class1]), .manageCadres, branch) == .allow)
        #expect(authorize(Self.actor([t.class1]), .changeSecretary, branch) == .deny(.outOfScope))
        #expect(authorize(Self.actor([t.zongzhi]), .changeSecretary, branch) == .allow)
        #expect(authorize(Self.actor([t.college]), .listCadres, branch) == .allow)
        #expect(authorize(Self.actor([t.class2]), .listCadres, branch) == .deny(.unseen))
    }
}

import Testing

@testable import Domain

@Suite("Org tree administration")
struct OrgAdministrationTests {
    static let tree = SampleTree()
    static let today = date("2026-11-25")

    static func draft(_ name: String, _ category: String, industry: String? = nil, fullName: String? = nil,
                      fields: [OrgProfileField: String?] = [:]) -> SubOrgDraft {
        SubOrgDraft(shortName: name, category: category, industryCategory: industry, fullName: fullName, profileFields: fields)
    }

    static func problems(_ draft: SubOrgDraft, under parent: Org, taken: Bool = false) -> [SubOrgProblem] {
        switch draft.validated(under: parent, id: OrgID(rawValue: "onew")!, today: today, shortNameTaken: taken) {
        case .success: []
        case .failure(let rejection): rejection.problems
        }
    }

    @Test("ORG-3: short names the manual gives as examples are accepted for their category")
    func goodShortNames() {
        let good: [(String, OrgCategory)] = [
            ("团山东省委", .leadingOrgan), ("团天桥区委", .leadingOrgan),
            ("建国门街道团委", .committee), ("北控集团团委", .committee),
            ("高新区团工委", .workingCommittee),
            ("计算机学院2020级团总支", .generalBranch),
            ("大雅宝社区团支部", .branch), ("包装车间团支部", .branch), ("2017级1班团支部", .branch),
            ("计算机专业2017级3班团支部", .branch), ("建国门街道流动团员团支部", .floatingMemberBranch),
        ]
        for (name, category) in good { #expect(ShortNameRule.accepts(name, for: category), "\(name) as \(category)") }
    }

    @Test("ORG-3: wrong suffixes, missing units and two-digit entry years are refused")
    func badShortNames() {
        let bad: [(String, OrgCategory)] = [
            ("山东省团委", .leadingOrgan), ("团委", .leadingOrgan),
            ("团委", .committee), ("北控集团团支部", .committee), ("高新区团工委", .committee),
            ("团工委", .workingCommittee), ("团总支", .generalBranch),
            ("团支部", .branch), ("2017级1班", .branch), ("17级1班团支部", .branch), ("班团支部", .branch),
            ("2017级班团支部", .branch), ("包装车间团委", .branch),
        ]
        for (name, category) in bad { #expect(!ShortNameRule.accepts(name, for: category), "\(name) as \(category)") }
    }

    @Test("ORG-3: a refused short name is reported with its category, alongside every other problem")
    func everyReason() {
        let problems = Self.problems(
            Self.draft("17级1班", "branch", industry: "学校", fields: [.youthCount: "20000", .secretaryMobile: "123"]),
            under: Self.tree.zongzhi, taken: true)
        #expect(problems.contains(.shortNamePattern(.branch)))
        #expect(problems.contains(.shortNameTaken))
        #expect(problems.contains(.profile(.unknownIndustryCategory)))
        #expect(problems.contains(.profile(.outOfRange(.youthCount, maximum: 10000))))
        #expect(problems.contains(.profile(.invalidMobile)))
        #expect(problems.count == 5)
    }

    @Test("ORG-3: the full name is generated from the ancestry and may be corrected")
    func fullNames() throws {
        let t = Self.tree
        let upc = try t.qingdao.child(
            id: OrgID(rawValue: "u")!, name: "中国石油大学（华东）团委", category: .committee, fullName: "共青团中国石油大学（华东）委员会")
        #expect(OrgFullName.generated(shortName: "中国石油大学（华东）团委", category: .committee, parent: t.qingdao) == "共青团中国石油大学（华东）委员会")
        #expect(OrgFullName.generated(shortName: "计算机科学与技术学院团委", category: .committee, parent: upc) == "共青团中国石油大学（华东）计算机科学与技术学院委员会")
        #expect(OrgFullName.generated(shortName: "高新区团工委", category: .workingCommittee, parent: t.qingdao) == "共青团高新区工作委员会")
        #expect(OrgFullName.generated(shortName: "2017级1班团支部", category: .branch, parent: t.zongzhi) == t.zongzhi.fullName + "2017级1班团支部")

        guard case .success(let generated) = Self.draft("2017级1班团支部", "团支部").validated(under: t.zongzhi, id: OrgID(rawValue: "o1")!, today: Self.today)
        else { Issue.record("refused"); return }
        #expect(generated.org.fullName == generated.generatedFullName)
        guard case .success(let corrected) = Self.draft("2017级1班团支部", "branch", fullName: "  计算机学院2017级1班团支部 ")
            .validated(under: t.zongzhi, id: OrgID(rawValue: "o1")!, today: Self.today)
        else { Issue.record("refused"); return }
        #expect(corrected.org.fullName == "计算机学院2017级1班团支部")
        #expect(corrected.generatedFullName == generated.generatedFullName)
    }

    @Test("ORG-1: the upper committee of a new org is derived from its parent")
    func upperCommittee() throws {
        let t = Self.tree
        guard case .success(let branch) = Self.draft("2021级1班团支部", "branch").validated(under: t.zongzhi, id: OrgID(rawValue: "o2")!, today: Self.today),
            case .success(let committee) = Self.draft("理学院团委", "committee").validated(under: t.upc, id: OrgID(rawValue: "o3")!, today: Self.today)
        else { Issue.record("refused"); return }
        #expect(branch.org.upperCommitteeID == t.college.id)  // 团总支 does not approve: its committee does
        #expect(committee.org.upperCommitteeID == t.upc.id)
        #expect(branch.org.path == t.zongzhi.path.appending(OrgID(rawValue: "o2")!))
    }

    @Test("ORG-7: a branch has no sub-orgs; ORG-1: leading organs and special branches are not created by hand")
    func categories() {
        let t = Self.tree
        #expect(Self.problems(Self.draft("2017级1班团支部", "branch"), under: t.class1) == [.parentHoldsMembers])
        #expect(Self.problems(Self.draft("团济南市委", "leading_organ"), under: t.shandong) == [.categoryNotCreatable(.leadingOrgan)])
        #expect(Self.problems(Self.draft("毕业生团支部", "graduate_branch"), under: t.upc) == [.categoryNotCreatable(.graduateBranch)])
        #expect(Self.problems(Self.draft("理学院团委", "committee"), under: t.zongzhi) == [.categoryNotAllowed(parent: .generalBranch, child: .committee)])
        #expect(Self.problems(Self.draft("理学院团委", "no-such"), under: t.upc) == [.categoryUnknown])
        #expect(Self.problems(Self.draft("", ""), under: t.upc) == [.shortNameMissing, .categoryMissing])
        // Chinese category names are accepted as the spreadsheet writes them.
        #expect(Self.problems(Self.draft("理学院团委", "团委"), under: t.upc).isEmpty)
    }

    @Test("ORG-4: short name, full name, category and industry category cannot change; an unset industry category is set once")
    func fixedFields() {
        let org = Self.tree.class1
        #expect(org.fixedFieldChanges(shortName: "新名称团支部", fullName: nil, category: nil, industryCategory: nil, currentIndustryCategory: nil) == [.shortName])
        #expect(org.fixedFieldChanges(shortName: org.name, fullName: org.fullName, category: .branch, industryCategory: nil, currentIndustryCategory: nil).isEmpty)
        #expect(org.fixedFieldChanges(shortName: nil, fullName: "别的全称", category: .committee, industryCategory: nil, currentIndustryCategory: nil) == [.fullName, .category])
        #expect(org.fixedFieldChanges(shortName: nil, fullName: nil, category: nil, industryCategory: .some(.university), currentIndustryCategory: nil).isEmpty)
        #expect(org.fixedFieldChanges(shortName: nil, fullName: nil, category: nil, industryCategory: .some(.rural), currentIndustryCategory: .university) == [.industryCategory])
        #expect(org.fixedFieldChanges(shortName: nil, fullName: nil, category: nil, industryCategory: .some(nil), currentIndustryCategory: .university) == [.industryCategory])
        #expect(org.fixedFieldChanges(shortName: nil, fullName: nil, category: nil, industryCategory: .some(.university), currentIndustryCategory: .university).isEmpty)
    }

    @Test("ORG-5: bounds — 14–28岁青年数 ≤ 10000, 年度经推入党团员数 ≤ 1000, staffing counts ≥ 0; every problem at once")
    func profileBounds() {
        let (ok, okProblems) = OrgProfile().applying([.youthCount: "10000", .partyRecommendedCount: "1000", .administrativeStaffing: "0"])
        #expect(okProblems.isEmpty)
        #expect(ok.problems(today: Self.today).isEmpty)
        let (bad, parse) = OrgProfile().applying([
            .youthCount: "10001", .partyRecommendedCount: "1001", .administrativeStaffing: "-1", .publicServiceStaffed: "两个",
            .email: "not-an-email", .phone: "12", .secretaryIdNumber: "370211199104261105", .secretaryMobile: "2380000000",
        ])
        #expect(parse == [.notAnInteger(.publicServiceStaffed)])
        let problems = bad.problems(today: Self.today)
        #expect(problems.contains(.outOfRange(.youthCount, maximum: 10000)))
        #expect(problems.contains(.outOfRange(.partyRecommendedCount, maximum: 1000)))
        #expect(problems.contains(.outOfRange(.administrativeStaffing, maximum: 100_000)))
        #expect(problems.contains(.invalidEmail))
        #expect(problems.contains(.invalidPhone))
        #expect(problems.contains(.secretaryIdNumber(.checkDigitMismatch)))
        #expect(problems.contains(.invalidMobile))
        #expect(problems.count == 7)
    }

    @Test("ORG-5: the required fields per category follow the manual")
    func requiredFields() {
        let organ = Set(OrgProfileField.required(for: .leadingOrgan))
        let committee = Set(OrgProfileField.required(for: .committee))
        let branch = Set(OrgProfileField.required(for: .branch))
        #expect(organ.isSuperset(of: [.phone, .email, .administrativeStaffing, .publicServiceStaffed, .secretaryMobile]))
        #expect(!organ.contains(.industryCategory))
        #expect(committee == organ.subtracting([.phone, .email]).union([.industryCategory]))
        #expect(branch == [.category, .shortName, .fullName, .industryCategory, .secretaryName, .secretaryIdNumber, .secretaryMobile])
        #expect(!branch.contains(.youthCount))
    }

    @Test("ORG-8: complete when every required field is filled, the secretary's mobile included; entry needs 2 cadres or 3 members")
    func completeness() {
        let secretary = idNumber(born: "19900101").value
        var profile = OrgProfile(secretaryName: "王强", secretaryIdNumber: secretary)
        var c = OrgCompleteness.evaluate(category: .branch, industryCategory: .university, profile: profile, cadreCount: 1, memberCount: 2)
        #expect(!c.infoComplete)
        #expect(c.missing == [.secretaryMobile])
        #expect(!c.entryComplete)
        profile.secretaryMobile = "13800000000"
        c = OrgCompleteness.evaluate(category: .branch, industryCategory: .university, profile: profile, cadreCount: 0, memberCount: 3)
        #expect(c.infoComplete)
        #expect(c.entryComplete)
        #expect(OrgCompleteness.evaluate(category: .branch, industryCategory: nil, profile: profile, cadreCount: 0, memberCount: 3).missing == [.industryCategory])
        let committee = OrgCompleteness.evaluate(category: .committee, industryCategory: .university, profile: profile, cadreCount: 2, memberCount: 0)
        #expect(committee.missing == [.administrativeStaffing, .administrativeStaffed, .publicServiceStaffing, .publicServiceStaffed])
        #expect(committee.entryComplete)
        #expect(!OrgCompleteness.evaluate(category: .generalBranch, industryCategory: .university, profile: profile, cadreCount: 1, memberCount: 0).entryComplete)
    }

    @Test("ORG-10: a sub-org is deleted only without admins, members and sub-orgs; leading organs never")
    func deletion() {
        #expect(OrgDeletion.problems(category: .branch, admins: 0, members: 0, subOrgs: 0).isEmpty)
        #expect(OrgDeletion.problems(category: .branch, admins: 1, members: 3, subOrgs: 0) == [.hasAdmins(1), .hasMembers(3)])
        #expect(OrgDeletion.problems(category: .generalBranch, admins: 0, members: 0, subOrgs: 2) == [.hasSubOrgs(2)])
        #expect(OrgDeletion.problems(category: .leadingOrgan, admins: 0, members: 0, subOrgs: 0) == [.leadingOrgan])
    }

    @Test("ORG-11: the first four industry categories are the school domain")
    func schoolDomain() {
        #expect(IndustryCategory.allCases.filter(\.isSchoolDomain) == [.university, .vocationalSchool, .highSchool, .middleSchool])
        #expect(IndustryCategory.allCases.map(\.rawValue) == [
            "普通高等学校", "中等职业学校", "普通高中", "初中", "机关", "事业单位", "国有企业", "非公企业", "农村", "城市社区", "社会组织", "其他",
        ])
    }

    @Test("ORG-1, ORG-10, ORG-5, ORG-9: who creates, deletes, fills in and supervises")
    func authorization() {
        let t = Self.tree
        func admin(of orgs: Org...) -> Actor {
            Actor(
                accountID: AccountID(rawValue: "a")!, personID: PersonID(rawValue: "p")!, memberBranch: nil,
                administeredOrgs: orgs.map(OrgPlacement.init), mustChangePassword: false)
        }
        let college = admin(of: t.college)
        let zongzhi = admin(of: t.zongzhi)
        #expect(authorize(zongzhi, .createSubOrg, .org(OrgPlacement(t.zongzhi))) == .allow)
        #expect(authorize(college, .createSubOrg, .org(OrgPlacement(t.zongzhi))) == .deny(.outOfScope))  // one level at a time
        #expect(authorize(zongzhi, .deleteOrg, .org(OrgPlacement(t.class1))) == .allow)
        #expect(authorize(college, .deleteOrg, .org(OrgPlacement(t.class1))) == .deny(.outOfScope))
        #expect(authorize(zongzhi, .deleteOrg, .org(OrgPlacement(t.zongzhi))) == .deny(.outOfScope))
        #expect(authorize(zongzhi, .editOrgProfile, .org(OrgPlacement(t.zongzhi))) == .allow)
        #expect(authorize(zongzhi, .editOrgProfile, .org(OrgPlacement(t.class1))) == .deny(.outOfScope))
        #expect(authorize(zongzhi, .viewOrgProfileIdentity, .org(OrgPlacement(t.class1))) == .allow)
        #expect(authorize(college, .viewOrgProfileIdentity, .org(OrgPlacement(t.class1))) == .deny(.outOfScope))
        #expect(authorize(college, .viewOrgProgress, .org(OrgPlacement(t.college))) == .allow)
        #expect(authorize(zongzhi, .viewOrgProgress, .org(OrgPlacement(t.college))) == .deny(.outOfScope))
    }
}

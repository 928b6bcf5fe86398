import Domain
import Testing

@Suite("Graduation (GRD-1 … GRD-6)")
struct GraduationTests {
    static func placement(_ path: String, _ category: OrgCategory) -> OrgPlacement {
        let p = OrgPath(encoded: path)!
        return OrgPlacement(id: p.leaf, path: p, category: category, upperCommitteeID: nil)
    }

    static let zongzhi = placement("/tzy/sd/qd/upc/cs/z/", .generalBranch)
    static let committee = placement("/tzy/sd/qd/upc/", .committee)
    static let workingCommittee = placement("/tzy/sd/qd/gw/", .workingCommittee)
    static let city = placement("/tzy/sd/qd/", .leadingOrgan)
    static let class1 = placement("/tzy/sd/qd/upc/cs/z/c1/", .branch)
    static let class2 = placement("/tzy/sd/qd/upc/cs/z/c2/", .branch)
    static let elsewhere = placement("/tzy/sd/qd/qdu/w1/", .branch)
    static let june2027 = YearMonth(year: 2027, month: 6)!

    func marking(
        _ marker: OrgPlacement, industry: IndustryCategory? = .university, _ branches: [GraduationBranch], _ mark: GraduationMark,
        provincial: Bool = false
    ) -> [GraduationProblem] {
        GraduationRules.problems(
            GraduationMarking(marker: marker, markerIndustry: industry, branches: branches, mark: mark, byProvincialCommittee: provincial)
        ).problems
    }

    func unmarked(_ p: OrgPlacement) -> GraduationBranch { GraduationBranch(placement: p, currentMark: nil) }

    @Test("GRD-1: a school's 团委 and 团总支 mark their branches; a leading organ, a 团工委, a branch or a non-school org does not")
    func whoMarks() {
        #expect(marking(Self.zongzhi, [unmarked(Self.class1)], .month(Self.june2027)).isEmpty)
        #expect(marking(Self.committee, [unmarked(Self.class1), unmarked(Self.class2)], .month(Self.june2027)).isEmpty)
        #expect(marking(Self.city, [unmarked(Self.class1)], .month(Self.june2027)) == [.markerNotSchoolCommittee])
        #expect(marking(Self.workingCommittee, industry: .university, [], .month(Self.june2027)).contains(.markerNotSchoolCommittee))
        #expect(marking(Self.class1, [unmarked(Self.class1)], .month(Self.june2027)).contains(.markerNotSchoolCommittee))
        #expect(marking(Self.zongzhi, industry: .stateOwnedEnterprise, [unmarked(Self.class1)], .month(Self.june2027)) == [.markerNotSchoolCommittee])
        #expect(marking(Self.zongzhi, industry: nil, [unmarked(Self.class1)], .month(Self.june2027)) == [.markerNotSchoolCommittee])
    }

    @Test("GRD-1: only branches below the marking org, and a reason where the month is not known; a blank reason is neither")
    func whatIsMarked() {
        #expect(marking(Self.zongzhi, [unmarked(Self.elsewhere)], .month(Self.june2027)) == [.notABranchBelow(Self.elsewhere.id)])
        #expect(marking(Self.committee, [unmarked(Self.zongzhi)], .month(Self.june2027)) == [.notABranchBelow(Self.zongzhi.id)])
        #expect(marking(Self.zongzhi, [unmarked(Self.class1)], .reason("学制调整中，毕业时间待定")).isEmpty)
        #expect(marking(Self.zongzhi, [unmarked(Self.class1)], .reason("   ")) == [.markNeedsMonthOrReason])
        #expect(marking(Self.zongzhi, [], .month(Self.june2027)) == [.noBranches])
        let normalised = GraduationRules.problems(
            GraduationMarking(
                marker: Self.zongzhi, markerIndustry: .university, branches: [unmarked(Self.class1)], mark: .reason("  待定 "),
                byProvincialCommittee: false)
        ).mark
        #expect(normalised == .reason("待定"))
    }

    @Test("GRD-3: a mark is final for the school; the provincial committee corrects it")
    func finalMark() {
        let marked = GraduationBranch(placement: Self.class1, currentMark: .month(Self.june2027))
        #expect(marking(Self.zongzhi, [marked, unmarked(Self.class2)], .month(YearMonth(year: 2028, month: 6)!)) == [.alreadyMarked(Self.class1.id)])
        #expect(marking(Self.zongzhi, industry: nil, [marked], .month(YearMonth(year: 2028, month: 6)!), provincial: true).isEmpty)
    }

    @Test("GRD-5: a delayed graduate's month comes after the branch's, with a reason; not before the branch is marked, not after graduating")
    func delay() {
        let later = YearMonth(year: 2028, month: 6)!
        #expect(GraduationRules.delayProblems(branchMark: .month(Self.june2027), delayedTo: later, reason: "延长学制", graduated: false).problems.isEmpty)
        #expect(
            GraduationRules.delayProblems(branchMark: .month(Self.june2027), delayedTo: Self.june2027, reason: "x", graduated: false).problems
                == [.delayNotLater(branchMonth: Self.june2027)])
        #expect(GraduationRules.delayProblems(branchMark: .month(Self.june2027), delayedTo: later, reason: " ", graduated: false).problems == [.delayReasonRequired])
        #expect(GraduationRules.delayProblems(branchMark: .reason("待定"), delayedTo: later, reason: "x", graduated: false).problems == [.branchNotGraduating])
        #expect(GraduationRules.delayProblems(branchMark: nil, delayedTo: later, reason: "x", graduated: false).problems == [.branchNotGraduating])
        #expect(GraduationRules.delayProblems(branchMark: .month(Self.june2027), delayedTo: later, reason: "x", graduated: true).problems == [.alreadyGraduated])
        // Revoking restores the branch's month.
        #expect(GraduationRules.effectiveMonth(branchMark: .month(Self.june2027), delay: later) == later)
        #expect(GraduationRules.effectiveMonth(branchMark: .month(Self.june2027), delay: nil) == Self.june2027)
    }

    @Test("GRD-4: June 1, not May 31, converts the branches whose month falls in that year, January and December alike; a missed June 1 is caught up")
    func juneFirst() throws {
        let may31 = CivilDate(year: 2027, month: 5, day: 31)!
        let june1 = CivilDate(year: 2027, month: 6, day: 1)!
        #expect(GraduationRules.lastGraduationYear(today: may31) == 2026)
        #expect(GraduationRules.lastGraduationYear(today: june1) == 2027)
        #expect(!GraduationRules.isConverted(month: Self.june2027, today: may31))
        #expect(GraduationRules.isConverted(month: Self.june2027, today: june1))
        #expect(GraduationRules.isConverted(month: YearMonth(year: 2027, month: 1)!, today: june1))
        #expect(GraduationRules.isConverted(month: YearMonth(year: 2027, month: 12)!, today: june1))
        #expect(!GraduationRules.isConverted(month: YearMonth(year: 2028, month: 1)!, today: june1))
        // A leap day of the following year: last year's branches stay converted, this year's wait.
        let leapDay = try #require(CivilDate(year: 2028, month: 2, day: 29))
        #expect(GraduationRules.lastGraduationYear(today: leapDay) == 2027)
        #expect(!GraduationRules.isConverted(month: YearMonth(year: 2028, month: 6)!, today: leapDay))
    }

    @Test("GRD-6: a graduate org closes when its last member leaves, and only then")
    func closes() {
        #expect(GraduationRules.closesAfterMove(sourceGraduated: true, membersLeft: 0))
        #expect(!GraduationRules.closesAfterMove(sourceGraduated: true, membersLeft: 1))
        #expect(!GraduationRules.closesAfterMove(sourceGraduated: false, membersLeft: 0))
    }

    @Test("GRD-1, GRD-5: who may mark: the marking org's admin or the provincial committee; delays by a 团委 or 团总支 above the branch")
    func authorisation() {
        func actor(_ orgs: [OrgPlacement]) -> Actor {
            Actor(accountID: AccountID(rawValue: "a1")!, personID: PersonID(rawValue: "p1")!, memberBranch: nil, administeredOrgs: orgs, mustChangePassword: false)
        }
        let province = Self.placement("/tzy/sd/", .leadingOrgan)
        #expect(authorize(actor([Self.zongzhi]), .markGraduation, .org(Self.zongzhi)).isAllowed)
        #expect(authorize(actor([province]), .markGraduation, .org(Self.zongzhi)).isAllowed)
        #expect(!authorize(actor([Self.committee]), .markGraduation, .org(Self.zongzhi)).isAllowed, "marks as its own org, not as one below")
        #expect(!authorize(actor([Self.class1]), .markGraduation, .org(Self.zongzhi)).isAllowed)
        let member = PersonID(rawValue: "m1")!
        #expect(authorize(actor([Self.zongzhi]), .markDelayedGraduation, .member(member, branch: Self.class1)).isAllowed)
        #expect(authorize(actor([Self.committee]), .markDelayedGraduation, .member(member, branch: Self.class1)).isAllowed)
        #expect(!authorize(actor([Self.class1]), .markDelayedGraduation, .member(member, branch: Self.class1)).isAllowed, "not the branch itself")
        #expect(!authorize(actor([Self.city]), .markDelayedGraduation, .member(member, branch: Self.class1)).isAllowed)
        #expect(!authorize(actor([Self.zongzhi]), .markDelayedGraduation, .member(member, branch: Self.elsewhere)).isAllowed)
    }
}

import Domain
import Testing

@Suite("Grading 对标定级 (GRA-1 … GRA-5)")
struct GradingTests {
    static let november = ChinaMoment(date: CivilDate(year: 2026, month: 11, day: 25)!, minuteOfDay: 10 * 60)

    static func placement(_ path: String, _ category: OrgCategory, committee: String?) -> OrgPlacement {
        let p = OrgPath(encoded: path)!
        return OrgPlacement(id: p.leaf, path: p, category: category, upperCommitteeID: committee.flatMap(OrgID.init(rawValue:)))
    }

    @Test("GRA-1: grades go by their Chinese names, five stars to 不予定级, and nothing else is a grade")
    func gradeNames() {
        #expect(Grade.allCases.map(\.chineseName) == ["五星", "四星", "三星", "二星", "一星", "不予定级"])
        for grade in Grade.allCases { #expect(Grade(chineseName: grade.chineseName) == grade) }
        #expect(Grade(chineseName: "六星") == nil)
        #expect(Grade(chineseName: "five_stars") == nil)
    }

    @Test("GRA-2: 团支部 and 团总支 are graded, graduate orgs too; 流动团员团支部, 待接转团支部 and committees are not; nor a branch founded within 6 months")
    func scope() {
        let today = CivilDate(year: 2026, month: 11, day: 25)!
        let old = CivilDate(year: 2020, month: 9, day: 1)!
        for category in [OrgCategory.branch, .generalBranch, .graduateBranch, .delayedGraduationBranch] {
            #expect(GradingRules.exclusion(category: category, foundedOn: old, today: today) == nil, "\(category)")
        }
        for category in [OrgCategory.floatingMemberBranch, .pendingTransferBranch, .committee, .workingCommittee, .leadingOrgan] {
            #expect(GradingRules.exclusion(category: category, foundedOn: old, today: today) == .category(category), "\(category)")
        }
        // Six months to the day is old enough; a day later is not.
        let sixMonths = CivilDate(year: 2026, month: 5, day: 25)!
        #expect(GradingRules.exclusion(category: .branch, foundedOn: sixMonths, today: today) == nil)
        let recent = CivilDate(year: 2026, month: 5, day: 26)!
        #expect(GradingRules.exclusion(category: .branch, foundedOn: recent, today: today) == .foundedRecently(recent))
        // Month ends clamp: six months before 08-31 is 02-28.
        let august = CivilDate(year: 2026, month: 8, day: 31)!
        #expect(GradingRules.exclusion(category: .branch, foundedOn: CivilDate(year: 2026, month: 2, day: 28)!, today: august) == nil)
        #expect(GradingRules.exclusion(category: .branch, foundedOn: CivilDate(year: 2026, month: 3, day: 1)!, today: august) != nil)
    }

    @Test("GRA-3: before review the self-grade is submitted once and changed at most 3 times; the fourth change is refused")
    func threeChanges() throws {
        var record = GradingRecord(year: 2026)
        #expect(record.changesLeft == 3)
        _ = try record.grade(.threeStars, at: Self.november)
        #expect(record.changesLeft == 3)
        for (grade, left) in [(Grade.fourStars, 2), (.fiveStars, 1), (.twoStars, 0)] {
            _ = try record.grade(grade, at: Self.november)
            #expect(record.changesLeft == left)
        }
        #expect(throws: GradingRefusal.changesExhausted) { try record.grade(.oneStar, at: Self.november) }
        #expect(record.selfGrade == .twoStars)
        #expect(record.awaitsReview)
    }

    @Test("GRA-3, GRA-4: after a review the self-grade is locked; the committee may change its review, any number of times, and not before a self-grade")
    func lockAfterReview() throws {
        var record = GradingRecord(year: 2026)
        #expect(throws: GradingRefusal.notSelfGraded) { try record.review(.fourStars, at: Self.november) }
        _ = try record.grade(.fiveStars, at: Self.november)
        _ = try record.review(.fourStars, at: Self.november)
        #expect(record.isLockedByReview)
        #expect(record.changesLeft == 0)
        #expect(!record.awaitsReview)
        #expect(throws: GradingRefusal.lockedByReview) { try record.grade(.fiveStars, at: Self.november) }
        _ = try record.review(.threeStars, at: Self.november)
        _ = try record.review(.fourStars, at: Self.november)
        #expect(record.review == .fourStars)
        #expect(record.selfGrade == .fiveStars)
    }

    @Test("GRA-5: a 不予定级 review puts the branch under key rectification; it grades itself again (3 changes afresh), highlighted, and is reviewed again")
    func regradeAfterNotGraded() throws {
        var record = GradingRecord(year: 2026)
        _ = try record.grade(.threeStars, at: Self.november)
        _ = try record.review(.notGraded, at: Self.november)
        #expect(record.isUnderKeyRectification)
        #expect(!record.isLockedByReview)
        #expect(!record.isRegradedAfterNotGraded)
        #expect(record.changesLeft == 3)
        _ = try record.grade(.twoStars, at: Self.november)
        #expect(record.isRegradedAfterNotGraded)
        #expect(record.awaitsReview)
        for _ in 0..<3 { _ = try record.grade(.twoStars, at: Self.november) }
        #expect(throws: GradingRefusal.changesExhausted) { try record.grade(.oneStar, at: Self.november) }
        _ = try record.review(.twoStars, at: Self.november)
        #expect(!record.isUnderKeyRectification)
        #expect(!record.isRegradedAfterNotGraded)
        #expect(throws: GradingRefusal.lockedByReview) { try record.grade(.oneStar, at: Self.november) }
    }

    @Test("GRA-4: the year locks at 12-31 12:00 China time: 11:59 still changes, 12:00 does not; other years are not graded")
    func lockAtNoon() throws {
        let last = CivilDate(year: 2026, month: 12, day: 31)!
        let beforeNoon = ChinaMoment(date: last, minuteOfDay: 11 * 60 + 59)
        let noon = ChinaMoment(date: last, minuteOfDay: 12 * 60)
        var record = GradingRecord(year: 2026)
        _ = try record.grade(.fiveStars, at: beforeNoon)
        _ = try record.review(.fiveStars, at: beforeNoon)
        #expect(!GradingRules.isLocked(year: 2026, at: beforeNoon))
        #expect(GradingRules.isLocked(year: 2026, at: noon))
        #expect(throws: GradingRefusal.yearLocked) { try record.review(.fourStars, at: noon) }
        var fresh = GradingRecord(year: 2026)
        #expect(throws: GradingRefusal.yearLocked) { try fresh.grade(.fiveStars, at: noon) }
        let january = ChinaMoment(date: CivilDate(year: 2027, month: 1, day: 2)!, minuteOfDay: 0)
        #expect(throws: GradingRefusal.yearLocked) { try fresh.grade(.fiveStars, at: january) }
        var next = GradingRecord(year: 2027)
        #expect(throws: GradingRefusal.notCurrentYear) { try next.grade(.fiveStars, at: Self.november) }
    }

    @Test("GRA-4: the org's direct upper committee reviews; the branch's own admin grades; a committee further up does neither")
    func whoDecides() {
        let branch = Self.placement("/tzy/sd/qd/upc/cs/z/c1/", .branch, committee: "cs")
        func actor(_ orgs: [OrgPlacement]) -> Actor {
            Actor(accountID: AccountID(rawValue: "a-1")!, personID: PersonID(rawValue: "p-1")!, memberBranch: nil, administeredOrgs: orgs, mustChangePassword: false)
        }
        let committee = actor([Self.placement("/tzy/sd/qd/upc/cs/", .committee, committee: "upc")])
        let school = actor([Self.placement("/tzy/sd/qd/upc/", .committee, committee: "qd")])
        let own = actor([branch])
        #expect(authorize(committee, .reviewGrading, .org(branch)) == .allow)
        #expect(authorize(school, .reviewGrading, .org(branch)) == .deny(.outOfScope))
        #expect(authorize(own, .reviewGrading, .org(branch)) == .deny(.outOfScope))
        #expect(authorize(own, .gradeOrg, .org(branch)) == .allow)
        #expect(authorize(committee, .gradeOrg, .org(branch)) == .deny(.outOfScope))
        #expect(authorize(school, .viewGrading, .org(branch)) == .allow)
    }
}

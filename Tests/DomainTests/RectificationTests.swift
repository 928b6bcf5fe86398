import Domain
import Testing

@Suite("Rectification 组织整顿 (RCT-1 … RCT-4)")
struct RectificationTests {
    static let october = CivilDate(year: 2026, month: 10, day: 15)!
    static let november = CivilDate(year: 2026, month: 11, day: 25)!
    static let old = CivilDate(year: 2020, month: 9, day: 1)!

    func approved(_ poors: [Int], key: Bool = false) throws -> RectificationRecord {
        var record = RectificationRecord(year: 2026)
        if key { _ = try record.markKey(category: .branch, foundedOn: Self.old, today: Self.october) }
        for poor in poors {
            _ = try record.submit(poor: poor, byParent: false, today: Self.november)
            _ = try record.decide(approve: true)
        }
        return record
    }

    @Test("RCT-1: 合格, 基本合格, 整改后合格 from the count of 较差 items and the parent's approval")
    func statuses() throws {
        #expect(try approved([0]).state.status == .qualified)
        #expect(try approved([3]).state.status == .basicallyQualified)
        #expect(try approved([3, 1]).state.status == .basicallyQualified)
        #expect(try approved([3, 0]).state.status == .qualifiedAfterRectification)
        // Not approved: no status yet.
        var pending = RectificationRecord(year: 2026)
        _ = try pending.submit(poor: 0, byParent: false, today: Self.november)
        #expect(pending.state.status == nil)
        #expect(pending.state.pendingPoor == 0)
        _ = try pending.decide(approve: false)
        #expect(pending.state.pendingPoor == nil && pending.state.status == nil)
    }

    @Test("RCT-1: under key rectification, an approved form with 较差 is 已摘牌, and with none 重点整改后合格; 10 较差 items cannot be approved")
    func keyStatuses() throws {
        #expect(try approved([2], key: true).state.status == .delisted)
        #expect(try approved([2, 0], key: true).state.status == .qualifiedAfterKeyRectification)
        #expect(try approved([0], key: true).state.status == .qualifiedAfterKeyRectification)
        var record = RectificationRecord(year: 2026)
        _ = try record.submit(poor: 10, byParent: false, today: Self.november)
        #expect(throws: RectificationRefusal.tooManyPoor) { try record.decide(approve: true) }
        _ = try record.decide(approve: false)
        #expect(throws: RectificationRefusal.nothingToDecide) { try record.decide(approve: true) }
    }

    @Test("RCT-1, RCT-3: the parent fills the form for a branch that has not checked itself; with no 较差 it is 合格 and locked at once; not once the branch has checked itself")
    func parentFills() throws {
        var record = RectificationRecord(year: 2026)
        _ = try record.submit(poor: 0, byParent: true, today: Self.november)
        #expect(record.state.status == .qualified)
        #expect(record.state.locked)
        #expect(throws: RectificationRefusal.locked) { try record.submit(poor: 1, byParent: false, today: Self.november) }
        var own = RectificationRecord(year: 2026)
        _ = try own.submit(poor: 4, byParent: false, today: Self.november)
        #expect(throws: RectificationRefusal.branchCheckedItself) { try own.submit(poor: 0, byParent: true, today: Self.november) }
    }

    @Test("RCT-3: a form with 0 较差 the parent approved is locked; one with 较差 can be resubmitted")
    func locking() throws {
        var record = try approved([2])
        #expect(!record.state.locked)
        _ = try record.submit(poor: 0, byParent: false, today: Self.november)
        _ = try record.decide(approve: true)
        #expect(record.state.locked)
        #expect(throws: RectificationRefusal.locked) { try record.submit(poor: 0, byParent: false, today: Self.november) }
    }

    @Test("RCT-2: bottom 20 % never for 合格/整改后合格/重点整改后合格, a graduate org, a 待接转 branch, or one founded less than 3 months ago")
    func bottom20() throws {
        for status in [[0], [3, 0]] {
            var record = try approved(status)
            #expect(throws: RectificationRefusal.self) { try record.markKey(category: .branch, foundedOn: Self.old, today: Self.november) }
        }
        var basic = try approved([3])
        _ = try basic.markKey(category: .branch, foundedOn: Self.old, today: Self.november)
        #expect(basic.state.underKeyRectification)
        #expect(throws: RectificationRefusal.alreadyKey) { try basic.markKey(category: .branch, foundedOn: Self.old, today: Self.november) }
        for category in [OrgCategory.graduateBranch, .pendingTransferBranch] {
            var record = RectificationRecord(year: 2026)
            #expect(throws: RectificationRefusal.notMarkable(.category(category))) {
                try record.markKey(category: category, foundedOn: Self.old, today: Self.november)
            }
        }
        let young = CivilDate(year: 2026, month: 8, day: 26)!
        var record = RectificationRecord(year: 2026)
        #expect(throws: RectificationRefusal.notMarkable(.foundedRecently(young))) {
            try record.markKey(category: .branch, foundedOn: young, today: Self.november)
        }
        _ = try record.markKey(category: .branch, foundedOn: CivilDate(year: 2026, month: 8, day: 25)!, today: Self.november)
    }

    @Test("RCT-4: forms are for the current month of September to December; each month shows its own last form, not a running total")
    func months() throws {
        var record = RectificationRecord(year: 2026)
        #expect(throws: RectificationRefusal.outsideCampaign) {
            try record.submit(poor: 1, byParent: false, today: CivilDate(year: 2026, month: 8, day: 31)!)
        }
        #expect(throws: RectificationRefusal.notCurrentYear) {
            try record.submit(poor: 1, byParent: false, today: CivilDate(year: 2027, month: 10, day: 1)!)
        }
        _ = try record.submit(poor: 5, byParent: false, today: Self.october)
        _ = try record.submit(poor: 3, byParent: false, today: Self.october)
        _ = try record.submit(poor: 1, byParent: false, today: Self.november)
        #expect(record.monthlyPoor.map(\.month) == [9, 10, 11, 12])
        #expect(record.monthlyPoor.map(\.poor) == [nil, 3, 1, nil])
        #expect(record.entries.compactMap { if case .submit(_, let m, _) = $0 { m } else { nil } } == [10, 10, 11], "always the month submitted in")
    }

    @Test("RCT-4: the key list's months: each month's last form and what the parent made of it, not added up")
    func monthlyProgress() {
        let record = RectificationRecord(year: 2026, entries: [
            .submit(poor: 3, month: 9, byParent: false), .approve, .markKey,
            .submit(poor: 2, month: 10, byParent: false), .reject,
            .submit(poor: 1, month: 10, byParent: false),
            .submit(poor: 0, month: 11, byParent: false), .approve,
        ])
        #expect(record.monthlyProgress.map(\.outcome) == [.approved(poor: 3), .pending(poor: 1), .approved(poor: 0), .notSubmitted])
        // The parent's own first form with no 较差 item is 合格 at once: approved, nothing waits.
        let atOnce = RectificationRecord(year: 2026, entries: [.submit(poor: 0, month: 11, byParent: true)])
        #expect(atOnce.monthlyProgress.map(\.outcome) == [.notSubmitted, .notSubmitted, .approved(poor: 0), .notSubmitted])
    }

    @Test("RCT-1: the committee's tally puts each branch in one state, and counts waiting forms and key rectification beside it")
    func tally() {
        var tally = RectificationTally()
        tally.add(RectificationRecord(year: 2026))
        tally.add(RectificationRecord(year: 2026, entries: [.submit(poor: 3, month: 11, byParent: false)]))
        tally.add(RectificationRecord(year: 2026, entries: [.submit(poor: 3, month: 11, byParent: false), .reject]))
        tally.add(RectificationRecord(year: 2026, entries: [.submit(poor: 3, month: 10, byParent: false), .approve, .submit(poor: 1, month: 11, byParent: false)]))
        tally.add(RectificationRecord(year: 2026, entries: [.submit(poor: 2, month: 10, byParent: false), .approve, .markKey]))
        #expect(tally.branches == 5)
        #expect(tally.notSubmitted == 1 && tally.awaitingFirstDecision == 1 && tally.notPassed == 1)
        #expect(tally.byStatus == [.basicallyQualified: 2])
        #expect(tally.formsWaiting == 2)
        #expect(tally.keyRectification == 1)
    }
}

import Testing
@testable import Domain

/// Transfers (TRF-1 … TRF-11) as the domain decides them: the chains, the state machine, the
/// submit-time rules and the calendar, with the dates at each window's edges.
@Suite("Transfers (TRF-1 … TRF-11, ARC-9)")
struct TransferTests {
    let tree = SampleTree()

    func placement(_ org: Org) -> OrgPlacement { OrgPlacement(org) }

    func subject(
        _ id: String = "p-1", branch: Org? = nil, joinedOn: String = "2021-05-04", verified: Bool = true, changePending: Bool = false
    ) -> TransferRequest.Subject {
        TransferRequest.Subject(
            id: PersonID(rawValue: id)!, name: "团员" + id, branch: placement(branch ?? tree.class1), joinedOn: date(joinedOn),
            identityVerified: verified, archiveChangePending: changePending)
    }

    // MARK: Chains

    @Test("TRF-1, TRF-2, TRF-3, TRF-4, TRF-8: each kind's chain of approvers; a destination that is no branch approves and then assigns")
    func chains() {
        #expect(TransferChain.steps(kind: .apply, destination: .branch) == [.sourceApproval, .destinationApproval])
        #expect(TransferChain.steps(kind: .apply, destination: .committee) == [.sourceApproval, .destinationCommitteeApproval, .branchAssignment])
        #expect(TransferChain.steps(kind: .transferIn, destination: .branch) == [.sourceApproval])
        #expect(TransferChain.steps(kind: .transferOut, destination: .branch) == [.destinationApproval])
        #expect(TransferChain.steps(kind: .transferOut, destination: .generalBranch) == [.destinationCommitteeApproval, .branchAssignment])
        #expect(TransferChain.steps(kind: .batch, destination: .branch) == [])
        #expect(TransferChain.steps(kind: .graduate, destination: .specialPool, outcome: .enlisted) == [.provincialApproval])
        #expect(TransferChain.steps(kind: .graduate, destination: .floatingMemberBranch, outcome: .notYetEmployed) == [.destinationApproval])
        #expect(TransferChain.steps(kind: .dropout, destination: .floatingMemberBranch) == [.destinationApproval])
    }

    @Test("TRF-1, TRF-3: the source side is the branch or its direct parent; a destination committee acts alone; TRF-8 the province")
    func stepActors() {
        let source = placement(tree.class1), destination = placement(tree.otherBranch)
        #expect(TransferStep.sourceApproval.actor(source: source, destination: destination) == .orgOrDirectParent(tree.class1.id))
        #expect(TransferStep.destinationApproval.actor(source: source, destination: destination) == .orgOrDirectParent(tree.otherBranch.id))
        #expect(TransferStep.branchAssignment.actor(source: source, destination: placement(tree.otherSchool)) == .org(tree.otherSchool.id))
        #expect(TransferStep.provincialApproval.actor(source: source, destination: destination) == .org(tree.shandong.id))
    }

    // MARK: State machine

    @Test("TRF-1: the member moves only when the last step completes; every step is recorded and the next one notified")
    func applyRunsBothSides() throws {
        let chain = TransferChain.steps(kind: .apply, destination: .branch)
        let (submitted, submitEffects) = Transfer.submit(kind: .apply, destination: placement(tree.otherBranch), chain: chain, today: date("2026-03-02"))
        #expect(submitted.state == .awaiting(step: 0, openedOn: date("2026-03-02")))
        #expect(submitEffects == [.recordStep(nil, .submit, reason: nil), .notify(.stepOpened(.sourceApproval))])
        #expect(!submitEffects.contains { if case .moveMember = $0 { true } else { false } })

        let (sourceDone, first) = try submitted.apply(.approve, today: date("2026-03-03"))
        #expect(sourceDone.state == .awaiting(step: 1, openedOn: date("2026-03-03")))
        #expect(first == [.recordStep(.sourceApproval, .approve, reason: nil), .notify(.stepOpened(.destinationApproval))])

        let (done, last) = try sourceDone.apply(.approve, today: date("2026-03-04"))
        #expect(done.state == .completed(branch: tree.otherBranch.id))
        #expect(last == [.recordStep(.destinationApproval, .approve, reason: nil), .moveMember(to: tree.otherBranch.id), .notify(.completed)])
        // A second approver of the same step finds nothing waiting.
        #expect(throws: TransferRefusal.notPending) { try done.apply(.approve, today: date("2026-03-04")) }
    }

    @Test("TRF-3: a destination committee approves, then assigns one of its own branches; nothing else completes that step")
    func committeeAssigns() throws {
        let destination = placement(tree.zongzhi)
        let chain = TransferChain.steps(kind: .transferOut, destination: destination.category)
        let (submitted, _) = Transfer.submit(kind: .transferOut, destination: destination, chain: chain, today: date("2026-03-02"))
        let (approved, _) = try submitted.apply(.approve, today: date("2026-03-02"))
        #expect(approved.currentStep == .branchAssignment)
        #expect(throws: TransferRefusal.wrongStep) { try approved.apply(.approve, today: date("2026-03-03")) }
        #expect(throws: TransferRefusal.assignmentIsNotAutomatic) { try approved.apply(.autoApprove, today: date("2026-04-03")) }
        #expect(throws: TransferRefusal.branchNotUnderDestination) { try approved.apply(.assign(branch: placement(tree.otherBranch)), today: date("2026-03-03")) }
        #expect(throws: TransferRefusal.branchNotUnderDestination) { try approved.apply(.assign(branch: destination), today: date("2026-03-03")) }
        let (done, effects) = try approved.apply(.assign(branch: placement(tree.class2)), today: date("2026-03-03"))
        #expect(done.state == .completed(branch: tree.class2.id))
        #expect(effects == [.recordStep(.branchAssignment, .assign, reason: nil), .moveMember(to: tree.class2.id), .notify(.completed)])
        #expect(throws: TransferRefusal.wrongStep) { try submitted.apply(.assign(branch: placement(tree.class2)), today: date("2026-03-03")) }
    }

    @Test("TRF-1: a rejection needs a reason that can be seen; it ends the transfer and moves nobody")
    func rejection() throws {
        let (submitted, _) = Transfer.submit(
            kind: .transferIn, destination: placement(tree.class2), chain: [.sourceApproval], today: date("2026-03-02"))
        #expect(throws: TransferRefusal.reasonRequired) { try submitted.apply(.reject(reason: "  "), today: date("2026-03-02")) }
        #expect(throws: TransferRefusal.self) { try submitted.apply(.reject(reason: "原因\u{0000}"), today: date("2026-03-02")) }
        let (rejected, effects) = try submitted.apply(.reject(reason: " 信息有误 "), today: date("2026-03-02"))
        #expect(rejected.state == .rejected(step: 0, reason: "信息有误"))
        #expect(effects == [.recordStep(.sourceApproval, .reject, reason: "信息有误"), .notify(.rejected)])
        for event in [TransferEvent.approve, .withdraw, .autoApprove, .returnToInitiator] {
            #expect(throws: TransferRefusal.notPending) { try rejected.apply(event, today: date("2026-03-03")) }
        }
    }

    @Test("TRF-4: a batch has no step: it completes on submission, and the move is its only effect besides the record")
    func batchCompletesAtOnce() {
        let (done, effects) = Transfer.submit(kind: .batch, destination: placement(tree.class2), chain: [], today: date("2026-03-02"))
        #expect(done.state == .completed(branch: tree.class2.id))
        #expect(effects == [.recordStep(nil, .submit, reason: nil), .moveMember(to: tree.class2.id), .notify(.completed)])
    }

    @Test("TRF-6: a 学社衔接 application is withdrawn by its initiator from 5-01 to 8-31, not on 9-01")
    func graduateWithdrawalWindow() throws {
        let (submitted, _) = Transfer.submit(
            kind: .graduate, destination: placement(tree.otherBranch), chain: [.destinationApproval], today: date("2026-05-01"))
        #expect(try submitted.apply(.withdraw, today: date("2026-08-31")).0.state == .withdrawn)
        #expect(try submitted.apply(.withdraw, today: date("2026-05-01")).0.state == .withdrawn)
        #expect(throws: TransferRefusal.withdrawalWindowClosed) { try submitted.apply(.withdraw, today: date("2026-09-01")) }
        // Other kinds are withdrawn while they wait, any day.
        let (other, _) = Transfer.submit(kind: .apply, destination: placement(tree.otherBranch), chain: [.sourceApproval], today: date("2026-09-01"))
        #expect(try other.apply(.withdraw, today: date("2026-12-01")).0.state == .withdrawn)
    }

    // MARK: Calendar

    @Test("TRF-7: a step is approved by default on day 16, not on day 15, across a leap February")
    func fifteenDays() {
        let opened = date("2026-03-01")
        #expect(TransferCalendar.due(kind: .apply, step: .sourceApproval, openedOn: opened, today: date("2026-03-16")) == nil)
        #expect(TransferCalendar.due(kind: .apply, step: .sourceApproval, openedOn: opened, today: date("2026-03-17")) == .autoApprove)
        #expect(TransferCalendar.autoApprovalDay(kind: .transferOut, openedOn: date("2028-02-14")) == date("2028-03-01"))
        #expect(TransferCalendar.autoApprovalDay(kind: .transferOut, openedOn: date("2027-02-14")) == date("2027-03-02"))
        // Which branch a committee assigns is never decided by default; 学社衔接 waits for its review window.
        #expect(TransferCalendar.due(kind: .apply, step: .branchAssignment, openedOn: opened, today: date("2026-06-01")) == nil)
        #expect(TransferCalendar.autoApprovalDay(kind: .graduate, openedOn: opened) == nil)
    }

    @Test("TRF-6: applications 5-01 … 8-31 (not 4-30), review 9-01 … 9-30; after 9-30 one unreviewed for 10 days returns on 10-11")
    func graduateWindows() {
        let apply = TransferCalendar.graduateApplicationWindow(2026)
        #expect(!apply.contains(date("2026-04-30")) && apply.contains(date("2026-05-01")))
        #expect(apply.contains(date("2026-08-31")) && !apply.contains(date("2026-09-01")))
        let review = TransferCalendar.graduateReviewWindow(2026)
        #expect(review.contains(date("2026-09-01")) && review.contains(date("2026-09-30")) && !review.contains(date("2026-10-01")))
        let opened = date("2026-06-15")
        #expect(TransferCalendar.due(kind: .graduate, step: .destinationApproval, openedOn: opened, today: date("2026-10-10")) == nil)
        #expect(TransferCalendar.due(kind: .graduate, step: .destinationApproval, openedOn: opened, today: date("2026-10-11")) == .returnToInitiator)
        // A step opened after 9-30 gets its own 10 days.
        #expect(TransferCalendar.graduateReturnDay(openedOn: date("2026-10-05")) == date("2026-10-16"))
    }

    @Test("GRD-4: a branch marked for a month of 2027 becomes a graduate org on 2027-06-01, not on 5-31")
    func juneFirst() {
        let month = YearMonth(iso: "2027-07")!
        #expect(!TransferCalendar.hasGraduated(markedMonth: month, today: date("2027-05-31")))
        #expect(TransferCalendar.hasGraduated(markedMonth: month, today: date("2027-06-01")))
        #expect(YearMonth(iso: "2027-13") == nil && YearMonth(iso: "27-06") == nil && YearMonth(iso: "2027-6") == nil)
        #expect(YearMonth(iso: "2027-06")?.iso == "2027-06")
    }

    // MARK: Submit-time rules

    @Test("ARC-9, TRF-5: no kind of transfer moves an unverified new member; the refusal names every blocked member")
    func gateOnEveryKind() {
        for kind in TransferKind.allCases {
            let subjects = kind == .batch
                ? [subject("p-1", verified: false), subject("p-2"), subject("p-3", verified: false)]
                : [subject("p-1", verified: false)]
            let request = TransferRequest(
                kind: kind, subjects: subjects, destination: placement(tree.class2), initiatingOrg: placement(tree.zongzhi),
                outcome: .employed, channel: .employerOrg, reason: "工作调动")
            let problems = TransferRules.problems(request, today: date("2026-06-01"))
            let expected = kind == .batch ? ["p-1", "p-3"] : ["p-1"]
            #expect(problems.first == .membersNotVerified(expected.map { PersonID(rawValue: $0)! }), "\(kind): \(problems)")
        }
        // A member who joined before 2020 needs no archive (ARC-1), so the gate admits them.
        let old = TransferRequest(
            kind: .transferOut, subjects: [subject(joinedOn: "2019-05-04", verified: false)], destination: placement(tree.otherBranch),
            initiatingOrg: placement(tree.class1), reason: "工作调动")
        #expect(TransferRules.problems(old, today: date("2026-06-01")).isEmpty)
    }

    @Test("ARC-10: a member with an undecided archive change request is refused until it is decided")
    func changeRequestBlocks() {
        let request = TransferRequest(
            kind: .transferOut, subjects: [subject(changePending: true)], destination: placement(tree.otherBranch),
            initiatingOrg: placement(tree.class1), reason: "升学")
        #expect(TransferRules.problems(request, today: date("2026-06-01")) == [.archiveChangePending([PersonID(rawValue: "p-1")!])])
    }

    @Test("TRF-4: only a 团委/团工委/团总支, between two different branches below it, at most 30 members")
    func batchRules() {
        func batch(_ subjects: [TransferRequest.Subject], to destination: Org, by initiator: Org) -> [TransferRequestProblem] {
            TransferRules.problems(
                TransferRequest(kind: .batch, subjects: subjects, destination: placement(destination), initiatingOrg: placement(initiator), reason: "分班"),
                today: date("2026-06-01"))
        }
        let thirty = (1...30).map { subject("p-\($0)") }
        #expect(batch(thirty, to: tree.class2, by: tree.zongzhi).isEmpty)
        #expect(batch(thirty + [subject("p-31")], to: tree.class2, by: tree.zongzhi) == [.batchTooLarge(maximum: 30)])
        #expect(batch(thirty, to: tree.class2, by: tree.class1) == [.batchNotByCommittee])
        #expect(batch(thirty, to: tree.class2, by: tree.qingdao) == [.batchNotByCommittee])
        #expect(batch(thirty, to: tree.otherBranch, by: tree.zongzhi) == [.batchOutsideInitiator])
        #expect(batch(thirty, to: tree.class1, by: tree.zongzhi) == [.sameBranch])
        #expect(batch([subject("p-1"), subject("p-2", branch: tree.class2)], to: tree.class2, by: tree.college).contains(.batchSingleSourceBranch))
        #expect(batch(thirty, to: tree.zongzhi, by: tree.college) == [.batchOutsideInitiator])
    }

    @Test("TRF-1, TRF-2: one member at a time outside a batch; never into the member's own branch; a reason is required")
    func singleTransfers() {
        let two = TransferRequest(
            kind: .transferOut, subjects: [subject("p-1"), subject("p-2")], destination: placement(tree.otherBranch),
            initiatingOrg: placement(tree.class1), reason: "工作调动")
        #expect(TransferRules.problems(two, today: date("2026-06-01")) == [.oneMemberOnly])
        let same = TransferRequest(
            kind: .apply, subjects: [subject()], destination: placement(tree.class1), initiatingOrg: nil, reason: "")
        #expect(TransferRules.problems(same, today: date("2026-06-01")) == [.sameBranch, .reasonRequired])
    }

    @Test("TRF-6, TRF-8, TRF-9: 学社衔接 in its window, with an outcome and a channel that outcome allows into an org of that channel's kind")
    func graduateDestinations() {
        func graduate(
            _ outcome: GraduateOutcome?, _ channel: GraduateChannel?, to destination: OrgPlacement, kept: Int? = nil, on day: String = "2026-06-01"
        ) -> [TransferRequestProblem] {
            TransferRules.problems(
                TransferRequest(
                    kind: .graduate, subjects: [subject()], destination: destination, initiatingOrg: placement(tree.class1), outcome: outcome,
                    channel: channel, keptMonths: kept, reason: "毕业"),
                today: date(day))
        }
        let floating = placement(try! tree.qingdao.child(id: OrgID(rawValue: "qd-float")!, name: "流动团员团支部", category: .floatingMemberBranch))
        let pool = placement(try! tree.shandong.child(id: OrgID(rawValue: "sd-pool")!, name: "特殊单位专属库", category: .specialPool))
        let abroad = placement(try! tree.college.child(id: OrgID(rawValue: "upc-cs-abroad")!, name: "出国(境)学习研究团员团支部", category: .overseasStudyBranch))
        let delayed = placement(try! tree.college.child(id: OrgID(rawValue: "upc-cs-delay")!, name: "延迟毕业团组织", category: .delayedGraduationBranch))

        #expect(graduate(.employed, .employerOrg, to: placement(tree.njuBranch)).isEmpty)
        #expect(graduate(.employed, .countyFloating, to: floating).isEmpty)
        // TRF-9: an employed graduate cannot take the not-yet-employed household channel.
        #expect(graduate(.employed, .householdTownship, to: floating) == [.channelNotAllowed(.employed, .householdTownship)])
        #expect(graduate(.notYetEmployed, .householdTownship, to: floating).isEmpty)
        #expect(graduate(.notYetEmployed, .residenceTownship, to: placement(tree.njuBranch)) == [.destinationDoesNotFitChannel(.residenceTownship)])
        // Further study: the new school, never a township's floating branch.
        #expect(graduate(.furtherStudy, .householdTownship, to: floating) == [.channelNotAllowed(.furtherStudy, .householdTownship)])
        #expect(graduate(.furtherStudy, .newSchool, to: placement(tree.otherBranch)).isEmpty)
        #expect(graduate(.enlisted, .specialPool, to: pool).isEmpty)
        #expect(graduate(.enlisted, .specialPool, to: floating) == [.destinationDoesNotFitChannel(.specialPool)])
        #expect(graduate(.studyingAbroad, .keptAtSchool, to: abroad).isEmpty)
        #expect(graduate(.studyingAbroad, .keptAtSchool, to: placement(tree.class2)) == [.destinationDoesNotFitChannel(.keptAtSchool)])
        #expect(graduate(.delayedGraduation, .delayedGraduationOrg, to: delayed).isEmpty)
        // Kept at school when not yet employed: at most 6 months, at the graduate's own school.
        #expect(graduate(.notYetEmployed, .keptAtSchool, to: placement(tree.class2), kept: 6).isEmpty)
        #expect(graduate(.notYetEmployed, .keptAtSchool, to: placement(tree.class2), kept: 7) == [.keptTooLong(maximum: 6)])
        #expect(graduate(.notYetEmployed, .keptAtSchool, to: placement(tree.otherBranch), kept: 3) == [.destinationDoesNotFitChannel(.keptAtSchool)])
        #expect(graduate(nil, nil, to: floating) == [.outcomeRequired])
        // TRF-6: made 5-01 … 8-31.
        #expect(graduate(.employed, .employerOrg, to: placement(tree.njuBranch), on: "2026-04-30") == [.graduateWindowClosed])
        #expect(graduate(.employed, .employerOrg, to: placement(tree.njuBranch), on: "2026-09-01") == [.graduateWindowClosed])
        #expect(graduate(.employed, .employerOrg, to: placement(tree.njuBranch), on: "2026-08-31").isEmpty)
    }

    @Test("TRF-10: transfers into Beijing, Guangdong or Fujian name a specific branch; TRF-11: a drop-out returns into a branch")
    func provinceAndDropout() {
        let toCommittee = TransferRequest(
            kind: .transferOut, subjects: [subject()], destination: placement(tree.otherSchool), initiatingOrg: placement(tree.class1),
            destinationProvince: .guangdong, reason: "工作调动")
        #expect(TransferRules.problems(toCommittee, today: date("2026-06-01")) == [.provinceRequiresBranch])
        let elsewhere = TransferRequest(
            kind: .transferOut, subjects: [subject()], destination: placement(tree.otherSchool), initiatingOrg: placement(tree.class1),
            destinationProvince: .other, reason: "工作调动")
        #expect(TransferRules.problems(elsewhere, today: date("2026-06-01")).isEmpty)
        let dropout = TransferRequest(
            kind: .dropout, subjects: [subject()], destination: placement(tree.qingdao), initiatingOrg: placement(tree.class1), reason: "退学")
        #expect(TransferRules.problems(dropout, today: date("2026-06-01")) == [.dropoutNeedsBranch])
    }

    // MARK: Who may act

    func admin(of orgs: Org...) -> Actor {
        Actor(
            accountID: AccountID(rawValue: "a")!, personID: PersonID(rawValue: "p-admin")!, memberBranch: nil,
            administeredOrgs: orgs.map(OrgPlacement.init), mustChangePassword: false)
    }

    @Test("TRF-1, TRF-2, TRF-3, TRF-4: who starts and who decides: the member applies only for themselves; a branch or its direct parent transfers out and in; an org's own admin decides its steps and batches")
    func whoMayAct() {
        let member = PersonID(rawValue: "p-1")!
        let own = Actor(
            accountID: AccountID(rawValue: "m")!, personID: member, memberBranch: placement(tree.class1), administeredOrgs: [], mustChangePassword: false)
        let inClass1 = AccessTarget.member(member, branch: placement(tree.class1))
        #expect(authorize(own, .applyForTransfer, inClass1) == .allow)
        #expect(authorize(own, .applyForTransfer, .member(PersonID(rawValue: "p-2")!, branch: placement(tree.class1))) == .deny(.unseen))
        #expect(authorize(own, .transferOut, inClass1) == .deny(.outOfScope))

        #expect(authorize(admin(of: tree.class1), .transferOut, inClass1) == .allow)
        #expect(authorize(admin(of: tree.zongzhi), .transferOut, inClass1) == .allow)
        #expect(authorize(admin(of: tree.college), .transferOut, inClass1) == .deny(.outOfScope), "not the direct parent")
        #expect(authorize(admin(of: tree.class2), .transferIn, .org(placement(tree.class2))) == .allow)
        #expect(authorize(admin(of: tree.class1), .transferIn, .org(placement(tree.class2))) == .deny(.outOfScope))
        #expect(authorize(admin(of: tree.zongzhi), .decideTransferAsBranch, .org(placement(tree.class2))) == .allow)
        #expect(authorize(admin(of: tree.zongzhi), .decideTransferAsOrg, .org(placement(tree.zongzhi))) == .allow)
        #expect(authorize(admin(of: tree.college), .decideTransferAsOrg, .org(placement(tree.zongzhi))) == .deny(.outOfScope))
        #expect(authorize(admin(of: tree.zongzhi), .batchTransfer, .org(placement(tree.zongzhi))) == .allow)
        #expect(authorize(admin(of: tree.zongzhi), .batchTransfer, .member(member, branch: placement(tree.class1))) == .deny(.notApplicable))

        // Seeing a transfer: the member, and the admins over either end.
        let ends = AccessTarget.person(member, orgs: [placement(tree.class1), placement(tree.otherBranch)])
        #expect(authorize(own, .viewTransfer, ends) == .allow)
        #expect(authorize(admin(of: tree.otherSchool), .viewTransfer, ends) == .allow)
        #expect(authorize(admin(of: tree.college), .viewTransfer, ends) == .allow)
        #expect(authorize(admin(of: tree.njuBranch), .viewTransfer, ends) == .deny(.unseen))
        // Withdrawing: the one who started it, nobody else, however high.
        #expect(authorize(own, .withdrawTransfer, .person(member, orgs: [])) == .allow)
        #expect(authorize(admin(of: tree.root), .withdrawTransfer, .person(member, orgs: [])) == .deny(.outOfScope))
    }
}

/// The dates transfers run by (TRF-6, TRF-7, GRD-4), in China Standard Time civil dates. The
/// sweeps ask these with the day they run on; nothing here holds a timer.
public enum TransferCalendar {
    /// TRF-7: a step is reviewed within the 15 days after the day it opened.
    public static let reviewDays = 15
    /// TRF-6: after 9-30, a 学社衔接 application is reviewed within 10 days.
    public static let lateReviewDays = 10

    /// TRF-6: 学社衔接 applications are made (and may be withdrawn) 5-01 … 8-31.
    public static func graduateApplicationWindow(_ year: Int) -> ClosedRange<CivilDate> {
        CivilDate(year: year, month: 5, day: 1)!...CivilDate(year: year, month: 8, day: 31)!
    }

    /// TRF-6: and reviewed 9-01 … 9-30.
    public static func graduateReviewWindow(_ year: Int) -> ClosedRange<CivilDate> {
        CivilDate(year: year, month: 9, day: 1)!...CivilDate(year: year, month: 9, day: 30)!
    }

    /// TRF-7: a step opened on `openedOn` and still waiting is approved on this day (day 16).
    /// 学社衔接 applications wait for their review window instead (TRF-6).
    public static func autoApprovalDay(kind: TransferKind, openedOn: CivilDate) -> CivilDate? {
        kind == .graduate ? nil : openedOn.adding(days: reviewDays + 1)
    }

    /// TRF-6: a 学社衔接 step opened on `openedOn` and still waiting goes back to its initiator on
    /// this day: the 10 days run from 10-01 (or from the day after it opened, if later).
    public static func graduateReturnDay(openedOn: CivilDate) -> CivilDate {
        let reviewEnd = CivilDate(year: openedOn.year, month: 9, day: 30)!
        let start = max(openedOn, reviewEnd)
        return start.adding(days: lateReviewDays + 1)
    }

    /// What the sweep does on `today` to a transfer waiting on a step opened on `openedOn`.
    public static func due(kind: TransferKind, step: TransferStep, openedOn: CivilDate, today: CivilDate) -> TransferEvent? {
        if kind == .graduate {
            return today >= graduateReturnDay(openedOn: openedOn) ? .returnToInitiator : nil
        }
        // Which branch a committee assigns is its own choice (TRF-3): never by default.
        guard step != .branchAssignment, let day = autoApprovalDay(kind: kind, openedOn: openedOn) else { return nil }
        return today >= day ? .autoApprove : nil
    }

    /// GRD-4: on June 1 of the marked month's year a branch becomes a 毕业生团组织.
    public static func graduationDay(markedMonth: YearMonth) -> CivilDate {
        CivilDate(year: markedMonth.year, month: 6, day: 1)!
    }

    /// GRD-4: true when a branch marked for `markedMonth` has become a graduate org by `today`.
    public static func hasGraduated(markedMonth: YearMonth, today: CivilDate) -> Bool {
        today >= graduationDay(markedMonth: markedMonth)
    }
}

/// A calendar month (`2027-06`): graduation marks (GRD-1).
public struct YearMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// `YYYY-MM`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        self.init(year: y, month: m)
    }

    public var iso: String { String(year) + "-" + (month < 10 ? "0" : "") + String(month) }
    public var description: String { iso }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

/// A graduate's outcome (TRF-8): where 学社衔接 may send them.
public enum GraduateOutcome: String, Sendable, Codable, CaseIterable {
    case employed
    case furtherStudy = "further_study"
    case enlisted
    case notYetEmployed = "not_yet_employed"
    case studyingAbroad = "studying_abroad"
    case delayedGraduation = "delayed_graduation"

    public var chineseName: String {
        switch self {
        case .employed: "已就业"
        case .furtherStudy: "升学"
        case .enlisted: "参军入伍"
        case .notYetEmployed: "暂未就业"
        case .studyingAbroad: "出国(境)学习"
        case .delayedGraduation: "延迟毕业"
        }
    }
}

/// Which of TRF-8's destinations a 学社衔接 names: the admin picks the channel, the org follows.
public enum GraduateChannel: String, Sendable, Codable, CaseIterable {
    /// Employed: the employer's own org.
    case employerOrg = "employer_org"
    /// Employed: the township or street org of the employer.
    case employerTownship = "employer_township"
    /// Employed: the county's 流动团员团支部.
    case countyFloating = "county_floating"
    /// Further study: the new school.
    case newSchool = "new_school"
    /// Enlisted: the special pool.
    case specialPool = "special_pool"
    /// Not yet employed: the 流动团员团支部 of the residence, household or origin township.
    case residenceTownship = "residence_township"
    case householdTownship = "household_township"
    case originTownship = "origin_township"
    /// Not yet employed (at most 6 months) or studying abroad: stays at school.
    case keptAtSchool = "kept_at_school"
    /// Delayed graduation: the 延迟毕业团组织.
    case delayedGraduationOrg = "delayed_graduation_org"

    public var chineseName: String {
        switch self {
        case .employerOrg: "转入工作单位团组织"
        case .employerTownship: "转入工作单位所在乡镇（街道）团组织"
        case .countyFloating: "转入县级团委流动团员团支部"
        case .newSchool: "转入升学学校团组织"
        case .specialPool: "转入参军入伍团员专门团组织"
        case .residenceTownship: "转入现居住地乡镇（街道）流动团员团支部"
        case .householdTownship: "转入户籍所在地乡镇（街道）流动团员团支部"
        case .originTownship: "转入生源地乡镇（街道）流动团员团支部"
        case .keptAtSchool: "保留在学校团组织"
        case .delayedGraduationOrg: "转入延迟毕业团组织"
        }
    }

    /// TRF-8, TRF-9: the channels each outcome may use (an employed graduate never goes to the
    /// household township through the not-yet-employed channels; further study never to a township).
    public static func allowed(for outcome: GraduateOutcome) -> Set<GraduateChannel> {
        switch outcome {
        case .employed: [.employerOrg, .employerTownship, .countyFloating]
        case .furtherStudy: [.newSchool]
        case .enlisted: [.specialPool]
        case .notYetEmployed: [.residenceTownship, .householdTownship, .originTownship, .keptAtSchool]
        case .studyingAbroad: [.keptAtSchool]
        case .delayedGraduation: [.delayedGraduationOrg]
        }
    }
}

/// The provinces whose transfers in must name a specific branch (TRF-10).
public enum DestinationProvince: Sendable, Equatable {
    case beijing, guangdong, fujian, other

    public var requiresBranch: Bool { self != .other }
}

/// A transfer as asked for, before the store: what the submit-time rules look at.
public struct TransferRequest: Sendable {
    /// A member the transfer names, with what the gate needs (ARC-9, TRF-5).
    public struct Subject: Sendable, Equatable {
        public let id: PersonID
        public let name: String
        public let branch: OrgPlacement
        public let joinedOn: CivilDate
        public let identityVerified: Bool
        /// ARC-10: a change request on the archive waits for the upper committee.
        public let archiveChangePending: Bool

        public init(id: PersonID, name: String, branch: OrgPlacement, joinedOn: CivilDate, identityVerified: Bool, archiveChangePending: Bool) {
            self.id = id
            self.name = name
            self.branch = branch
            self.joinedOn = joinedOn
            self.identityVerified = identityVerified
            self.archiveChangePending = archiveChangePending
        }
    }

    public let kind: TransferKind
    public let subjects: [Subject]
    public let destination: OrgPlacement
    /// The org whose admin starts it (for TRF-4, the 团委/团工委/团总支 above both branches).
    public let initiatingOrg: OrgPlacement?
    public let outcome: GraduateOutcome?
    public let channel: GraduateChannel?
    /// TRF-8: a graduate kept at school stays at most 6 months.
    public let keptMonths: Int?
    public let destinationProvince: DestinationProvince
    public let reason: String

    public init(
        kind: TransferKind, subjects: [Subject], destination: OrgPlacement, initiatingOrg: OrgPlacement?, outcome: GraduateOutcome? = nil,
        channel: GraduateChannel? = nil, keptMonths: Int? = nil, destinationProvince: DestinationProvince = .other, reason: String
    ) {
        self.kind = kind
        self.subjects = subjects
        self.destination = destination
        self.initiatingOrg = initiatingOrg
        self.outcome = outcome
        self.channel = channel
        self.keptMonths = keptMonths
        self.destinationProvince = destinationProvince
        self.reason = reason
    }
}

/// Why a transfer cannot be started. Each case is one rule; the catalogue gives the message.
public enum TransferRequestProblem: Error, Sendable, Equatable {
    /// ARC-9, TRF-5: unverified new members, every one named; nothing moves.
    case membersNotVerified([PersonID])
    /// ARC-10: members whose archive change request is undecided.
    case archiveChangePending([PersonID])
    case noMembers
    /// The destination is the member's own branch.
    case sameBranch
    /// TRF-2, TRF-1: only one member at a time outside a batch.
    case oneMemberOnly
    /// TRF-4: only a 团委/团工委/团总支 moves members in a batch.
    case batchNotByCommittee
    /// TRF-4: both branches below the initiating org, and two different ones.
    case batchOutsideInitiator
    case batchSingleSourceBranch
    /// TRF-4: at most 30 members at once.
    case batchTooLarge(maximum: Int)
    /// TRF-6: 学社衔接 applications are made 5-01 … 8-31.
    case graduateWindowClosed
    /// TRF-8: a 学社衔接 names the outcome and a channel it allows.
    case outcomeRequired
    case channelNotAllowed(GraduateOutcome, GraduateChannel?)
    /// TRF-8: the destination org is not of the kind the channel leads to.
    case destinationDoesNotFitChannel(GraduateChannel)
    /// TRF-8: kept at school at most 6 months.
    case keptTooLong(maximum: Int)
    /// TRF-10: into Beijing, Guangdong or Fujian, a specific branch.
    case provinceRequiresBranch
    /// TRF-11: a drop-out returns to a 流动团员团支部 or a branch of the household township.
    case dropoutNeedsBranch
    case reasonRequired
    case invalidReason(FreeTextProblem)
}

public enum TransferRules {
    /// TRF-4.
    public static let batchLimit = 30
    /// TRF-8.
    public static let keptAtSchoolMonths = 6

    /// Every problem with `request` on `today`, in the order a reader fixes them; empty when it
    /// may be submitted. The gate comes first and names every blocked member (ARC-9, TRF-5).
    public static func problems(_ request: TransferRequest, today: CivilDate) -> [TransferRequestProblem] {
        var problems: [TransferRequestProblem] = []
        let subjects = request.subjects
        if subjects.isEmpty { return [.noMembers] }
        let blocked = subjects.filter { !NewMemberGate.admits(joinedOn: $0.joinedOn, identityVerified: $0.identityVerified) }.map(\.id)
        if !blocked.isEmpty { problems.append(.membersNotVerified(blocked)) }
        let changing = subjects.filter(\.archiveChangePending).map(\.id)
        if !changing.isEmpty { problems.append(.archiveChangePending(changing)) }
        if request.kind != .batch && subjects.count > 1 { problems.append(.oneMemberOnly) }
        if subjects.contains(where: { $0.branch.id == request.destination.id }) { problems.append(.sameBranch) }

        switch request.kind {
        case .batch:
            if subjects.count > batchLimit { problems.append(.batchTooLarge(maximum: batchLimit)) }
            guard let initiator = request.initiatingOrg, [.committee, .workingCommittee, .generalBranch].contains(initiator.category) else {
                problems.append(.batchNotByCommittee)
                break
            }
            let sources = Set(subjects.map(\.branch.id))
            if sources.count > 1 { problems.append(.batchSingleSourceBranch) }
            let inside = request.destination.category.holdsMembers && request.destination.path.isWithin(initiator.path)
                && subjects.allSatisfy { $0.branch.path.isWithin(initiator.path) }
            if !inside { problems.append(.batchOutsideInitiator) }
        case .graduate:
            if !TransferCalendar.graduateApplicationWindow(today.year).contains(today) { problems.append(.graduateWindowClosed) }
            problems += graduateProblems(request)
        case .dropout:
            // TRF-11: back to the household township, into a branch (its 流动团员团支部 or another).
            if !request.destination.category.holdsMembers { problems.append(.dropoutNeedsBranch) }
        case .apply, .transferIn, .transferOut:
            break
        }
        if request.destinationProvince.requiresBranch && !request.destination.category.holdsMembers {
            problems.append(.provinceRequiresBranch)
        }
        do {
            if try FreeText.checked(request.reason, as: .reason).isEmpty { problems.append(.reasonRequired) }
        } catch {
            problems.append(.invalidReason(error))
        }
        return problems
    }

    static func graduateProblems(_ request: TransferRequest) -> [TransferRequestProblem] {
        guard let outcome = request.outcome else { return [.outcomeRequired] }
        guard let channel = request.channel, GraduateChannel.allowed(for: outcome).contains(channel) else {
            return [.channelNotAllowed(outcome, request.channel)]
        }
        var problems: [TransferRequestProblem] = []
        let category = request.destination.category
        let fits: Bool =
            switch channel {
            case .specialPool: category == .specialPool
            case .delayedGraduationOrg: category == .delayedGraduationBranch
            case .countyFloating, .residenceTownship, .householdTownship, .originTownship: category == .floatingMemberBranch
            case .keptAtSchool:
                // Kept at the graduate's own school: a branch below the same upper committee;
                // studying abroad, its 出国(境)学习研究团员团支部.
                outcome == .studyingAbroad ? category == .overseasStudyBranch : category.holdsMembers
            case .employerOrg, .employerTownship, .newSchool: category != .specialPool && category != .delayedGraduationBranch
            }
        if !fits { problems.append(.destinationDoesNotFitChannel(channel)) }
        if channel == .keptAtSchool {
            let school = request.subjects.first?.branch.upperCommitteeID
            if school == nil || request.destination.upperCommitteeID != school { problems.append(.destinationDoesNotFitChannel(channel)) }
            if outcome == .notYetEmployed, (request.keptMonths ?? keptAtSchoolMonths + 1) > keptAtSchoolMonths {
                problems.append(.keptTooLong(maximum: keptAtSchoolMonths))
            }
        }
        return problems
    }
}

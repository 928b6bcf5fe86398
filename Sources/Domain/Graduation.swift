/// A branch's graduation mark (GRD-1): its expected graduation month, or, where that is not
/// known, the reason why — exactly one of the two.
public enum GraduationMark: Sendable, Hashable {
    case month(YearMonth)
    case reason(String)

    public var month: YearMonth? {
        if case .month(let m) = self { return m }
        return nil
    }

    public var reason: String? {
        if case .reason(let r) = self { return r }
        return nil
    }
}

/// A branch as the marking rules see it.
public struct GraduationBranch: Sendable, Equatable {
    public let placement: OrgPlacement
    /// The mark in force, if any (GRD-3: a mark is final except for the provincial committee).
    public let currentMark: GraduationMark?

    public init(placement: OrgPlacement, currentMark: GraduationMark?) {
        self.placement = placement
        self.currentMark = currentMark
    }
}

/// Why a graduation mark, or a member's delayed graduation, is refused.
public enum GraduationProblem: Error, Sendable, Equatable {
    /// GRD-1: a month or a reason, not both, not neither.
    case markNeedsMonthOrReason
    case noBranches
    /// GRD-1: only a school-domain 团委 or 团总支 marks, not a leading organ, not a branch.
    case markerNotSchoolCommittee
    /// GRD-1: the branch lies below the marking org and is a class branch (团支部).
    case notABranchBelow(OrgID)
    /// GRD-3: the branch is marked already; only the provincial committee corrects it.
    case alreadyMarked(OrgID)
    case invalidReason(FreeTextProblem)
    /// GRD-5: a delayed graduate's branch must have its own expected month.
    case branchNotGraduating
    /// GRD-5: the member's month comes after the branch's.
    case delayNotLater(branchMonth: YearMonth)
    /// GRD-5: the reason is required.
    case delayReasonRequired
    /// GRD-5: revoking needs a delay in force.
    case noDelayToRevoke
    /// GRD-5: the delay is marked before the member graduates; after, 学社衔接 takes over.
    case alreadyGraduated
}

/// What a 团委 or 团总支 asks to mark: the same mark for one or several branches (GRD-2: a
/// month for several at once is one month for all, which this shape makes the only way).
public struct GraduationMarking: Sendable {
    public let marker: OrgPlacement
    /// ORG-11: the marker's 单位所属行业类别, for GRD-1's school domain.
    public let markerIndustry: IndustryCategory?
    public let branches: [GraduationBranch]
    public let mark: GraduationMark
    /// GRD-3: the provincial committee over the branches corrects marks already set.
    public let byProvincialCommittee: Bool

    public init(
        marker: OrgPlacement, markerIndustry: IndustryCategory?, branches: [GraduationBranch], mark: GraduationMark,
        byProvincialCommittee: Bool
    ) {
        self.marker = marker
        self.markerIndustry = markerIndustry
        self.branches = branches
        self.mark = mark
        self.byProvincialCommittee = byProvincialCommittee
    }
}

/// The graduation rules (GRD-1 … GRD-5), pure: the workflow reads the facts, asks here, and
/// writes what is allowed.
public enum GraduationRules {
    /// The categories that mark (GRD-1): 团委 and 团总支 of a school. 团工委 are not named by
    /// the manual; they are left out.
    public static let markerCategories: Set<OrgCategory> = [.committee, .generalBranch]

    /// Every problem with `marking`, empty when it may be written. The mark itself is
    /// returned normalised (the reason trimmed).
    public static func problems(_ marking: GraduationMarking) -> (problems: [GraduationProblem], mark: GraduationMark) {
        var problems: [GraduationProblem] = []
        var mark = marking.mark
        if case .reason(let text) = marking.mark {
            do {
                let trimmed = try FreeText.checked(text, as: .reason)
                if trimmed.isEmpty { problems.append(.markNeedsMonthOrReason) } else { mark = .reason(trimmed) }
            } catch {
                problems.append(.invalidReason(error))
            }
        }
        if marking.branches.isEmpty { problems.append(.noBranches) }
        if !marking.byProvincialCommittee {
            let school = marking.markerIndustry?.isSchoolDomain ?? false
            if !markerCategories.contains(marking.marker.category) || !school { problems.append(.markerNotSchoolCommittee) }
        }
        for branch in marking.branches {
            let p = branch.placement
            if p.category != .branch || !p.path.isWithin(marking.marker.path) || p.id == marking.marker.id {
                problems.append(.notABranchBelow(p.id))
            } else if branch.currentMark != nil && !marking.byProvincialCommittee {
                problems.append(.alreadyMarked(p.id))
            }
        }
        return (problems, mark)
    }

    /// GRD-5: marking a member of a graduating branch as a delayed graduate (or a teacher who
    /// stays) with a later month and a reason.
    public static func delayProblems(
        branchMark: GraduationMark?, delayedTo month: YearMonth, reason: String, graduated: Bool
    ) -> (problems: [GraduationProblem], reason: String) {
        var problems: [GraduationProblem] = []
        var trimmed = ""
        if graduated { problems.append(.alreadyGraduated) }
        if let branchMonth = branchMark?.month {
            if month <= branchMonth { problems.append(.delayNotLater(branchMonth: branchMonth)) }
        } else {
            problems.append(.branchNotGraduating)
        }
        do {
            trimmed = try FreeText.checked(reason, as: .reason)
            if trimmed.isEmpty { problems.append(.delayReasonRequired) }
        } catch {
            problems.append(.invalidReason(error))
        }
        return (problems, trimmed)
    }

    /// The month a member graduates in: their own delay if one is in force, else their branch's.
    public static func effectiveMonth(branchMark: GraduationMark?, delay: YearMonth?) -> YearMonth? {
        delay ?? branchMark?.month
    }

    /// GRD-4: true when a branch (or a delayed member) marked for `month` has graduated by
    /// `today`: on June 1 of that month's year. A sweep that missed the day catches up.
    public static func isConverted(month: YearMonth, today: CivilDate) -> Bool {
        TransferCalendar.hasGraduated(markedMonth: month, today: today)
    }

    /// GRD-4: the latest year whose June 1 has come by `today`: branches marked for a month of
    /// that year or earlier have graduated.
    public static func lastGraduationYear(today: CivilDate) -> Int {
        today.month >= 6 ? today.year : today.year - 1
    }

    /// GRD-6: a graduate org whose members have all left is closed (kept, marked deleted).
    public static func closesAfterMove(sourceGraduated: Bool, membersLeft: Int) -> Bool {
        sourceGraduated && membersLeft == 0
    }
}

/// 对标定级 (RULES GRA-1 … GRA-5): each year a 团(总)支部 grades itself against the year's
/// criteria and its upper committee reviews the grade.

/// A grade, sent and shown by its Chinese name (五星 … 一星, 不予定级).
public enum Grade: String, Sendable, Codable, CaseIterable {
    case fiveStars = "five_stars"
    case fourStars = "four_stars"
    case threeStars = "three_stars"
    case twoStars = "two_stars"
    case oneStar = "one_star"
    /// GRA-5: the branch goes under key rectification (重点整顿) and grades itself again.
    case notGraded = "not_graded"

    public var chineseName: String {
        switch self {
        case .fiveStars: "五星"
        case .fourStars: "四星"
        case .threeStars: "三星"
        case .twoStars: "二星"
        case .oneStar: "一星"
        case .notGraded: "不予定级"
        }
    }

    public init?(chineseName: String) {
        guard let grade = Grade.allCases.first(where: { $0.chineseName == chineseName }) else { return nil }
        self = grade
    }
}

/// A moment on China Standard Time's wall clock, to the minute: the calendar the manual's
/// deadlines are written in ("12月31日中午12:00").
public struct ChinaMoment: Hashable, Comparable, Sendable {
    public let date: CivilDate
    /// Minutes since midnight, 0 … 1439.
    public let minuteOfDay: Int

    public init(date: CivilDate, minuteOfDay: Int) {
        self.date = date
        self.minuteOfDay = minuteOfDay
    }

    public static func < (a: ChinaMoment, b: ChinaMoment) -> Bool {
        (a.date, a.minuteOfDay) < (b.date, b.minuteOfDay)
    }
}

/// One entry of a grading year, in order: the branch's self-grade or its committee's review.
public enum GradingEntry: Sendable, Equatable {
    case selfGrade(Grade)
    case review(Grade)
}

/// Why a self-grade or review is refused.
public enum GradingRefusal: Error, Sendable, Equatable {
    /// GRA-2: this org does not take part this year.
    case outOfScope(GradingExclusion)
    /// GRA-3: the self-grade was already changed three times before review.
    case changesExhausted
    /// GRA-3: reviewed (and not 不予定级): the self-grade stands.
    case lockedByReview
    /// GRA-4: after 12-31 12:00 of the year nothing of it changes.
    case yearLocked
    /// GRA-4: there is nothing to review before the branch has graded itself.
    case notSelfGraded
    /// Only the current year is graded.
    case notCurrentYear
}

/// GRA-2: why an org is not graded this year.
public enum GradingExclusion: Sendable, Equatable {
    /// 团委, 团工委 and leading organs are not graded; 流动团员团支部, 待接转团支部 and the
    /// 特殊单位专属库 are out of scope.
    case category(OrgCategory)
    /// Founded within the last 6 months.
    case foundedRecently(CivilDate)
}

/// A grading year of one org, folded from its entries.
public struct GradingRecord: Sendable, Equatable {
    public let year: Int
    public private(set) var entries: [GradingEntry]

    public init(year: Int, entries: [GradingEntry] = []) {
        self.year = year
        self.entries = entries
    }

    /// The latest self-grade.
    public var selfGrade: Grade? {
        entries.reversed().lazy.compactMap { if case .selfGrade(let g) = $0 { g } else { nil } }.first
    }

    /// The latest review.
    public var review: Grade? {
        entries.reversed().lazy.compactMap { if case .review(let g) = $0 { g } else { nil } }.first
    }

    /// Entries after the latest review (all of them before the first).
    private var sinceReview: ArraySlice<GradingEntry> {
        guard let last = entries.lastIndex(where: { if case .review = $0 { true } else { false } }) else { return entries[...] }
        return entries[(last + 1)...]
    }

    /// GRA-3: self-grades submitted in this round (since the latest review).
    public var submissionsThisRound: Int { sinceReview.count }

    /// GRA-3: changes still allowed before review: the first submission and at most 3 changes.
    public var changesLeft: Int {
        if isLockedByReview { return 0 }
        return submissionsThisRound == 0 ? GradingRules.maximumChanges : max(0, GradingRules.maximumChanges - (submissionsThisRound - 1))
    }

    /// GRA-3: reviewed with a grade other than 不予定级, and not self-graded since.
    public var isLockedByReview: Bool {
        guard let review, case .review? = entries.last else { return false }
        return review != .notGraded
    }

    /// GRA-5: the latest review was 不予定级: the branch is under key rectification.
    public var isUnderKeyRectification: Bool { review == .notGraded }

    /// The latest entry is a self-grade: the committee has something to review.
    public var awaitsReview: Bool { if case .selfGrade? = entries.last { true } else { false } }

    /// GRA-5: a self-grade submitted after a 不予定级 review, highlighted to the reviewer.
    public var isRegradedAfterNotGraded: Bool {
        guard awaitsReview, let last = entries.lastIndex(where: { if case .review = $0 { true } else { false } }) else { return false }
        if case .review(.notGraded) = entries[last] { return true }
        return false
    }

    /// The branch grades itself (GRA-3, GRA-5); returns the entry to record.
    public mutating func grade(_ grade: Grade, at now: ChinaMoment) throws(GradingRefusal) -> GradingEntry {
        try GradingRules.checkOpen(year: year, at: now)
        if isLockedByReview { throw .lockedByReview }
        if submissionsThisRound > GradingRules.maximumChanges { throw .changesExhausted }
        entries.append(.selfGrade(grade))
        return .selfGrade(grade)
    }

    /// The upper committee reviews, or changes its review (GRA-4).
    public mutating func review(_ grade: Grade, at now: ChinaMoment) throws(GradingRefusal) -> GradingEntry {
        try GradingRules.checkOpen(year: year, at: now)
        if selfGrade == nil { throw .notSelfGraded }
        entries.append(.review(grade))
        return .review(grade)
    }
}

public enum GradingRules {
    /// GRA-3: changes to a self-grade before review, after the first submission.
    public static let maximumChanges = 3
    /// GRA-2: orgs founded within this many months are not graded.
    public static let minimumAgeMonths = 6

    /// GRA-1, GRA-2: the categories that grade themselves, as stored.
    public static let gradedCategories: [OrgCategory] = OrgCategory.allCases.filter { categoryExclusion($0) == nil }

    /// GRA-1, GRA-2: the categories that grade themselves (团支部 of every kind and 团总支,
    /// graduate orgs included), nil when `category` is one of them.
    public static func categoryExclusion(_ category: OrgCategory) -> GradingExclusion? {
        switch category {
        case .branch, .generalBranch, .graduateBranch, .delayedGraduationBranch, .schoolToSocietyBranch, .overseasStudyBranch:
            nil
        case .leadingOrgan, .committee, .workingCommittee, .floatingMemberBranch, .pendingTransferBranch, .specialPool:
            .category(category)
        }
    }

    /// GRA-2: whether the org takes part on `today`.
    public static func exclusion(category: OrgCategory, foundedOn: CivilDate, today: CivilDate) -> GradingExclusion? {
        if let excluded = categoryExclusion(category) { return excluded }
        return foundedOn > foundingCutoff(today: today) ? .foundedRecently(foundedOn) : nil
    }

    /// GRA-4: 12-31 12:00 China Standard Time of `year`; from then on the year is locked.
    public static func lockMoment(year: Int) -> ChinaMoment {
        ChinaMoment(date: CivilDate(year: year, month: 12, day: 31)!, minuteOfDay: 12 * 60)
    }

    public static func isLocked(year: Int, at now: ChinaMoment) -> Bool { now >= lockMoment(year: year) }

    /// Only the current year is graded, and only until its lock.
    static func checkOpen(year: Int, at now: ChinaMoment) throws(GradingRefusal) {
        if year != now.date.year { throw year < now.date.year ? .yearLocked : .notCurrentYear }
        if isLocked(year: year, at: now) { throw .yearLocked }
    }

    /// GRA-2: orgs founded after this day are too young on `today`.
    public static func foundingCutoff(today: CivilDate) -> CivilDate { today.months(before: minimumAgeMonths) }
}

/// GRA-1: one indicator of the year's criteria, as the committee published them (data, not code).
public struct GradingCriterion: Sendable, Equatable, Codable {
    public let dimension: String
    public let weight: String
    public let content: String
    public let indicator: String

    public init(dimension: String, weight: String, content: String, indicator: String) {
        self.dimension = dimension
        self.weight = weight
        self.content = content
        self.indicator = indicator
    }
}

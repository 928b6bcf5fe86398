/// 组织整顿 (RULES RCT-1 … RCT-4): a 团支部 rates itself on the year's self-check items each
/// month from September to December, its direct parent approves or rejects each form, and the
/// parent marks the bottom 20 % for key rectification (重点整顿).

/// How one self-check item is rated, sent and shown by its Chinese name.
public enum CheckRating: String, Sendable, Codable, CaseIterable {
    case good
    case fairlyGood = "fairly_good"
    case average
    case poor

    public var chineseName: String {
        switch self {
        case .good: "好"
        case .fairlyGood: "较好"
        case .average: "一般"
        case .poor: "较差"
        }
    }

    public init?(chineseName: String) {
        guard let rating = CheckRating.allCases.first(where: { $0.chineseName == chineseName }) else { return nil }
        self = rating
    }
}

/// RCT-1: the statuses, as the manual defines them.
public enum RectificationStatus: String, Sendable, Codable, CaseIterable {
    /// 合格: the first form had no 较差 item and the parent approved it, or the parent's own
    /// first form for the branch had none.
    case qualified
    /// 基本合格: the first approved form had more than 0 and fewer than 10 较差 items.
    case basicallyQualified = "basically_qualified"
    /// 整改后合格: a 基本合格 branch rectified itself down to no 较差 item (approved).
    case qualifiedAfterRectification = "qualified_after_rectification"
    /// 重点整改后合格: under key rectification, an approved form with no 较差 item.
    case qualifiedAfterKeyRectification = "qualified_after_key_rectification"
    /// 已摘牌: under key rectification, an approved form with more than 0 and fewer than 10.
    case delisted

    public var chineseName: String {
        switch self {
        case .qualified: "合格"
        case .basicallyQualified: "基本合格"
        case .qualifiedAfterRectification: "整改后合格"
        case .qualifiedAfterKeyRectification: "重点整改后合格"
        case .delisted: "已摘牌"
        }
    }

    /// RCT-2: these have no 较差 item left and are never marked bottom 20 %.
    public var isQualified: Bool { self == .qualified || self == .qualifiedAfterRectification || self == .qualifiedAfterKeyRectification }
}

/// One entry of a branch's rectification year, in order.
public enum RectificationEntry: Sendable, Equatable {
    /// A self-check form: its 较差 count, the month it counts for, and whether the direct parent
    /// filled it for a branch that had not checked itself.
    case submit(poor: Int, month: Int, byParent: Bool)
    case approve
    case reject
    /// RCT-2: marked bottom 20 % by the direct parent: under key rectification.
    case markKey
}

public enum RectificationRefusal: Error, Sendable, Equatable {
    /// RCT-3: a form with no 较差 item was approved (or filled so by the parent): locked.
    case locked
    /// RCT-4: forms are submitted September to December, always for the current month.
    case outsideCampaign
    /// The parent fills a form only for a branch that has not checked itself.
    case branchCheckedItself
    case nothingToDecide
    /// A form rating every item 较差 cannot be approved; it is rejected for rectification.
    case tooManyPoor
    /// RCT-2 exclusions, with the reason.
    case notMarkable(RectificationExclusion)
    case alreadyKey
    case notCurrentYear
}

/// RCT-2: why a branch cannot be marked bottom 20 %.
public enum RectificationExclusion: Sendable, Equatable {
    case qualified(RectificationStatus)
    case category(OrgCategory)
    case foundedRecently(CivilDate)
}

/// A branch's rectification year, folded from its entries.
public struct RectificationRecord: Sendable, Equatable {
    public let year: Int
    public private(set) var entries: [RectificationEntry]

    public init(year: Int, entries: [RectificationEntry] = []) {
        self.year = year
        self.entries = entries
    }

    /// The state the entries lead to.
    public struct State: Sendable, Equatable {
        public var status: RectificationStatus?
        public var underKeyRectification = false
        /// The form waiting for the parent's decision: its 较差 count.
        public var pendingPoor: Int?
        public var locked = false
        public var selfChecked = false
    }

    public var state: State {
        var state = State()
        var pending: (poor: Int, byParent: Bool)?
        for entry in entries {
            switch entry {
            case .submit(let poor, _, let byParent):
                if !byParent { state.selfChecked = true }
                if byParent && state.status == nil && poor == 0 && !state.underKeyRectification {
                    // 合格 at once: the parent's own first form with no 较差 item (RCT-1 (i), RCT-3 (ii)).
                    state.status = .qualified
                    state.locked = true
                    pending = nil
                } else {
                    pending = (poor, byParent)
                }
            case .reject:
                pending = nil
            case .approve:
                guard let form = pending else { continue }
                pending = nil
                state.status = Self.status(after: state, poor: form.poor)
                if form.poor == 0 { state.locked = true }
            case .markKey:
                state.underKeyRectification = true
            }
        }
        state.pendingPoor = pending?.poor
        return state
    }

    static func status(after state: State, poor: Int) -> RectificationStatus {
        if state.underKeyRectification { return poor == 0 ? .qualifiedAfterKeyRectification : .delisted }
        switch state.status {
        case nil: return poor == 0 ? .qualified : .basicallyQualified
        case .basicallyQualified?: return poor == 0 ? .qualifiedAfterRectification : .basicallyQualified
        case let status?: return status
        }
    }

    /// RCT-1, RCT-3, RCT-4: a form from the branch (or from its parent, `byParent`), counted for
    /// the current month.
    public mutating func submit(poor: Int, byParent: Bool, today: CivilDate) throws(RectificationRefusal) -> RectificationEntry {
        if today.year != year { throw .notCurrentYear }
        guard RectificationRules.campaignMonths.contains(today.month) else { throw .outsideCampaign }
        let state = state
        if state.locked { throw .locked }
        if byParent && state.selfChecked { throw .branchCheckedItself }
        let entry = RectificationEntry.submit(poor: poor, month: today.month, byParent: byParent)
        entries.append(entry)
        return entry
    }

    /// The direct parent decides on the waiting form.
    public mutating func decide(approve: Bool) throws(RectificationRefusal) -> RectificationEntry {
        guard let poor = state.pendingPoor else { throw .nothingToDecide }
        if approve && poor >= RectificationRules.poorLimit { throw .tooManyPoor }
        let entry: RectificationEntry = approve ? .approve : .reject
        entries.append(entry)
        return entry
    }

    /// RCT-2: the direct parent marks the branch bottom 20 %.
    public mutating func markKey(category: OrgCategory, foundedOn: CivilDate, today: CivilDate) throws(RectificationRefusal) -> RectificationEntry {
        if today.year != year { throw .notCurrentYear }
        let state = state
        if let exclusion = RectificationRules.exclusion(status: state.status, category: category, foundedOn: foundedOn, today: today) {
            throw .notMarkable(exclusion)
        }
        if state.underKeyRectification { throw .alreadyKey }
        entries.append(.markKey)
        return .markKey
    }

    /// RCT-4: per month of the campaign, the 较差 count of the last form submitted in that month
    /// (nil: none that month); each month on its own, never added up.
    public var monthlyPoor: [(month: Int, poor: Int?)] {
        RectificationRules.campaignMonths.map { month in
            let last = entries.reversed().lazy.compactMap { entry -> Int? in
                if case .submit(let poor, let m, _) = entry, m == month { return poor }
                return nil
            }.first
            return (month, last)
        }
    }
}

/// RCT-4, for the key-rectification list: what became of a campaign month's last form.
public enum RectificationMonthOutcome: Sendable, Equatable {
    case notSubmitted
    case pending(poor: Int)
    case approved(poor: Int)
    case rejected(poor: Int)
}

extension RectificationRecord {
    /// RCT-4: per campaign month, its last form and the parent's decision on it; each month on
    /// its own, never added up. A parent's own first form with no 较差 item counts as approved,
    /// as the state does (合格 at once).
    public var monthlyProgress: [(month: Int, outcome: RectificationMonthOutcome)] {
        var outcomes: [Int: RectificationMonthOutcome] = [:]
        var pendingMonth: Int?
        var prefix = RectificationRecord(year: year)
        for entry in entries {
            prefix.entries.append(entry)
            switch entry {
            case .submit(let poor, let month, _):
                let acceptedAtOnce = prefix.state.pendingPoor == nil
                outcomes[month] = acceptedAtOnce ? .approved(poor: poor) : .pending(poor: poor)
                pendingMonth = acceptedAtOnce ? nil : month
            case .approve, .reject:
                guard let month = pendingMonth, case .pending(let poor)? = outcomes[month] else { continue }
                outcomes[month] = entry == .approve ? .approved(poor: poor) : .rejected(poor: poor)
                pendingMonth = nil
            case .markKey:
                break
            }
        }
        return RectificationRules.campaignMonths.map { ($0, outcomes[$0] ?? .notSubmitted) }
    }

    /// Whether any self-check form was submitted this year (by the branch or for it).
    public var hasForm: Bool {
        entries.contains { if case .submit = $0 { true } else { false } }
    }
}

/// The committee's rectification figures over a set of branches (one industry category, or
/// all): how many are in each state.
public struct RectificationTally: Sendable, Equatable {
    public var branches = 0
    /// Each branch in exactly one of these: no form this year; its first form waiting; its forms
    /// so far rejected; or its status.
    public var notSubmitted = 0
    public var awaitingFirstDecision = 0
    public var notPassed = 0
    public var byStatus: [RectificationStatus: Int] = [:]
    /// Branches with a form waiting on the parent now, whatever their status.
    public var formsWaiting = 0
    /// RCT-2: marked bottom 20 %.
    public var keyRectification = 0

    public init() {}

    public mutating func add(_ record: RectificationRecord) {
        let state = record.state
        branches += 1
        if state.underKeyRectification { keyRectification += 1 }
        if state.pendingPoor != nil { formsWaiting += 1 }
        if let status = state.status {
            byStatus[status, default: 0] += 1
        } else if state.pendingPoor != nil {
            awaitingFirstDecision += 1
        } else if record.hasForm {
            notPassed += 1
        } else {
            notSubmitted += 1
        }
    }
}

public enum RectificationRules {
    /// RCT-4: the campaign's months.
    public static let campaignMonths = 9...12
    /// RCT-1: "较差项大于0小于10": 10 or more cannot be approved.
    public static let poorLimit = 10
    /// RCT-2: branches founded less than this many months ago are not marked.
    public static let minimumAgeMonths = 3

    /// RCT-2: why the branch cannot be marked bottom 20 %, nil when it can.
    public static func exclusion(status: RectificationStatus?, category: OrgCategory, foundedOn: CivilDate, today: CivilDate)
        -> RectificationExclusion?
    {
        if let status, status.isQualified { return .qualified(status) }
        switch category {
        case .graduateBranch, .pendingTransferBranch: return .category(category)
        default: break
        }
        if !category.holdsMembers { return .category(category) }
        return foundedOn > today.months(before: minimumAgeMonths) ? .foundedRecently(foundedOn) : nil
    }
}

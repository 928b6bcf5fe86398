/// 年度团籍注册 (manual 一(二)6 "年度团籍注册审批", 一(二)9 两制; RULES ACT-1): each year a member
/// reports on their year, and the branch admin approves the registration or sends it back with
/// a reason, after which the member may report again.
///
/// The year reported is the current one or, until the next year's registration is due, the one
/// just ended (registration of a year usually runs into the first months of the next).
public enum AnnualRegistrationState: Sendable, Equatable {
    /// Nothing reported for the year.
    case notSubmitted
    /// Reported; waits on the branch admin.
    case pending
    case approved
    /// Sent back with a reason; the member may report again.
    case rejected(reason: String)

    public enum Event: Sendable, Equatable {
        case submit(summary: String)
        case approve
        case reject(reason: String)
    }

    /// What the caller records: a new submission, or the decision on the pending one.
    public enum Effect: Sendable, Equatable {
        case recordSubmission(summary: String)
        case recordDecision(approved: Bool, reason: String?)
    }

    /// The next state and what to record, or why the event is refused.
    public func on(_ event: Event) throws(RegistrationProblem) -> (state: AnnualRegistrationState, effect: Effect) {
        switch (self, event) {
        case (.notSubmitted, .submit(let summary)), (.rejected, .submit(let summary)):
            let checked = try Self.checked(summary, .noticeText)
            if checked.isEmpty { throw .summaryRequired }
            return (.pending, .recordSubmission(summary: checked))
        case (.pending, .submit):
            throw .alreadyPending
        case (.approved, .submit), (.approved, .approve), (.approved, .reject):
            throw .alreadyApproved
        case (.pending, .approve):
            return (.approved, .recordDecision(approved: true, reason: nil))
        case (.pending, .reject(let reason)):
            let checked = try Self.checked(reason, .reason)
            if checked.isEmpty { throw .reasonRequired }
            return (.rejected(reason: checked), .recordDecision(approved: false, reason: checked))
        case (.notSubmitted, .approve), (.notSubmitted, .reject), (.rejected, .approve), (.rejected, .reject):
            throw .notPending
        }
    }

    private static func checked(_ text: String, _ field: FreeTextField) throws(RegistrationProblem) -> String {
        do { return try FreeText.checked(text, as: field) } catch { throw .invalidText(error) }
    }
}

public enum RegistrationStatus: String, Sendable, CaseIterable {
    case pending
    case approved
    case rejected

    public var chineseName: String {
        switch self {
        case .pending: "待审批"
        case .approved: "已通过"
        case .rejected: "未通过"
        }
    }
}

public enum RegistrationProblem: Error, Sendable, Equatable {
    case summaryRequired
    case reasonRequired
    case invalidText(FreeTextProblem)
    /// Only this year, or last year's, may be reported.
    case yearClosed(year: Int, open: ClosedRange<Int>)
    case alreadyPending
    case alreadyApproved
    /// A decision on a registration that does not wait on one.
    case notPending
    /// A member whose record is marked removed no longer registers.
    case notAMember
}

public enum AnnualRegistrationRules {
    /// The years a member may report on `today`: this year and the one before.
    public static func openYears(today: CivilDate) -> ClosedRange<Int> { (today.year - 1)...today.year }

    /// ACT-1: `year` may be reported on `today`.
    public static func checkYear(_ year: Int, today: CivilDate) throws(RegistrationProblem) {
        let open = openYears(today: today)
        guard open.contains(year) else { throw .yearClosed(year: year, open: open) }
    }
}

/// The kinds of org-relationship transfer (团组织关系转接, RULES TRF-1 … TRF-11). The raw values
/// are the API's `kind`.
public enum TransferKind: String, Sendable, Codable, CaseIterable {
    /// TRF-1: the member's own application.
    case apply
    /// TRF-2: started by the destination branch's admin, who found the member by name and ID number.
    case transferIn = "in"
    /// TRF-2: started by the member's branch admin.
    case transferOut = "out"
    /// TRF-4: a 团委/团工委/团总支 moves up to 30 members between two of its branches.
    case batch
    /// TRF-6, TRF-8 … TRF-10: a graduate's 学社衔接.
    case graduate
    /// TRF-11: a member who dropped out returns to the household township.
    case dropout

    public var chineseName: String {
        switch self {
        case .apply: "团员申请转接"
        case .transferIn: "办理转入"
        case .transferOut: "办理转出"
        case .batch: "批量接转"
        case .graduate: "学社衔接"
        case .dropout: "退学转回"
        }
    }
}

/// One approver's step of a transfer, in the order the chain runs them.
public enum TransferStep: String, Sendable, Codable, CaseIterable {
    /// The member's current branch, or its direct parent, approves (TRF-1, TRF-2).
    case sourceApproval = "source_approval"
    /// The destination branch, or its direct parent, approves (TRF-3).
    case destinationApproval = "destination_approval"
    /// The destination 团委/团工委/团总支 approves (TRF-3)…
    case destinationCommitteeApproval = "destination_committee_approval"
    /// …and then assigns the member to one of its branches: an operation-centre task of its
    /// own, type 分配团支部 (TRF-3, OPC-1).
    case branchAssignment = "branch_assignment"
    /// TRF-8: enlistment into the special pool is approved by the provincial committee.
    case provincialApproval = "provincial_approval"

    public var chineseName: String {
        switch self {
        case .sourceApproval: "转出团组织审批"
        case .destinationApproval: "转入团组织审批"
        case .destinationCommitteeApproval: "转入团委审批"
        case .branchAssignment: "分配团支部"
        case .provincialApproval: "省级团委审批"
        }
    }

    /// Who may act on the step, given the two ends of the transfer. TRF-8's province is the
    /// destination's provincial committee, which sits directly below 团中央.
    public func actor(source: OrgPlacement, destination: OrgPlacement) -> TransferStepActor {
        switch self {
        case .sourceApproval: .orgOrDirectParent(source.id)
        case .destinationApproval: .orgOrDirectParent(destination.id)
        case .destinationCommitteeApproval, .branchAssignment: .org(destination.id)
        case .provincialApproval: destination.path.ids.count > 1 ? .org(destination.path.ids[1]) : .org(destination.id)
        }
    }
}

/// The admins who may act on a step: those of one org, or of a branch and its direct parent.
public enum TransferStepActor: Sendable, Equatable {
    case org(OrgID)
    case orgOrDirectParent(OrgID)

    public var orgID: OrgID {
        switch self {
        case .org(let id), .orgOrDirectParent(let id): id
        }
    }

    /// The access action that decides whether an actor may act for this org.
    public var action: AccessAction {
        switch self {
        case .org: .decideTransferAsOrg
        case .orgOrDirectParent: .decideTransferAsBranch
        }
    }
}

/// The chain of steps a transfer of `kind` runs from `source` to `destination` (TRF-1 …
/// TRF-4, TRF-8): the side that started it has consented by starting it, so its own approval
/// is not a step; a destination that is no branch approves and then assigns a branch.
public enum TransferChain {
    public static func steps(kind: TransferKind, destination: OrgCategory, outcome: GraduateOutcome? = nil) -> [TransferStep] {
        let destinationSide: [TransferStep] =
            destination.holdsMembers ? [.destinationApproval] : [.destinationCommitteeApproval, .branchAssignment]
        switch kind {
        case .batch: return []
        case .transferIn: return [.sourceApproval]
        case .apply: return [.sourceApproval] + destinationSide
        case .transferOut, .dropout: return destinationSide
        case .graduate:
            if outcome == .enlisted { return [.provincialApproval] }
            return destinationSide
        }
    }
}

/// Where a transfer stands.
public enum TransferState: Sendable, Equatable {
    /// Waiting on `chain[step]`; `openedOn` is the day that step began waiting (TRF-6, TRF-7).
    case awaiting(step: Int, openedOn: CivilDate)
    /// The member moved to `branch`.
    case completed(branch: OrgID)
    case rejected(step: Int, reason: String)
    case withdrawn
    /// TRF-6: a 学社衔接 application not reviewed in time went back to its initiator.
    case returned

    public var isOpen: Bool { if case .awaiting = self { true } else { false } }

    public var status: TransferStatus {
        switch self {
        case .awaiting: .pending
        case .completed: .completed
        case .rejected: .rejected
        case .withdrawn: .withdrawn
        case .returned: .returned
        }
    }
}

public enum TransferStatus: String, Sendable, Codable, CaseIterable {
    case pending, completed, rejected, withdrawn, returned

    public var chineseName: String {
        switch self {
        case .pending: "审批中"
        case .completed: "已完成"
        case .rejected: "已驳回"
        case .withdrawn: "已撤回"
        case .returned: "已退回"
        }
    }
}

public enum TransferEvent: Sendable, Equatable {
    case approve
    case reject(reason: String)
    /// By the initiator, while the transfer waits (TRF-6: a 学社衔接 application only in its window).
    case withdraw
    /// TRF-3: the destination committee names one of its branches.
    case assign(branch: OrgPlacement)
    /// TRF-7: the sweep approves a step left unreviewed for 15 days.
    case autoApprove
    /// TRF-6: the sweep returns a 学社衔接 application left unreviewed after 9-30.
    case returnToInitiator
}

/// What the caller must do, in order, in one transaction.
public enum TransferEffect: Sendable, Equatable {
    /// Keep the decided step (every step is kept).
    case recordStep(TransferStep?, TransferDecision, reason: String?)
    /// Put the member in `branch`: only when the last step completes.
    case moveMember(to: OrgID)
    /// Tell the next step's admins (or the initiator, at the end) that it is their turn.
    case notify(TransferNotice)
}

public enum TransferDecision: String, Sendable, Codable, CaseIterable {
    case submit, approve, autoApprove = "auto_approve", reject, withdraw, assign
    case returnToInitiator = "return"
}

public enum TransferNotice: Sendable, Equatable {
    case stepOpened(TransferStep)
    case completed
    case rejected
    case returned
}

public enum TransferRefusal: Error, Sendable, Equatable {
    /// A decision on a transfer that no longer waits (a second approver, a late sweep).
    case notPending
    /// `assign` on an approval step, or an approval on the assignment step.
    case wrongStep
    /// TRF-7 does not assign: which branch is the committee's choice.
    case assignmentIsNotAutomatic
    /// TRF-3: the branch is not one of the destination's (or holds no members).
    case branchNotUnderDestination
    case reasonRequired
    case invalidReason(FreeTextProblem)
    /// TRF-6: outside 5-01 … 8-31 a 学社衔接 application can no longer be withdrawn.
    case withdrawalWindowClosed
}

/// A transfer as the domain sees it: what the state machine needs to decide every event.
public struct Transfer: Sendable, Equatable {
    public let kind: TransferKind
    public let destination: OrgPlacement
    public let chain: [TransferStep]
    public private(set) var state: TransferState

    public init(kind: TransferKind, destination: OrgPlacement, chain: [TransferStep], state: TransferState) {
        self.kind = kind
        self.destination = destination
        self.chain = chain
        self.state = state
    }

    /// A new transfer on `today`: waiting on its first step, or, with no step (TRF-4), done.
    public static func submit(
        kind: TransferKind, destination: OrgPlacement, chain: [TransferStep], today: CivilDate
    ) -> (Transfer, [TransferEffect]) {
        if let first = chain.first {
            return (
                Transfer(kind: kind, destination: destination, chain: chain, state: .awaiting(step: 0, openedOn: today)),
                [.recordStep(nil, .submit, reason: nil), .notify(.stepOpened(first))]
            )
        }
        return (
            Transfer(kind: kind, destination: destination, chain: chain, state: .completed(branch: destination.id)),
            [.recordStep(nil, .submit, reason: nil), .moveMember(to: destination.id), .notify(.completed)]
        )
    }

    /// The step the transfer waits on, if it waits.
    public var currentStep: TransferStep? {
        guard case .awaiting(let index, _) = state else { return nil }
        return chain[index]
    }

    /// Whose turn it is (OPC-1): the admins who may act on the current step; nil when nothing waits.
    public func waitingOn(source: OrgPlacement) -> TransferStepActor? {
        currentStep?.actor(source: source, destination: destination)
    }

    /// The transition for `event` on `today`, or why it is refused. The member's branch changes
    /// only with the last step (`moveMember` comes with `completed`).
    public func apply(_ event: TransferEvent, today: CivilDate) throws(TransferRefusal) -> (Transfer, [TransferEffect]) {
        guard case .awaiting(let index, _) = state else { throw .notPending }
        let step = chain[index]
        var next = self
        switch event {
        case .approve, .autoApprove:
            if step == .branchAssignment { throw event == .autoApprove ? .assignmentIsNotAutomatic : .wrongStep }
            let decision: TransferDecision = event == .approve ? .approve : .autoApprove
            var effects: [TransferEffect] = [.recordStep(step, decision, reason: nil)]
            if index + 1 < chain.count {
                next.state = .awaiting(step: index + 1, openedOn: today)
                effects.append(.notify(.stepOpened(chain[index + 1])))
            } else {
                next.state = .completed(branch: destination.id)
                effects += [.moveMember(to: destination.id), .notify(.completed)]
            }
            return (next, effects)
        case .assign(let branch):
            guard step == .branchAssignment else { throw .wrongStep }
            guard branch.category.holdsMembers, branch.path.isWithin(destination.path), branch.id != destination.id else {
                throw .branchNotUnderDestination
            }
            next.state = .completed(branch: branch.id)
            return (next, [.recordStep(step, .assign, reason: nil), .moveMember(to: branch.id), .notify(.completed)])
        case .reject(let reason):
            let checked: String
            do { checked = try FreeText.checked(reason, as: .reason) } catch { throw .invalidReason(error) }
            if checked.isEmpty { throw .reasonRequired }
            next.state = .rejected(step: index, reason: checked)
            return (next, [.recordStep(step, .reject, reason: checked), .notify(.rejected)])
        case .withdraw:
            if kind == .graduate && !TransferCalendar.graduateApplicationWindow(today.year).contains(today) {
                throw .withdrawalWindowClosed
            }
            next.state = .withdrawn
            return (next, [.recordStep(step, .withdraw, reason: nil)])
        case .returnToInitiator:
            next.state = .returned
            return (next, [.recordStep(step, .returnToInitiator, reason: nil), .notify(.returned)])
        }
    }
}

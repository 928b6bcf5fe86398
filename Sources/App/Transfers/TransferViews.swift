import Domain
import Persistence

// The view models of the transfer pages (TRF-1 … TRF-11). Each names exactly its template's keys.

/// One step of a transfer's chain and how far it got, for the progress strip.
struct TransferStepView {
    let name: String
    /// `done`, `current`, `rejected` or `waiting`: the strip's CSS class.
    let state: String
    let stateName: String

    /// The chain's steps with their progress, read from the state and the kept steps.
    static func progress(_ record: TransferRecord, kept: [TransferStepRecord]?) -> [TransferStepView] {
        let transfer = record.transfer
        return transfer.chain.enumerated().map { index, step in
            let state: String
            switch transfer.state {
            case .awaiting(let current, _):
                state = index < current ? "done" : index == current ? "current" : "waiting"
            case .completed:
                state = "done"
            case .rejected(let at, _):
                state = index < at ? "done" : index == at ? "rejected" : "waiting"
            case .withdrawn, .returned:
                let passed = kept?.contains { $0.step == step && [.approve, .autoApprove, .assign].contains($0.decision) } ?? false
                state = passed ? "done" : "waiting"
            }
            let stateName =
                switch state {
                case "done": "已通过"
                case "current": step == .branchAssignment ? "待分配" : "待审批"
                case "rejected": "已驳回"
                default: "未开始"
                }
            return TransferStepView(name: step.chineseName, state: state, stateName: stateName)
        }
    }
}

/// A transfer as a row of a list or of 我的组织关系转接历史.
struct TransferRowView {
    let kindName: String
    let memberName: String
    let fromName: String
    let toName: String
    let status: String
    let statusName: String
    let createdAt: String
    let href: String
    let steps: [TransferStepView]
}

extension TransferRowView {
    init(_ record: TransferRecord) {
        kindName = record.transfer.kind.chineseName
        memberName = record.memberName
        fromName = record.source.name
        toName = record.destination.name
        status = record.transfer.state.status.rawValue
        statusName = record.transfer.state.status.chineseName
        createdAt = PageKit.chinaTime(record.createdAt)
        href = PageRoute.transfer(record.id).href
        steps = TransferStepView.progress(record, kept: nil)
    }
}

/// A destination found by name, as a radio option.
struct DestinationOption {
    let value: String
    let label: String
    let fullName: String
    let checked: Bool

    static func list(_ orgs: [Org], checked: String?) -> [DestinationOption] {
        orgs.map { DestinationOption(value: $0.id.rawValue, label: $0.name, fullName: $0.fullName, checked: $0.id.rawValue == checked) }
    }
}

/// The destination search every form that names a destination carries.
struct DestinationSearch {
    let searchAction: String
    /// The hidden fields the search keeps (the form's kind).
    let keep: [Choice]
    let q: String?
    let results: [DestinationOption]
    /// A search ran and found nothing.
    let none: Bool
}

/// `/me/transfers`: the member's application (TRF-1) and 我的组织关系转接历史.
struct MyTransfersPage {
    let memberName: String
    let branchName: String
    let csrf: String
    let action: String
    let search: DestinationSearch
    let reason: String?
    let error: String?
    /// An open transfer: no second application until it ends.
    let open: TransferRowView?
    let history: [TransferRowView]
}

/// `/orgs/{orgId}/transfers`: 办理转出 / 办理转入 with the forms the org may start.
struct OrgTransfersPage {
    struct Tab {
        let href: String
        let label: String
        let active: Bool
    }

    struct Start {
        let href: String
        let label: String
        let id: String
    }

    let orgName: String
    let tabs: [Tab]
    let starts: [Start]
    let directionName: String
    let items: [TransferRowView]
}

/// The form of one transfer kind.
struct TransferFormPage {
    struct Identity {
        let name: String
        let idNumber: String
    }

    struct Batch {
        let fromAction: String
        let kind: String
        /// The source branch chosen, carried by the POST so that a refused batch lists its members again.
        let fromId: String?
        let sources: [Choice]
        let members: [MemberOption]
        let destinations: [Choice]
        let limit: Int
    }

    struct MemberOption {
        let value: String
        let label: String
        let checked: Bool
    }

    struct MemberSelect {
        let options: [Choice]
    }

    struct Graduate {
        let outcomes: [Choice]
        let channels: [Choice]
        let keptMonths: String
    }

    let orgName: String
    let kindName: String
    let rule: String
    let backHref: String
    let csrf: String
    let action: String
    let kind: String
    let error: String?
    /// Out, 学社衔接 and 辍学返回: one member of this branch.
    let member: MemberSelect?
    /// 办理转入 (TRF-2): the member by name and ID number.
    let identity: Identity?
    let batch: Batch?
    let search: DestinationSearch?
    let graduate: Graduate?
    let reason: String
}

/// `/transfers/{id}`: the transfer, its progress, its kept steps and the decisions open to the visitor.
struct TransferPage {
    struct Kept {
        let at: String
        let stepName: String
        let decisionName: String
        let actorName: String
        let reason: String?
    }

    struct Decide {
        let approveAction: String
        let rejectAction: String
    }

    struct Assign {
        let action: String
        let branches: [Choice]
    }

    let backHref: String
    let csrf: String
    let kindName: String
    let memberName: String
    let fromName: String
    let toName: String
    let reason: String
    let outcome: String?
    let status: String
    let statusName: String
    let createdAt: String
    let rejectionReason: String?
    let error: String?
    let steps: [TransferStepView]
    let kept: [Kept]
    let decide: Decide?
    let assign: Assign?
    let withdrawAction: String?

    static func decisionName(_ decision: TransferDecision) -> String {
        switch decision {
        case .submit: "提交申请"
        case .approve: "审批通过"
        case .autoApprove: "逾期未审批，系统默认通过"
        case .reject: "驳回"
        case .withdraw: "撤回"
        case .assign: "分配团支部"
        case .returnToInitiator: "逾期未审批，退回发起人"
        }
    }
}

import Domain
import Foundation
import Hummingbird
import Persistence

/// `POST /api/v1/transfers` and the actions on a transfer (issue 10): decoding and encoding
/// around `TransferWorkflow`.
struct TransferController {
    let transfers: TransferWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.transfers.pattern, use: submit)
        group.get(SiteRoute.transfer(nil).pattern, use: detail)
        for verb in TransferVerb.allCases {
            group.post(SiteRoute.transferDecision(nil, verb).pattern) { request, context in
                try await decide(verb, request: request, context: context)
            }
        }
        group.get(SiteRoute.memberTransfers(nil).pattern, use: history)
        group.get(SiteRoute.orgTransfers(nil).pattern, use: orgList)
    }

    /// `GET /api/v1/orgs/{orgId}/transfers?direction=in|out&status=&limit=`.
    @Sendable func orgList(request: Request, context: AppRequestContext) async throws -> TransferBatchResponse {
        let actor = try context.requireActor()
        let query = request.uri.queryParameters
        let direction = query.get("direction") ?? "out"
        guard direction == "in" || direction == "out" else { throw ServiceRefusal.badRequest("direction 应为 in 或 out") }
        var status: TransferStatus?
        if let raw = query.get("status"), !raw.isEmpty {
            guard let value = TransferStatus(rawValue: raw) else {
                throw ServiceRefusal.badRequest("status 应为 pending、completed、rejected、withdrawn 或 returned")
            }
            status = value
        }
        let limit = min(max(query.get("limit").flatMap { Int($0) } ?? 100, 1), 500)
        let records = try await transfers.list(actor, org: try context.orgID(), outgoing: direction == "out", status: status, limit: limit)
        return TransferBatchResponse(items: records.map { TransferResponse($0, steps: nil) })
    }

    struct SubmitBody: Decodable {
        /// `out` when left out (the API before issue 10 took only the member and the destination).
        let kind: String?
        let memberId: String?
        let memberIds: [String]?
        let toOrgId: String
        let reason: String?
        let outcome: String?
        let channel: String?
        let keptMonths: Int?
    }

    @Sendable func submit(request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let body = try await request.decode(as: SubmitBody.self, context: context)
        guard let kind = TransferKind(rawValue: body.kind ?? TransferKind.transferOut.rawValue) else {
            throw ServiceRefusal.badRequest("kind 应为 out、in、apply、batch、graduate 或 dropout")
        }
        let raw = body.memberIds ?? body.memberId.map { [$0] } ?? []
        let members = try raw.map { text in
            guard let id = PersonID(rawValue: text) else { throw ServiceRefusal.notFound }
            return id
        }
        guard let destination = OrgID(rawValue: body.toOrgId) else { throw ServiceRefusal.targetOrgNotFound }
        var submission = TransferWorkflow.Submission(kind: kind, members: members, destination: destination, reason: body.reason ?? "")
        try submission.graduate(outcome: body.outcome, channel: body.channel)
        submission.keptMonths = body.keptMonths
        let records = try await transfers.submit(actor, submission)
        let items = records.map { TransferResponse($0, steps: nil) }
        let answer: any ResponseEncodable = items.count == 1 && kind != .batch ? items[0] : TransferBatchResponse(items: items)
        var response = try answer.response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func detail(request: Request, context: AppRequestContext) async throws -> TransferResponse {
        let actor = try context.requireActor()
        let (record, steps) = try await transfers.detail(actor, try context.transferID())
        return TransferResponse(record, steps: steps)
    }

    struct DecisionBody: Decodable {
        let reason: String?
        let branchId: String?
    }

    func decide(_ verb: TransferVerb, request: Request, context: AppRequestContext) async throws -> TransferResponse {
        let actor = try context.requireActor()
        let id = try context.transferID()
        let decision: TransferWorkflow.Decision
        switch verb {
        case .approve: decision = .approve
        case .withdraw: decision = .withdraw
        case .reject:
            let body = try await request.decode(as: DecisionBody.self, context: context)
            decision = .reject(reason: body.reason ?? "")
        case .assign:
            let body = try await request.decode(as: DecisionBody.self, context: context)
            guard let raw = body.branchId, let branch = OrgID(rawValue: raw) else { throw ServiceRefusal.targetOrgNotFound }
            decision = .assign(branch: branch)
        }
        let record = try await transfers.decide(actor, transfer: id, decision)
        return TransferResponse(record, steps: try await transfers.detail(actor, id).1)
    }

    @Sendable func history(request: Request, context: AppRequestContext) async throws -> TransferBatchResponse {
        let actor = try context.requireActor()
        return TransferBatchResponse(items: try await transfers.history(actor, member: try context.memberID()).map { TransferResponse($0, steps: nil) })
    }
}

/// A transfer, its chain and who acts next; with its kept steps on the detail.
struct TransferResponse: ResponseEncodable {
    struct End: Encodable { let id: String; let name: String }
    struct Step: Encodable { let step: String; let name: String }
    struct Kept: Encodable {
        let ordinal: Int
        let step: String?
        let decision: String
        let actorName: String?
        let reason: String?
        let at: String
    }

    let id: String
    let batchId: String?
    let kind: String
    let kindName: String
    let status: String
    let statusName: String
    let member: End
    let from: End
    let to: End
    let reason: String
    let outcome: String?
    let channel: String?
    let chain: [Step]
    let currentStep: String?
    /// The org whose admins act next (for a branch step, that branch or its direct parent).
    let nextActorOrgId: String?
    let completedBranchId: String?
    let rejectionReason: String?
    let createdAt: String
    let steps: [Kept]?

    init(_ r: TransferRecord, steps kept: [TransferStepRecord]?) {
        id = r.id
        batchId = r.batchID
        kind = r.transfer.kind.rawValue
        kindName = r.transfer.kind.chineseName
        status = r.transfer.state.status.rawValue
        statusName = r.transfer.state.status.chineseName
        member = End(id: r.personID.rawValue, name: r.memberName)
        from = End(id: r.source.org.id.rawValue, name: r.source.name)
        to = End(id: r.destination.org.id.rawValue, name: r.destination.name)
        reason = r.reason
        outcome = r.outcome?.rawValue
        channel = r.channel?.rawValue
        chain = r.transfer.chain.map { Step(step: $0.rawValue, name: $0.chineseName) }
        currentStep = r.transfer.currentStep?.rawValue
        nextActorOrgId = r.transfer.waitingOn(source: r.source.org)?.orgID.rawValue
        if case .completed(let branch) = r.transfer.state { completedBranchId = branch.rawValue } else { completedBranchId = nil }
        if case .rejected(_, let why) = r.transfer.state { rejectionReason = why } else { rejectionReason = nil }
        createdAt = r.createdAt.text
        steps = kept?.map {
            Kept(ordinal: $0.ordinal, step: $0.step?.rawValue, decision: $0.decision.rawValue, actorName: $0.actorName, reason: $0.reason, at: $0.at.text)
        }
    }
}

struct TransferBatchResponse: ResponseEncodable {
    let items: [TransferResponse]
}

import Domain
import Foundation
import Hummingbird
import NIOCore
import Persistence

/// The member-record API: entry, profile edits, removal, the real-name check batch and the
/// cadre list. Decodes requests, calls the workflows, encodes their answers.
struct MemberRecordController {
    let members: MemberRecordWorkflow
    let identityChecks: IdentityCheckWorkflow
    let cadres: CadreWorkflow

    /// The largest answer file taken. **(decided)** 8 MiB is some 150,000 lines.
    static let answerFileLimit = 8 * 1024 * 1024

    func register(on group: RouterGroup<AppRequestContext>, uploads: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.orgMembers(nil).pattern, use: enter)
        group.patch(SiteRoute.member(nil).pattern, use: edit)
        group.get(SiteRoute.memberRecord(nil).pattern, use: record)
        group.post(SiteRoute.memberRemoval(nil).pattern, use: remove)
        group.get(SiteRoute.identityCheckRequest(nil).pattern, use: requestFile)
        uploads.post(SiteRoute.identityCheckAnswers(nil).pattern, use: answers)
        group.get(SiteRoute.orgCadres(nil).pattern, use: cadreList)
        group.post(SiteRoute.orgCadres(nil).pattern, use: addPost)
        group.patch(SiteRoute.orgCadre(nil, nil).pattern, use: changePost)
        group.get(SiteRoute.orgCadreHistory(nil).pattern, use: history)
    }

    @Sendable func enter(request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let branch = try context.orgID()
        let body = try await request.decode(as: MemberDraftBody.self, context: context)
        let record = try await members.enter(actor, branch: branch, draft: body.draft)
        return try MemberResponse(record, showFullIDNumber: true, today: members.today)
            .response(from: request, context: context).withStatus(.created)
    }

    @Sendable func edit(request: Request, context: AppRequestContext) async throws -> ChangesResponse {
        let actor = try context.requireActor()
        let edit = try await request.decode(as: MemberProfileEdit.self, context: context)
        let changes = try await members.edit(actor, member: try context.memberID(), edit)
        return ChangesResponse(changes: changes.map { FieldChangeResponse($0, showFullIDNumber: true) })
    }

    @Sendable func record(request: Request, context: AppRequestContext) async throws -> MemberRecordResponse {
        MemberRecordResponse(try await members.detail(try context.requireActor(), try context.memberID()))
    }

    @Sendable func remove(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: RemovalBody.self, context: context)
        try await members.remove(
            try context.requireActor(), member: try context.memberID(), name: body.name ?? "", idNumber: body.idNumber ?? "",
            reason: body.reason ?? "")
        return Response(status: .noContent)
    }

    @Sendable func requestFile(request: Request, context: AppRequestContext) async throws -> Response {
        let (org, csv, _) = try await identityChecks.requestFile(try context.requireActor(), org: try context.orgID())
        let name = "实名核验-\(org.name).csv"
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"identity-check-\(org.id.rawValue).csv\"; filename*=UTF-8''"
                    + PageRoute.encode(name),
            ], body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    @Sendable func answers(request: Request, context: AppRequestContext) async throws -> IdentityAnswersResponse {
        let actor = try context.requireActor()
        let org = try context.orgID()
        var request = request
        let body = try await request.collectBody(upTo: Self.answerFileLimit)
        let outcome = try await identityChecks.importAnswers(actor, org: org, file: Array(buffer: body))
        return IdentityAnswersResponse(outcome)
    }

    @Sendable func cadreList(request: Request, context: AppRequestContext) async throws -> CadreListResponse {
        let (org, rows) = try await cadres.cadres(try context.requireActor(), of: try context.orgID())
        return CadreListResponse(org: OrgResponse(org), items: rows.map(CadreResponse.init), posts: CadrePostTitle.all.map(\.rawValue))
    }

    @Sendable func addPost(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: CadrePostBody.self, context: context)
        guard let person = body.personId.flatMap(PersonID.init(rawValue:)) else { throw ServiceRefusal.personNotFound }
        let change = try await cadres.setPost(
            try context.requireActor(), org: try context.orgID(), person: person, title: body.post ?? "", expectExisting: false)
        return try await changeAnswer(change, request: request, context: context).withStatus(.created)
    }

    @Sendable func changePost(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: CadrePostBody.self, context: context)
        let change = try await cadres.setPost(
            try context.requireActor(), org: try context.orgID(), person: try context.memberID(), title: body.post ?? "",
            expectExisting: true)
        return try await changeAnswer(change, request: request, context: context)
    }

    /// The recorded change, or 204 when the post was already the one asked for.
    func changeAnswer(_ change: CadrePostChange?, request: Request, context: AppRequestContext) async throws -> Response {
        guard let change else { return Response(status: .noContent) }
        let names = try await cadres.repositories.people.find([change.personID, change.changedBy])
        func name(_ id: PersonID) -> String { names.first { $0.id == id }?.name ?? "" }
        return try CadrePostChangeResponse(change, personName: name(change.personID), changedByName: name(change.changedBy))
            .response(from: request, context: context)
    }

    @Sendable func history(request: Request, context: AppRequestContext) async throws -> CadreHistoryResponse {
        let rows = try await cadres.history(try context.requireActor(), of: try context.orgID())
        return CadreHistoryResponse(items: rows.map { CadrePostChangeResponse($0.change, personName: $0.personName, changedByName: $0.changedByName) })
    }
}

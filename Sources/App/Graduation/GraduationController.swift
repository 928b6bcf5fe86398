import Domain
import Foundation
import Hummingbird
import Persistence

/// Graduation marks and delayed graduation (GRD-1 … GRD-5): decoding and encoding around
/// `GraduationWorkflow`.
struct GraduationController {
    let graduation: GraduationWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.graduationMarks(nil).pattern, use: list)
        group.post(SiteRoute.graduationMarks(nil).pattern, use: mark)
        group.get(SiteRoute.delayedGraduation(nil).pattern, use: delay)
        group.post(SiteRoute.delayedGraduation(nil).pattern, use: markDelay)
        group.delete(SiteRoute.delayedGraduation(nil).pattern, use: revokeDelay)
    }

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> GraduationBranchesResponse {
        let actor = try context.requireActor()
        let (org, branches) = try await graduation.branches(actor, of: try context.orgID())
        return GraduationBranchesResponse(orgId: org.org.id.rawValue, items: branches.map(GraduationBranchResponse.init))
    }

    struct MarkBody: Decodable {
        let branchIds: [String]
        let month: String?
        let reason: String?
    }

    @Sendable func mark(request: Request, context: AppRequestContext) async throws -> GraduationBranchesResponse {
        let actor = try context.requireActor()
        let orgID = try context.orgID()
        let body = try await request.decode(as: MarkBody.self, context: context)
        let mark = try GraduationWorkflow.mark(month: body.month, reason: body.reason)
        let ids = try body.branchIds.map { raw in
            guard let id = OrgID(rawValue: raw) else { throw ServiceRefusal.targetOrgNotFound }
            return id
        }
        let marked = try await graduation.mark(actor, as: orgID, branches: ids, mark)
        return GraduationBranchesResponse(orgId: orgID.rawValue, items: marked.map(GraduationBranchResponse.init))
    }


    @Sendable func delay(request: Request, context: AppRequestContext) async throws -> DelayedGraduationResponse {
        let actor = try context.requireActor()
        guard let delay = try await graduation.delay(actor, of: try context.memberID()) else { throw ServiceRefusal.notFound }
        return DelayedGraduationResponse(delay)
    }

    struct DelayBody: Decodable {
        let month: String
        let reason: String?
    }

    @Sendable func markDelay(request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let body = try await request.decode(as: DelayBody.self, context: context)
        guard let month = YearMonth(iso: body.month.trimmingCharacters(in: .whitespaces)) else {
            throw ServiceRefusal.badRequest("延迟毕业年月应为“YYYY-MM”格式，如2028-06")
        }
        let delay = try await graduation.delay(actor, member: try context.memberID(), to: month, reason: body.reason ?? "")
        var response = try DelayedGraduationResponse(delay).response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func revokeDelay(request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        try await graduation.revokeDelay(actor, member: try context.memberID())
        return Response(status: .noContent)
    }
}

struct GraduationBranchResponse: Encodable {
    let id: String
    let name: String
    let month: String?
    let reason: String?
    /// 1 for the school's mark; higher after the provincial committee's corrections (GRD-3).
    let markRevision: Int
    let markedAt: String?
    /// GRD-4: the year it became a 毕业生团组织.
    let graduatedYear: Int?
    let status: String
    let memberCount: Int

    init(_ r: GraduationBranchRecord) {
        id = r.placement.id.rawValue
        name = r.name
        month = r.mark?.month?.iso
        reason = r.mark?.reason
        markRevision = r.markRevision
        markedAt = r.markedAt?.text
        graduatedYear = r.graduatedYear
        status = r.graduatedYear != nil ? "毕业生团组织" : (r.mark == nil ? "未标注" : "已标注")
        memberCount = r.memberCount
    }
}

struct GraduationBranchesResponse: ResponseEncodable {
    let orgId: String
    let items: [GraduationBranchResponse]
}

struct DelayedGraduationResponse: ResponseEncodable {
    let memberId: String
    let branchId: String
    let month: String
    let reason: String
    let markedAt: String

    init(_ d: DelayedGraduationRecord) {
        memberId = d.personID.rawValue
        branchId = d.branchID.rawValue
        month = d.month.iso
        reason = d.reason
        markedAt = d.markedAt.text
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

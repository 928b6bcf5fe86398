import Domain
import Hummingbird
import Persistence

/// One member's record.
struct MemberController {
    let services: AppServices

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.member(nil).pattern, use: show)
    }

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> MemberResponse {
        let id = try context.memberID()
        guard let record = try await services.members.find(id) else { throw AppError.notFound }
        let target = AccessTarget.member(id, branch: record.branch)
        let actor = try context.authorize(.viewMember, target)
        let full = Domain.authorize(actor, .viewMemberIdentity, target).isAllowed
        return MemberResponse(record, showFullIDNumber: full)
    }
}

import Domain
import Hummingbird
import Persistence

/// Reading the org tree within the caller's scope.
struct OrgController {
    let orgs: OrgWorkflow
    /// Today for MEM-7's 超龄 mark.
    let today: @Sendable () -> CivilDate

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.org(nil).pattern, use: show)
        group.get(SiteRoute.orgChildren(nil).pattern, use: children)
        group.get(SiteRoute.orgMembers(nil).pattern, use: members)
    }

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> OrgResponse {
        OrgResponse(try await orgs.org(try context.requireActor(), try context.orgID()))
    }

    struct ChildrenResponse: ResponseEncodable { let items: [OrgResponse] }

    @Sendable func children(request: Request, context: AppRequestContext) async throws -> ChildrenResponse {
        ChildrenResponse(items: try await orgs.children(try context.requireActor(), of: try context.orgID()).map(OrgResponse.init))
    }

    /// Lists always mask ID numbers.
    @Sendable func members(request: Request, context: AppRequestContext) async throws -> Page<MemberResponse> {
        let actor = try context.requireActor()
        let id = try context.orgID()
        let page = try await orgs.members(actor, of: id, cursor: try request.memberCursor(), limit: try request.limit())
        return Page(items: page.items.map { MemberResponse($0, showFullIDNumber: false, today: today()) }, nextCursor: page.nextCursor)
    }
}

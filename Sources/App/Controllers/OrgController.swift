import Domain
import Hummingbird
import Persistence

/// Reading the org tree within the caller's scope.
struct OrgController {
    let services: AppServices

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.org(nil).pattern, use: show)
        group.get(SiteRoute.orgChildren(nil).pattern, use: children)
        group.get(SiteRoute.orgMembers(nil).pattern, use: members)
    }

    /// Looks the org up (404 when unknown) and checks the caller may do `action` on it (403).
    func authorizedOrg(_ context: AppRequestContext, _ action: AccessAction) async throws -> Org {
        let id = try context.orgID()
        guard let org = try await services.orgs.find(id) else { throw AppError.notFound }
        _ = try context.authorize(action, .org(OrgPlacement(org)))
        return org
    }

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> OrgResponse {
        OrgResponse(try await authorizedOrg(context, .viewOrg))
    }

    struct ChildrenResponse: ResponseEncodable { let items: [OrgResponse] }

    @Sendable func children(request: Request, context: AppRequestContext) async throws -> ChildrenResponse {
        let org = try await authorizedOrg(context, .viewOrg)
        return ChildrenResponse(items: try await services.orgs.children(of: org.id).map(OrgResponse.init))
    }

    static let defaultPageSize = 20
    static let maximumPageSize = 100

    /// Members of the org's subtree (for a branch: its own members), keyset-paged by id.
    /// Lists always mask ID numbers.
    @Sendable func members(request: Request, context: AppRequestContext) async throws -> Page<MemberResponse> {
        let org = try await authorizedOrg(context, .listMembers)
        let query = request.uri.queryParameters
        var limit = Self.defaultPageSize
        if let raw = query["limit"] {
            guard let n = Int(String(raw)), (1...Self.maximumPageSize).contains(n) else {
                throw AppError.badRequest("limit 须为1至\(Self.maximumPageSize)之间的整数")
            }
            limit = n
        }
        var cursor: PersonID?
        if let raw = query["cursor"] {
            guard let id = PersonID(rawValue: String(raw)) else { throw AppError.badRequest("cursor 无效") }
            cursor = id
        }
        let rows = try await services.members.list(inSubtreeOf: org.path, after: cursor, limit: limit + 1)
        let page = rows.prefix(limit)
        return Page(
            items: page.map { MemberResponse($0, showFullIDNumber: false) },
            nextCursor: rows.count > limit ? page.last?.member.personID.rawValue : nil)
    }
}

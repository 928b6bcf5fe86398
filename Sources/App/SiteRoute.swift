import Domain
import Hummingbird

/// Every path the service serves, used both to register routes (with `{param}` placeholders)
/// and to build links (with real ids), so the two never drift apart.
public enum SiteRoute: Sendable, Equatable {
    case healthz
    case login
    case logout
    case me
    case mePassword
    case org(OrgID?)
    case orgChildren(OrgID?)
    case orgMembers(OrgID?)
    case member(PersonID?)

    static let orgParameter = "orgId"
    static let memberParameter = "memberId"

    /// The path with ids filled in; `{orgId}`-style placeholders where an id is nil.
    public var path: String {
        func org(_ id: OrgID?) -> String { id?.rawValue ?? "{\(Self.orgParameter)}" }
        func member(_ id: PersonID?) -> String { id?.rawValue ?? "{\(Self.memberParameter)}" }
        switch self {
        case .healthz: return "/healthz"
        case .login: return "/api/v1/login"
        case .logout: return "/api/v1/logout"
        case .me: return "/api/v1/me"
        case .mePassword: return "/api/v1/me/password"
        case .org(let id): return "/api/v1/orgs/\(org(id))"
        case .orgChildren(let id): return "/api/v1/orgs/\(org(id))/children"
        case .orgMembers(let id): return "/api/v1/orgs/\(org(id))/members"
        case .member(let id): return "/api/v1/members/\(member(id))"
        }
    }

    /// The router pattern (`:orgId` placeholders).
    var pattern: RouterPath {
        RouterPath(path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: ""))
    }
}

extension AppRequestContext {
    func orgID() throws -> OrgID {
        guard let raw = parameters.get(SiteRoute.orgParameter), let id = OrgID(rawValue: raw) else { throw AppError.notFound }
        return id
    }

    func memberID() throws -> PersonID {
        guard let raw = parameters.get(SiteRoute.memberParameter), let id = PersonID(rawValue: raw) else { throw AppError.notFound }
        return id
    }
}

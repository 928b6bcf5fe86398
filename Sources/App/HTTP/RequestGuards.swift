import HTTPTypes
import Hummingbird

/// What a browser tells about where a state-changing request comes from. Shared by the API
/// and the pages: a request sent from another site is refused whatever it carries.
enum CrossSite {
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// GET, HEAD and OPTIONS change nothing; every other method does.
    static func changesState(_ method: HTTPRequest.Method) -> Bool {
        !(method == .get || method == .head || method == .options)
    }

    /// Throws `crossSiteRequest` when `Sec-Fetch-Site` names another origin (`same-site` is
    /// another origin too: a sibling host of a school's domain is not this service), or when
    /// `Origin` is `null` or names a host other than the one the request was sent to.
    static func check(_ request: Request) throws {
        if let site = request.headers[fetchSite]?.lowercased(), site != "same-origin", site != "none" {
            throw ServiceRefusal.crossSiteRequest
        }
        guard let origin = request.headers[.origin] else { return }
        guard let host = request.head.authority, let originHost = Self.hostAndPort(ofOrigin: origin),
            normalised(originHost.host, originHost.scheme) == normalised(host, originHost.scheme)
        else { throw ServiceRefusal.crossSiteRequest }
    }

    /// `scheme://host[:port]` split; nil for `null` and anything that is not an origin.
    static func hostAndPort(ofOrigin origin: String) -> (scheme: String, host: String)? {
        let lowered = origin.lowercased()
        for scheme in ["http", "https"] where lowered.hasPrefix(scheme + "://") {
            let rest = lowered.dropFirst(scheme.count + 3)
            guard !rest.isEmpty, !rest.contains("/") else { return nil }
            return (scheme, String(rest))
        }
        return nil
    }

    /// The host with the scheme's default port dropped, lower-cased.
    static func normalised(_ host: String, _ scheme: String) -> String {
        let lowered = host.lowercased()
        let defaultPort = scheme == "https" ? ":443" : ":80"
        return lowered.hasSuffix(defaultPort) ? String(lowered.dropLast(defaultPort.count)) : lowered
    }
}

/// The API's answer to a protected route without a session: 401, before the route looks
/// anything up, so an unauthenticated caller cannot tell which ids exist.
struct RequireSession: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        _ = try context.requireSession()
        return try await next(request, context)
    }
}

/// Cross-site request forgery and content-type rules of the API.
///
/// A state-changing call that authenticates with the session cookie (the pages' upload
/// script) must come from this site and carry `X-CSRF-Token`, the token the pages embed.
/// A bearer-token call needs neither: a browser never attaches an `Authorization` header on
/// its own, and no CORS is offered. JSON endpoints take only `application/json` bodies (a
/// cross-site form can send `text/plain` without a preflight).
struct APIRequestGuard: RouterMiddleware {
    typealias Context = AppRequestContext

    enum Body: Sendable {
        /// JSON in, or no body at all.
        case json
        /// A file: the route checks its own content type (PDF or multipart).
        case upload
    }

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    let body: Body

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if CrossSite.changesState(request.method) {
            switch SessionToken.presented(in: request) {
            case .bearer:
                break
            case .cookie(let cookie):
                try CrossSite.check(request)
                if context.session != nil {
                    let expected = PageCSRF.token(forSessionCookie: cookie)
                    guard PageCSRF.matches(request.headers[Self.csrfHeader], expected: expected) else {
                        throw ServiceRefusal.csrfRejected
                    }
                }
            case .none, .malformed:
                try CrossSite.check(request)
            }
            if body == .json, request.hasBody, !Self.isJSON(request.headers[.contentType]) {
                throw ServiceRefusal.jsonRequired
            }
        }
        return try await next(request, context)
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        return media == "application/json"
    }
}

import Domain
import Foundation
import Hummingbird
import NIOCore

/// Request context: the client address (for login throttling) and the session that
/// `SessionMiddleware` resolved.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var session: AuthenticatedSession?
    /// The connection, so a long request can learn that its client has gone (`ClientGoneHandler`).
    let channel: any Channel
    /// A token was presented but opens no session (expired, revoked or made up).
    var presentedInvalidToken = false

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
        session = nil
    }

    /// The largest JSON body the API decodes; uploads stream and have their own limit.
    static let maximumBodyBytes = 256 * 1024

    public var maxUploadSize: Int { Self.maximumBodyBytes }

    /// JSON answers write `/` as it is, not `\/`.
    public var responseEncoder: JSONEncoder { .api }

    /// The peer address of the connection ("unknown" when the transport has none); behind a
    /// balancer it is the balancer, which is why the login throttle uses `loginAddress(of:trustedProxies:)`.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The session, or 401.
    func requireSession() throws -> AuthenticatedSession {
        guard let session else { throw presentedInvalidToken ? ServiceRefusal.sessionExpired : ServiceRefusal.unauthenticated }
        return session
    }

    /// The actor, or 401 / 403 when the initial password still has to be changed (ADM-6).
    func requireActor() throws -> Actor {
        let actor = try requireSession().actor
        if actor.mustChangePassword { throw ServiceRefusal.passwordChangeRequired }
        return actor
    }
}

extension Request {
    /// The request announces a body (a length above zero, or chunked).
    var hasBody: Bool {
        if let length = headers[.contentLength] { return length != "0" }
        return headers[.transferEncoding] != nil
    }

    /// `?limit=`: 1…`maximum`, `default` when absent.
    func limit(default value: Int = 20, maximum: Int = 100) throws -> Int {
        guard let raw = uri.queryParameters["limit"] else { return value }
        guard let n = Int(String(raw)), (1...maximum).contains(n) else {
            throw ServiceRefusal.badRequest("limit 须为1至\(maximum)之间的整数")
        }
        return n
    }

    /// `?cursor=` of lists keyset-paged by person id.
    /// The `cursor` of a member list: a previous page's `nextCursor`.
    func memberCursor() throws -> MemberListCursor? {
        guard let raw = uri.queryParameters["cursor"] else { return nil }
        guard let cursor = MemberListCursor(rawValue: String(raw)) else { throw ServiceRefusal.badRequest("cursor 无效") }
        return cursor
    }
}

import Domain
import Hummingbird
import NIOCore
import Persistence

/// The logged-in session a request carries.
public struct AuthenticatedSession: Sendable {
    public let actor: Actor
    public let account: AccountRecord
    public let tokenHash: String
}

/// Request context: the client address (for login throttling) and the authenticated session.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var session: AuthenticatedSession?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        session = nil
    }

    /// The client's address as the throttle keys it; "unknown" when the transport has none.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The actor, or 401 when the request is not logged in.
    func requireSession() throws -> AuthenticatedSession {
        guard let session else { throw AppError.unauthenticated }
        return session
    }

    /// The actor, or 401 / 403 when the initial password still has to be changed (ADM-6).
    func requireActor() throws -> Actor {
        let actor = try requireSession().actor
        if actor.mustChangePassword { throw AppError.passwordChangeRequired }
        return actor
    }

    /// One place turns the domain's decision into an HTTP refusal.
    func authorize(_ action: AccessAction, _ target: AccessTarget) throws -> Actor {
        let actor = try requireActor()
        switch Domain.authorize(actor, action, target) {
        case .allow: return actor
        case .deny(.passwordChangeRequired): throw AppError.passwordChangeRequired
        case .deny(.outOfScope), .deny(.notApplicable): throw AppError.forbidden
        }
    }
}

import Crypto
import Foundation
import Hummingbird
import Persistence

/// Session tokens: 256 random bits, handed out once, stored only as their SHA-256.
enum SessionToken {
    static let cookieName = "zhtj_session"

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The bearer token (API) or the session cookie (pages), bearer first.
    static func presented(in request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            return ""  // some other scheme: treated as an invalid credential
        }
        return request.cookies[cookieName]?.value
    }
}

/// Resolves the presented token to a session and actor. A token that is presented but not
/// valid is refused with 401 at once; requests with no token pass on unauthenticated and the
/// handlers that need a session refuse them.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = SessionToken.presented(in: request) else { return try await next(request, context) }
        let hash = SessionToken.hash(token)
        guard !token.isEmpty,
            let session = try await services.sessions.findActive(tokenHash: hash, now: services.clock.now()),
            let account = try await services.accounts.find(session.accountID)
        else { throw AppError.sessionExpired }
        var context = context
        context.session = AuthenticatedSession(actor: try await services.actor(for: account), account: account, tokenHash: hash)
        return try await next(request, context)
    }
}

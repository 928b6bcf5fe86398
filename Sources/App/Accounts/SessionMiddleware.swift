import Crypto
import Foundation
import Hummingbird

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
        SHA256.hash(data: Data(token.utf8)).lowercaseHex
    }

    /// Where a request presents its token.
    enum Presented: Equatable {
        case none
        case bearer(String)
        case cookie(String)
        /// An `Authorization` header of another scheme: an invalid credential.
        case malformed
    }

    /// The bearer token (API clients) or the session cookie (browsers), bearer first.
    static func presented(in request: Request) -> Presented {
        if let header = request.headers[.authorization] {
            // Byte-wise: this runs before every API request, and Foundation's `lowercased()` and
            // `trimmingCharacters(in:)` were a measurable share of a cached-session request.
            let bytes = header.utf8
            let scheme = bytes.prefix { $0 != UInt8(ascii: " ") }
            guard bytes.count > 6, scheme.count == 6, zip(scheme, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 })
            else { return .malformed }
            let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            let token = bytes.dropFirst(6).drop(while: isBlank).reversed().drop(while: isBlank).reversed()
            return .bearer(String(decoding: token, as: UTF8.self))
        }
        if let value = request.cookies[cookieName]?.value, !value.isEmpty { return .cookie(value) }
        return .none
    }

    static func cookie(_ token: String, config: AppConfig) -> Cookie {
        Cookie(
            name: cookieName, value: token, maxAge: config.sessionLifetime, path: "/", secure: config.secureCookies, httpOnly: true,
            sameSite: .lax)
    }

    static func expiredCookie(config: AppConfig) -> Cookie {
        Cookie(name: cookieName, value: "", maxAge: 0, path: "/", secure: config.secureCookies, httpOnly: true, sameSite: .lax)
    }
}

/// Resolves the presented token to a session, once per request, for the API and the pages
/// alike. A token that opens no session leaves the request unauthenticated but marked, so the
/// API answers 401 `session_invalid` (a client must notice) while a page sends the browser to
/// the login form.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let accounts: AccountWorkflow

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        switch SessionToken.presented(in: request) {
        case .none:
            break
        case .malformed:
            context.presentedInvalidToken = true
        case .bearer(let token), .cookie(let token):
            context.session = try await accounts.session(token: token)
            context.presentedInvalidToken = context.session == nil
        }
        return try await next(request, context)
    }
}

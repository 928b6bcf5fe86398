import Crypto
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Persistence

/// Thrown by page handlers to send the browser elsewhere (303 See Other).
struct PageRedirect: Error {
    let route: PageRoute

    init(to route: PageRoute) { self.route = route }
}

/// The CSRF token of a page session: HMAC-SHA256 keyed by the session cookie's value (a
/// 256-bit secret the browser never shows to other sites) over a fixed label. It is stable for
/// the session's life, survives restarts, and reveals nothing about the cookie.
enum PageCSRF {
    static let field = "csrf"

    static func token(forSessionCookie cookie: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("zhtj-page-csrf-v1".utf8), using: SymmetricKey(data: Data(cookie.utf8)))
        return Data(mac).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The login form has no session yet: its token is bound to this cookie instead, a random
    /// value set by the form itself (HttpOnly, SameSite=Strict). A page on another site can
    /// neither read the cookie nor the token, so it cannot log a browser into an account.
    static let loginCookieName = "zhtj_login"

    static func loginCookie(_ value: String, config: AppConfig) -> Cookie {
        Cookie(
            name: loginCookieName, value: value, maxAge: 12 * 3600, path: "/", secure: config.secureCookies, httpOnly: true,
            sameSite: .strict)
    }

    /// The browser's login cookie, or a new one to set with the form.
    static func loginSeed(_ request: Request) -> (value: String, isNew: Bool) {
        if let value = request.cookies[loginCookieName]?.value, value.count >= 32, value.count <= 64 { return (value, false) }
        return (SessionToken.generate(), true)
    }

    /// Constant-time comparison.
    static func matches(_ presented: String?, expected: String) -> Bool {
        guard let presented else { return false }
        let a = Array(presented.utf8)
        let b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// An `application/x-www-form-urlencoded` body.
struct PageForm: Sendable {
    let fields: [String: String]
    /// Every value of each key, in order: a group of checkboxes sends one key many times.
    let lists: [String: [String]]

    init(_ buffer: ByteBuffer) {
        self.init(query: String(buffer: buffer))
    }

    init(query: String) {
        var fields: [String: String] = [:]
        var lists: [String: [String]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let key = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            if fields[key] == nil { fields[key] = value }
            lists[key, default: []].append(value)
        }
        self.fields = fields
        self.lists = lists
    }

    subscript(_ key: String) -> String? { fields[key] }

    /// All the values sent for `key` (none: empty).
    func all(_ key: String) -> [String] { lists[key] ?? [] }

    static let maximumBytes = AppRequestContext.maximumBodyBytes

    static func read(_ request: Request) async throws -> PageForm {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBytes)
        return PageForm(buffer)
    }
}

/// Helpers shared by the page handlers.
enum PageKit {
    static func redirect(_ route: PageRoute) -> Response {
        Response(status: .seeOther, headers: [.location: route.href])
    }

    /// A form's refusal as the page shows it in place (the catalogue's status and message);
    /// rethrows `error` when it is about access or existence, which the error page answers, so
    /// a form never re-renders a page the visitor may not see.
    static func refusalShownInPlace(_ error: any Error, _ context: AppRequestContext) throws -> AppError {
        let entry = ErrorMiddleware<AppRequestContext>.entry(for: error, logger: context.logger)
        if [.unauthorized, .forbidden, .notFound].contains(entry.status) { throw error }
        return entry
    }

    /// The session cookie's value, if the browser sent one.
    static func sessionCookie(_ request: Request) -> String? {
        guard let value = request.cookies[SessionToken.cookieName]?.value, !value.isEmpty else { return nil }
        return value
    }

    /// `yyyy-MM-dd HH:mm` in China Standard Time.
    static func chinaTime(_ t: Timestamp) -> String {
        let shifted = t.millisecondsSinceEpoch + 8 * 3_600_000
        let day: Int64 = 86_400_000
        let rem = Int(((shifted % day) + day) % day)
        let date = t.chinaDate
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(date.iso) \(pad(rem / 3_600_000)):\(pad(rem / 60_000 % 60))"
    }

    static func chinaTime(text: String) -> String {
        Timestamp(text: text).map(chinaTime) ?? text
    }

    static func sizeText(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024 { return String(format: "%.1f MB", Double(bytes) / 1048576) }
        if bytes >= 1024 { return String(format: "%.0f KB", Double(bytes) / 1024) }
        return "\(bytes) 字节"
    }
}

/// Everything the page routes share: security headers (with a Content-Security-Policy that
/// allows no inline script or style), the session from the `zhtj_session` cookie (never a
/// bearer header), the CSRF check on every POST, and HTML error pages.
struct PageMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices
    let renderer: PageRenderer

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// POST routes that run without a session; the login form checks its own token (bound to
    /// the login cookie, not a session).
    static let openPosts: Set<String> = [PageRoute.login.path, PageRoute.register.path, PageRoute.forgot.path]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await guarded(request, context: context, next: next)
        // A handler may narrow it further (page images set their own).
        if response.headers[.init("Content-Security-Policy")!] == nil {
            response.headers[.init("Content-Security-Policy")!] = Self.contentSecurityPolicy
        }
        response.headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
        return response
    }

    private func guarded(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        do {
            let cookie = PageKit.sessionCookie(request)
            if CrossSite.changesState(request.method) {
                try CrossSite.check(request)
                if !Self.openPosts.contains(request.uri.path) {
                    guard let cookie, context.session != nil else { throw PageRedirect(to: .loginForm) }
                    let expected = PageCSRF.token(forSessionCookie: cookie)
                    var presented = request.uri.queryParameters[Substring(PageCSRF.field)].map(String.init)
                    let type = request.headers[.contentType]?.lowercased() ?? ""
                    if type.hasPrefix("application/x-www-form-urlencoded") {
                        let buffer = try await request.collectBody(upTo: PageForm.maximumBytes)
                        presented = PageForm(buffer)[PageCSRF.field] ?? presented
                    }
                    guard PageCSRF.matches(presented, expected: expected) else { throw ServiceRefusal.csrfRejected }
                }
            }
            return try await next(request, context)
        } catch let redirect as PageRedirect {
            return PageKit.redirect(redirect.route)
        } catch {
            let entry = ErrorMiddleware<Context>.entry(for: error, logger: context.logger)
            if entry.status == .unauthorized { return PageKit.redirect(.loginForm) }
            let title = ErrorCatalogue.title(for: entry)
            let visitor = try? await PageVisitor.make(services: services, request: request, context: context)
            var response = renderer.errorPage(status: entry.status, title: title, message: entry.message, visitor: visitor)
            for field in entry.headers { response.headers.append(field) }
            return response
        }
    }

}

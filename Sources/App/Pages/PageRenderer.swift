import Domain
import Foundation
import Hummingbird
import Mustache
import NIOCore
import Persistence

/// Who is looking at a page: the session, their name and the CSRF token their forms carry.
struct PageVisitor: Sendable {
    let session: AuthenticatedSession
    let name: String
    let csrf: String

    var actor: Actor { session.actor }
    var isAdmin: Bool { actor.isAdmin }
    var isMember: Bool { actor.memberBranch != nil }

    /// Where the role's home is: the admin workspace, or a member's own archive.
    var home: String { isAdmin ? "/home" : "/me/archive" }
}

/// Template data: a dictionary whose nil values are left out, so that `{{#key}}` sections on
/// them render nothing (Mustache treats every present value, even "", as true).
func pageData(_ pairs: [String: Any?]) -> [String: Any] {
    var out: [String: Any] = [:]
    for (key, value) in pairs {
        guard let value else { continue }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional && mirror.children.isEmpty { continue }
        out[key] = value
    }
    return out
}

/// Renders page templates into the shared layout.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in PageTemplates.all {
            do {
                try library.register(text, named: name)
            } catch {
                fatalError("page template \(name) does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// A full HTML page: `template` rendered with `data`, inside the layout.
    func page(
        _ template: String, title: String, data: [String: Any], visitor: PageVisitor?, active: String? = nil,
        flash: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        var data = data
        if let visitor { data["csrf"] = visitor.csrf }
        let content = library.render(data, withTemplate: template) ?? ""
        let html = library.render(layoutData(title: title, content: content, visitor: visitor, active: active, flash: flash), withTemplate: "layout") ?? ""
        return Self.html(html, status: status)
    }

    static func html(_ html: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func layoutData(title: String, content: String, visitor: PageVisitor?, active: String?, flash: String?) -> [String: Any] {
        var nav: [[String: Any]] = []
        func item(_ href: String, _ label: String, _ key: String) {
            nav.append(["href": href, "label": label, "active": key == active])
        }
        if let visitor, !visitor.actor.mustChangePassword {
            if visitor.isAdmin {
                item("/home", "工作台", "home")
                item("/members", "团员管理", "members")
                item("/inbox", "待办事项", "inbox")
            }
            if visitor.isMember { item("/me/archive", "我的档案", "mine") }
        }
        return pageData([
            "title": title,
            "content": content,
            "flash": flash,
            "homeHref": visitor?.home ?? "/",
            "visitor": visitor.map { v in
                pageData(["name": v.name, "csrf": v.csrf, "nav": nav, "passwordActive": active == "password"])
            },
        ])
    }

    /// An error page in the same layout (403, 404, 409, 500, …).
    func errorPage(status: HTTPResponse.Status, title: String, message: String, visitor: PageVisitor?) -> Response {
        page(
            "error", title: title,
            data: ["code": String(status.code), "title": title, "message": message, "home": visitor?.home ?? "/"],
            visitor: visitor, status: status)
    }
}

extension PageVisitor {
    /// The visitor of a request the page middleware has resolved, or nil when logged out.
    static func make(services: AppServices, request: Request, context: AppRequestContext) async throws -> PageVisitor? {
        guard let session = context.session, let cookie = PageKit.sessionCookie(request) else { return nil }
        let name = try await services.accounts.profile(session).person.name
        return PageVisitor(session: session, name: name, csrf: PageCSRF.token(forSessionCookie: cookie))
    }
}

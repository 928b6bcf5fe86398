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
    var home: PageRoute { isAdmin ? .home() : .mine() }
}

/// The page templates (`Resources/Templates/*.mustache`, one per page plus the layout) and the
/// static files, loaded once at start-up. `{{x}}` escapes HTML; `{{{content}}}` in the layout is
/// the only unescaped value. No template holds inline script or style: the
/// Content-Security-Policy forbids both.
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let assets: StaticAssets

    /// Every template a page renders; start-up fails when one is missing.
    enum Template: String, CaseIterable, Sendable {
        case layout, login, password, home, members, member, inbox, review, mine, error
        case memberEntry, memberRecord, cadres
        case orgs, orgProfile, orgProgress
        case register, forgot, registrationCodes, issuedCodes, orgAdmins, resetCode, adminChange
        case childrenImport, memberImport
        case myTransfers, orgTransfers, transferForm, transfer, graduation
        case grading, gradingReviews
        case orgNotices, notice
        case activities
        case rectification, rectificationBranches, rectificationStatistics
        case statistics
        case registrations, myRegistrations
    }

    /// The bundled `Resources` folder.
    static var resources: URL {
        get throws(PageResourceError) {
            guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
                throw .missing("Resources in \(Bundle.module.bundlePath)")
            }
            return url
        }
    }

    /// The renderer of the bundled resources, loaded on first use (when the router is built at
    /// start-up); a missing or unparsable file stops the process naming it.
    static let bundled: PageRenderer = {
        do {
            return try PageRenderer(resources: try resources)
        } catch {
            fatalError("zhtj cannot start: \(error)")
        }
    }()

    /// Loads and parses the templates and the static files; any failure names the file.
    init(resources: URL) throws(PageResourceError) {
        var library = MustacheLibrary()
        for template in Template.allCases {
            let file = Self.templateFile(template, in: resources)
            guard let data = FileManager.default.contents(atPath: file.path) else { throw .missing(file.path) }
            do {
                try library.register(String(decoding: data, as: UTF8.self), named: template.rawValue)
            } catch let error as MustacheTemplate.ParserError {
                throw PageResourceError(
                    description: "page template \(file.path) does not parse at line \(error.context.lineNumber), "
                        + "column \(error.context.columnNumber): \(error.error)")
            } catch {
                throw PageResourceError(description: "page template \(file.path) does not parse: \(error)")
            }
        }
        self.library = library
        self.assets = try StaticAssets(directory: resources.appendingPathComponent("Static"))
    }

    static func templateFile(_ template: Template, in resources: URL) -> URL {
        resources.appendingPathComponent("Templates").appendingPathComponent("\(template.rawValue).mustache")
    }

    /// A full HTML page: `template` rendered with its view model, inside the layout.
    func page(
        _ template: Template, _ model: Any, title: String, visitor: PageVisitor?, active: NavSection? = nil, flash: PageFlash? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let content = render(template, model)
        let layout = Layout.make(title: title, content: content, visitor: visitor, active: active, flash: flash, assets: assets)
        return Self.html(render(.layout, layout), status: status)
    }

    /// One template with its view model (the templates are known to exist: `init` checked).
    func render(_ template: Template, _ model: Any) -> String {
        library.render(model, withTemplate: template.rawValue) ?? ""
    }

    static func html(_ html: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// An error page in the same layout (403, 404, 409, 500, …).
    func errorPage(status: HTTPResponse.Status, title: String, message: String, visitor: PageVisitor?) -> Response {
        page(
            .error, ErrorPage(code: Int(status.code), title: title, message: message, home: (visitor?.home ?? .loginForm).href),
            title: title, visitor: visitor, status: status)
    }
}

extension PageVisitor {
    /// The visitor of a request the page middleware has resolved, or nil when logged out.
    static func make(services: AppServices, request: Request, context: AppRequestContext) async throws -> PageVisitor? {
        guard let session = context.session, let cookie = PageKit.sessionCookie(request) else { return nil }
        let name = try await services.accounts.name(of: session)
        return PageVisitor(session: session, name: name, csrf: PageCSRF.token(forSessionCookie: cookie))
    }
}

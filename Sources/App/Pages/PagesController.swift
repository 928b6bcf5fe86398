import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PDFInspection
import Persistence

/// The server-rendered pages (Chinese, plain HTML and CSS, a little JS for upload progress).
///
/// Every page works over the same code the API uses: logins and password changes go through
/// `AuthController`, uploads and decisions through `ArchiveController` (and so `ArchiveService`
/// and `Domain.authorize`), lists through `OperationsController` and the repositories. A page
/// never decides a rule of its own; it only shows what the services answered, refusals included.
struct PagesController {
    let services: AppServices
    let renderer = PageRenderer.bundled

    var archiveAPI: ArchiveController { ArchiveController(services: services) }

    func register(on router: Router<AppRequestContext>) {
        let pages = router.group().add(middleware: PageMiddleware(services: services, renderer: renderer))
        PageRoute.register(on: pages, handler: handler)
    }

    /// The handler of each endpoint; the switch is exhaustive, so a new endpoint needs one.
    func handler(_ endpoint: PageRoute.Endpoint) -> @Sendable (Request, AppRequestContext) async throws -> Response {
        switch endpoint {
        case .loginForm: loginPage
        case .login: login
        case .logout: logout
        case .passwordForm: passwordPage
        case .password: changePassword
        case .home: home
        case .members: members
        case .member: member
        case .memberUpload: upload
        case .memberWithdraw: withdraw
        case .memberChangeRequest: requestChange
        case .inbox: inbox
        case .review: review
        case .reviewApprove: { try await decide($0, $1, .approve) }
        case .reviewReject: { try await decide($0, $1, .reject) }
        case .changeApprove: { try await decideChange($0, $1, approve: true) }
        case .changeReject: { try await decideChange($0, $1, approve: false) }
        case .thumbnail: thumbnail
        case .mine: mine
        case .staticAsset: staticAsset
        }
    }

    /// `/static/{asset}`: the stylesheet and script, by hashed or plain name.
    @Sendable func staticAsset(request: Request, context: AppRequestContext) async throws -> Response {
        guard let name = context.parameters.get(PageRoute.assetParameter), let response = renderer.assets.response(for: name) else {
            throw PageError.notFound
        }
        return response
    }

    // MARK: Visitors

    /// The logged-in visitor, or a redirect to the login page; one still on the initial
    /// password is sent to change it first (ADM-6).
    func visitor(_ request: Request, _ context: AppRequestContext, passwordChange: Bool = false) async throws -> PageVisitor {
        guard let visitor = try await PageVisitor.make(services: services, request: request, context: context) else {
            throw PageRedirect(to: .loginForm)
        }
        if visitor.actor.mustChangePassword && !passwordChange { throw PageRedirect(to: .passwordForm) }
        return visitor
    }

    /// Admin pages send members to their own archive.
    func admin(_ request: Request, _ context: AppRequestContext) async throws -> PageVisitor {
        let visitor = try await visitor(request, context)
        guard visitor.isAdmin else { throw PageRedirect(to: visitor.home) }
        return visitor
    }

    // MARK: Login, logout, password

    @Sendable func loginPage(request: Request, context: AppRequestContext) async throws -> Response {
        if let visitor = try await PageVisitor.make(services: services, request: request, context: context) {
            return PageKit.redirect(visitor.actor.mustChangePassword ? .passwordForm : visitor.home)
        }
        return renderer.page(.login, LoginPage.make(), title: "登录", visitor: nil)
    }

    /// Runs the API's login (throttle, normalisation, session, cookie) and turns its answer into
    /// a redirect to the role's home, or the login form with the server's message.
    @Sendable func login(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await PageForm.read(request)
        let account = form["account"] ?? ""
        let api = try PageKit.jsonRequest(SiteRoute.login.path, ["account": account, "password": form["password"] ?? ""])
        let answer: Response
        do {
            answer = try await AuthController(services: services).login(request: api, context: context)
        } catch let error as AppError {
            var response = renderer.page(
                .login, LoginPage.make(error: error.message, account: account), title: "登录", visitor: nil, status: error.status)
            for field in error.headers { response.headers.append(field) }
            return response
        }
        let cookies = answer.headers[values: .setCookie]
        let prefix = SessionToken.cookieName + "="
        guard let cookie = cookies.first(where: { $0.hasPrefix(prefix) }) else { throw AppError.internalError }
        let token = String(cookie.dropFirst(prefix.count).prefix { $0 != ";" })
        var home = PageRoute.loginForm
        if let session = try await services.sessions.findActive(tokenHash: SessionToken.hash(token), now: services.clock.now()),
            let record = try await services.accounts.find(session.accountID)
        {
            let actor = try await services.actor(for: record)
            home = record.mustChangePassword ? .passwordForm : (actor.isAdmin ? .home() : .mine())
        }
        var response = PageKit.redirect(home)
        for value in cookies { response.headers.append(HTTPField(name: .setCookie, value: value)) }
        return response
    }

    @Sendable func logout(request: Request, context: AppRequestContext) async throws -> Response {
        let answer = try await AuthController(services: services).logout(request: request, context: context)
        var response = PageKit.redirect(.loginForm)
        for value in answer.headers[values: .setCookie] { response.headers.append(HTTPField(name: .setCookie, value: value)) }
        return response
    }

    @Sendable func passwordPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context, passwordChange: true)
        return renderer.page(.password, PasswordPage.make(visitor: visitor), title: "修改密码", visitor: visitor, active: .password)
    }

    @Sendable func changePassword(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context, passwordChange: true)
        let form = try await PageForm.read(request)
        func refuse(_ message: String, _ status: HTTPResponse.Status) -> Response {
            renderer.page(
                .password, PasswordPage.make(visitor: visitor, error: message), title: "修改密码", visitor: visitor, active: .password,
                status: status)
        }
        let newPassword = form["newPassword"] ?? ""
        if let confirm = form["confirmPassword"], confirm != newPassword {
            return refuse("两次输入的新密码不一致", .unprocessableContent)
        }
        let api = try PageKit.jsonRequest(
            SiteRoute.mePassword.path, ["currentPassword": form["currentPassword"] ?? "", "newPassword": newPassword])
        do {
            _ = try await AuthController(services: services).changePassword(request: api, context: context)
        } catch let error as AppError {
            return refuse(error.message, error.status)
        }
        return PageKit.redirect(visitor.isAdmin ? .home(done: .password) : .mine(done: .password))
    }

    // MARK: Admin home

    @Sendable func home(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgs = try await administeredOrgs(visitor)
        guard !orgs.isEmpty else { throw PageError.forbidden }
        let wanted = request.uri.queryParameters["org"].map(String.init)
        let org = orgs.first { $0.id.rawValue == wanted } ?? orgs[0]
        let counts = try await services.archives.counts(inSubtreeOf: org.path)
        // ARC-12: the same alerts as GET /api/v1/me/alerts.
        let alerts = try await OperationsController(services: services).alerts(request: request, context: context)
        let inbox = try await OperationsController(services: services).inbox(
            request: PageKit.getRequest(SiteRoute.inbox.path, query: [("limit", "100")]), context: context)
        let page = HomePage.make(
            orgs: orgs, shown: org, counts: counts, alert: alerts.items.first { $0.orgId == org.id.rawValue },
            waitingCount: inbox.items.count, moreWaiting: inbox.nextCursor != nil)
        return renderer.page(.home, page, title: "工作台", visitor: visitor, active: .home, flash: PageFlash.of(request))
    }

    /// The orgs the visitor administers (ADM-7: possibly several), in appointment order.
    func administeredOrgs(_ visitor: PageVisitor) async throws -> [Org] {
        let ids = visitor.actor.administeredOrgs.map(\.id)
        let found = try await services.orgs.find(ids)
        return ids.compactMap { id in found.first { $0.id == id } }
    }

    // MARK: Members

    static let pageSize = 50

    @Sendable func members(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let query = request.uri.queryParameters
        let administered = try await administeredOrgs(visitor)
        guard !administered.isEmpty else { throw PageError.forbidden }
        var org = administered[0]
        if let raw = query["org"], !raw.isEmpty {
            guard let id = OrgID(rawValue: String(raw)), let found = try await services.orgs.find(id) else { throw PageError.notFound }
            org = found
        }
        _ = try context.authorize(.listMembers, .org(OrgPlacement(org)))
        guard let status = MemberStatusFilter(rawValue: query["status"].map(String.init) ?? "") else {
            throw AppError.badRequest("未知的档案状态")
        }
        let q = (query["q"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
        guard q.count <= 40 else { throw AppError.badRequest("查询内容过长") }
        var cursor: PersonID?
        if let raw = query["cursor"], !raw.isEmpty {
            guard let id = PersonID(rawValue: String(raw)) else { throw AppError.badRequest("cursor 无效") }
            cursor = id
        }

        var rows: [MemberArchiveRow] = []
        var next: PersonID?
        func keep(_ row: MemberArchiveRow) -> Bool {
            switch status {
            case .all: return true
            case .unverified: return row.member.member.needsArchive && !row.state.identityVerified
            default: return row.member.member.needsArchive && row.state.status == status.archiveStatus
            }
        }
        if !q.isEmpty {
            // ARC-11 search, within the chosen org's subtree.
            rows = try await services.archives.search(q, inSubtreeOf: [org.path], limit: 100).filter(keep)
        } else if status != .all {
            let fetched = try await services.archives.memberArchives(
                inSubtreeOf: org.path, status: status.archiveStatus, joinedBefore: nil, after: cursor, limit: Self.pageSize + 1)
            if fetched.count > Self.pageSize { next = fetched[Self.pageSize - 1].member.member.personID }
            rows = fetched.prefix(Self.pageSize).filter(keep)
        } else {
            let fetched = try await services.members.list(inSubtreeOf: org.path, after: cursor, limit: Self.pageSize + 1)
            if fetched.count > Self.pageSize { next = fetched[Self.pageSize - 1].member.personID }
            for record in fetched.prefix(Self.pageSize) {
                let archive = try await services.archives.find(member: record.member.personID)
                rows.append(MemberArchiveRow(member: record, archiveID: archive?.id, state: archive?.state ?? .notUploaded))
            }
        }
        var orgs: [(Org, Int)] = []
        for root in administered { orgs += try await subtree(of: root) }
        let page = MembersPage.make(org: org, orgs: orgs, status: status, q: q, rows: rows, next: next, today: services.today)
        return renderer.page(.members, page, title: "团员管理", visitor: visitor, active: .members)
    }

    /// The org and everything below it, depth first, with each org's depth below `root`.
    func subtree(of root: Org, limit: Int = 300) async throws -> [(Org, Int)] {
        var out: [(Org, Int)] = []
        var stack: [(Org, Int)] = [(root, 0)]
        while let (org, depth) = stack.popLast(), out.count < limit {
            out.append((org, depth))
            let children = try await services.orgs.children(of: org.id)
            stack.append(contentsOf: children.reversed().map { ($0, depth + 1) })
        }
        return out
    }

    // MARK: One member's archive

    func memberRecord(_ context: AppRequestContext) async throws -> MemberRecord {
        guard let record = try await services.members.find(try context.memberID()) else { throw PageError.notFound }
        return record
    }

    @Sendable func member(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        let record = try await memberRecord(context)
        let target = AccessTarget.member(record.member.personID, branch: record.branch)
        _ = try context.authorize(.viewArchive, target)
        if record.member.personID == visitor.actor.personID && !visitor.actor.administers(record.branch.path) {
            throw PageRedirect(to: .mine())
        }
        return try await memberPage(record, visitor: visitor, flash: PageFlash.of(request))
    }

    func memberPage(
        _ record: MemberRecord, visitor: PageVisitor, error: String? = nil, status: HTTPResponse.Status = .ok, flash: PageFlash? = nil
    ) async throws -> Response {
        let id = record.member.personID
        let target = AccessTarget.member(id, branch: record.branch)
        let described = try await archiveAPI.describe(record)
        let state = try await services.archives.find(member: id)?.state ?? .notUploaded
        let named = try await names(
            people: Set(described.versions.map(\.uploadedBy) + described.decisions.map(\.actorId)),
            orgs: Set(described.versions.map(\.uploadedByOrg) + described.decisions.compactMap(\.actorOrgId)))
        let may = MemberPage.Permissions(
            manage: Domain.authorize(visitor.actor, .manageArchive, target).isAllowed,
            review: Domain.authorize(visitor.actor, .reviewArchive, target).isAllowed, seesNotice: visitor.isAdmin)
        let page = MemberPage.make(
            record, described: described, state: state, may: may, names: named, policy: services.config.archivePolicy,
            csrf: visitor.csrf, error: error)
        return renderer.page(.member, page, title: record.member.name, visitor: visitor, active: .members, flash: flash, status: status)
    }

    /// Names of people and orgs for the history, looked up once each.
    func names(people: Set<String>, orgs: Set<String>) async throws -> MemberPage.Names {
        var names = MemberPage.Names()
        for id in people {
            if let pid = PersonID(rawValue: id), let person = try await services.people.find(pid) { names.people[id] = person.name }
        }
        let found = try await services.orgs.find(orgs.compactMap(OrgID.init(rawValue:)))
        names.orgs = Dictionary(found.map { ($0.id.rawValue, $0.name) }, uniquingKeysWith: { a, _ in a })
        return names
    }

    /// Runs an API handler for a member page's form; a refusal re-renders the page with the
    /// server's message in place, with the refusal's status.
    func onMemberPage(
        _ request: Request, _ context: AppRequestContext, done: PageFlash, _ action: (PageVisitor, MemberRecord) async throws -> Void
    ) async throws -> Response {
        let visitor = try await visitor(request, context)
        let record = try await memberRecord(context)
        do {
            try await action(visitor, record)
        } catch let error as AppError {
            if error.status == .unauthorized { throw error }
            return try await memberPage(record, visitor: visitor, error: error.message, status: error.status)
        } catch let error as HTTPError {
            let app = ErrorMiddleware<AppRequestContext>.translate(error)
            return try await memberPage(record, visitor: visitor, error: app.message, status: app.status)
        }
        return PageKit.redirect(.member(record.member.personID, done: done))
    }

    /// The no-JS upload: the multipart form goes through the API's upload handler as it is.
    @Sendable func upload(request: Request, context: AppRequestContext) async throws -> Response {
        try await onMemberPage(request, context, done: .uploaded) { _, _ in
            _ = try await archiveAPI.upload(request: request, context: context)
        }
    }

    @Sendable func withdraw(request: Request, context: AppRequestContext) async throws -> Response {
        try await onMemberPage(request, context, done: .withdrawn) { _, record in
            guard let archive = try await services.archives.find(member: record.member.personID) else {
                throw ArchiveService.error(.notPending)
            }
            var context = context
            context.coreContext.parameters.append(key: Substring(SiteRoute.archiveParameter), value: Substring(archive.id.rawValue))
            _ = try await archiveAPI.decide(try PageKit.jsonRequest("/", [:]), context, .withdraw)
        }
    }

    @Sendable func requestChange(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await PageForm.read(request)
        return try await onMemberPage(request, context, done: .changeRequested) { _, _ in
            let api = try PageKit.jsonRequest("/", ["reason": form["reason"] ?? ""])
            _ = try await archiveAPI.requestChange(request: api, context: context)
        }
    }

    // MARK: Inbox and review

    @Sendable func inbox(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let type = request.uri.queryParameters["type"].map(String.init) ?? ""
        let cursor = request.uri.queryParameters["cursor"].map(String.init)
        // The API refuses an unknown type (400) before the page is built.
        let page = try await OperationsController(services: services).inbox(
            request: PageKit.getRequest(
                SiteRoute.inbox.path, query: [("type", type.isEmpty ? nil : type), ("limit", "50"), ("cursor", cursor)]),
            context: context)
        let view = InboxPage.make(type: OperationsController.InboxType(rawValue: type), items: page.items, nextCursor: page.nextCursor)
        return renderer.page(.inbox, view, title: "待办事项", visitor: visitor, active: .inbox, flash: PageFlash.of(request))
    }

    func archiveAndMember(_ context: AppRequestContext) async throws -> (ArchiveRecord, MemberRecord) {
        guard let raw = context.parameters.get(SiteRoute.archiveParameter), let id = ArchiveID(rawValue: raw),
            let archive = try await services.archives.find(id),
            let record = try await services.members.find(archive.memberID)
        else { throw PageError.notFound }
        return (archive, record)
    }

    @Sendable func review(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let (archive, record) = try await archiveAndMember(context)
        _ = try context.authorize(.viewArchive, .member(record.member.personID, branch: record.branch))
        return try await reviewPage(archive, record, visitor: visitor)
    }

    func reviewPage(
        _ archive: ArchiveRecord, _ record: MemberRecord, visitor: PageVisitor, error: String? = nil, reason: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let target = AccessTarget.member(record.member.personID, branch: record.branch)
        let versions = try await services.archives.versions(archive.id)
        var shown: (ArchiveVersionRecord, orgName: String)?
        if let version = versions.first(where: { $0.version == archive.state.latestVersion }) ?? versions.last {
            let orgName = try await services.orgs.find(version.uploadedByOrg)?.name ?? ""
            shown = (version, orgName)
        }
        var openChange: ChangeRequestResponse?
        if case .changeRequested = archive.state,
            let open = ArchiveController.changeRequests(try await services.archives.decisions(archive.id)).last, open.status == "pending"
        {
            openChange = open
        }
        let page = ReviewPage.make(
            archive, record, shown: shown, openChange: openChange,
            canReview: Domain.authorize(visitor.actor, .reviewArchive, target).isAllowed, csrf: visitor.csrf, error: error, reason: reason)
        return renderer.page(.review, page, title: page.typeName, visitor: visitor, active: .inbox, status: status)
    }

    /// Runs an API decision for the review page; a refusal (a late second reviewer's 409, an
    /// empty reason's 422) re-renders the page with the server's message.
    func onReviewPage(
        _ request: Request, _ context: AppRequestContext, done: PageFlash, reason: String?,
        _ action: (ArchiveRecord, MemberRecord, inout AppRequestContext) async throws -> Void
    ) async throws -> Response {
        let visitor = try await admin(request, context)
        let (archive, record) = try await archiveAndMember(context)
        var context = context
        do {
            try await action(archive, record, &context)
        } catch let error as AppError {
            if error.status == .unauthorized { throw error }
            if error.status == .forbidden || error.status == .notFound { throw error }
            let fresh = try await services.archives.find(archive.id) ?? archive
            return try await reviewPage(fresh, record, visitor: visitor, error: error.message, reason: reason, status: error.status)
        }
        return PageKit.redirect(.inbox(done: done))
    }

    func decide(_ request: Request, _ context: AppRequestContext, _ verdict: ArchiveController.Verdict) async throws -> Response {
        let form = try await PageForm.read(request)
        let reason = verdict == .reject ? (form["reason"] ?? "") : nil
        return try await onReviewPage(request, context, done: verdict == .approve ? .approved : .rejected, reason: reason) {
            _, _, context in
            let api = try PageKit.jsonRequest("/", reason.map { ["reason": $0] } ?? [:])
            _ = try await archiveAPI.decide(api, context, verdict)
        }
    }

    func decideChange(_ request: Request, _ context: AppRequestContext, approve: Bool) async throws -> Response {
        let form = try await PageForm.read(request)
        let reason = approve ? nil : (form["reason"] ?? "")
        return try await onReviewPage(request, context, done: approve ? .changeApproved : .changeRejected, reason: reason) {
            archive, record, context in
            guard let open = ArchiveController.changeRequests(try await services.archives.decisions(archive.id)).last,
                open.status == "pending"
            else { throw ArchiveService.error(.noChangeRequest) }
            context.coreContext.parameters.append(key: Substring(SiteRoute.memberParameter), value: Substring(record.member.personID.rawValue))
            context.coreContext.parameters.append(key: Substring(SiteRoute.changeRequestParameter), value: Substring(open.id))
            let api = try PageKit.jsonRequest("/", reason.map { ["reason": $0] } ?? [:])
            _ = try await archiveAPI.decideChange(api, context, approve: approve)
        }
    }

    // MARK: Thumbnails

    @Sendable func thumbnail(request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await visitor(request, context)
        let (archive, record) = try await archiveAndMember(context)
        _ = try context.authorize(.viewArchive, .member(record.member.personID, branch: record.branch))
        guard let n = context.parameters.get(PageRoute.versionParameter, as: Int.self),
            let p = context.parameters.get(PageRoute.pageParameter, as: Int.self),
            let version = try await services.archives.versions(archive.id).first(where: { $0.version == n }),
            (1...version.pages).contains(p)
        else { throw PageError.notFound }
        let width = Thumbnails.width(for: request.uri.queryParameters["w"].flatMap { Int(String($0)) })
        let png = try await Thumbnails(services: services).png(sha256: version.sha256, page: p, width: width, logger: context.logger)
        return Response(
            status: .ok,
            headers: [
                .contentType: "image/png", .cacheControl: "private, max-age=86400", .contentLength: String(png.count),
                // Opened on its own, the browser's image viewer styles itself inline; nothing else may run.
                .init("Content-Security-Policy")!: "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: png)))
    }

    // MARK: A member's own archive

    @Sendable func mine(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        guard visitor.isMember, let record = try await services.members.find(visitor.actor.personID) else {
            throw PageRedirect(to: visitor.home)
        }
        _ = try context.authorize(.viewArchive, .member(record.member.personID, branch: record.branch))
        let page = MyArchivePage.make(record, described: try await archiveAPI.describe(record))
        return renderer.page(.mine, page, title: "我的档案", visitor: visitor, active: .mine, flash: PageFlash.of(request))
    }
}

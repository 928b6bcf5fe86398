import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PDFInspection
import Persistence

/// The server-rendered pages (Chinese, plain HTML and CSS, a little JS for upload progress).
///
/// Every page calls the same workflows the API calls (`AccountWorkflow`, `ArchiveWorkflow`,
/// `OperationCentreWorkflow`), which authorise with `Domain.authorize`. A page never decides a
/// rule of its own; it only shows what the workflows answered, refusals included.
struct PagesController {
    let services: AppServices
    let renderer = PageRenderer()

    func register(on router: Router<AppRequestContext>) {
        let pages = router.group().add(middleware: PageMiddleware(services: services, renderer: renderer))
        pages.get("/", use: loginPage)
        pages.post("/login", use: login)
        pages.post("/logout", use: logout)
        pages.get("/password", use: passwordPage)
        pages.post("/password", use: changePassword)
        pages.get("/home", use: home)
        pages.get("/members", use: members)
        pages.get("/members/{memberId}", use: member)
        pages.post("/members/{memberId}/archive", use: upload)
        pages.post("/members/{memberId}/archive/withdraw", use: withdraw)
        pages.post("/members/{memberId}/archive/change-requests", use: requestChange)
        pages.get("/inbox", use: inbox)
        pages.get("/inbox/archives/{archiveId}", use: review)
        pages.post("/inbox/archives/{archiveId}/approve") { try await decide($0, $1, approve: true) }
        pages.post("/inbox/archives/{archiveId}/reject") { try await decide($0, $1, approve: false) }
        pages.post("/inbox/archives/{archiveId}/change/approve") { try await decideChange($0, $1, approve: true) }
        pages.post("/inbox/archives/{archiveId}/change/reject") { try await decideChange($0, $1, approve: false) }
        pages.get("/archives/{archiveId}/versions/{version}/pages/{page}.png", use: thumbnail)
        pages.get("/me/archive", use: mine)
        pages.get("/static/app.css") { _, _ in Self.asset(PageAssets.css, type: "text/css; charset=utf-8") }
        pages.get("/static/app.js") { _, _ in Self.asset(PageAssets.js, type: "text/javascript; charset=utf-8") }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: Visitors

    /// The logged-in visitor, or a redirect to the login page; one still on the initial
    /// password is sent to change it first (ADM-6).
    func visitor(_ request: Request, _ context: AppRequestContext, passwordChange: Bool = false) async throws -> PageVisitor {
        guard let visitor = try await PageVisitor.make(services: services, request: request, context: context) else {
            throw PageRedirect(location: "/")
        }
        if visitor.actor.mustChangePassword && !passwordChange { throw PageRedirect(location: "/password") }
        return visitor
    }

    /// Admin pages send members to their own archive.
    func admin(_ request: Request, _ context: AppRequestContext) async throws -> PageVisitor {
        let visitor = try await visitor(request, context)
        guard visitor.isAdmin else { throw PageRedirect(location: visitor.home) }
        return visitor
    }

    static let flashes: [String: String] = [
        "password": "密码已修改。",
        "uploaded": "电子档案已上传。",
        "withdrawn": "已撤回待审批的电子档案。",
        "change-requested": "修改申请已提交，等待上级团委审批。",
        "approved": "已审批通过，该团员身份已认证。",
        "rejected": "已退回，上传组织将看到不通过的理由。",
        "change-approved": "已同意修改申请，上传组织可上传一次新文件。",
        "change-rejected": "已驳回修改申请。",
    ]

    func flash(_ request: Request) -> String? {
        request.uri.queryParameters["done"].flatMap { Self.flashes[String($0)] }
    }

    // MARK: Login, logout, password

    @Sendable func loginPage(request: Request, context: AppRequestContext) async throws -> Response {
        if let visitor = try await PageVisitor.make(services: services, request: request, context: context) {
            return PageKit.redirect(visitor.actor.mustChangePassword ? "/password" : visitor.home)
        }
        return renderer.page("login", title: "登录", data: [:], visitor: nil)
    }

    /// Logs in through `AccountWorkflow` (throttle, normalisation, session) and sends the
    /// browser to the role's home, or shows the form again with the refusal's message.
    @Sendable func login(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await PageForm.read(request)
        let account = form["account"] ?? ""
        let outcome: AccountWorkflow.LoginOutcome
        do {
            outcome = try await services.accounts.login(account: account, password: form["password"] ?? "", address: context.clientAddress)
        } catch {
            let entry = ErrorMiddleware<AppRequestContext>.entry(for: error, logger: context.logger)
            var response = renderer.page(
                "login", title: "登录", data: pageData(["error": entry.message, "account": account]), visitor: nil, status: entry.status)
            for field in entry.headers { response.headers.append(field) }
            return response
        }
        let session = outcome.session
        let home = session.account.mustChangePassword ? "/password" : (session.actor.isAdmin ? "/home" : "/me/archive")
        var response = PageKit.redirect(home)
        response.setCookie(SessionToken.cookie(outcome.token, config: services.config))
        return response
    }

    @Sendable func logout(request: Request, context: AppRequestContext) async throws -> Response {
        if let session = context.session { try await services.accounts.logout(session) }
        var response = PageKit.redirect("/")
        response.setCookie(SessionToken.expiredCookie(config: services.config))
        return response
    }

    @Sendable func passwordPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context, passwordChange: true)
        return renderer.page(
            "password", title: "修改密码", data: ["required": visitor.actor.mustChangePassword], visitor: visitor, active: "password")
    }

    @Sendable func changePassword(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context, passwordChange: true)
        let form = try await PageForm.read(request)
        func refuse(_ message: String, _ status: HTTPResponse.Status) -> Response {
            renderer.page(
                "password", title: "修改密码", data: pageData(["required": visitor.actor.mustChangePassword, "error": message]),
                visitor: visitor, active: "password", status: status)
        }
        let newPassword = form["newPassword"] ?? ""
        do {
            if let confirm = form["confirmPassword"], confirm != newPassword { throw ServiceRefusal.passwordConfirmationMismatch }
            try await services.accounts.changePassword(visitor.session, current: form["currentPassword"] ?? "", new: newPassword)
        } catch {
            let entry = ErrorMiddleware<AppRequestContext>.entry(for: error, logger: context.logger)
            if entry.status == .unauthorized { throw error }
            return refuse(entry.message, entry.status)
        }
        let home = visitor.isAdmin ? "/home" : "/me/archive"
        return PageKit.redirect(home + "?done=password")
    }

    // MARK: Admin home

    @Sendable func home(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        // ARC-12: the same figures and messages as GET /api/v1/me/alerts.
        let all = try await services.operations.alerts(visitor.actor)
        guard !all.isEmpty else { throw ServiceRefusal.forbidden }
        let wanted = request.uri.queryParameters["org"].map(String.init)
        let chosen = all.first { $0.org.id.rawValue == wanted } ?? all[0]
        let org = chosen.org
        let counts = chosen.counts
        let membersHref = "/members?org=\(PageKit.query(org.id.rawValue))"
        let banners: [[String: Any]] = chosen.alerts.map { alert in
            ["message": alert.message, "href": membersHref + "&status=\(alert.kind.rawValue)"]
        }
        let inbox = try await services.operations.inbox(visitor.actor, types: InboxType.allCases, cursor: nil, limit: 100)
        let waiting = inbox.nextCursor == nil ? String(inbox.items.count) : "\(inbox.items.count)+"
        let data = pageData([
            "switcher": all.count > 1 ? ["orgs": all.map { ["id": $0.org.id.rawValue, "name": $0.org.name, "selected": $0.org.id == org.id] }] : nil,
            "orgId": org.id.rawValue, "orgName": org.name, "orgCategory": org.category.chineseName,
            "alerts": banners.isEmpty ? nil : banners,
            "newMembers": String(counts.newMembers), "withoutArchive": String(counts.withoutArchive),
            "unverified": String(counts.unverified), "waiting": waiting,
            "membersHref": membersHref, "notUploadedHref": membersHref + "&status=not_uploaded",
            "unverifiedHref": membersHref + "&status=unverified",
        ])
        return renderer.page("home", title: "工作台", data: data, visitor: visitor, active: "home", flash: flash(request))
    }

    // MARK: Members

    static let statusFilters: [(String, String)] = [
        ("", "全部"), ("not_uploaded", "尚未上传"), ("pending", "待审批"), ("verified", "已认证"), ("rejected", "认证不通过"),
        ("unverified", "身份尚未认证"),
    ]
    static let pageSize = 50

    @Sendable func members(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let actor = visitor.actor
        let query = request.uri.queryParameters
        let choices = try await services.operations.orgChoices(actor)
        guard let first = actor.administeredOrgs.first else { throw ServiceRefusal.forbidden }
        var orgID = first.id
        if let raw = query["org"], !raw.isEmpty {
            guard let id = OrgID(rawValue: String(raw)) else { throw ServiceRefusal.notFound }
            orgID = id
        }
        let org = try await services.operations.org(actor, orgID, .listMembers)
        let statusText = query["status"].map(String.init) ?? ""
        guard Self.statusFilters.contains(where: { $0.0 == statusText }) else { throw ServiceRefusal.badRequest("未知的档案状态") }
        let q = (query["q"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
        guard q.count <= 40 else { throw ServiceRefusal.badRequest("查询内容过长") }
        var cursor: PersonID?
        if let raw = query["cursor"], !raw.isEmpty {
            guard let id = PersonID(rawValue: String(raw)) else { throw ServiceRefusal.badRequest("cursor 无效") }
            cursor = id
        }

        let today = services.today
        var rows: [MemberArchiveRow] = []
        var next: PersonID?
        func keep(_ row: MemberArchiveRow) -> Bool {
            switch statusText {
            case "": return true
            case "unverified": return row.member.member.needsArchive && !row.state.identityVerified
            default: return row.member.member.needsArchive && row.state.status.rawValue == statusText
            }
        }
        if !q.isEmpty {
            // ARC-11 search, within the chosen org's subtree (at most 100 hits, not paged).
            rows = try await services.operations.search(actor, query: q, within: org.id, limit: 100).filter(keep)
        } else {
            // One query; the status filter runs in it, before the page limit.
            let filter = MemberArchiveFilter(
                newMembersOnly: !statusText.isEmpty, status: ArchiveStatus(rawValue: statusText),
                unverifiedOnly: statusText == "unverified")
            let page = try await services.operations.memberArchives(
                actor, org: org.id, filter: filter, cursor: cursor, limit: Self.pageSize)
            rows = page.items
            next = page.nextCursor.flatMap(PersonID.init(rawValue:))
        }

        let items: [[String: Any]] = rows.map { row in
            let item = MemberArchiveItem(row, today: today)
            return pageData([
                "href": "/members/\(item.memberId)", "name": item.name, "idNumber": item.idNumber,
                "developmentNumber": item.developmentNumber ?? "—", "joinedOn": item.joinedOn, "branchName": item.branch.name,
                "status": item.archiveRequired ? item.status : "not_required",
                "statusName": item.archiveRequired ? item.statusName : "无需上传",
                "dueDate": item.dueDate ?? "—", "overdue": item.overdue,
            ])
        }
        var orgOptions: [[String: Any]] = choices.map { choice in
            [
                "id": choice.org.id.rawValue, "name": choice.org.name, "indent": String(repeating: "　", count: choice.depth),
                "selected": choice.org.id == org.id,
            ]
        }
        if !orgOptions.contains(where: { ($0["id"] as? String) == org.id.rawValue }) {
            orgOptions.insert(["id": org.id.rawValue, "name": org.name, "indent": "", "selected": true], at: 0)
        }
        var nextHref: String?
        if let next {
            nextHref = "/members?org=\(PageKit.query(org.id.rawValue))&status=\(PageKit.query(statusText))&cursor=\(PageKit.query(next.rawValue))"
        }
        let summary = q.isEmpty ? "\(org.name)：本页 \(items.count) 名团员" : "在\(org.name)中查询“\(q)”：\(items.count) 名团员"
        let data = pageData([
            "orgOptions": orgOptions,
            "statusOptions": Self.statusFilters.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == statusText] },
            "q": q, "rows": items, "next": nextHref, "summary": summary,
        ])
        return renderer.page("members", title: "团员管理", data: data, visitor: visitor, active: "members")
    }

    // MARK: One member's archive

    @Sendable func member(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        let history = try await services.archives.history(visitor.actor, member: try context.memberID())
        let record = history.member
        if record.member.personID == visitor.actor.personID && !visitor.actor.administers(record.branch.path) {
            throw PageRedirect(location: "/me/archive")
        }
        return memberPage(history, visitor: visitor, flash: flash(request))
    }

    func memberPage(
        _ history: ArchiveHistory, visitor: PageVisitor, error: String? = nil, status: HTTPResponse.Status = .ok, flash: String? = nil
    ) -> Response {
        renderer.page(
            "member", title: history.member.member.name, data: memberData(history, visitor: visitor, error: error), visitor: visitor,
            active: "members", flash: flash, status: status)
    }

    static func decisionName(_ kind: String) -> String {
        switch kind {
        case "approve": "审批通过"
        case "auto_approve": "上级团组织上传，直接认证"
        case "reject": "认证不通过"
        case "withdraw": "撤回"
        case "change_request": "申请修改"
        case "change_approve": "同意修改"
        case "change_reject": "驳回修改申请"
        default: kind
        }
    }

    var pagesRule: String {
        let range = services.config.archivePolicy.pageRange
        return range.lowerBound == range.upperBound ? "\(range.lowerBound)页" : "\(range.lowerBound)至\(range.upperBound)页"
    }

    func memberData(_ history: ArchiveHistory, visitor: PageVisitor, error: String?) -> [String: Any] {
        let record = history.member
        let m = record.member
        let id = m.personID
        let target = AccessTarget.member(id, branch: record.branch)
        let described = ArchiveResponse(history)
        let state = history.state
        let canManage = m.needsArchive && Domain.authorize(visitor.actor, .manageArchive, target).isAllowed
        let canReview = Domain.authorize(visitor.actor, .reviewArchive, target).isAllowed
        var uploadLabel: String?
        var isPending = false
        var isVerifiedOnly = false
        var awaitsChangeDecision = false
        switch state {
        case .notUploaded: uploadLabel = "上传档案"
        case .rejected: uploadLabel = "替换档案"
        case .changeApproved: uploadLabel = "上传修改后的档案"
        case .pending: isPending = true
        case .verified: isVerifiedOnly = true
        case .changeRequested: awaitsChangeDecision = true
        }
        let people = Dictionary(history.personNames.map { ($0.key.rawValue, $0.value) }, uniquingKeysWith: { a, _ in a })
        let orgs = Dictionary(history.orgNames.map { ($0.key.rawValue, $0.value) }, uniquingKeysWith: { a, _ in a })
        let versions: [[String: Any]] = described.versions.reversed().map { v in
            [
                "version": String(v.version), "uploadedAt": PageKit.chinaTime(text: v.uploadedAt), "pages": String(v.pages),
                "size": PageKit.sizeText(v.bytes), "sha256": v.sha256, "shortHash": String(v.sha256.prefix(12)) + "…",
                "uploaderName": people[v.uploadedBy] ?? "", "orgName": orgs[v.uploadedByOrg] ?? v.uploadedByOrg,
                "downloadHref": SiteRoute.memberArchivePDF(id).path + "?version=\(v.version)",
                "verified": v.version == described.verifiedVersion,
            ]
        }
        let decisions: [[String: Any]] = described.decisions.reversed().map { d in
            pageData([
                "at": PageKit.chinaTime(text: d.decidedAt), "kindName": Self.decisionName(d.kind), "version": d.version.map { String($0) },
                "actorName": people[d.actorId] ?? "", "orgName": d.actorOrgId.flatMap { orgs[$0] }, "reason": d.reason,
            ])
        }
        let changeRequests: [[String: Any]] = described.changeRequests.reversed().map { c in
            pageData([
                "requestedAt": PageKit.chinaTime(text: c.requestedAt), "reason": c.reason,
                "statusName": c.status == "pending" ? "审批中" : c.status == "approved" ? "已同意" : "已驳回",
                "decisionReason": c.decisionReason,
            ])
        }
        let csrf = PageKit.query(visitor.csrf)
        return pageData([
            "name": m.name, "idNumber": m.idNumber.masked, "developmentNumber": m.developmentNumber?.value ?? "—",
            "joinedOn": m.joinedOn.iso, "branchName": record.branchName, "required": m.needsArchive,
            "status": m.needsArchive ? described.status : "not_required",
            "statusName": m.needsArchive ? described.statusName : "无需上传",
            "dueDate": described.dueDate, "overdue": described.overdue,
            "notice": visitor.isAdmin ? described.notice : nil,
            "changeOpen": described.changeRequestOpen,
            "verifiedVersion": described.verifiedVersion.map { String($0) },
            "currentVersion": described.currentVersion.map { String($0) },
            "error": error,
            "canUpload": canManage && uploadLabel != nil, "uploadLabel": uploadLabel,
            "uploadAction": "/members/\(id.rawValue)/archive?csrf=\(csrf)",
            "uploadAPI": SiteRoute.memberArchive(id).path, "uploadDone": "/members/\(id.rawValue)?done=uploaded",
            "pagesRule": pagesRule, "maxSize": "\(services.config.archivePolicy.maximumBytes / (1024 * 1024))MB",
            "canWithdraw": canManage && isPending, "withdrawAction": "/members/\(id.rawValue)/archive/withdraw",
            "canRequestChange": canManage && isVerifiedOnly, "changeAction": "/members/\(id.rawValue)/archive/change-requests",
            "reviewHref": canReview && (isPending || awaitsChangeDecision) ? described.archiveId.map { "/inbox/archives/\($0)" } : nil,
            "versions": versions, "decisions": decisions, "changeRequests": changeRequests,
            "hasChangeRequests": !changeRequests.isEmpty,
            "backHref": "/members",
        ])
    }

    /// Runs a member page's form action; a refusal re-renders the page with its message in
    /// place, with the refusal's status.
    func onMemberPage(
        _ request: Request, _ context: AppRequestContext, done: String, _ action: (PageVisitor, PersonID) async throws -> Void
    ) async throws -> Response {
        let visitor = try await visitor(request, context)
        let memberID = try context.memberID()
        do {
            try await action(visitor, memberID)
        } catch {
            let entry = ErrorMiddleware<AppRequestContext>.entry(for: error, logger: context.logger)
            if [.unauthorized, .forbidden, .notFound].contains(entry.status) { throw error }
            let history = try await services.archives.history(visitor.actor, member: memberID)
            return memberPage(history, visitor: visitor, error: entry.message, status: entry.status)
        }
        return PageKit.redirect("/members/\(memberID.rawValue)?done=\(done)")
    }

    /// The no-JS upload: the multipart form is received exactly as the API receives it.
    @Sendable func upload(request: Request, context: AppRequestContext) async throws -> Response {
        try await onMemberPage(request, context, done: "uploaded") { _, member in
            _ = try await ArchiveUpload(archives: services.archives, maximumBytes: services.config.archivePolicy.maximumBytes)
                .run(request, context: context, member: member)
        }
    }

    @Sendable func withdraw(request: Request, context: AppRequestContext) async throws -> Response {
        try await onMemberPage(request, context, done: "withdrawn") { visitor, member in
            try await services.archives.withdraw(visitor.actor, member: member)
        }
    }

    @Sendable func requestChange(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await PageForm.read(request)
        return try await onMemberPage(request, context, done: "change-requested") { visitor, member in
            _ = try await services.archives.requestChange(visitor.actor, member: member, reason: form["reason"] ?? "")
        }
    }

    // MARK: Inbox and review

    static let inboxTabs: [(String, String)] = [
        ("", "全部"), (InboxType.archiveApproval.rawValue, InboxType.archiveApproval.chineseName),
        (InboxType.archiveChangeRequest.rawValue, InboxType.archiveChangeRequest.chineseName),
    ]

    @Sendable func inbox(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let type = request.uri.queryParameters["type"].map(String.init) ?? ""
        let cursor = request.uri.queryParameters["cursor"].map(String.init)
        var types = InboxType.allCases
        if !type.isEmpty {
            guard let chosen = InboxType(rawValue: type) else { throw ServiceRefusal.badRequest("未知的待办类型：\(type)") }
            types = [chosen]
        }
        let page = try await services.operations.inbox(visitor.actor, types: types, cursor: cursor, limit: 50)
        let today = services.today
        let items: [[String: Any]] = page.items.map { entry in
            let item = OperationsController.InboxItem(entry, today: today)
            return [
                "typeName": item.typeName, "name": item.member.name, "idNumber": item.member.idNumber,
                "developmentNumber": item.member.developmentNumber ?? "—", "branchName": item.member.branch.name,
                "since": PageKit.chinaTime(text: item.since), "href": "/inbox/archives/\(item.archiveId)",
            ]
        }
        let tabs = Self.inboxTabs.map { value, label in
            ["href": value.isEmpty ? "/inbox" : "/inbox?type=\(value)", "label": label, "active": value == type] as [String: Any]
        }
        var next: String?
        if let cursor = page.nextCursor {
            next = "/inbox?" + (type.isEmpty ? "" : "type=\(type)&") + "cursor=\(PageKit.query(cursor))"
        }
        let data = pageData(["tabs": tabs, "items": items, "next": next])
        return renderer.page("inbox", title: "待办事项", data: data, visitor: visitor, active: "inbox", flash: flash(request))
    }

    @Sendable func review(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        return reviewPage(try await services.archives.history(visitor.actor, archive: try context.archiveID()), visitor: visitor)
    }

    func reviewPage(
        _ history: ArchiveHistory, visitor: PageVisitor, error: String? = nil, reason: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let record = history.member
        let state = history.state
        let m = record.member
        let target = AccessTarget.member(m.personID, branch: record.branch)
        let canReview = Domain.authorize(visitor.actor, .reviewArchive, target).isAllowed
        var pending = false
        var changeRequested = false
        switch state {
        case .pending: pending = true
        case .changeRequested: changeRequested = true
        default: break
        }
        let typeName =
            pending
            ? InboxType.archiveApproval.chineseName
            : changeRequested ? InboxType.archiveChangeRequest.chineseName : "团员电子档案"
        let shown = history.currentVersion
        let archiveID = history.archive?.id.rawValue ?? ""
        var thumbnails: [[String: Any]] = []
        var versionData: [String: Any]?
        if let shown {
            let base = "/archives/\(archiveID)/versions/\(shown.version)/pages"
            thumbnails = (1...max(1, shown.pages)).map { p in
                ["page": String(p), "src": "\(base)/\(p).png?w=\(Thumbnails.thumbnailWidth)", "full": "\(base)/\(p).png?w=\(Thumbnails.fullWidth)"]
            }
            versionData = [
                "version": String(shown.version), "uploadedAt": PageKit.chinaTime(shown.uploadedAt),
                "orgName": history.orgNames[shown.uploadedByOrg] ?? "",
                "pages": String(shown.pages), "size": PageKit.sizeText(shown.bytes),
                "downloadHref": SiteRoute.memberArchivePDF(m.personID).path + "?version=\(shown.version)",
                "memberHref": "/members/\(m.personID.rawValue)",
            ]
        }
        var changeRequest: [String: Any]?
        if changeRequested, let open = history.openChangeRequest {
            changeRequest = ["reason": open.reason, "requestedAt": PageKit.chinaTime(open.requestedAt)]
        }
        let base = "/inbox/archives/\(archiveID)"
        let data = pageData([
            "typeName": typeName, "name": m.name, "idNumber": m.idNumber.masked, "developmentNumber": m.developmentNumber?.value ?? "—",
            "joinedOn": m.joinedOn.iso, "branchName": record.branchName,
            "status": state.status.rawValue, "statusName": state.status.chineseName,
            "closed": !(pending || changeRequested), "error": error, "reason": reason,
            "version": versionData, "pages": shown.map { String($0.pages) }, "thumbnails": thumbnails,
            "changeRequest": changeRequest,
            "canDecide": canReview && (pending || changeRequested),
            "approveAction": pending ? base + "/approve" : base + "/change/approve",
            "rejectAction": pending ? base + "/reject" : base + "/change/reject",
            "approveLabel": pending ? "审批通过" : "同意修改",
            "rejectLabel": pending ? "不通过" : "驳回申请",
        ])
        return renderer.page("review", title: typeName, data: data, visitor: visitor, active: "inbox", status: status)
    }

    /// Runs a decision from the review page; a refusal (a late second reviewer's 409, an
    /// empty reason's 422) re-renders the page with its message.
    func onReviewPage(
        _ request: Request, _ context: AppRequestContext, done: String, reason: String?,
        _ action: (PageVisitor, ArchiveHistory) async throws -> Void
    ) async throws -> Response {
        let visitor = try await admin(request, context)
        let archiveID = try context.archiveID()
        let history = try await services.archives.history(visitor.actor, archive: archiveID)
        do {
            try await action(visitor, history)
        } catch {
            let entry = ErrorMiddleware<AppRequestContext>.entry(for: error, logger: context.logger)
            if [.unauthorized, .forbidden, .notFound].contains(entry.status) { throw error }
            let fresh = try await services.archives.history(visitor.actor, archive: archiveID)
            return reviewPage(fresh, visitor: visitor, error: entry.message, reason: reason, status: entry.status)
        }
        return PageKit.redirect("/inbox?done=\(done)")
    }

    func decide(_ request: Request, _ context: AppRequestContext, approve: Bool) async throws -> Response {
        let form = try await PageForm.read(request)
        let reason = approve ? nil : (form["reason"] ?? "")
        return try await onReviewPage(request, context, done: approve ? "approved" : "rejected", reason: reason) { visitor, history in
            guard let archive = history.archive else { throw ServiceRefusal.notFound }
            try await services.archives.decide(visitor.actor, archive: archive.id, reason.map { .reject(reason: $0) } ?? .approve)
        }
    }

    func decideChange(_ request: Request, _ context: AppRequestContext, approve: Bool) async throws -> Response {
        let form = try await PageForm.read(request)
        let reason = approve ? nil : (form["reason"] ?? "")
        return try await onReviewPage(request, context, done: approve ? "change-approved" : "change-rejected", reason: reason) {
            visitor, history in
            try await services.archives.decideChange(
                visitor.actor, member: history.member.member.personID, requestID: nil, approve: approve, reason: reason)
        }
    }

    // MARK: Thumbnails

    @Sendable func thumbnail(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        guard let n = context.parameters.get("version", as: Int.self), let p = context.parameters.get("page", as: Int.self) else {
            throw ServiceRefusal.notFound
        }
        let version = try await services.archives.pageVersion(visitor.actor, archive: try context.archiveID(), version: n, page: p)
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
        guard visitor.isMember else { throw PageRedirect(location: visitor.home) }
        let history = try await services.archives.ownHistory(visitor.actor)
        let record = history.member
        let m = record.member
        let described = ArchiveResponse(history)
        let rejectionReason = history.rejectionReason
        let data = pageData([
            "name": m.name, "developmentNumber": m.developmentNumber?.value ?? "—", "joinedOn": m.joinedOn.iso,
            "branchName": record.branchName, "required": m.needsArchive,
            "status": described.status, "statusName": described.statusName, "identityVerified": described.identityVerified,
            "dueDate": described.dueDate, "overdue": described.overdue, "rejectionReason": rejectionReason,
            "pendingNote": described.status == ArchiveStatus.pending.rawValue,
            "notUploadedNote": described.status == ArchiveStatus.notUploaded.rawValue,
            "downloadHref": described.versions.isEmpty ? nil : SiteRoute.myArchivePDF.path,
        ])
        return renderer.page("mine", title: "我的档案", data: data, visitor: visitor, active: "mine", flash: flash(request))
    }
}

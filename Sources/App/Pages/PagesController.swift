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
    let renderer = PageRenderer()

    var archiveAPI: ArchiveController { ArchiveController(services: services) }

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
        pages.post("/inbox/archives/{archiveId}/approve") { try await decide($0, $1, .approve) }
        pages.post("/inbox/archives/{archiveId}/reject") { try await decide($0, $1, .reject) }
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
                "login", title: "登录", data: pageData(["error": error.message, "account": account]), visitor: nil, status: error.status)
            for field in error.headers { response.headers.append(field) }
            return response
        }
        let cookies = answer.headers[values: .setCookie]
        let prefix = SessionToken.cookieName + "="
        guard let cookie = cookies.first(where: { $0.hasPrefix(prefix) }) else { throw AppError.internalError }
        let token = String(cookie.dropFirst(prefix.count).prefix { $0 != ";" })
        var home = "/"
        if let session = try await services.sessions.findActive(tokenHash: SessionToken.hash(token), now: services.clock.now()),
            let record = try await services.accounts.find(session.accountID)
        {
            let actor = try await services.actor(for: record)
            home = record.mustChangePassword ? "/password" : (actor.isAdmin ? "/home" : "/me/archive")
        }
        var response = PageKit.redirect(home)
        for value in cookies { response.headers.append(HTTPField(name: .setCookie, value: value)) }
        return response
    }

    @Sendable func logout(request: Request, context: AppRequestContext) async throws -> Response {
        let answer = try await AuthController(services: services).logout(request: request, context: context)
        var response = PageKit.redirect("/")
        for value in answer.headers[values: .setCookie] { response.headers.append(HTTPField(name: .setCookie, value: value)) }
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
        let home = visitor.isAdmin ? "/home" : "/me/archive"
        return PageKit.redirect(home + "?done=password")
    }

    // MARK: Admin home

    @Sendable func home(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgs = try await administeredOrgs(visitor)
        guard !orgs.isEmpty else { throw PageError.forbidden }
        let wanted = request.uri.queryParameters["org"].map(String.init)
        let org = orgs.first { $0.id.rawValue == wanted } ?? orgs[0]
        let counts = try await services.archives.counts(inSubtreeOf: org.path)
        // ARC-12: the same messages as GET /api/v1/me/alerts.
        let alerts = try await OperationsController(services: services).alerts(request: request, context: context)
        let membersHref = "/members?org=\(PageKit.query(org.id.rawValue))"
        var banners: [[String: Any]] = []
        if let alert = alerts.items.first(where: { $0.orgId == org.id.rawValue }) {
            for message in alert.messages {
                let href = message.contains("尚未上传") ? membersHref + "&status=not_uploaded" : membersHref + "&status=unverified"
                banners.append(["message": message, "href": href])
            }
        }
        let inbox = try await OperationsController(services: services).inbox(
            request: PageKit.getRequest(SiteRoute.inbox.path, query: [("limit", "100")]), context: context)
        let waiting = inbox.nextCursor == nil ? String(inbox.items.count) : "\(inbox.items.count)+"
        let data = pageData([
            "switcher": orgs.count > 1 ? ["orgs": orgs.map { ["id": $0.id.rawValue, "name": $0.name, "selected": $0.id == org.id] }] : nil,
            "orgId": org.id.rawValue, "orgName": org.name, "orgCategory": org.category.chineseName,
            "alerts": banners.isEmpty ? nil : banners,
            "newMembers": String(counts.newMembers), "withoutArchive": String(counts.withoutArchive),
            "unverified": String(counts.unverified), "waiting": waiting,
            "membersHref": membersHref, "notUploadedHref": membersHref + "&status=not_uploaded",
            "unverifiedHref": membersHref + "&status=unverified",
        ])
        return renderer.page("home", title: "工作台", data: data, visitor: visitor, active: "home", flash: flash(request))
    }

    /// The orgs the visitor administers (ADM-7: possibly several), in appointment order.
    func administeredOrgs(_ visitor: PageVisitor) async throws -> [Org] {
        let ids = visitor.actor.administeredOrgs.map(\.id)
        let found = try await services.orgs.find(ids)
        return ids.compactMap { id in found.first { $0.id == id } }
    }

    // MARK: Members

    static let statusFilters: [(String, String)] = [
        ("", "全部"), ("not_uploaded", "尚未上传"), ("pending", "待审批"), ("verified", "已认证"), ("rejected", "认证不通过"),
        ("unverified", "身份尚未认证"),
    ]
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
        let statusText = query["status"].map(String.init) ?? ""
        guard Self.statusFilters.contains(where: { $0.0 == statusText }) else { throw AppError.badRequest("未知的档案状态") }
        let q = (query["q"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
        guard q.count <= 40 else { throw AppError.badRequest("查询内容过长") }
        var cursor: PersonID?
        if let raw = query["cursor"], !raw.isEmpty {
            guard let id = PersonID(rawValue: String(raw)) else { throw AppError.badRequest("cursor 无效") }
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
            // ARC-11 search, within the chosen org's subtree.
            rows = try await services.archives.search(q, inSubtreeOf: [org.path], limit: 100).filter(keep)
        } else if !statusText.isEmpty {
            let status = ArchiveStatus(rawValue: statusText)
            let fetched = try await services.archives.memberArchives(
                inSubtreeOf: org.path, status: status, joinedBefore: nil, after: cursor, limit: Self.pageSize + 1)
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
        var orgOptions: [[String: Any]] = []
        for root in administered {
            for (child, depth) in try await subtree(of: root) where !orgOptions.contains(where: { ($0["id"] as? String) == child.id.rawValue }) {
                orgOptions.append([
                    "id": child.id.rawValue, "name": child.name, "indent": String(repeating: "　", count: depth),
                    "selected": child.id == org.id,
                ])
            }
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
            throw PageRedirect(location: "/me/archive")
        }
        return try await memberPage(record, visitor: visitor, flash: flash(request))
    }

    func memberPage(
        _ record: MemberRecord, visitor: PageVisitor, error: String? = nil, status: HTTPResponse.Status = .ok, flash: String? = nil
    ) async throws -> Response {
        let data = try await memberData(record, visitor: visitor, error: error)
        return renderer.page(
            "member", title: record.member.name, data: data, visitor: visitor, active: "members", flash: flash, status: status)
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

    /// Names of people and orgs for the history, looked up once each.
    func names(people: Set<String>, orgs: Set<String>) async throws -> (people: [String: String], orgs: [String: String]) {
        var personNames: [String: String] = [:]
        for id in people {
            if let pid = PersonID(rawValue: id), let person = try await services.people.find(pid) { personNames[id] = person.name }
        }
        let found = try await services.orgs.find(orgs.compactMap(OrgID.init(rawValue:)))
        return (personNames, Dictionary(found.map { ($0.id.rawValue, $0.name) }, uniquingKeysWith: { a, _ in a }))
    }

    func memberData(_ record: MemberRecord, visitor: PageVisitor, error: String?) async throws -> [String: Any] {
        let m = record.member
        let id = m.personID
        let target = AccessTarget.member(id, branch: record.branch)
        let described = try await archiveAPI.describe(record)
        let state = try await services.archives.find(member: id)?.state ?? .notUploaded
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
        let (people, orgs) = try await names(
            people: Set(described.versions.map(\.uploadedBy) + described.decisions.map(\.actorId)),
            orgs: Set(described.versions.map(\.uploadedByOrg) + described.decisions.compactMap(\.actorOrgId)))
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

    /// Runs an API handler for a member page's form; a refusal re-renders the page with the
    /// server's message in place, with the refusal's status.
    func onMemberPage(
        _ request: Request, _ context: AppRequestContext, done: String, _ action: (PageVisitor, MemberRecord) async throws -> Void
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
        return PageKit.redirect("/members/\(record.member.personID.rawValue)?done=\(done)")
    }

    /// The no-JS upload: the multipart form goes through the API's upload handler as it is.
    @Sendable func upload(request: Request, context: AppRequestContext) async throws -> Response {
        try await onMemberPage(request, context, done: "uploaded") { _, _ in
            _ = try await archiveAPI.upload(request: request, context: context)
        }
    }

    @Sendable func withdraw(request: Request, context: AppRequestContext) async throws -> Response {
        try await onMemberPage(request, context, done: "withdrawn") { _, record in
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
        return try await onMemberPage(request, context, done: "change-requested") { _, _ in
            let api = try PageKit.jsonRequest("/", ["reason": form["reason"] ?? ""])
            _ = try await archiveAPI.requestChange(request: api, context: context)
        }
    }

    // MARK: Inbox and review

    static let inboxTabs: [(String, String)] = [
        ("", "全部"), (OperationsController.InboxType.archiveApproval.rawValue, OperationsController.InboxType.archiveApproval.chineseName),
        (OperationsController.InboxType.archiveChangeRequest.rawValue, OperationsController.InboxType.archiveChangeRequest.chineseName),
    ]

    @Sendable func inbox(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let type = request.uri.queryParameters["type"].map(String.init) ?? ""
        let cursor = request.uri.queryParameters["cursor"].map(String.init)
        let page = try await OperationsController(services: services).inbox(
            request: PageKit.getRequest(
                SiteRoute.inbox.path, query: [("type", type.isEmpty ? nil : type), ("limit", "50"), ("cursor", cursor)]),
            context: context)
        let items: [[String: Any]] = page.items.map { item in
            [
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
        let m = record.member
        let target = AccessTarget.member(m.personID, branch: record.branch)
        let canReview = Domain.authorize(visitor.actor, .reviewArchive, target).isAllowed
        var pending = false
        var changeRequested = false
        switch archive.state {
        case .pending: pending = true
        case .changeRequested: changeRequested = true
        default: break
        }
        let typeName =
            pending
            ? OperationsController.InboxType.archiveApproval.chineseName
            : changeRequested ? OperationsController.InboxType.archiveChangeRequest.chineseName : "团员电子档案"
        let versions = try await services.archives.versions(archive.id)
        let shown = versions.first { $0.version == archive.state.latestVersion } ?? versions.last
        var thumbnails: [[String: Any]] = []
        var versionData: [String: Any]?
        if let shown {
            let base = "/archives/\(archive.id.rawValue)/versions/\(shown.version)/pages"
            thumbnails = (1...max(1, shown.pages)).map { p in
                ["page": String(p), "src": "\(base)/\(p).png?w=\(Thumbnails.thumbnailWidth)", "full": "\(base)/\(p).png?w=\(Thumbnails.fullWidth)"]
            }
            let org = try await services.orgs.find(shown.uploadedByOrg)
            versionData = [
                "version": String(shown.version), "uploadedAt": PageKit.chinaTime(shown.uploadedAt), "orgName": org?.name ?? "",
                "pages": String(shown.pages), "size": PageKit.sizeText(shown.bytes),
                "downloadHref": SiteRoute.memberArchivePDF(m.personID).path + "?version=\(shown.version)",
                "memberHref": "/members/\(m.personID.rawValue)",
            ]
        }
        var changeRequest: [String: Any]?
        if changeRequested,
            let open = ArchiveController.changeRequests(try await services.archives.decisions(archive.id)).last, open.status == "pending"
        {
            changeRequest = ["reason": open.reason, "requestedAt": PageKit.chinaTime(text: open.requestedAt)]
        }
        let base = "/inbox/archives/\(archive.id.rawValue)"
        let data = pageData([
            "typeName": typeName, "name": m.name, "idNumber": m.idNumber.masked, "developmentNumber": m.developmentNumber?.value ?? "—",
            "joinedOn": m.joinedOn.iso, "branchName": record.branchName,
            "status": archive.state.status.rawValue, "statusName": archive.state.status.chineseName,
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

    /// Runs an API decision for the review page; a refusal (a late second reviewer's 409, an
    /// empty reason's 422) re-renders the page with the server's message.
    func onReviewPage(
        _ request: Request, _ context: AppRequestContext, done: String, reason: String?,
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
        return PageKit.redirect("/inbox?done=\(done)")
    }

    func decide(_ request: Request, _ context: AppRequestContext, _ verdict: ArchiveController.Verdict) async throws -> Response {
        let form = try await PageForm.read(request)
        let reason = verdict == .reject ? (form["reason"] ?? "") : nil
        return try await onReviewPage(request, context, done: verdict == .approve ? "approved" : "rejected", reason: reason) {
            _, _, context in
            let api = try PageKit.jsonRequest("/", reason.map { ["reason": $0] } ?? [:])
            _ = try await archiveAPI.decide(api, context, verdict)
        }
    }

    func decideChange(_ request: Request, _ context: AppRequestContext, approve: Bool) async throws -> Response {
        let form = try await PageForm.read(request)
        let reason = approve ? nil : (form["reason"] ?? "")
        return try await onReviewPage(request, context, done: approve ? "change-approved" : "change-rejected", reason: reason) {
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
        guard let n = context.parameters.get("version", as: Int.self), let p = context.parameters.get("page", as: Int.self),
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
            throw PageRedirect(location: visitor.home)
        }
        _ = try context.authorize(.viewArchive, .member(record.member.personID, branch: record.branch))
        let m = record.member
        let described = try await archiveAPI.describe(record)
        var rejectionReason: String?
        if described.status == ArchiveStatus.rejected.rawValue {
            rejectionReason = described.decisions.last { $0.kind == ArchiveDecisionKind.reject.rawValue }?.reason
        }
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

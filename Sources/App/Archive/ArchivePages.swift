import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PDFInspection
import Persistence

/// The e-archive pages (ARC-1 … ARC-14): the admin home, members, one member's archive, the
/// operation centre and review, page images, and a member's own archive.
extension PagesController {
    // MARK: Admin home

    @Sendable func home(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        // ARC-12: the same figures and alerts as GET /api/v1/me/alerts.
        let all = try await services.operations.alerts(visitor.actor)
        guard !all.isEmpty else { throw ServiceRefusal.forbidden }
        let wanted = request.uri.queryParameters["org"].map(String.init)
        let shown = all.first { $0.org.id.rawValue == wanted } ?? all[0]
        let inbox = try await services.operations.inbox(visitor.actor, types: InboxType.onPages, cursor: nil, limit: 100)
        var page = HomePage.make(
            orgs: all.map(\.org), shown: shown.org, counts: shown.counts, alerts: shown.alerts, waitingCount: inbox.items.count,
            moreWaiting: inbox.nextCursor != nil)
        page.notices = try await services.notices.received(visitor.actor, unreadOnly: true, limit: 20).map {
            .init(
                title: $0.notice.title, orgName: $0.notice.org.name, publishedAt: PageKit.chinaTime($0.notice.publishedAt),
                href: PageRoute.notice($0.notice.id).href)
        }
        if NoticeRules.mayPublish(from: shown.org.category), visitor.actor.isAdmin(of: shown.org.id) {
            page.publishNoticesHref = PageRoute.orgNotices(shown.org.id).href
        }
        return renderer.page(.home, page, title: "工作台", visitor: visitor, active: .home, flash: PageFlash.of(request))
    }

    // MARK: Members

    static let pageSize = 50

    @Sendable func members(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let actor = visitor.actor
        let query = request.uri.queryParameters
        guard let first = actor.administeredOrgs.first else { throw ServiceRefusal.forbidden }
        var orgID = first.id
        if let raw = query["org"], !raw.isEmpty {
            guard let id = OrgID(rawValue: String(raw)) else { throw ServiceRefusal.notFound }
            orgID = id
        }
        let org = try await services.operations.org(actor, orgID, .listMembers)
        guard let status = MemberStatusFilter(rawValue: query["status"].map(String.init) ?? "") else {
            throw ServiceRefusal.badRequest("未知的档案状态")
        }
        let q = try FreeText.checked(query["q"].map(String.init) ?? "", as: .search)
        var cursor: MemberListCursor?
        if let raw = query["cursor"], !raw.isEmpty {
            guard let parsed = MemberListCursor(rawValue: String(raw)) else { throw ServiceRefusal.badRequest("cursor 无效") }
            cursor = parsed
        }

        var rows: [MemberArchiveRow] = []
        var next: MemberListCursor?
        if !q.isEmpty {
            // ARC-11 search within the chosen org's subtree: at most 100 hits, not paged.
            rows = try await services.operations.search(actor, query: q, within: org.id, limit: 100).filter { row in
                switch status {
                case .all: true
                case .unverified: row.member.member.needsArchive && !row.state.identityVerified
                default: row.member.member.needsArchive && row.state.status == status.archiveStatus
                }
            }
        } else {
            // One query; the status filter runs in it, before the page limit.
            let filter = MemberArchiveFilter(
                newMembersOnly: status != .all, status: status.archiveStatus, unverifiedOnly: status == .unverified)
            let page = try await services.operations.memberArchives(actor, org: org.id, filter: filter, cursor: cursor, limit: Self.pageSize)
            rows = page.items
            next = page.nextCursor.flatMap(MemberListCursor.init(rawValue:))
        }
        let orgs = try await services.operations.orgChoices(actor).map { ($0.org, $0.depth) }
        let page = MembersPage.make(
            org: org, orgs: orgs, status: status, q: q, rows: rows, next: next, today: services.today,
            mayEnter: Domain.authorize(actor, .enterMember, .org(OrgPlacement(org))).isAllowed)
        return renderer.page(.members, page, title: "团员管理", visitor: visitor, active: .members)
    }

    // MARK: One member's archive

    @Sendable func member(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        let history = try await services.archives.history(visitor.actor, member: try context.memberID())
        let record = history.member
        if record.member.personID == visitor.actor.personID && !visitor.actor.administers(record.branch.path) {
            throw PageRedirect(to: .mine())
        }
        return memberPage(history, visitor: visitor, flash: PageFlash.of(request))
    }

    func memberPage(
        _ history: ArchiveHistory, visitor: PageVisitor, error: String? = nil, status: HTTPResponse.Status = .ok, flash: PageFlash? = nil
    ) -> Response {
        let record = history.member
        let target = AccessTarget.member(record.member.personID, branch: record.branch)
        var names = MemberPage.Names()
        names.people = Dictionary(history.personNames.map { ($0.key.rawValue, $0.value) }, uniquingKeysWith: { a, _ in a })
        names.orgs = Dictionary(history.orgNames.map { ($0.key.rawValue, $0.value) }, uniquingKeysWith: { a, _ in a })
        let may = MemberPage.Permissions(
            manage: Domain.authorize(visitor.actor, .manageArchive, target).isAllowed,
            review: Domain.authorize(visitor.actor, .reviewArchive, target).isAllowed, seesNotice: visitor.isAdmin)
        let page = MemberPage.make(
            record, described: ArchiveResponse(history), state: history.state, may: may, names: names,
            policy: services.config.archivePolicy, csrf: visitor.csrf, error: error)
        return renderer.page(.member, page, title: record.member.name, visitor: visitor, active: .members, flash: flash, status: status)
    }

    /// Runs a member page's form action; a refusal re-renders the page with its message in
    /// place, with the refusal's status.
    func onMemberPage(
        _ request: Request, _ context: AppRequestContext, done: PageFlash, _ action: (PageVisitor, PersonID) async throws -> Void
    ) async throws -> Response {
        let visitor = try await visitor(request, context)
        let memberID = try context.memberID()
        do {
            try await action(visitor, memberID)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let history = try await services.archives.history(visitor.actor, member: memberID)
            return memberPage(history, visitor: visitor, error: entry.message, status: entry.status)
        }
        return PageKit.redirect(.member(memberID, done: done))
    }

    /// The no-JS upload: the multipart form is received exactly as the API receives it.
    @Sendable func upload(request: Request, context: AppRequestContext) async throws -> Response {
        try await onMemberPage(request, context, done: .uploaded) { _, member in
            _ = try await ArchiveUpload(archives: services.archives, maximumBytes: services.config.archivePolicy.maximumBytes)
                .run(request, context: context, member: member)
        }
    }

    @Sendable func withdraw(request: Request, context: AppRequestContext) async throws -> Response {
        try await onMemberPage(request, context, done: .withdrawn) { visitor, member in
            try await services.archives.withdraw(visitor.actor, member: member)
        }
    }

    @Sendable func requestChange(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await PageForm.read(request)
        return try await onMemberPage(request, context, done: .changeRequested) { visitor, member in
            _ = try await services.archives.requestChange(visitor.actor, member: member, reason: form["reason"] ?? "")
        }
    }

    // MARK: Inbox and review

    @Sendable func inbox(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let type = request.uri.queryParameters["type"].map(String.init) ?? ""
        let cursor = request.uri.queryParameters["cursor"].map(String.init)
        var types = InboxType.onPages
        if !type.isEmpty {
            guard let chosen = InboxType(rawValue: type), InboxType.onPages.contains(chosen) else {
                throw ServiceRefusal.badRequest("未知的待办类型：\(type)")
            }
            types = [chosen]
        }
        let entries = try await services.operations.inbox(visitor.actor, types: types, cursor: cursor, limit: 50)
        let today = services.today
        let page = ListPage(items: entries.items.map { OperationsController.InboxItem($0, today: today) }, nextCursor: entries.nextCursor)
        let counts = try await services.operations.counts(visitor.actor)
        let view = InboxPage.make(
            type: InboxType(rawValue: type), items: page.items, nextCursor: page.nextCursor,
            counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.type, $0.more ? "\($0.count)+" : String($0.count)) }))
        return renderer.page(.inbox, view, title: "待办事项", visitor: visitor, active: .inbox, flash: PageFlash.of(request))
    }

    @Sendable func review(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        return try reviewPage(try await services.archives.history(visitor.actor, archive: try context.archiveID()), visitor: visitor)
    }

    func reviewPage(
        _ history: ArchiveHistory, visitor: PageVisitor, error: String? = nil, reason: String? = nil, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let record = history.member
        let target = AccessTarget.member(record.member.personID, branch: record.branch)
        guard let archive = history.archive else { throw ServiceRefusal.notFound }
        let shown = history.currentVersion.map { ($0, orgName: history.orgNames[$0.uploadedByOrg] ?? "") }
        let page = ReviewPage.make(
            archive, record, shown: shown, openChange: history.openChangeRequest.map(ChangeRequestResponse.init),
            canReview: Domain.authorize(visitor.actor, .reviewArchive, target).isAllowed, csrf: visitor.csrf, error: error, reason: reason)
        return renderer.page(.review, page, title: page.typeName, visitor: visitor, active: .inbox, status: status)
    }

    /// Runs a decision from the review page; a refusal (a late second reviewer's 409, an
    /// empty reason's 422) re-renders the page with its message.
    func onReviewPage(
        _ request: Request, _ context: AppRequestContext, done: PageFlash, reason: String?,
        _ action: (PageVisitor, ArchiveHistory) async throws -> Void
    ) async throws -> Response {
        let visitor = try await admin(request, context)
        let archiveID = try context.archiveID()
        let history = try await services.archives.history(visitor.actor, archive: archiveID)
        do {
            try await action(visitor, history)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let fresh = try await services.archives.history(visitor.actor, archive: archiveID)
            return try reviewPage(fresh, visitor: visitor, error: entry.message, reason: reason, status: entry.status)
        }
        return PageKit.redirect(.inbox(done: done))
    }

    func decide(_ request: Request, _ context: AppRequestContext, approve: Bool) async throws -> Response {
        let form = try await PageForm.read(request)
        let reason = approve ? nil : (form["reason"] ?? "")
        return try await onReviewPage(request, context, done: approve ? .approved : .rejected, reason: reason) { visitor, history in
            try await services.archives.decide(
                visitor.actor, archive: try context.archiveID(), reason.map { .reject(reason: $0) } ?? .approve)
        }
    }

    func decideChange(_ request: Request, _ context: AppRequestContext, approve: Bool) async throws -> Response {
        let form = try await PageForm.read(request)
        let reason = approve ? nil : (form["reason"] ?? "")
        return try await onReviewPage(request, context, done: approve ? .changeApproved : .changeRejected, reason: reason) {
            visitor, history in
            try await services.archives.decideChange(
                visitor.actor, member: history.member.member.personID, requestID: nil, approve: approve, reason: reason)
        }
    }

    // MARK: Thumbnails

    @Sendable func thumbnail(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        guard let n = context.parameters.get(PageRoute.versionParameter, as: Int.self),
            let p = context.parameters.get(PageRoute.pageParameter, as: Int.self)
        else { throw ServiceRefusal.notFound }
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
        guard visitor.isMember else { throw PageRedirect(to: visitor.home) }
        let history = try await services.archives.ownHistory(visitor.actor)
        let page = MyArchivePage.make(history.member, described: ArchiveResponse(history))
        return renderer.page(.mine, page, title: "我的档案", visitor: visitor, active: .mine, flash: PageFlash.of(request))
    }
}

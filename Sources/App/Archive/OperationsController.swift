import Domain
import Foundation
import Hummingbird
import Persistence

/// The operation centre (OPC-1, ARC-6), archive lists (ARC-7, ARC-8), search (ARC-11),
/// login alerts (ARC-12), new-member statistics and the transfer gate (ARC-9), and the
/// audit log.
struct OperationsController {
    let services: AppServices

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.inbox.pattern, use: inbox)
        group.get(SiteRoute.orgArchives(nil).pattern, use: orgArchives)
        group.get(SiteRoute.archiveSearch.pattern, use: search)
        group.get(SiteRoute.myAlerts.pattern, use: alerts)
        group.get(SiteRoute.orgNewMemberStats(nil).pattern, use: newMemberStats)
        group.get(SiteRoute.orgAudit(nil).pattern, use: audit)
        group.post(SiteRoute.transfers.pattern, use: transfer)
    }

    static func limit(_ request: Request, default value: Int = 20, maximum: Int = 100) throws -> Int {
        guard let raw = request.uri.queryParameters["limit"] else { return value }
        guard let n = Int(String(raw)), (1...maximum).contains(n) else { throw AppError.badRequest("limit 须为1至\(maximum)之间的整数") }
        return n
    }

    // MARK: Inbox

    /// The kinds of items in the operation centre. Later capabilities (transfers, admin
    /// changes, …) add theirs.
    enum InboxType: String, CaseIterable {
        case archiveApproval = "archive_approval"
        case archiveChangeRequest = "archive_change_request"

        var chineseName: String {
            switch self {
            case .archiveApproval: "团员电子档案审批"
            case .archiveChangeRequest: "团员电子档案修改申请"
            }
        }

        var archiveState: String {
            switch self {
            case .archiveApproval: "pending"
            case .archiveChangeRequest: "change_requested"
            }
        }
    }

    struct InboxItem: Encodable {
        let type: String
        let typeName: String
        let archiveId: String
        let since: String
        let version: Int?
        let member: MemberArchiveItem
    }

    @Sendable func inbox(request: Request, context: AppRequestContext) async throws -> Page<InboxItem> {
        let actor = try context.requireActor()
        var types = InboxType.allCases
        if let raw = request.uri.queryParameters["type"] {
            guard let type = InboxType(rawValue: String(raw)) else {
                throw AppError.badRequest("未知的待办类型：\(raw)")
            }
            types = [type]
        }
        let limit = try Self.limit(request)
        var cursor: (Timestamp, ArchiveID)?
        if let raw = request.uri.queryParameters["cursor"] {
            let parts = raw.split(separator: "~", maxSplits: 1)
            guard parts.count == 2, let t = Timestamp(text: String(parts[0])), let id = ArchiveID(rawValue: String(parts[1])) else {
                throw AppError.badRequest("cursor 无效")
            }
            cursor = (t, id)
        }
        let reviewerOrgs = actor.administeredOrgs.map(\.id)
        if reviewerOrgs.isEmpty { return Page(items: [], nextCursor: nil) }
        let rows = try await services.archives.waiting(
            on: reviewerOrgs, states: types.map(\.archiveState), after: cursor, limit: limit + 1)
        var items: [InboxItem] = []
        for waiting in rows.prefix(limit) {
            let archive = waiting.archive
            guard let member = try await services.members.find(archive.memberID) else { continue }
            let type: InboxType = archive.state.status == .pending ? .archiveApproval : .archiveChangeRequest
            let since = waiting.since
            items.append(
                InboxItem(
                    type: type.rawValue, typeName: type.chineseName, archiveId: archive.id.rawValue, since: since.text,
                    version: archive.state.latestVersion,
                    member: MemberArchiveItem(MemberArchiveRow(member: member, archiveID: archive.id, state: archive.state), today: services.today)))
        }
        var next: String?
        if rows.count > limit, let last = rows.prefix(limit).last {
            next = "\(last.since.text)~\(last.archive.id.rawValue)"
        }
        return Page(items: items, nextCursor: next)
    }

    // MARK: Lists, search, alerts, statistics

    func authorizedOrg(_ context: AppRequestContext, _ action: AccessAction) async throws -> Org {
        try await OrgController(services: services).authorizedOrg(context, action)
    }

    @Sendable func orgArchives(request: Request, context: AppRequestContext) async throws -> Page<MemberArchiveItem> {
        let org = try await authorizedOrg(context, .listMembers)
        let query = request.uri.queryParameters
        var status: ArchiveStatus?
        if let raw = query["status"], !raw.isEmpty {
            guard let s = ArchiveStatus(rawValue: String(raw)) else {
                throw AppError.badRequest("status 须为 not_uploaded、pending、verified 或 rejected")
            }
            status = s
        }
        var overdueOnly = false
        if let raw = query["overdue"] {
            guard ["true", "false", "1", "0"].contains(String(raw)) else { throw AppError.badRequest("overdue 须为 true 或 false") }
            overdueOnly = raw == "true" || raw == "1"
        }
        let limit = try Self.limit(request)
        var cursor: PersonID?
        if let raw = query["cursor"] {
            guard let id = PersonID(rawValue: String(raw)) else { throw AppError.badRequest("cursor 无效") }
            cursor = id
        }
        let today = services.today
        // ARC-8: overdue means joined more than 30 days ago with nothing acceptable uploaded.
        let joinedBefore = overdueOnly ? today.adding(days: -ArchiveDeadline.days) : nil
        var rows = try await services.archives.memberArchives(
            inSubtreeOf: org.path, status: status, joinedBefore: joinedBefore, after: cursor, limit: limit + 1)
        let more = rows.count > limit
        rows = Array(rows.prefix(limit))
        let items = rows.map { MemberArchiveItem($0, today: today) }.filter { !overdueOnly || $0.overdue }
        return Page(items: items, nextCursor: more ? rows.last?.member.member.personID.rawValue : nil)
    }

    @Sendable func search(request: Request, context: AppRequestContext) async throws -> Page<MemberArchiveItem> {
        let actor = try context.requireActor()
        guard let q = request.uri.queryParameters["q"].map(String.init)?.trimmingCharacters(in: .whitespaces), !q.isEmpty else {
            throw AppError.badRequest("请输入姓名、身份证号或发展团员编号")
        }
        guard q.count <= 40 else { throw AppError.badRequest("查询内容过长") }
        let limit = try Self.limit(request, default: 50)
        // ARC-11: admins search their orgs' subtrees; a member finds only themselves.
        var paths = actor.administeredOrgs.map(\.path)
        var onlySelf = false
        if paths.isEmpty, let branch = actor.memberBranch {
            paths = [branch.path]
            onlySelf = true
        }
        var rows = try await services.archives.search(q, inSubtreeOf: paths, limit: limit)
        if onlySelf { rows = rows.filter { $0.member.member.personID == actor.personID } }
        return Page(items: rows.map { MemberArchiveItem($0, today: services.today) }, nextCursor: nil)
    }

    struct Alert: Encodable {
        let orgId: String
        let orgName: String
        let withoutArchive: Int
        let unverified: Int
        let messages: [String]
        /// The same messages, each with what it counts, so a page links it without reading its text.
        let lines: [AlertLine]
        let links: [String: String]
    }

    /// What an alert line counts: members without an archive, or not yet verified.
    enum AlertKind: String, Encodable, Sendable {
        case notUploaded = "not_uploaded"
        case unverified
    }

    struct AlertLine: Encodable {
        let kind: AlertKind
        let message: String
    }

    struct AlertsResponse: ResponseEncodable { let items: [Alert] }

    /// ARC-12: for each org the caller administers.
    @Sendable func alerts(request: Request, context: AppRequestContext) async throws -> AlertsResponse {
        let actor = try context.requireActor()
        var items: [Alert] = []
        for placement in actor.administeredOrgs {
            guard let org = try await services.orgs.find(placement.id) else { continue }
            let counts = try await services.archives.counts(inSubtreeOf: org.path)
            var lines: [AlertLine] = []
            if counts.withoutArchive > 0 { lines.append(.init(kind: .notUploaded, message: "组织内有团员档案尚未上传：\(counts.withoutArchive) 人")) }
            if counts.unverified > 0 { lines.append(.init(kind: .unverified, message: "组织内有团员身份尚未认证：\(counts.unverified) 人")) }
            items.append(
                Alert(
                    orgId: org.id.rawValue, orgName: org.name, withoutArchive: counts.withoutArchive, unverified: counts.unverified,
                    messages: lines.map(\.message), lines: lines,
                    links: [
                        "withoutArchive": SiteRoute.orgArchives(org.id).path + "?status=not_uploaded",
                        "unverified": SiteRoute.orgArchives(org.id).path,
                    ]))
        }
        return AlertsResponse(items: items)
    }

    struct NewMemberStats: ResponseEncodable {
        let orgId: String
        /// ARC-9: only verified new members count.
        let verified: Int
        let unverified: Int
        let withoutArchive: Int
        let counted: Int
    }

    @Sendable func newMemberStats(request: Request, context: AppRequestContext) async throws -> NewMemberStats {
        let org = try await authorizedOrg(context, .viewOrg)
        let counts = try await services.archives.counts(inSubtreeOf: org.path)
        return NewMemberStats(
            orgId: org.id.rawValue, verified: counts.verified, unverified: counts.unverified, withoutArchive: counts.withoutArchive,
            counted: counts.verified)
    }

    // MARK: Audit

    struct AuditItem: Encodable {
        let seq: Int
        let at: String
        let action: String
        let actorId: String
        let memberId: String
        let archiveId: String
        let version: Int?
        let sha256: String?
        let detail: String?
        let hash: String
    }

    @Sendable func audit(request: Request, context: AppRequestContext) async throws -> Page<AuditItem> {
        let org = try await authorizedOrg(context, .viewOrg)
        let limit = try Self.limit(request, default: 50, maximum: 500)
        var before: Int?
        if let raw = request.uri.queryParameters["cursor"] {
            guard let n = Int(String(raw)), n > 0 else { throw AppError.badRequest("cursor 无效") }
            before = n
        }
        let entries = try await services.audit.list(inSubtreeOf: org.path, before: before, limit: limit + 1)
        let page = entries.prefix(limit)
        return Page(
            items: page.map {
                AuditItem(
                    seq: $0.seq, at: $0.event.at.text, action: $0.event.action.rawValue, actorId: $0.event.actorID.rawValue,
                    memberId: $0.event.memberID.rawValue, archiveId: $0.event.archiveID.rawValue, version: $0.event.version,
                    sha256: $0.event.sha256, detail: $0.event.detail, hash: $0.hash)
            },
            nextCursor: entries.count > limit ? page.last.map { String($0.seq) } : nil)
    }

    // MARK: Transfers (the gate only)

    struct TransferRequest: Decodable {
        let memberId: String
        let toOrgId: String
        let reason: String?
    }

    /// ARC-9 / TRF-5: an unverified new member cannot be transferred. The rest of transfers
    /// comes with its own issue; until then a transfer that passes the gate answers 501.
    @Sendable func transfer(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: TransferRequest.self, context: context)
        guard let memberID = PersonID(rawValue: body.memberId), let member = try await services.members.find(memberID) else {
            throw AppError.notFound
        }
        _ = try context.authorize(.editMember, .member(memberID, branch: member.branch))
        guard let toID = OrgID(rawValue: body.toOrgId), try await services.orgs.find(toID) != nil else {
            throw AppError(.notFound, "org_not_found", "目标团组织不存在")
        }
        let archive = try await services.archives.find(member: memberID)
        guard NewMemberGate.admits(joinedOn: member.member.joinedOn, identityVerified: archive?.state.identityVerified ?? false) else {
            throw AppError(.conflict, "member_not_verified", "该团员为2020年1月1日后发展的新团员，团员身份尚未认证，不能转接组织关系")
        }
        throw AppError(.notImplemented, "not_implemented", "组织关系转接功能尚未开放")
    }
}

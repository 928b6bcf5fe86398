import Domain
import Foundation
import Hummingbird
import Persistence

/// The operation centre (OPC-1, ARC-6), archive lists (ARC-7, ARC-8), search (ARC-11),
/// login alerts (ARC-12), new-member statistics and the audit log: decoding and encoding
/// around `OperationCentreWorkflow`.
struct OperationsController {
    let operations: OperationCentreWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.inbox.pattern, use: inbox)
        group.get(SiteRoute.inboxCounts.pattern, use: inboxCounts)
        group.get(SiteRoute.orgArchives(nil).pattern, use: orgArchives)
        group.get(SiteRoute.archiveSearch.pattern, use: search)
        group.get(SiteRoute.myAlerts.pattern, use: alerts)
        group.get(SiteRoute.orgNewMemberStats(nil).pattern, use: newMemberStats)
        group.get(SiteRoute.orgAudit(nil).pattern, use: audit)
    }

    // MARK: Inbox

    struct InboxItem: Encodable {
        let type: String
        let typeName: String
        let archiveId: String?
        let since: String
        let version: Int?
        let member: MemberArchiveItem?
        /// ADM-4: set for type `admin_change`.
        let adminChange: AdminChangeResponse?
        /// Set for `transfer_approval` and `branch_assignment`.
        let transfer: TransferResponse?
        /// GRA-4: set for `grading_review` and `grading_result`.
        let grading: GradingInboxResponse?
        /// ACT-1: set for `registration_approval`.
        let registration: RegistrationResponse?

        init(_ entry: InboxEntry, today: CivilDate) {
            type = entry.type.rawValue
            typeName = entry.type.chineseName
            since = entry.since.text
            archiveId = entry.waiting?.archive.id.rawValue
            version = entry.waiting?.archive.state.latestVersion
            member = entry.waiting.map { waiting in
                MemberArchiveItem(MemberArchiveRow(member: waiting.member, archiveID: waiting.archive.id, state: waiting.archive.state), today: today)
            }
            adminChange = entry.adminChange.map(AdminChangeResponse.init)
            transfer = entry.transfer.map { TransferResponse($0, steps: nil) }
            grading = entry.grading.map(GradingInboxResponse.init)
            registration = entry.registration.map(RegistrationResponse.init)
        }
    }

    struct InboxCounts: ResponseEncodable {
        struct Count: Encodable, Sendable {
            let type: String
            let typeName: String
            let count: Int
            /// More than `count` wait (counting stops there).
            let more: Bool
        }
        let items: [Count]
    }

    /// OPC-1: the operation centre's count per type.
    @Sendable func inboxCounts(request: Request, context: AppRequestContext) async throws -> InboxCounts {
        let counts = try await operations.counts(try context.requireActor())
        return InboxCounts(items: counts.map { .init(type: $0.type.rawValue, typeName: $0.type.chineseName, count: $0.count, more: $0.more) })
    }

    @Sendable func inbox(request: Request, context: AppRequestContext) async throws -> Page<InboxItem> {
        var types = InboxType.allCases
        if let raw = request.uri.queryParameters["type"] {
            guard let type = InboxType(rawValue: String(raw)) else { throw ServiceRefusal.badRequest("未知的待办类型：\(raw)") }
            types = [type]
        }
        let page = try await operations.inbox(
            try context.requireActor(), types: types, cursor: request.uri.queryParameters["cursor"].map(String.init),
            limit: try request.limit())
        let today = operations.today
        return Page(items: page.items.map { InboxItem($0, today: today) }, nextCursor: page.nextCursor)
    }

    // MARK: Lists, search, alerts, statistics

    @Sendable func orgArchives(request: Request, context: AppRequestContext) async throws -> Page<MemberArchiveItem> {
        let query = request.uri.queryParameters
        var filter = MemberArchiveFilter()
        if let raw = query["status"], !raw.isEmpty {
            guard let status = ArchiveStatus(rawValue: String(raw)) else {
                throw ServiceRefusal.badRequest("status 须为 not_uploaded、pending、verified 或 rejected")
            }
            filter.status = status
        }
        if let raw = query["overdue"] {
            guard ["true", "false", "1", "0"].contains(String(raw)) else { throw ServiceRefusal.badRequest("overdue 须为 true 或 false") }
            // ARC-8: past the due date with nothing acceptable uploaded.
            if raw == "true" || raw == "1" { filter.overdueOn = operations.today }
        }
        let page = try await operations.memberArchives(
            try context.requireActor(), org: try context.orgID(), filter: filter, cursor: try request.memberCursor(),
            limit: try request.limit())
        let today = operations.today
        return Page(items: page.items.map { MemberArchiveItem($0, today: today) }, nextCursor: page.nextCursor)
    }

    @Sendable func search(request: Request, context: AppRequestContext) async throws -> Page<MemberArchiveItem> {
        let actor = try context.requireActor()
        let rows = try await operations.search(
            actor, query: request.uri.queryParameters["q"].map(String.init) ?? "", limit: try request.limit(default: 50))
        let today = operations.today
        return Page(items: rows.map { MemberArchiveItem($0, today: today) }, nextCursor: nil)
    }

    struct Alert: Encodable {
        let orgId: String
        let orgName: String
        let withoutArchive: Int
        let unverified: Int
        let messages: [String]
        /// The same messages, each with what it counts, so a client links it without reading its text.
        let lines: [Line]
        let links: [String: String]

        struct Line: Encodable {
            let kind: String
            let message: String
        }

        init(_ alerts: OrgAlerts) {
            orgId = alerts.org.id.rawValue
            orgName = alerts.org.name
            withoutArchive = alerts.counts.withoutArchive
            unverified = alerts.counts.unverified
            messages = alerts.alerts.map(\.message)
            lines = alerts.alerts.map { Line(kind: $0.kind.rawValue, message: $0.message) }
            links = [
                "withoutArchive": SiteRoute.orgArchives(alerts.org.id).path + "?status=not_uploaded",
                "unverified": SiteRoute.orgArchives(alerts.org.id).path,
            ]
        }
    }

    struct AlertsResponse: ResponseEncodable { let items: [Alert] }

    @Sendable func alerts(request: Request, context: AppRequestContext) async throws -> AlertsResponse {
        AlertsResponse(items: try await operations.alerts(try context.requireActor()).map(Alert.init))
    }

    struct NewMemberStats: ResponseEncodable {
        let orgId: String
        let verified: Int
        let unverified: Int
        let withoutArchive: Int
        /// ARC-9: decided by `NewMemberGate`.
        let counted: Int
    }

    @Sendable func newMemberStats(request: Request, context: AppRequestContext) async throws -> NewMemberStats {
        let (org, counts) = try await operations.newMemberCounts(try context.requireActor(), org: try context.orgID())
        return NewMemberStats(
            orgId: org.id.rawValue, verified: counts.verified, unverified: counts.unverified, withoutArchive: counts.withoutArchive,
            counted: counts.counted)
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

        init(_ entry: AuditEntry) {
            seq = entry.seq
            at = entry.event.at.text
            action = entry.event.action.rawValue
            actorId = entry.event.actorID.rawValue
            memberId = entry.event.memberID.rawValue
            archiveId = entry.event.archiveID.rawValue
            version = entry.event.version
            sha256 = entry.event.sha256
            detail = entry.event.detail
            hash = entry.hash
        }
    }

    @Sendable func audit(request: Request, context: AppRequestContext) async throws -> Page<AuditItem> {
        let limit = try request.limit(default: 50, maximum: 500)
        var before: Int?
        if let raw = request.uri.queryParameters["cursor"] {
            guard let n = Int(String(raw)), n > 0 else { throw ServiceRefusal.badRequest("cursor 无效") }
            before = n
        }
        let page = try await operations.audit(try context.requireActor(), org: try context.orgID(), before: before, limit: limit)
        return Page(items: page.items.map(AuditItem.init), nextCursor: page.nextCursor)
    }
}

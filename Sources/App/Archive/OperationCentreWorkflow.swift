import Domain
import Persistence

/// The kinds of items in the operation centre. Later capabilities (transfers, admin changes,
/// …) add theirs.
enum InboxType: String, CaseIterable, Sendable {
    case archiveApproval = "archive_approval"
    case archiveChangeRequest = "archive_change_request"
    /// ADM-4: a sub-org's own admin asked to add or replace an admin.
    case adminChange = "admin_change"
    /// TRF-1 … TRF-3, TRF-8: a transfer step waits on the org's approval.
    case transferApproval = "transfer_approval"
    /// TRF-3: a destination committee is to assign the member to one of its branches.
    case branchAssignment = "branch_assignment"
    /// GRA-4: a 团(总)支部's self-grade waits on its upper committee's review.
    case gradingReview = "grading_review"
    /// GRA-4: the upper committee reviewed the org's self-grade (the branch's notice of its result).
    case gradingResult = "grading_result"
    /// ACT-1: a member's 年度团籍注册 waits on the branch admin.
    case registrationApproval = "registration_approval"

    var chineseName: String {
        switch self {
        case .archiveApproval: "团员电子档案审批"
        case .archiveChangeRequest: "团员电子档案修改申请"
        case .adminChange: "管理员变更"
        case .transferApproval: "组织关系转接审批"
        case .branchAssignment: "分配团支部"
        case .gradingReview: "对标定级复核"
        case .gradingResult: "对标定级复核结果"
        case .registrationApproval: "年度团籍注册审批"
        }
    }

    /// The archive state the type lists; nil for types that are not archives.
    var archiveState: String? {
        switch self {
        case .archiveApproval: "pending"
        case .archiveChangeRequest: "change_requested"
        case .adminChange, .transferApproval, .branchAssignment, .gradingReview, .gradingResult, .registrationApproval: nil
        }
    }

    /// The types the pages' operation centre lists: every type has a page to decide on.
    static var onPages: [InboxType] { allCases }

    /// The transfer steps the type lists.
    var transferSteps: Set<TransferStep> {
        switch self {
        case .transferApproval: [.sourceApproval, .destinationApproval, .destinationCommitteeApproval, .provincialApproval]
        case .branchAssignment: [.branchAssignment]
        case .archiveApproval, .archiveChangeRequest, .adminChange, .gradingReview, .gradingResult, .registrationApproval: []
        }
    }
}

/// One item waiting in an operation centre: an archive, an admin-change request, a transfer or
/// a grading entry.
struct InboxEntry: Sendable {
    let type: InboxType
    let waiting: WaitingArchive?
    let adminChange: AdminChangeItem?
    let transfer: TransferRecord?
    var grading: GradingInboxRow? = nil
    var registration: RegistrationRecord? = nil

    init(type: InboxType, waiting: WaitingArchive) {
        self.type = type
        self.waiting = waiting
        adminChange = nil
        transfer = nil
    }

    init(adminChange: AdminChangeItem) {
        type = .adminChange
        waiting = nil
        self.adminChange = adminChange
        transfer = nil
    }

    init(transfer: TransferRecord) {
        type = transfer.transfer.currentStep == .branchAssignment ? .branchAssignment : .transferApproval
        waiting = nil
        adminChange = nil
        self.transfer = transfer
    }

    init(grading: GradingInboxRow) {
        type = grading.awaitsReview ? .gradingReview : .gradingResult
        waiting = nil
        adminChange = nil
        transfer = nil
        self.grading = grading
    }

    init(registration: RegistrationRecord) {
        type = .registrationApproval
        waiting = nil
        adminChange = nil
        transfer = nil
        self.registration = registration
    }

    /// The keyset the merged list is ordered and paged by: since when it waits, then its id.
    var since: Timestamp {
        waiting?.since ?? adminChange?.request.requestedAt ?? transfer?.createdAt ?? grading?.recordedAt
            ?? registration?.submittedAt ?? Timestamp(millisecondsSinceEpoch: 0)
    }
    var key: String {
        waiting?.archive.id.rawValue ?? adminChange?.request.id ?? transfer?.id ?? grading?.entryID ?? registration?.id ?? ""
    }
}

/// ARC-12: what an admin is told about one of their orgs on login.
struct ArchiveAlert: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        /// 组织内有团员档案尚未上传
        case notUploaded = "not_uploaded"
        /// 组织内有团员身份尚未认证
        case unverified
    }
    let kind: Kind
    let members: Int

    var message: String {
        switch kind {
        case .notUploaded: "组织内有团员档案尚未上传：\(members) 人"
        case .unverified: "组织内有团员身份尚未认证：\(members) 人"
        }
    }
}

/// An administered org's alerts and figures.
struct OrgAlerts: Sendable {
    let org: Org
    let counts: NewMemberCounts
    var alerts: [ArchiveAlert] {
        [ArchiveAlert(kind: .notUploaded, members: counts.withoutArchive), ArchiveAlert(kind: .unverified, members: counts.unverified)]
            .filter { $0.members > 0 }
    }
}

/// The operation centre (OPC-1, ARC-6), archive lists (ARC-7, ARC-8), search (ARC-11), login
/// alerts (ARC-12), new-member statistics (ARC-9, STA-1) and the audit log.
struct OperationCentreWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }
    var today: CivilDate { clock.now().chinaDate }

    /// The org, or 404, and the actor's right to `action` on it, or 403.
    func org(_ actor: Actor, _ id: OrgID, _ action: AccessAction) async throws -> Org {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, action, .org(OrgPlacement(org)))
        return org
    }

    /// Items waiting on the actor's orgs, oldest first, archives and admin changes merged by
    /// (since, id); each source is filtered and limited in its own query. The cursor is `since~id`.
    func inbox(_ actor: Actor, types: [InboxType], cursor: String?, limit: Int) async throws -> ListPage<InboxEntry> {
        if actor.mustChangePassword { throw ServiceRefusal.passwordChangeRequired }
        var after: (Timestamp, String)?
        if let cursor {
            let parts = cursor.split(separator: "~", maxSplits: 1)
            guard parts.count == 2, let t = Timestamp(text: String(parts[0])), let id = ArchiveID(rawValue: String(parts[1])) else {
                throw ServiceRefusal.badRequest("cursor 无效")
            }
            after = (t, id.rawValue)
        }
        let reviewerOrgs = actor.administeredOrgs.map(\.id)
        if reviewerOrgs.isEmpty { return ListPage(items: [], nextCursor: nil) }
        var entries: [InboxEntry] = []
        let states = types.compactMap(\.archiveState)
        if !states.isEmpty {
            let rows = try await repositories.archives.waiting(
                on: reviewerOrgs, states: states, after: after.map { ($0.0, ArchiveID(unchecked: $0.1)) }, limit: limit + 1)
            entries += rows.map { InboxEntry(type: $0.archive.state.status == .pending ? .archiveApproval : .archiveChangeRequest, waiting: $0) }
        }
        if types.contains(.adminChange) {
            let rows = try await repositories.admins.pendingChangeRequests(decidedBy: reviewerOrgs, after: after, limit: limit + 1)
            entries += try await AdminWorkflow.items(rows, repositories: repositories).map(InboxEntry.init(adminChange:))
        }
        let steps = types.reduce(into: Set<TransferStep>()) { $0.formUnion($1.transferSteps) }
        if !steps.isEmpty {
            entries += try await repositories.transfers.waiting(on: reviewerOrgs, steps: steps, after: after, limit: limit + 1)
                .map(InboxEntry.init(transfer:))
        }
        if types.contains(.gradingReview) || types.contains(.gradingResult) {
            entries += try await repositories.grading.inbox(
                for: reviewerOrgs, year: today.year, reviews: types.contains(.gradingReview), results: types.contains(.gradingResult),
                after: after, limit: limit + 1
            ).map(InboxEntry.init(grading:))
        }
        if types.contains(.registrationApproval) {
            entries += try await repositories.registrations.pending(in: reviewerOrgs, after: after, limit: limit + 1)
                .map(InboxEntry.init(registration:))
        }
        entries.sort { ($0.since, $0.key) < ($1.since, $1.key) }
        let page = Array(entries.prefix(limit))
        let next = entries.count > limit ? page.last.map { "\($0.since.text)~\($0.key)" } : nil
        return ListPage(items: page, nextCursor: next)
    }

    /// OPC-1: how many items of each type wait on the actor, counted up to `cap` (one bounded
    /// query per source and type); `more` when there are more than that.
    func counts(_ actor: Actor, cap: Int = 99) async throws -> [(type: InboxType, count: Int, more: Bool)] {
        var result: [(type: InboxType, count: Int, more: Bool)] = []
        for type in InboxType.allCases {
            let page = try await inbox(actor, types: [type], cursor: nil, limit: cap)
            result.append((type, page.items.count, page.nextCursor != nil))
        }
        return result
    }

    /// Members of the org's subtree with their archive state (ARC-7, ARC-8), keyset-paged by
    /// branch and person; the filter runs in the query, before the limit.
    func memberArchives(
        _ actor: Actor, org id: OrgID, filter: MemberArchiveFilter, cursor: MemberListCursor?, limit: Int
    ) async throws -> ListPage<MemberArchiveRow> {
        let org = try await org(actor, id, .listMembers)
        let rows = try await repositories.archives.memberArchives(inSubtreeOf: org.path, filter: filter, after: cursor, limit: limit + 1)
        let page = Array(rows.prefix(limit))
        return ListPage(items: page, nextCursor: rows.count > limit ? page.last.map { MemberListCursor($0.member).rawValue } : nil)
    }

    /// ARC-11: admins search their orgs' subtrees (or the one org given); a member finds only
    /// themselves.
    func search(_ actor: Actor, query: String, within org: OrgID? = nil, limit: Int) async throws -> [MemberArchiveRow] {
        if actor.mustChangePassword { throw ServiceRefusal.passwordChangeRequired }
        let q = try FreeText.checked(query, as: .search)
        guard !q.isEmpty else { throw ServiceRefusal.badRequest("请输入姓名、身份证号或发展团员编号") }
        if let org {
            let scope = try await self.org(actor, org, .listMembers)
            return try await repositories.archives.search(q, inSubtreeOf: [scope.path], limit: limit)
        }
        if actor.isAdmin {
            return try await repositories.archives.search(q, inSubtreeOf: actor.administeredOrgs.map(\.path), limit: limit)
        }
        guard let branch = actor.memberBranch else { return [] }
        return try await repositories.archives.search(q, inSubtreeOf: [branch.path], limit: limit)
            .filter { $0.member.member.personID == actor.personID }
    }

    /// ARC-12: for each org the actor administers, in appointment order.
    func alerts(_ actor: Actor) async throws -> [OrgAlerts] {
        if actor.mustChangePassword { throw ServiceRefusal.passwordChangeRequired }
        let ids = actor.administeredOrgs.map(\.id)
        let orgs = try await repositories.orgs.find(ids)
        var result: [OrgAlerts] = []
        for id in ids {
            guard let org = orgs.first(where: { $0.id == id }) else { continue }
            result.append(OrgAlerts(org: org, counts: NewMemberCounts(try await repositories.archives.tally(inSubtreeOf: org.path, today: today))))
        }
        return result
    }

    /// ARC-9: only verified new members count.
    func newMemberCounts(_ actor: Actor, org id: OrgID) async throws -> (Org, NewMemberCounts) {
        let org = try await org(actor, id, .viewOrg)
        return (org, NewMemberCounts(try await repositories.archives.tally(inSubtreeOf: org.path, today: today)))
    }

    /// The subtree's audit log, newest first; the cursor is the last seq seen.
    func audit(_ actor: Actor, org id: OrgID, before: Int?, limit: Int) async throws -> ListPage<AuditEntry> {
        let org = try await org(actor, id, .viewOrg)
        let entries = try await repositories.audit.list(inSubtreeOf: org.path, before: before, limit: limit + 1)
        let page = Array(entries.prefix(limit))
        return ListPage(items: page, nextCursor: entries.count > limit ? page.last.map { String($0.seq) } : nil)
    }

    /// The orgs an admin may choose among: each administered org and everything below it,
    /// depth first, each with its depth below the administered org.
    func orgChoices(_ actor: Actor, limit: Int = 300) async throws -> [(org: Org, depth: Int)] {
        var seen = Set<OrgID>()
        var result: [(org: Org, depth: Int)] = []
        for root in actor.administeredOrgs {
            for org in try await repositories.orgs.subtree(of: root.path, limit: limit) where seen.insert(org.id).inserted {
                result.append((org, org.path.ids.count - root.path.ids.count))
            }
        }
        return result
    }
}

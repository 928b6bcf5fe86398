import Domain
import Foundation
import PDFInspection
import Persistence

// MARK: Admin home

struct HomePage {
    let switcher: OrgSwitcher?
    let orgId: String
    let orgName: String
    let orgCategory: String
    let alerts: [AlertBanner]
    let newMembers: Int
    let withoutArchive: Int
    let unverified: Int
    let waiting: String
    let membersHref: String
    let notUploadedHref: String
    let unverifiedHref: String
    let inboxHref: String
    let searchAction: String
    /// 工作通知 from the orgs above, unread ones, until read.
    var notices: [NoticeLink] = []
    /// The shown org's own notices page, where it publishes (an org with orgs below it).
    var publishNoticesHref: String? = nil

    struct NoticeLink {
        let title: String
        let orgName: String
        let publishedAt: String
        let href: String
    }

    /// ADM-7: shown only to an admin of several orgs.
    struct OrgSwitcher {
        let action: String
        let orgs: [OrgOption]
    }

    struct AlertBanner {
        let message: String
        let href: String
    }

    /// `alerts` are the ARC-12 alerts of the shown org; `waitingCount` the inbox items fetched,
    /// `moreWaiting` whether the inbox had more than that.
    static func make(
        orgs: [Org], shown org: Org, counts: NewMemberCounts, alerts: [ArchiveAlert], waitingCount: Int, moreWaiting: Bool
    ) -> HomePage {
        func members(_ status: MemberStatusFilter) -> String { PageRoute.members(org: org.id, status: status).href }
        return HomePage(
            switcher: orgs.count > 1
                ? OrgSwitcher(
                    action: PageRoute.home().href,
                    orgs: orgs.map { OrgOption(id: $0.id.rawValue, name: $0.name, indent: "", selected: $0.id == org.id) })
                : nil,
            orgId: org.id.rawValue, orgName: org.name, orgCategory: org.category.chineseName,
            alerts: alerts.map { AlertBanner(message: $0.message, href: members(MemberStatusFilter($0.kind))) },
            newMembers: counts.newMembers, withoutArchive: counts.withoutArchive, unverified: counts.unverified,
            waiting: moreWaiting ? "\(waitingCount)+" : String(waitingCount),
            membersHref: members(.all), notUploadedHref: members(.notUploaded), unverifiedHref: members(.unverified),
            inboxHref: PageRoute.inbox().href, searchAction: PageRoute.members().href)
    }
}

/// An entry of an org picker.
struct OrgOption {
    let id: String
    let name: String
    /// Full-width spaces showing the org's depth below the admin's own.
    let indent: String
    let selected: Bool
}

// MARK: Members

struct MembersPage {
    let action: String
    let orgOptions: [OrgOption]
    let statusOptions: [StatusOption]
    let q: String
    let summary: String
    let rows: [Row]
    let next: String?
    /// 录入团员团干部, where the shown org holds members (ORG-7) and the visitor may enter them.
    let entryHref: String?
    let cadresHref: String
    /// 导出Excel: the shown org's members (`ExportKind.members`).
    let exportHref: String

    struct StatusOption {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Row {
        let href: String
        let name: String
        /// Always masked: lists never show a full ID number.
        let idNumber: String
        let developmentNumber: String
        let joinedOn: String
        let branchName: String
        let status: String
        let statusName: String
        let dueDate: String
        let overdue: Bool
        /// MEM-7: 28 or older without a league post.
        let overAge: Bool
        /// MEM-9: 未认证 / 认证通过 / 认证不通过.
        let identityStatus: String
        let identityStatusName: String
        /// The member's record (资料).
        let recordHref: String
    }

    static func statusOptions(selected: MemberStatusFilter) -> [StatusOption] {
        MemberStatusFilter.allCases.map { StatusOption(value: $0.rawValue, label: $0.label, selected: $0 == selected) }
    }

    static func row(_ row: MemberArchiveRow, today: CivilDate) -> Row {
        let item = MemberArchiveItem(row, today: today)
        return Row(
            href: PageRoute.member(row.member.member.personID).href, name: item.name, idNumber: item.idNumber,
            developmentNumber: item.developmentNumber ?? "—", joinedOn: item.joinedOn, branchName: item.branch.name,
            status: item.archiveRequired ? item.status : "not_required", statusName: item.archiveRequired ? item.statusName : "无需上传",
            dueDate: item.dueDate ?? "—", overdue: item.overdue, overAge: row.member.isOverAge(on: today),
            identityStatus: row.member.identityStatus.rawValue, identityStatusName: row.member.identityStatus.chineseName,
            recordHref: PageRoute.memberRecord(row.member.member.personID).href)
    }

    /// `orgs` are the administered subtrees in picker order with their depths; `org` the shown one,
    /// listed first when it is not among them.
    static func make(
        org: Org, orgs: [(Org, Int)], status: MemberStatusFilter, q: String, rows: [MemberArchiveRow], next: MemberListCursor?, today: CivilDate,
        mayEnter: Bool = false
    ) -> MembersPage {
        var options: [OrgOption] = []
        for (child, depth) in orgs where !options.contains(where: { $0.id == child.id.rawValue }) {
            options.append(
                OrgOption(id: child.id.rawValue, name: child.name, indent: String(repeating: "　", count: depth), selected: child.id == org.id))
        }
        if !options.contains(where: { $0.id == org.id.rawValue }) {
            options.insert(OrgOption(id: org.id.rawValue, name: org.name, indent: "", selected: true), at: 0)
        }
        let shown = rows.map { Self.row($0, today: today) }
        return MembersPage(
            action: PageRoute.members().href, orgOptions: options, statusOptions: statusOptions(selected: status), q: q,
            summary: q.isEmpty ? "\(org.name)：本页 \(shown.count) 名团员" : "在\(org.name)中查询“\(q)”：\(shown.count) 名团员",
            rows: shown, next: next.map { PageRoute.members(org: org.id, status: status, cursor: $0).href },
            entryHref: mayEnter && org.category.holdsMembers ? PageRoute.memberEntryForm(org.id).href : nil,
            cadresHref: PageRoute.cadres(org.id).href, exportHref: PageRoute.orgExport(org.id, .members).href)
    }
}

// MARK: One member's archive

struct MemberPage {
    let backHref: String
    let csrf: String
    let name: String
    let idNumber: String
    let developmentNumber: String
    let joinedOn: String
    let branchName: String
    let required: Bool
    let status: String
    let statusName: String
    let dueDate: String?
    let overdue: Bool
    /// ARC-6: the rejection notice, for the uploading org's admins.
    let notice: String?
    let changeOpen: Bool
    let verifiedVersion: Int?
    let currentVersion: Int?
    let error: String?
    let reviewHref: String?
    let upload: UploadForm?
    let withdrawAction: String?
    let changeAction: String?
    let hasChangeRequests: Bool
    let changeRequests: [ChangeRequestRow]
    let versions: [VersionRow]
    let decisions: [DecisionRow]

    struct UploadForm {
        let action: String
        /// The API the script PUTs the file to, for the progress bar.
        let api: String
        let done: String
        let label: String
        let pagesRule: String
        let maxSize: String
        /// The script refuses a larger file before sending it: the server would refuse it too,
        /// and a client still sending after the refusal sees its connection closed.
        let maxBytes: Int
    }

    struct ChangeRequestRow {
        let requestedAt: String
        let reason: String
        let statusName: String
        let decisionReason: String?
    }

    struct VersionRow {
        let version: Int
        let verified: Bool
        let uploadedAt: String
        let orgName: String
        let uploaderName: String
        let pages: Int
        let size: String
        let sha256: String
        let shortHash: String
        let downloadHref: String
    }

    struct DecisionRow {
        let at: String
        let kindName: String
        let version: Int?
        let actorName: String
        let orgName: String?
        let reason: String?
    }

    /// What the visitor may do with the archive, as the domain rules answered.
    struct Permissions {
        /// `Domain.authorize(.manageArchive)`: upload, withdraw, ask for a change.
        let manage: Bool
        /// `Domain.authorize(.reviewArchive)`: decide as the upper committee.
        let review: Bool
        /// Admins see the rejection notice meant for the uploading org.
        let seesNotice: Bool
    }

    /// Names of the people and orgs the history mentions, by id.
    struct Names {
        var people: [String: String] = [:]
        var orgs: [String: String] = [:]
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

    /// The upload button's text for the archive's state, or nil when no upload is open
    /// (pending, verified, or a change request awaiting its decision).
    static func uploadLabel(_ state: ArchiveState) -> String? {
        switch state {
        case .notUploaded: "上传档案"
        case .rejected: "替换档案"
        case .changeApproved: "上传修改后的档案"
        case .pending, .verified, .changeRequested: nil
        }
    }

    static func make(
        _ record: MemberRecord, described: ArchiveResponse, state: ArchiveState, may: Permissions, names: Names, policy: InspectionPolicy,
        csrf: String, error: String? = nil
    ) -> MemberPage {
        let m = record.member
        let id = m.personID
        let manage = m.needsArchive && may.manage
        var isPending = false
        var isVerifiedOnly = false
        var awaitsChangeDecision = false
        switch state {
        case .pending: isPending = true
        case .verified: isVerifiedOnly = true
        case .changeRequested: awaitsChangeDecision = true
        case .notUploaded, .rejected, .changeApproved: break
        }
        let range = policy.pageRange
        let upload = uploadLabel(state).flatMap { label in
            manage
                ? UploadForm(
                    action: PageRoute.memberUpload(id, csrf: csrf).href, api: SiteRoute.memberArchive(id).path,
                    done: PageRoute.member(id, done: .uploaded).href, label: label,
                    pagesRule: range.lowerBound == range.upperBound ? "\(range.lowerBound)页" : "\(range.lowerBound)至\(range.upperBound)页",
                    maxSize: "\(policy.maximumBytes / (1024 * 1024))MB", maxBytes: policy.maximumBytes)
                : nil
        }
        let reviewable = may.review && (isPending || awaitsChangeDecision)
        let changeRequests = described.changeRequests.reversed().map { c in
            ChangeRequestRow(
                requestedAt: PageKit.chinaTime(text: c.requestedAt), reason: c.reason,
                statusName: c.status == "pending" ? "审批中" : c.status == "approved" ? "已同意" : "已驳回", decisionReason: c.decisionReason)
        }
        return MemberPage(
            backHref: PageRoute.members().href, csrf: csrf, name: m.name, idNumber: m.idNumber.masked,
            developmentNumber: m.developmentNumber?.value ?? "—", joinedOn: m.joinedOn.iso, branchName: record.branchName,
            required: m.needsArchive, status: m.needsArchive ? described.status : "not_required",
            statusName: m.needsArchive ? described.statusName : "无需上传", dueDate: described.dueDate, overdue: described.overdue,
            notice: may.seesNotice ? described.notice : nil, changeOpen: described.changeRequestOpen,
            verifiedVersion: described.verifiedVersion, currentVersion: described.currentVersion, error: error,
            reviewHref: reviewable ? described.archiveId.flatMap(ArchiveID.init(rawValue:)).map { PageRoute.review($0).href } : nil,
            upload: upload, withdrawAction: manage && isPending ? PageRoute.memberWithdraw(id).href : nil,
            changeAction: manage && isVerifiedOnly ? PageRoute.memberChangeRequest(id).href : nil,
            hasChangeRequests: !changeRequests.isEmpty, changeRequests: changeRequests,
            versions: described.versions.reversed().map { v in
                VersionRow(
                    version: v.version, verified: v.version == described.verifiedVersion, uploadedAt: PageKit.chinaTime(text: v.uploadedAt),
                    orgName: names.orgs[v.uploadedByOrg] ?? v.uploadedByOrg, uploaderName: names.people[v.uploadedBy] ?? "", pages: v.pages,
                    size: PageKit.sizeText(v.bytes), sha256: v.sha256, shortHash: String(v.sha256.prefix(12)) + "…",
                    downloadHref: SiteRoute.memberArchivePDF(id).path + "?version=\(v.version)")
            },
            decisions: described.decisions.reversed().map { d in
                DecisionRow(
                    at: PageKit.chinaTime(text: d.decidedAt), kindName: decisionName(d.kind), version: d.version,
                    actorName: names.people[d.actorId] ?? "", orgName: d.actorOrgId.flatMap { names.orgs[$0] }, reason: d.reason)
            })
    }
}

// MARK: Inbox and review

struct InboxPage {
    let tabs: [Tab]
    let items: [Item]
    let next: String?

    struct Tab {
        let href: String
        let label: String
        let active: Bool
    }

    struct Item {
        let typeName: String
        let name: String
        /// Masked, as the API lists it.
        let idNumber: String
        let developmentNumber: String
        let branchName: String
        let since: String
        let href: String
    }

    /// `counts`: OPC-1's figure per type, shown in its tab (none: no figures).
    static func make(type: InboxType?, items: [OperationsController.InboxItem], nextCursor: String?, counts: [InboxType: String] = [:])
        -> InboxPage
    {
        let tabs: [InboxType?] = [nil] + InboxType.onPages.map { $0 }
        return InboxPage(
            tabs: tabs.map { tab in
                let label = tab.map { t in counts[t].map { "\(t.chineseName)（\($0)）" } ?? t.chineseName } ?? "全部"
                return Tab(href: PageRoute.inbox(type: tab).href, label: label, active: tab == type)
            },
            items: items.map { item in
                if let change = item.adminChange {
                    // ADM-4: the appointee in the person columns, the org in the branch column.
                    return Item(
                        typeName: item.typeName, name: change.appointeeName ?? "—", idNumber: change.appointeeIdNumber ?? "—",
                        developmentNumber: "—", branchName: change.orgName, since: PageKit.chinaTime(text: item.since),
                        href: PageRoute.adminChange(change.id).href)
                }
                if let grading = item.grading {
                    // GRA-4: the org in the name column; what was graded in the branch column.
                    let what = grading.kind == "self" ? "自评：\(grading.grade)\(grading.regraded ? "（不予定级后重新自评）" : "")" : "上级复核：\(grading.grade)"
                    let href =
                        grading.kind == "self"
                        ? grading.upperCommitteeId.flatMap(OrgID.init(rawValue:)).map { PageRoute.gradingReviews($0).href } ?? ""
                        : OrgID(rawValue: grading.orgId).map { PageRoute.grading($0).href } ?? ""
                    return Item(
                        typeName: item.typeName, name: grading.orgName, idNumber: "—", developmentNumber: "—", branchName: what,
                        since: PageKit.chinaTime(text: item.since), href: href)
                }
                if let registration = item.registration, let branch = OrgID(rawValue: registration.branchId) {
                    // ACT-1: the member, and the year reported in the branch column.
                    return Item(
                        typeName: item.typeName, name: registration.memberName, idNumber: "—", developmentNumber: "—",
                        branchName: "\(registration.year)年度团籍注册", since: PageKit.chinaTime(text: item.since),
                        href: PageRoute.registrations(branch, filter: .init(status: RegistrationStatus.pending.rawValue)).href)
                }
                if let transfer = item.transfer {
                    // TRF-1 … TRF-3: the member, and in the branch column the two ends.
                    return Item(
                        typeName: item.typeName, name: transfer.member.name, idNumber: "—", developmentNumber: "—",
                        branchName: "\(transfer.from.name) → \(transfer.to.name)", since: PageKit.chinaTime(text: item.since),
                        href: PageRoute.transfer(transfer.id).href)
                }
                return Item(
                    typeName: item.typeName, name: item.member?.name ?? "", idNumber: item.member?.idNumber ?? "",
                    developmentNumber: item.member?.developmentNumber ?? "—", branchName: item.member?.branch.name ?? "",
                    since: PageKit.chinaTime(text: item.since),
                    href: item.archiveId.flatMap(ArchiveID.init(rawValue:)).map { PageRoute.review($0).href } ?? "")
            },
            next: nextCursor.map { PageRoute.inbox(type: type, cursor: $0).href })
    }
}

struct ReviewPage {
    let inboxHref: String
    let csrf: String
    let typeName: String
    let name: String
    let idNumber: String
    let developmentNumber: String
    let joinedOn: String
    let branchName: String
    let status: String
    let statusName: String
    /// Nothing waits for a decision.
    let closed: Bool
    let error: String?
    /// The refused reason, kept in the form.
    let reason: String?
    let version: Version?
    let pages: Int?
    let thumbnails: [Thumbnail]
    let changeRequest: ChangeRequest?
    let decision: Decision?

    struct Version {
        let version: Int
        let uploadedAt: String
        let orgName: String
        let pages: Int
        let size: String
        let downloadHref: String
        let memberHref: String
        /// The file had to be repaired to be read: the reviewer checks it page by page.
        let repair: Repair?
    }

    struct Repair {
        let notice: String
        /// The parser's first warning, as it gave it.
        let detail: String
    }

    /// What the inspector reported of a repaired file, from the report stored with the version.
    static func repair(of version: ArchiveVersionRecord) -> Repair? {
        guard let report = try? JSONDecoder().decode(InspectionReport.self, from: Data(version.inspection.utf8)), report.repaired else {
            return nil
        }
        let warnings = report.warnings > 0 ? "（解析时有 \(report.warnings) 处警告）" : ""
        return Repair(
            notice: "该文件结构有损坏，系统已自动修复后读取\(warnings)。请逐页核对内容是否完整、清晰，必要时退回重新上传。",
            detail: report.repairReason ?? "")
    }

    struct Thumbnail {
        let page: Int
        let src: String
        let full: String
    }

    struct ChangeRequest {
        let reason: String
        let requestedAt: String
    }

    /// The approve and reject forms: an upload's review, or a change request's.
    struct Decision {
        let approveAction: String
        let rejectAction: String
        let approveLabel: String
        let rejectLabel: String
    }

    static func decision(for archive: ArchiveID, state: ArchiveState) -> Decision? {
        switch state {
        case .pending:
            Decision(
                approveAction: PageRoute.reviewApprove(archive).href, rejectAction: PageRoute.reviewReject(archive).href,
                approveLabel: "审批通过", rejectLabel: "不通过")
        case .changeRequested:
            Decision(
                approveAction: PageRoute.changeApprove(archive).href, rejectAction: PageRoute.changeReject(archive).href,
                approveLabel: "同意修改", rejectLabel: "驳回申请")
        case .notUploaded, .verified, .rejected, .changeApproved: nil
        }
    }

    static func typeName(_ state: ArchiveState) -> String {
        switch state {
        case .pending: InboxType.archiveApproval.chineseName
        case .changeRequested: InboxType.archiveChangeRequest.chineseName
        default: "团员电子档案"
        }
    }

    /// `shown` is the version under review with its uploader's name; `openChange` the pending
    /// change request, if any.
    static func make(
        _ archive: ArchiveRecord, _ record: MemberRecord, shown: (ArchiveVersionRecord, orgName: String)?,
        openChange: ChangeRequestResponse?, canReview: Bool, csrf: String, error: String? = nil, reason: String? = nil
    ) -> ReviewPage {
        let m = record.member
        let offered = Self.decision(for: archive.id, state: archive.state)
        var changeRequest: ChangeRequest?
        if case .changeRequested = archive.state, let openChange {
            changeRequest = ChangeRequest(reason: openChange.reason, requestedAt: PageKit.chinaTime(text: openChange.requestedAt))
        }
        return ReviewPage(
            inboxHref: PageRoute.inbox().href, csrf: csrf, typeName: typeName(archive.state), name: m.name, idNumber: m.idNumber.masked,
            developmentNumber: m.developmentNumber?.value ?? "—", joinedOn: m.joinedOn.iso, branchName: record.branchName,
            status: archive.state.status.rawValue, statusName: archive.state.status.chineseName, closed: offered == nil, error: error,
            reason: reason,
            version: shown.map { shown in
                let v = shown.0
                return Version(
                    version: v.version, uploadedAt: PageKit.chinaTime(v.uploadedAt), orgName: shown.orgName, pages: v.pages,
                    size: PageKit.sizeText(v.bytes), downloadHref: SiteRoute.memberArchivePDF(m.personID).path + "?version=\(v.version)",
                    memberHref: PageRoute.member(m.personID).href, repair: repair(of: v))
            },
            pages: shown?.0.pages,
            thumbnails: shown.map { shown in
                let v = shown.0
                return (1...max(1, v.pages)).map { p in
                    Thumbnail(
                        page: p,
                        src: PageRoute.thumbnail(archive.id, version: v.version, page: p, width: Thumbnails.thumbnailWidth).href,
                        full: PageRoute.thumbnail(archive.id, version: v.version, page: p, width: Thumbnails.fullWidth).href)
                }
            } ?? [],
            changeRequest: changeRequest, decision: canReview ? offered : nil)
    }
}

extension ReviewPage.Decision: Equatable {}

// MARK: A member's own archive

struct MyArchivePage {
    let name: String
    let developmentNumber: String
    let joinedOn: String
    let branchName: String
    let required: Bool
    let status: String
    let statusName: String
    let identityVerified: Bool
    let dueDate: String?
    let overdue: Bool
    let rejectionReason: String?
    let pendingNote: Bool
    let notUploadedNote: Bool
    let downloadHref: String?

    static func make(_ record: MemberRecord, described: ArchiveResponse) -> MyArchivePage {
        let m = record.member
        return MyArchivePage(
            name: m.name, developmentNumber: m.developmentNumber?.value ?? "—", joinedOn: m.joinedOn.iso, branchName: record.branchName,
            required: m.needsArchive, status: described.status, statusName: described.statusName,
            identityVerified: described.identityVerified, dueDate: described.dueDate, overdue: described.overdue,
            rejectionReason: described.status == ArchiveStatus.rejected.rawValue
                ? described.decisions.last { $0.kind == ArchiveDecisionKind.reject.rawValue }?.reason : nil,
            pendingNote: described.status == ArchiveStatus.pending.rawValue,
            notUploadedNote: described.status == ArchiveStatus.notUploaded.rawValue,
            downloadHref: described.versions.isEmpty ? nil : SiteRoute.myArchivePDF.path)
    }
}

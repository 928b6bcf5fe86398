import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Persistence

/// Every page path, used both to register the page routes and to build every link, form
/// action and redirect the pages send, so that a renamed path cannot leave a dead link.
///
/// A link's path is made by filling its endpoint's registered pattern, never typed twice.
enum PageRoute: Sendable, Equatable {
    case loginForm
    case login
    case logout
    case passwordForm
    case password
    case home(org: OrgID? = nil, done: PageFlash? = nil)
    case members(org: OrgID? = nil, status: MemberStatusFilter = .all, q: String? = nil, cursor: MemberListCursor? = nil)
    case member(PersonID, done: PageFlash? = nil)
    /// The no-JS upload form; its CSRF token travels in the query because the body is multipart.
    case memberUpload(PersonID, csrf: String? = nil)
    case memberWithdraw(PersonID)
    case memberChangeRequest(PersonID)
    case inbox(type: InboxType? = nil, cursor: String? = nil, done: PageFlash? = nil)
    case review(ArchiveID)
    case reviewApprove(ArchiveID)
    case reviewReject(ArchiveID)
    case changeApprove(ArchiveID)
    case changeReject(ArchiveID)
    case thumbnail(ArchiveID, version: Int, page: Int, width: Int? = nil)
    case mine(done: PageFlash? = nil)
    /// A file of `PageAssets`, by its (hashed or plain) name.
    case staticAsset(String)
    // Member records and cadres (issue 9, members)
    /// 录入团员团干部: the single-entry form of a branch.
    case memberEntryForm(OrgID)
    case memberEntry(OrgID)
    /// A member's record (资料): profile, edit, removal, histories; also a member's own.
    case memberRecord(PersonID, done: PageFlash? = nil)
    case memberRecordEdit(PersonID)
    case memberRemoval(PersonID)
    /// 团干部列表 with post changes and 团干部职务变更记录.
    case cadres(OrgID, done: PageFlash? = nil)
    case cadrePost(OrgID)
    /// 组织管理: the sub-orgs of `org` (default: the admin's first org that has sub-orgs).
    case orgs(org: OrgID? = nil, done: PageFlash? = nil)
    /// The create-one form's first step: check the draft and show the generated full name (ORG-3).
    case orgCreatePreview(OrgID)
    case orgCreate(OrgID)
    case orgDelete(OrgID)
    /// 组织信息 (ORG-5).
    case orgProfile(OrgID, done: PageFlash? = nil)
    case orgProfileSave(OrgID)
    /// 录入进度 (ORG-9), one level at a time.
    case orgProgress(OrgID, level: Int? = nil)
    // Admin onboarding (ADM-1 … ADM-5)
    case registerForm(org: OrgID? = nil, q: String? = nil)
    case register
    case forgotForm
    case forgot
    case registrationCodes(OrgID)
    case registrationCodesIssueAll(OrgID)
    case registrationCodeIssue(OrgID)
    case orgAdmins(OrgID, done: PageFlash? = nil)
    case orgAdminsChange(OrgID)
    case memberResetCodeForm(PersonID)
    case memberResetCode(PersonID)
    case adminChange(String)
    case adminChangeApprove(String)
    case adminChangeReject(String)
    /// A list's .xlsx (issue 9 item 7); the registration codes by `registrationCodesExport` (POST: it issues codes).
    case orgExport(OrgID, ExportKind)
    case registrationCodesExport(OrgID)
    // Imports (ORG-6, MEM-8): 批量创建下级组织 and 批量导入团员团干部. The upload's CSRF token
    // travels in the query because the body is multipart.
    case childrenImportForm(OrgID)
    case childrenImport(OrgID, csrf: String? = nil)
    case memberImportForm(OrgID)
    case memberImport(OrgID, csrf: String? = nil)
    // Org-relationship transfers (TRF-1 … TRF-11)
    /// 组织关系转接 of a member: the application form and 我的组织关系转接历史.
    case myTransfers(q: String? = nil, done: PageFlash? = nil)
    case myTransferApply
    /// 办理转出 / 办理转入: the transfers out of or into an org's subtree.
    case orgTransfers(OrgID, direction: TransferDirection = .outgoing, done: PageFlash? = nil)
    /// The form of one kind (办理转出, 办理转入, 批量接转, 学社衔接, 辍学返回); `q` searches the
    /// destination by name, `from` is a batch's source branch.
    case transferForm(OrgID, kind: TransferKind, q: String? = nil, from: OrgID? = nil)
    case transferSubmit(OrgID)
    /// One transfer: its chain, each step's progress and the decisions the visitor may take.
    case transfer(String, done: PageFlash? = nil)
    case transferApprove(String)
    case transferReject(String)
    case transferAssign(String)
    case transferWithdraw(String)
    /// 毕业生标注 (GRD-1 … GRD-4): the branches below a school 团委 or 团总支 and their marks.
    case graduation(OrgID, done: PageFlash? = nil)
    case graduationMark(OrgID)
    /// 延迟毕业 of one member (GRD-5), on the member's record page.
    case memberDelay(PersonID)
    case memberDelayRevoke(PersonID)
    /// 对标定级—团(总)支部自评 (GRA-1 … GRA-5): the year's criteria, the self-grade and its review.
    case grading(OrgID, done: PageFlash? = nil)
    case gradingSubmit(OrgID)
    /// 对标定级—上级复核: the 团(总)支部 whose upper committee this org is, reviewed one or many at once.
    case gradingReviews(OrgID, done: PageFlash? = nil)
    case gradingReviewSubmit(OrgID)
    /// 工作通知: the org's published notices and the form to publish one.
    case orgNotices(OrgID, done: PageFlash? = nil)
    case orgNoticePublish(OrgID)
    /// One notice: its text, 我已阅读 for a recipient, who has read it for the sender.
    case notice(String, done: PageFlash? = nil)
    case noticeRead(String)
    /// 三会·两制·一课 and 团日活动 (ACT-1): the branch's entries and the form to record one.
    case activities(OrgID, done: PageFlash? = nil)
    case activityCreate(OrgID)
    /// The same page with one entry in the form, to correct it.
    case activityEdit(String)
    case activitySave(String)
    case activityWithdraw(String)
    /// 组织整顿 (RCT-1 … RCT-4): a branch's self-check form and its parent's decision.
    case rectification(OrgID, done: PageFlash? = nil)
    case rectificationSubmit(OrgID)
    case rectificationDecide(OrgID)
    /// The parent's list of its direct sub-branches, and the bottom-20 % marks.
    case rectificationBranches(OrgID, done: PageFlash? = nil)
    case rectificationMark(OrgID)
    /// The subtree's figures per industry category and the key-rectification list by month.
    case rectificationStatistics(OrgID)
    /// 团内大数据 (STA-1): the subtree's figures as charts and tables.
    case statistics(OrgID)
    /// 年度团籍注册审批 (ACT-1): a branch's registrations, filtered by name, status and period.
    case registrations(OrgID, filter: RegistrationQuery = .init(), cursor: String? = nil, done: PageFlash? = nil)
    case registrationDecide(String)
    /// 年度团籍注册: the member's own registrations and the form to report a year.
    case myRegistrations(done: PageFlash? = nil)
    case myRegistrationSubmit
    /// Attachments: a file for a meeting record or a notice (multipart, the token in the query),
    /// and the withdrawal of one.
    case activityAttach(String, csrf: String? = nil)
    case noticeAttach(String, csrf: String? = nil)
    case attachmentWithdraw(String)

    /// What the router registers: one method and pattern per kind of link.
    enum Endpoint: String, CaseIterable, Sendable {
        case loginForm, login, logout, passwordForm, password, home, members, member, memberUpload, memberWithdraw
        case memberChangeRequest, inbox, review, reviewApprove, reviewReject, changeApprove, changeReject, thumbnail, mine
        case staticAsset
        case memberEntryForm, memberEntry, memberRecord, memberRecordEdit, memberRemoval, cadres, cadrePost
        case orgs, orgCreatePreview, orgCreate, orgDelete, orgProfile, orgProfileSave, orgProgress
        case registerForm, register, forgotForm, forgot, registrationCodes, registrationCodesIssueAll, registrationCodeIssue
        case orgAdmins, orgAdminsChange, memberResetCodeForm, memberResetCode, adminChange, adminChangeApprove, adminChangeReject
        case orgExport, registrationCodesExport
        case childrenImportForm, childrenImport, memberImportForm, memberImport
        case myTransfers, myTransferApply, orgTransfers, transferForm, transferSubmit, transfer
        case transferApprove, transferReject, transferAssign, transferWithdraw, graduation, graduationMark
        case memberDelay, memberDelayRevoke
        case grading, gradingSubmit, gradingReviews, gradingReviewSubmit
        case orgNotices, orgNoticePublish, notice, noticeRead
        case activities, activityCreate, activityEdit, activitySave, activityWithdraw
        case rectification, rectificationSubmit, rectificationDecide, rectificationBranches, rectificationMark, rectificationStatistics
        case statistics
        case registrations, registrationDecide, myRegistrations, myRegistrationSubmit
        case activityAttach, noticeAttach, attachmentWithdraw

        var method: HTTPRequest.Method {
            switch self {
            case .login, .logout, .password, .memberUpload, .memberWithdraw, .memberChangeRequest, .reviewApprove, .reviewReject,
                .changeApprove, .changeReject, .memberEntry, .memberRecordEdit, .memberRemoval, .cadrePost,
                .orgCreatePreview, .orgCreate, .orgDelete, .orgProfileSave:
                .post
            case .register, .forgot, .registrationCodesIssueAll, .registrationCodeIssue, .orgAdminsChange, .memberResetCode,
                .adminChangeApprove, .adminChangeReject, .registrationCodesExport, .childrenImport, .memberImport:
                .post
            case .myTransferApply, .transferSubmit, .transferApprove, .transferReject, .transferAssign, .transferWithdraw, .graduationMark,
                .memberDelay, .memberDelayRevoke, .gradingSubmit, .gradingReviewSubmit, .orgNoticePublish, .noticeRead,
                .activityCreate, .activitySave, .activityWithdraw, .rectificationSubmit, .rectificationDecide, .rectificationMark,
                .registrationDecide, .myRegistrationSubmit, .activityAttach, .noticeAttach, .attachmentWithdraw:
                .post
            default: .get
            }
        }

        /// The path with `{parameter}` placeholders, as the router takes it.
        var pattern: String {
            switch self {
            case .loginForm: "/"
            case .login: "/login"
            case .logout: "/logout"
            case .passwordForm, .password: "/password"
            case .home: "/home"
            case .members: "/members"
            case .member: "/members/{\(SiteRoute.memberParameter)}"
            case .memberUpload: "/members/{\(SiteRoute.memberParameter)}/archive"
            case .memberWithdraw: "/members/{\(SiteRoute.memberParameter)}/archive/withdraw"
            case .memberChangeRequest: "/members/{\(SiteRoute.memberParameter)}/archive/change-requests"
            case .inbox: "/inbox"
            case .review: "/inbox/archives/{\(SiteRoute.archiveParameter)}"
            case .reviewApprove: "/inbox/archives/{\(SiteRoute.archiveParameter)}/approve"
            case .reviewReject: "/inbox/archives/{\(SiteRoute.archiveParameter)}/reject"
            case .changeApprove: "/inbox/archives/{\(SiteRoute.archiveParameter)}/change/approve"
            case .changeReject: "/inbox/archives/{\(SiteRoute.archiveParameter)}/change/reject"
            case .thumbnail:
                "/archives/{\(SiteRoute.archiveParameter)}/versions/{\(PageRoute.versionParameter)}/pages/{\(PageRoute.pageParameter)}.png"
            case .mine: "/me/archive"
            case .staticAsset: "/static/{\(PageRoute.assetParameter)}"
            case .memberEntryForm, .memberEntry: "/orgs/{\(SiteRoute.orgParameter)}/members/new"
            case .memberRecord, .memberRecordEdit: "/members/{\(SiteRoute.memberParameter)}/record"
            case .memberRemoval: "/members/{\(SiteRoute.memberParameter)}/removal"
            case .cadres, .cadrePost: "/orgs/{\(SiteRoute.orgParameter)}/cadres"
            case .orgs: "/orgs"
            case .orgCreatePreview: "/orgs/{\(SiteRoute.orgParameter)}/children/preview"
            case .orgCreate: "/orgs/{\(SiteRoute.orgParameter)}/children"
            case .orgDelete: "/orgs/{\(SiteRoute.orgParameter)}/delete"
            case .orgProfile, .orgProfileSave: "/orgs/{\(SiteRoute.orgParameter)}/profile"
            case .orgProgress: "/orgs/{\(SiteRoute.orgParameter)}/progress"
            case .registerForm, .register: "/register"
            case .forgotForm, .forgot: "/forgot-password"
            case .registrationCodes, .registrationCodesIssueAll: "/orgs/{\(SiteRoute.orgParameter)}/registration-codes"
            case .registrationCodeIssue: "/orgs/{\(SiteRoute.orgParameter)}/registration-code"
            case .orgAdmins, .orgAdminsChange: "/orgs/{\(SiteRoute.orgParameter)}/admins"
            case .memberResetCodeForm, .memberResetCode: "/members/{\(SiteRoute.memberParameter)}/reset-code"
            case .adminChange: "/inbox/admin-changes/{\(SiteRoute.changeRequestParameter)}"
            case .adminChangeApprove: "/inbox/admin-changes/{\(SiteRoute.changeRequestParameter)}/approve"
            case .adminChangeReject: "/inbox/admin-changes/{\(SiteRoute.changeRequestParameter)}/reject"
            case .orgExport: "/orgs/{\(SiteRoute.orgParameter)}/export/{\(PageRoute.exportParameter)}"
            case .registrationCodesExport: "/orgs/{\(SiteRoute.orgParameter)}/registration-codes/export"
            case .childrenImportForm, .childrenImport: "/orgs/{\(SiteRoute.orgParameter)}/children/import"
            case .memberImportForm, .memberImport: "/orgs/{\(SiteRoute.orgParameter)}/members/import"
            case .myTransfers, .myTransferApply: "/me/transfers"
            case .orgTransfers: "/orgs/{\(SiteRoute.orgParameter)}/transfers"
            case .transferForm, .transferSubmit: "/orgs/{\(SiteRoute.orgParameter)}/transfers/new"
            case .transfer: "/transfers/{\(SiteRoute.transferParameter)}"
            case .transferApprove: "/transfers/{\(SiteRoute.transferParameter)}/approve"
            case .transferReject: "/transfers/{\(SiteRoute.transferParameter)}/reject"
            case .transferAssign: "/transfers/{\(SiteRoute.transferParameter)}/assign"
            case .transferWithdraw: "/transfers/{\(SiteRoute.transferParameter)}/withdraw"
            case .graduation, .graduationMark: "/orgs/{\(SiteRoute.orgParameter)}/graduation"
            case .memberDelay: "/members/{\(SiteRoute.memberParameter)}/delayed-graduation"
            case .memberDelayRevoke: "/members/{\(SiteRoute.memberParameter)}/delayed-graduation/revoke"
            case .grading, .gradingSubmit: "/orgs/{\(SiteRoute.orgParameter)}/grading"
            case .gradingReviews, .gradingReviewSubmit: "/orgs/{\(SiteRoute.orgParameter)}/grading/reviews"
            case .orgNotices, .orgNoticePublish: "/orgs/{\(SiteRoute.orgParameter)}/notices"
            case .notice: "/notices/{\(SiteRoute.noticeParameter)}"
            case .noticeRead: "/notices/{\(SiteRoute.noticeParameter)}/read"
            case .activities, .activityCreate: "/orgs/{\(SiteRoute.orgParameter)}/activities"
            case .activityEdit, .activitySave: "/activities/{\(SiteRoute.activityParameter)}/edit"
            case .activityWithdraw: "/activities/{\(SiteRoute.activityParameter)}/withdraw"
            case .rectification, .rectificationSubmit: "/orgs/{\(SiteRoute.orgParameter)}/rectification"
            case .rectificationDecide: "/orgs/{\(SiteRoute.orgParameter)}/rectification/decision"
            case .rectificationBranches, .rectificationMark: "/orgs/{\(SiteRoute.orgParameter)}/rectification/branches"
            case .rectificationStatistics: "/orgs/{\(SiteRoute.orgParameter)}/rectification/statistics"
            case .statistics: "/orgs/{\(SiteRoute.orgParameter)}/stats"
            case .registrations: "/orgs/{\(SiteRoute.orgParameter)}/registrations"
            case .registrationDecide: "/registrations/{\(SiteRoute.registrationParameter)}/decision"
            case .myRegistrations, .myRegistrationSubmit: "/me/registrations"
            case .activityAttach: "/activities/{\(SiteRoute.activityParameter)}/attachments"
            case .noticeAttach: "/notices/{\(SiteRoute.noticeParameter)}/attachments"
            case .attachmentWithdraw: "/attachments/{\(SiteRoute.attachmentParameter)}/withdraw"
            }
        }
    }

    static let versionParameter = "version"
    static let pageParameter = "page"
    static let assetParameter = "asset"
    static let exportParameter = "sheet"

    /// Registers one handler per endpoint; `handler` must answer for each of them.
    static func register(
        on router: RouterGroup<AppRequestContext>,
        handler: (Endpoint) -> @Sendable (Request, AppRequestContext) async throws -> Response
    ) {
        for endpoint in Endpoint.allCases {
            router.on(RouterPath(endpoint.pattern), method: endpoint.method, use: handler(endpoint))
        }
    }

    var endpoint: Endpoint {
        switch self {
        case .loginForm: .loginForm
        case .login: .login
        case .logout: .logout
        case .passwordForm: .passwordForm
        case .password: .password
        case .home: .home
        case .members: .members
        case .member: .member
        case .memberUpload: .memberUpload
        case .memberWithdraw: .memberWithdraw
        case .memberChangeRequest: .memberChangeRequest
        case .inbox: .inbox
        case .review: .review
        case .reviewApprove: .reviewApprove
        case .reviewReject: .reviewReject
        case .changeApprove: .changeApprove
        case .changeReject: .changeReject
        case .thumbnail: .thumbnail
        case .mine: .mine
        case .staticAsset: .staticAsset
        case .memberEntryForm: .memberEntryForm
        case .memberEntry: .memberEntry
        case .memberRecord: .memberRecord
        case .memberRecordEdit: .memberRecordEdit
        case .memberRemoval: .memberRemoval
        case .cadres: .cadres
        case .cadrePost: .cadrePost
        case .orgs: .orgs
        case .orgCreatePreview: .orgCreatePreview
        case .orgCreate: .orgCreate
        case .orgDelete: .orgDelete
        case .orgProfile: .orgProfile
        case .orgProfileSave: .orgProfileSave
        case .orgProgress: .orgProgress
        case .registerForm: .registerForm
        case .register: .register
        case .forgotForm: .forgotForm
        case .forgot: .forgot
        case .registrationCodes: .registrationCodes
        case .registrationCodesIssueAll: .registrationCodesIssueAll
        case .registrationCodeIssue: .registrationCodeIssue
        case .orgAdmins: .orgAdmins
        case .orgAdminsChange: .orgAdminsChange
        case .memberResetCodeForm: .memberResetCodeForm
        case .memberResetCode: .memberResetCode
        case .adminChange: .adminChange
        case .adminChangeApprove: .adminChangeApprove
        case .adminChangeReject: .adminChangeReject
        case .orgExport: .orgExport
        case .registrationCodesExport: .registrationCodesExport
        case .childrenImportForm: .childrenImportForm
        case .childrenImport: .childrenImport
        case .memberImportForm: .memberImportForm
        case .memberImport: .memberImport
        case .myTransfers: .myTransfers
        case .myTransferApply: .myTransferApply
        case .orgTransfers: .orgTransfers
        case .transferForm: .transferForm
        case .transferSubmit: .transferSubmit
        case .transfer: .transfer
        case .transferApprove: .transferApprove
        case .transferReject: .transferReject
        case .transferAssign: .transferAssign
        case .transferWithdraw: .transferWithdraw
        case .graduation: .graduation
        case .graduationMark: .graduationMark
        case .memberDelay: .memberDelay
        case .memberDelayRevoke: .memberDelayRevoke
        case .grading: .grading
        case .gradingSubmit: .gradingSubmit
        case .gradingReviews: .gradingReviews
        case .gradingReviewSubmit: .gradingReviewSubmit
        case .orgNotices: .orgNotices
        case .orgNoticePublish: .orgNoticePublish
        case .notice: .notice
        case .noticeRead: .noticeRead
        case .activities: .activities
        case .activityCreate: .activityCreate
        case .activityEdit: .activityEdit
        case .activitySave: .activitySave
        case .activityWithdraw: .activityWithdraw
        case .rectification: .rectification
        case .rectificationSubmit: .rectificationSubmit
        case .rectificationDecide: .rectificationDecide
        case .rectificationBranches: .rectificationBranches
        case .rectificationMark: .rectificationMark
        case .rectificationStatistics: .rectificationStatistics
        case .statistics: .statistics
        case .registrations: .registrations
        case .registrationDecide: .registrationDecide
        case .myRegistrations: .myRegistrations
        case .myRegistrationSubmit: .myRegistrationSubmit
        case .activityAttach: .activityAttach
        case .noticeAttach: .noticeAttach
        case .attachmentWithdraw: .attachmentWithdraw
        }
    }

    /// The values of the pattern's placeholders.
    var parameters: [String: String] {
        switch self {
        case .member(let id, _), .memberUpload(let id, _), .memberWithdraw(let id), .memberChangeRequest(let id):
            [SiteRoute.memberParameter: id.rawValue]
        case .review(let id), .reviewApprove(let id), .reviewReject(let id), .changeApprove(let id), .changeReject(let id):
            [SiteRoute.archiveParameter: id.rawValue]
        case .thumbnail(let id, let version, let page, _):
            [SiteRoute.archiveParameter: id.rawValue, Self.versionParameter: String(version), Self.pageParameter: String(page)]
        case .staticAsset(let name): [Self.assetParameter: name]
        case .memberEntryForm(let id), .memberEntry(let id), .cadres(let id, _), .cadrePost(let id):
            [SiteRoute.orgParameter: id.rawValue]
        case .memberRecord(let id, _), .memberRecordEdit(let id), .memberRemoval(let id):
            [SiteRoute.memberParameter: id.rawValue]
        case .orgCreatePreview(let id), .orgCreate(let id), .orgDelete(let id), .orgProfile(let id, _), .orgProfileSave(let id),
            .orgProgress(let id, _):
            [SiteRoute.orgParameter: id.rawValue]
        case .registrationCodes(let id), .registrationCodesIssueAll(let id), .registrationCodeIssue(let id), .orgAdmins(let id, _),
            .orgAdminsChange(let id):
            [SiteRoute.orgParameter: id.rawValue]
        case .memberResetCodeForm(let id), .memberResetCode(let id), .memberDelay(let id), .memberDelayRevoke(let id):
            [SiteRoute.memberParameter: id.rawValue]
        case .adminChange(let id), .adminChangeApprove(let id), .adminChangeReject(let id): [SiteRoute.changeRequestParameter: id]
        case .orgExport(let id, let kind): [SiteRoute.orgParameter: id.rawValue, Self.exportParameter: kind.rawValue]
        case .registrationCodesExport(let id): [SiteRoute.orgParameter: id.rawValue]
        case .childrenImportForm(let id), .childrenImport(let id, _), .memberImportForm(let id), .memberImport(let id, _):
            [SiteRoute.orgParameter: id.rawValue]
        case .orgTransfers(let id, _, _), .transferForm(let id, _, _, _), .transferSubmit(let id), .graduation(let id, _), .graduationMark(let id):
            [SiteRoute.orgParameter: id.rawValue]
        case .grading(let id, _), .gradingSubmit(let id), .gradingReviews(let id, _), .gradingReviewSubmit(let id),
            .orgNotices(let id, _), .orgNoticePublish(let id):
            [SiteRoute.orgParameter: id.rawValue]
        case .notice(let id, _), .noticeRead(let id): [SiteRoute.noticeParameter: id]
        case .activities(let id, _), .activityCreate(let id): [SiteRoute.orgParameter: id.rawValue]
        case .rectification(let id, _), .rectificationSubmit(let id), .rectificationDecide(let id), .rectificationBranches(let id, _),
            .rectificationMark(let id), .statistics(let id), .rectificationStatistics(let id):
            [SiteRoute.orgParameter: id.rawValue]
        case .activityEdit(let id), .activitySave(let id), .activityWithdraw(let id): [SiteRoute.activityParameter: id]
        case .registrations(let id, _, _, _): [SiteRoute.orgParameter: id.rawValue]
        case .registrationDecide(let id): [SiteRoute.registrationParameter: id]
        case .activityAttach(let id, _): [SiteRoute.activityParameter: id]
        case .noticeAttach(let id, _): [SiteRoute.noticeParameter: id]
        case .attachmentWithdraw(let id): [SiteRoute.attachmentParameter: id]
        case .transfer(let id, _), .transferApprove(let id), .transferReject(let id), .transferAssign(let id), .transferWithdraw(let id):
            [SiteRoute.transferParameter: id]
        default: [:]
        }
    }

    /// The query string's items, in a fixed order; absent values are left out.
    private var query: [(String, String)] {
        func items(_ pairs: [(String, String?)]) -> [(String, String)] {
            pairs.compactMap { name, value in value.flatMap { $0.isEmpty ? nil : (name, $0) } }
        }
        switch self {
        case .home(let org, let done):
            return items([("org", org?.rawValue), ("done", done?.rawValue)])
        case .members(let org, let status, let q, let cursor):
            return items([("org", org?.rawValue), ("status", status.rawValue), ("q", q), ("cursor", cursor?.rawValue)])
        case .member(_, let done), .mine(let done), .memberRecord(_, let done), .cadres(_, let done):
            return items([("done", done?.rawValue)])
        case .memberUpload(_, let csrf), .childrenImport(_, let csrf), .memberImport(_, let csrf), .activityAttach(_, let csrf),
            .noticeAttach(_, let csrf):
            return items([("csrf", csrf)])
        case .inbox(let type, let cursor, let done):
            return items([("type", type?.rawValue), ("cursor", cursor), ("done", done?.rawValue)])
        case .thumbnail(_, _, _, let width):
            return items([("w", width.map { "\($0)" })])
        case .orgs(let org, let done):
            return items([("org", org?.rawValue), ("done", done?.rawValue)])
        case .orgProfile(_, let done):
            return items([("done", done?.rawValue)])
        case .orgProgress(_, let level):
            return items([("level", level.map { "\($0)" })])
        case .registerForm(let org, let q):
            return items([("org", org?.rawValue), ("q", q)])
        case .orgAdmins(_, let done):
            return items([("done", done?.rawValue)])
        case .myTransfers(let q, let done):
            return items([("q", q), ("done", done?.rawValue)])
        case .orgTransfers(_, let direction, let done):
            return items([("direction", direction.rawValue), ("done", done?.rawValue)])
        case .transferForm(_, let kind, let q, let from):
            return items([("kind", kind.rawValue), ("q", q), ("from", from?.rawValue)])
        case .transfer(_, let done), .graduation(_, let done), .grading(_, let done), .gradingReviews(_, let done),
            .orgNotices(_, let done), .notice(_, let done), .activities(_, let done), .rectification(_, let done),
            .rectificationBranches(_, let done), .myRegistrations(let done):
            return items([("done", done?.rawValue)])
        case .registrations(_, let filter, let cursor, let done):
            return items([
                ("name", filter.name), ("status", filter.status), ("from", filter.from), ("to", filter.to), ("cursor", cursor),
                ("done", done?.rawValue),
            ])
        default:
            return []
        }
    }

    /// The path alone, placeholders filled with percent-encoded values.
    var path: String {
        let values = parameters
        var out = ""
        var rest = Substring(endpoint.pattern)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            // Every placeholder has a value: `parameters` covers each endpoint's pattern (a test checks it).
            out += Self.encode(values[name] ?? "")
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The link: the path and its query string.
    var href: String {
        let query = query
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    /// Unreserved characters only, so `/`, `&`, `=`, `+` and `#` in a value cannot split a
    /// path segment or the query.
    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// The `?done=` confirmations a redirect asks the next page to show.
enum PageFlash: String, CaseIterable, Sendable {
    case password
    case uploaded
    case withdrawn
    case changeRequested = "change-requested"
    case approved
    case rejected
    case changeApproved = "change-approved"
    case changeRejected = "change-rejected"
    case entered
    case profileSaved = "profile-saved"
    case removed
    case postChanged = "post-changed"
    case orgCreated = "org-created"
    case orgDeleted = "org-deleted"
    case orgProfileSaved = "org-profile-saved"
    case adminApplied = "admin-applied"
    case adminRequested = "admin-requested"
    case adminChangeApproved = "admin-change-approved"
    case adminChangeRejected = "admin-change-rejected"
    case transferSubmitted = "transfer-submitted"
    case transferApproved = "transfer-approved"
    case transferCompleted = "transfer-completed"
    case transferRejected = "transfer-rejected"
    case transferAssigned = "transfer-assigned"
    case transferWithdrawn = "transfer-withdrawn"
    case graduationMarked = "graduation-marked"
    case delayMarked = "delay-marked"
    case delayRevoked = "delay-revoked"
    case gradingSubmitted = "grading-submitted"
    case gradingReviewed = "grading-reviewed"
    case noticePublished = "notice-published"
    case noticeRead = "notice-read"
    case activityRecorded = "activity-recorded"
    case activityEdited = "activity-edited"
    case activityWithdrawn = "activity-withdrawn"
    case selfCheckSubmitted = "self-check-submitted"
    case selfCheckDecided = "self-check-decided"
    case bottom20Marked = "bottom20-marked"
    case registrationSubmitted = "registration-submitted"
    case registrationApproved = "registration-approved"
    case registrationRejected = "registration-rejected"
    case attachmentAdded = "attachment-added"
    case attachmentWithdrawn = "attachment-withdrawn"

    var message: String {
        switch self {
        case .password: "密码已修改。"
        case .uploaded: "电子档案已上传。"
        case .withdrawn: "已撤回待审批的电子档案。"
        case .changeRequested: "修改申请已提交，等待上级团委审批。"
        case .approved: "已审批通过，该团员身份已认证。"
        case .rejected: "已退回，上传组织将看到不通过的理由。"
        case .changeApproved: "已同意修改申请，上传组织可上传一次新文件。"
        case .changeRejected: "已驳回修改申请。"
        case .entered: "团员已录入，初始密码为身份证号后8位，首次登录须修改。"
        case .profileSaved: "资料已保存。"
        case .removed: "该团员已删除，记录保留备查。"
        case .postChanged: "团内职务已变更，已记入团干部职务变更记录。"
        case .orgCreated: "下级组织已创建。请为其生成管理员注册码，由其管理员完善组织信息。"
        case .orgDeleted: "下级组织已删除，其记录仍保留在系统中。"
        case .orgProfileSaved: "组织信息已保存。"
        case .adminApplied: "管理员变更已生效。"
        case .adminRequested: "管理员变更申请已提交，等待上级组织审批（操作中心“管理员变更”）。"
        case .adminChangeApproved: "已同意管理员变更，变更已生效。"
        case .adminChangeRejected: "已驳回管理员变更申请。"
        case .transferSubmitted: "组织关系转接已提交，请在转接记录中查看各环节的审批进度。"
        case .transferApproved: "已审批通过，转接进入下一环节；最后一个环节通过后团员即转入新的团组织。"
        case .transferCompleted: "已审批通过，组织关系转接已完成，团员已转入新的团组织。"
        case .transferRejected: "已驳回该转接申请，发起人将看到驳回理由。"
        case .transferAssigned: "已分配团支部，该团员已转入所分配的团支部。"
        case .transferWithdrawn: "已撤回该转接申请。"
        case .delayMarked: "已标注延迟毕业，该团员将在延迟毕业年月所在年的6月1日转为毕业生。"
        case .delayRevoked: "已撤销延迟毕业，该团员随所在团支部毕业。"
        case .graduationMarked: "毕业标注已保存。标注后不能自行修改，如需更正请联系省级团委。"
        case .gradingSubmitted: "自评结果已提交，上级团委将在操作中心收到复核提示。"
        case .gradingReviewed: "复核结果已保存；12月31日中午12:00前可以修改。"
        case .noticePublished: "工作通知已发布，下级各组织管理员将在工作台看到。"
        case .registrationSubmitted: "年度团籍注册已提交，等待团支部审批。"
        case .attachmentAdded: "附件已上传。"
        case .attachmentWithdrawn: "附件已撤回，原文件作为历史保留。"
        case .registrationApproved: "已审批通过该团员的年度团籍注册。"
        case .registrationRejected: "已退回，团员将看到退回原因并可重新提交。"
        case .noticeRead: "已标记为已读。"
        case .activityRecorded: "已记录。如有误，可点击“修改”更正或“撤回”。"
        case .activityEdited: "已修改，原记录作为历史版本保留。"
        case .activityWithdrawn: "已撤回该记录。"
        case .selfCheckSubmitted: "自检表已提交，记为本月数据，等待直属上级审核。"
        case .selfCheckDecided: "审核结果已保存。"
        case .bottom20Marked: "已标记为排名后20%团支部，列入重点整顿。"
        }
    }

    /// The confirmation a request's `?done=` names; an unknown value shows nothing.
    static func of(_ request: Request) -> PageFlash? {
        request.uri.queryParameters["done"].flatMap { PageFlash(rawValue: String($0)) }
    }
}

/// The members list's status filter (`?status=`).
enum MemberStatusFilter: String, CaseIterable, Sendable {
    case all = ""
    case notUploaded = "not_uploaded"
    case pending
    case verified
    case rejected
    /// New members whose identity is not verified yet, whatever their archive's state (ARC-12).
    case unverified

    var label: String {
        switch self {
        case .all: "全部"
        case .unverified: "身份尚未认证"
        default: ArchiveStatus(rawValue: rawValue)?.chineseName ?? rawValue
        }
    }

    /// The archive status the repository can filter on, if the filter is one.
    var archiveStatus: ArchiveStatus? { ArchiveStatus(rawValue: rawValue) }

    /// The filter listing an ARC-12 alert's members.
    init(_ kind: ArchiveAlert.Kind) {
        switch kind {
        case .notUploaded: self = .notUploaded
        case .unverified: self = .unverified
        }
    }
}

/// The transfer lists' direction (`?direction=`): 办理转出 or 办理转入.
enum TransferDirection: String, CaseIterable, Sendable {
    case outgoing = "out"
    case incoming = "in"

    var label: String {
        switch self {
        case .outgoing: "转出"
        case .incoming: "转入"
        }
    }
}

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
    let renderer = PageRenderer.bundled

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
        case .reviewApprove: { try await decide($0, $1, approve: true) }
        case .reviewReject: { try await decide($0, $1, approve: false) }
        case .changeApprove: { try await decideChange($0, $1, approve: true) }
        case .changeReject: { try await decideChange($0, $1, approve: false) }
        case .thumbnail: thumbnail
        case .mine: mine
        case .staticAsset: staticAsset
        case .memberEntryForm: memberEntryForm
        case .memberEntry: memberEntry
        case .memberRecord: memberRecord
        case .memberRecordEdit: memberRecordEdit
        case .memberRemoval: memberRemoval
        case .cadres: cadreList
        case .cadrePost: cadrePost
        case .orgs: orgsPage
        case .orgCreatePreview: previewSubOrg
        case .orgCreate: createSubOrg
        case .orgDelete: deleteSubOrg
        case .orgProfile: orgProfilePage
        case .orgProfileSave: saveOrgProfile
        case .orgProgress: orgProgressPage
        case .registerForm: registerPage
        case .register: registerSubmit
        case .forgotForm: forgotPage
        case .forgot: forgotSubmit
        case .registrationCodes: registrationCodesPage
        case .registrationCodesIssueAll: issueAllCodes
        case .registrationCodeIssue: issueCode
        case .orgAdmins: orgAdminsPage
        case .orgAdminsChange: changeOrgAdmins
        case .memberResetCodeForm: resetCodePage
        case .memberResetCode: issueResetCode
        case .adminChange: adminChangePage
        case .adminChangeApprove: { try await decideAdminChange($0, $1, approve: true) }
        case .adminChangeReject: { try await decideAdminChange($0, $1, approve: false) }
        case .orgExport: exportSheet
        case .registrationCodesExport: exportRegistrationCodes
        case .childrenImportForm: childrenImportPage
        case .childrenImport: childrenImportSubmit
        case .memberImportForm: memberImportPage
        case .memberImport: memberImportSubmit
        case .myTransfers: myTransfersPage
        case .myTransferApply: myTransferApply
        case .orgTransfers: orgTransfersPage
        case .transferForm: transferFormPage
        case .transferSubmit: transferSubmitPage
        case .transfer: transferPage
        case .transferApprove: { try await decideTransfer($0, $1, .approve) }
        case .transferReject: { try await decideTransfer($0, $1, .reject) }
        case .transferAssign: { try await decideTransfer($0, $1, .assign) }
        case .transferWithdraw: { try await decideTransfer($0, $1, .withdraw) }
        case .graduation: graduationPage
        case .graduationMark: graduationMark
        case .grading: gradingPage
        case .gradingSubmit: gradingSubmit
        case .gradingReviews: gradingReviewsPage
        case .gradingReviewSubmit: gradingReviewSubmit
        case .orgNotices: orgNoticesPage
        case .orgNoticePublish: orgNoticePublish
        case .notice: noticePage
        case .noticeRead: noticeRead
        case .activities: activitiesPage
        case .activityCreate: activityCreate
        case .activityEdit: activityEditPage
        case .activitySave: activitySave
        case .activityWithdraw: activityWithdraw
        case .registrations: registrationsPage
        case .activityAttach: activityAttach
        case .noticeAttach: noticeAttach
        case .attachmentWithdraw: attachmentWithdraw
        case .rectificationStatistics: rectificationStatisticsPage
        case .registrationDecide: registrationDecide
        case .myRegistrations: myRegistrationsPage
        case .myRegistrationSubmit: myRegistrationSubmit
        case .rectification: rectificationPage
        case .rectificationSubmit: rectificationSubmit
        case .rectificationDecide: rectificationDecide
        case .rectificationBranches: rectificationBranchesPage
        case .rectificationMark: rectificationMark
        case .statistics: statisticsPage
        case .memberDelay: memberDelay
        case .memberDelayRevoke: memberDelayRevoke
        }
    }

    /// `/static/{asset}`: the stylesheet and script, by hashed or plain name.
    @Sendable func staticAsset(request: Request, context: AppRequestContext) async throws -> Response {
        guard let name = context.parameters.get(PageRoute.assetParameter), let response = renderer.assets.response(for: name) else {
            throw ServiceRefusal.notFound
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
}

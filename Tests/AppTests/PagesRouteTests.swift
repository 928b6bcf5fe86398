import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import Persistence
import Testing

@testable import App

@Suite("Page routes")
struct PagesRouteTests {
    static let member = PersonID(rawValue: "p-c1-03")!
    static let archive = ArchiveID(rawValue: "a-0001")!

    /// A link for each endpoint, with sample ids (the switch makes a new endpoint need one).
    static func sample(_ endpoint: PageRoute.Endpoint) -> PageRoute {
        switch endpoint {
        case .loginForm: .loginForm
        case .login: .login
        case .logout: .logout
        case .passwordForm: .passwordForm
        case .password: .password
        case .home: .home(org: OrgID(rawValue: "upc-cs")!, done: .password)
        case .members: .members(org: OrgID(rawValue: "upc-cs")!, status: .unverified, q: "马 &=#+/?", cursor: MemberListCursor(branch: OrgID(rawValue: "upc-cs-2020-1")!, person: member))
        case .member: .member(member, done: .uploaded)
        case .memberUpload: .memberUpload(member, csrf: "a+b/c=")
        case .memberWithdraw: .memberWithdraw(member)
        case .memberChangeRequest: .memberChangeRequest(member)
        case .inbox: .inbox(type: .archiveChangeRequest, cursor: "2026-11-25T02:00:00.000Z|a-1", done: .approved)
        case .review: .review(archive)
        case .reviewApprove: .reviewApprove(archive)
        case .reviewReject: .reviewReject(archive)
        case .changeApprove: .changeApprove(archive)
        case .changeReject: .changeReject(archive)
        case .thumbnail: .thumbnail(archive, version: 2, page: 12, width: 1200)
        case .mine: .mine(done: .password)
        case .staticAsset: .staticAsset("app.0123456789abcdef.css")
        case .memberEntryForm: .memberEntryForm(OrgID(rawValue: "upc-cs-2020-1")!)
        case .memberEntry: .memberEntry(OrgID(rawValue: "upc-cs-2020-1")!)
        case .memberRecord: .memberRecord(member, done: .profileSaved)
        case .memberRecordEdit: .memberRecordEdit(member)
        case .memberRemoval: .memberRemoval(member)
        case .cadres: .cadres(OrgID(rawValue: "upc-cs")!, done: .postChanged)
        case .cadrePost: .cadrePost(OrgID(rawValue: "upc-cs")!)
        case .orgs: .orgs(org: OrgID(rawValue: "upc-cs")!, done: .orgCreated)
        case .orgCreatePreview: .orgCreatePreview(OrgID(rawValue: "upc-cs")!)
        case .orgCreate: .orgCreate(OrgID(rawValue: "upc-cs")!)
        case .orgDelete: .orgDelete(OrgID(rawValue: "o1a2b3c4d5e6f")!)
        case .orgProfile: .orgProfile(OrgID(rawValue: "upc-cs-2020-1")!, done: .orgProfileSaved)
        case .orgProfileSave: .orgProfileSave(OrgID(rawValue: "upc-cs-2020-1")!)
        case .orgProgress: .orgProgress(OrgID(rawValue: "upc-cs")!, level: 7)
        case .registerForm: .registerForm(org: OrgID(rawValue: "upc-cs-2020-1")!, q: "1班 &=#")
        case .register: .register
        case .forgotForm: .forgotForm
        case .forgot: .forgot
        case .registrationCodes: .registrationCodes(OrgID(rawValue: "upc-cs-2020")!)
        case .registrationCodesIssueAll: .registrationCodesIssueAll(OrgID(rawValue: "upc-cs-2020")!)
        case .registrationCodeIssue: .registrationCodeIssue(OrgID(rawValue: "upc-cs-2020-1")!)
        case .orgAdmins: .orgAdmins(OrgID(rawValue: "upc-cs-2020-1")!, done: .adminRequested)
        case .orgAdminsChange: .orgAdminsChange(OrgID(rawValue: "upc-cs-2020-1")!)
        case .memberResetCodeForm: .memberResetCodeForm(member)
        case .memberResetCode: .memberResetCode(member)
        case .adminChange: .adminChange("0e4b-request")
        case .adminChangeApprove: .adminChangeApprove("0e4b-request")
        case .adminChangeReject: .adminChangeReject("0e4b-request")
        case .orgExport: .orgExport(OrgID(rawValue: "upc-cs")!, .members)
        case .registrationCodesExport: .registrationCodesExport(OrgID(rawValue: "upc-cs-2020")!)
        case .childrenImportForm: .childrenImportForm(OrgID(rawValue: "upc-cs")!)
        case .childrenImport: .childrenImport(OrgID(rawValue: "upc-cs")!, csrf: "a+b/c=")
        case .memberImportForm: .memberImportForm(OrgID(rawValue: "upc-cs-2020-1")!)
        case .memberImport: .memberImport(OrgID(rawValue: "upc-cs-2020-1")!, csrf: "a+b/c=")
        case .myTransfers: .myTransfers(q: "文学院 1班", done: .transferSubmitted)
        case .myTransferApply: .myTransferApply
        case .orgTransfers: .orgTransfers(OrgID(rawValue: "upc-cs-2020-1")!, direction: .incoming, done: .transferApproved)
        case .transferForm: .transferForm(OrgID(rawValue: "upc-cs-2020")!, kind: .batch, q: "a&b", from: OrgID(rawValue: "upc-cs-2020-1")!)
        case .transferSubmit: .transferSubmit(OrgID(rawValue: "upc-cs-2020")!)
        case .transfer: .transfer("t-1", done: .transferAssigned)
        case .transferApprove: .transferApprove("t-1")
        case .transferReject: .transferReject("t-1")
        case .transferAssign: .transferAssign("t-1")
        case .transferWithdraw: .transferWithdraw("t-1")
        case .graduation: .graduation(OrgID(rawValue: "upc-cs")!, done: .graduationMarked)
        case .graduationMark: .graduationMark(OrgID(rawValue: "upc-cs")!)
        case .memberDelay: .memberDelay(PersonID(rawValue: "p-c1-03")!)
        case .memberDelayRevoke: .memberDelayRevoke(PersonID(rawValue: "p-c1-03")!)
        case .grading: .grading(OrgID(rawValue: "upc-cs-2020-1")!, done: .gradingSubmitted)
        case .gradingSubmit: .gradingSubmit(OrgID(rawValue: "upc-cs-2020-1")!)
        case .gradingReviews: .gradingReviews(OrgID(rawValue: "upc-cs")!, done: .gradingReviewed)
        case .gradingReviewSubmit: .gradingReviewSubmit(OrgID(rawValue: "upc-cs")!)
        case .orgNotices: .orgNotices(OrgID(rawValue: "upc-cs")!, done: .noticePublished)
        case .orgNoticePublish: .orgNoticePublish(OrgID(rawValue: "upc-cs")!)
        case .notice: .notice("5b3d7f0e-1c2a-4e8b-9f6d-0a1b2c3d4e5f", done: .noticePublished)
        case .noticeRead: .noticeRead("5b3d7f0e-1c2a-4e8b-9f6d-0a1b2c3d4e5f")
        case .activities: .activities(OrgID(rawValue: "upc-cs-2020-1")!, done: .activityRecorded)
        case .activityCreate: .activityCreate(OrgID(rawValue: "upc-cs-2020-1")!)
        case .activityEdit: .activityEdit("5b3d7f0e-1c2a-4e8b-9f6d-0a1b2c3d4e5f")
        case .activitySave: .activitySave("5b3d7f0e-1c2a-4e8b-9f6d-0a1b2c3d4e5f")
        case .activityWithdraw: .activityWithdraw("5b3d7f0e-1c2a-4e8b-9f6d-0a1b2c3d4e5f")
        case .rectification: .rectification(OrgID(rawValue: "upc-cs-2020-1")!, done: .selfCheckSubmitted)
        case .rectificationSubmit: .rectificationSubmit(OrgID(rawValue: "upc-cs-2020-1")!)
        case .rectificationDecide: .rectificationDecide(OrgID(rawValue: "upc-cs-2020-1")!)
        case .rectificationBranches: .rectificationBranches(OrgID(rawValue: "upc-cs-2020")!, done: .bottom20Marked)
        case .rectificationMark: .rectificationMark(OrgID(rawValue: "upc-cs-2020")!)
        case .rectificationStatistics: .rectificationStatistics(OrgID(rawValue: "upc-cs")!)
        case .statistics: .statistics(OrgID(rawValue: "upc-cs")!)
        case .registrations:
            .registrations(
                OrgID(rawValue: "upc-cs-2020-1")!, filter: .init(name: "林 &=#+/?", status: "pending", from: "2026-11-01", to: "2026-11-30"),
                cursor: "2026-11-20T02:00:00.000Z~5b3d7f0e-1c2a-4e8b-9f6d-0a1b2c3d4e5f", done: .registrationApproved)
        case .registrationDecide: .registrationDecide("5b3d7f0e-1c2a-4e8b-9f6d-0a1b2c3d4e5f")
        case .myRegistrations: .myRegistrations(done: .registrationSubmitted)
        case .myRegistrationSubmit: .myRegistrationSubmit
        case .activityAttach: .activityAttach("5b3d7f0e-1c2a-4e8b-9f6d-0a1b2c3d4e5f", csrf: "a+b/c=")
        case .noticeAttach: .noticeAttach("5b3d7f0e-1c2a-4e8b-9f6d-0a1b2c3d4e5f", csrf: "a+b/c=")
        case .attachmentWithdraw: .attachmentWithdraw("5b3d7f0e-1c2a-4e8b-9f6d-0a1b2c3d4e5f")
        }
    }

    @Test("every link, built with sample ids, reaches its own endpoint through the router with its parameters")
    func linksResolve() async throws {
        let router = Router(context: AppRequestContext.self)
        PageRoute.register(on: router.group()) { endpoint in
            { request, context in
                // Echo what the router matched, so the test sees the endpoint and the parameters.
                let names = Self.placeholders(endpoint.pattern)
                let parameters = names.map { "\($0)=\(context.parameters.get($0) ?? "?")" }.joined(separator: ";")
                return Response(
                    status: .ok,
                    headers: [
                        HTTPField.Name("X-Endpoint")!: endpoint.rawValue,
                        HTTPField.Name("X-Parameters")!: PageRoute.encode(parameters),
                    ])
            }
        }
        let app = Application(router: router)
        try await app.test(.router) { client in
            for endpoint in PageRoute.Endpoint.allCases {
                let route = Self.sample(endpoint)
                let response = try await client.execute(uri: route.href, method: endpoint.method)
                #expect(response.status == .ok, "\(endpoint) \(route.href)")
                #expect(response.headers[HTTPField.Name("X-Endpoint")!] == endpoint.rawValue, "\(route.href)")
                let expected = Self.placeholders(endpoint.pattern).map { "\($0)=\(route.parameters[$0] ?? "missing")" }
                    .joined(separator: ";")
                #expect(response.headers[HTTPField.Name("X-Parameters")!] == PageRoute.encode(expected), "\(route.href)")
            }
        }
    }

    @Test("each route names the endpoint it is registered under; GET and POST /password share a path")
    func endpoints() {
        for endpoint in PageRoute.Endpoint.allCases {
            #expect(Self.sample(endpoint).endpoint == endpoint)
        }
        #expect(PageRoute.passwordForm.href == PageRoute.password.href)
        #expect(PageRoute.Endpoint.passwordForm.method == .get)
        #expect(PageRoute.Endpoint.password.method == .post)
    }

    @Test("query strings are percent-encoded, in a fixed order, without empty values")
    func queries() throws {
        let org = OrgID(rawValue: "upc-cs")!
        #expect(PageRoute.members(org: org, status: .notUploaded).href == "/members?org=upc-cs&status=not_uploaded")
        #expect(PageRoute.members(org: org).href == "/members?org=upc-cs")
        #expect(PageRoute.members().href == "/members")
        #expect(PageRoute.inbox().href == "/inbox")
        #expect(PageRoute.inbox(type: .archiveApproval).href == "/inbox?type=archive_approval")
        #expect(PageRoute.member(Self.member, done: .changeRequested).href == "/members/p-c1-03?done=change-requested")
        #expect(PageRoute.thumbnail(Self.archive, version: 1, page: 3, width: 200).href == "/archives/a-0001/versions/1/pages/3.png?w=200")
        #expect(PageRoute.thumbnail(Self.archive, version: 1, page: 3, width: 1200).href == "/archives/a-0001/versions/1/pages/3.png?w=1200")
        #expect(Thumbnails.fullWidth == 1200)
        let q = "马 &=#+/?"
        let href = PageRoute.members(org: org, q: q).href
        #expect(!href.contains(" ") && !href.contains("#") && href.components(separatedBy: "&").count == 2)
        #expect(URI(href).queryParameters["q"].map(String.init) == q)
        #expect(URI(PageRoute.memberUpload(Self.member, csrf: "a+b/c=").href).queryParameters["csrf"] == "a+b/c=")
    }

    static func placeholders(_ pattern: String) -> [String] {
        pattern.split(separator: "{").dropFirst().map { String($0.prefix { $0 != "}" }) }
    }
}

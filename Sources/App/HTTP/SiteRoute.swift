import Domain
import HTTPTypes
import Hummingbird
import Persistence

/// The verbs of `POST /api/v1/archives/{archiveId}/…`.
enum ArchiveDecisionVerb: String, Sendable { case approve, reject, withdraw }

/// The verbs of `POST /api/v1/transfers/{transferId}/…`.
enum TransferVerb: String, Sendable, CaseIterable { case approve, reject, withdraw, assign }

/// Every path the service serves, used both to register routes (with `{param}` placeholders)
/// and to build links (with real ids), so the two never drift apart.
enum SiteRoute: Sendable {
    case healthz
    case readyz
    case login
    case logout
    case me
    case mePassword
    case org(OrgID?)
    case orgChildren(OrgID?)
    case orgMembers(OrgID?)
    case member(PersonID?)
    case memberArchive(PersonID?)
    case memberArchivePDF(PersonID?)
    case myArchive
    case myArchivePDF
    case myAlerts
    case archiveDecision(ArchiveID?, ArchiveDecisionVerb)
    case changeRequests(PersonID?)
    case changeRequestDecision(PersonID?, String?, approve: Bool)
    case inbox
    case inboxCounts
    case orgArchives(OrgID?)
    case archiveSearch
    case orgNewMemberStats(OrgID?)
    case orgAudit(OrgID?)
    case transfers
    case transfer(String?)
    case transferDecision(String?, TransferVerb)
    case memberTransfers(PersonID?)
    case orgTransfers(OrgID?)
    // Graduation (GRD-1 … GRD-5)
    case graduationMarks(OrgID?)
    case delayedGraduation(PersonID?)
    // Member records and cadres (issue 9, members)
    case memberRecord(PersonID?)
    case memberRemoval(PersonID?)
    case identityCheckRequest(OrgID?)
    case identityCheckAnswers(OrgID?)
    case orgCadres(OrgID?)
    case orgCadre(OrgID?, PersonID?)
    case orgCadreHistory(OrgID?)
    case reference
    case orgChildrenPreview(OrgID?)
    case orgProfile(OrgID?)
    case orgProgress(OrgID?)
    // Admin onboarding (ADM-1 … ADM-5)
    case orgRegistrationCode(OrgID?)
    case orgRegistrationCodes(OrgID?)
    case register
    case registerOrgs
    case orgAdmins(OrgID?)
    case adminChange(String?)
    case adminChangeDecision(String?, approve: Bool)
    case memberResetCode(PersonID?)
    case passwordReset
    case orgAdminAudit(OrgID?)
    // Exports (issue 9 item 7): `…/members.xlsx`, `…/children.xlsx`, …
    case orgExport(OrgID?, ExportKind)
    // Imports (issue 9 items 2, 6, 7): templates and uploads
    case orgChildrenTemplate(OrgID?)
    case orgChildrenImport(OrgID?)
    case orgMembersTemplate(OrgID?)
    case orgMembersImport(OrgID?)
    // Grading 对标定级 (GRA-1 … GRA-5), per year
    case orgGrading(OrgID?, Int?)
    case orgGradingSelf(OrgID?, Int?)
    case orgGradingReviews(OrgID?, Int?)
    case orgGradingSubordinates(OrgID?, Int?)
    // Work notices 工作通知
    case orgNotices(OrgID?)
    case myNotices
    case notice(String?)
    case noticeRead(String?)
    case noticeReaders(String?)
    // 组织整顿 (RCT-1 … RCT-4), per year
    case orgRectification(OrgID?, Int?)
    case orgRectificationSelfCheck(OrgID?, Int?)
    case orgRectificationDecision(OrgID?, Int?)
    case orgRectificationBottom20(OrgID?, Int?)
    case orgRectificationBranches(OrgID?, Int?)
    case orgRectificationStatistics(OrgID?, Int?)
    // 团内大数据 (STA-1)
    case orgStats(OrgID?)
    // 三会·两制·一课 and 团日活动 (ACT-1)
    case orgActivities(OrgID?)
    case activity(String?)
    case memberActivities(PersonID?)
    // 年度团籍注册 and its approval (ACT-1)
    case memberRegistrations(PersonID?)
    case orgRegistrations(OrgID?)
    case registrationDecision(String?)
    // Attachments of meeting records and work notices
    case activityAttachments(String?)
    case noticeAttachments(String?)
    case attachment(String?)

    static let orgParameter = "orgId"
    static let memberParameter = "memberId"
    static let archiveParameter = "archiveId"
    static let changeRequestParameter = "requestId"
    static let transferParameter = "transferId"
    static let yearParameter = "year"
    static let noticeParameter = "noticeId"
    static let activityParameter = "activityId"
    static let registrationParameter = "registrationId"
    static let attachmentParameter = "attachmentId"

    /// The path with ids filled in; `{orgId}`-style placeholders where an id is nil.
    var path: String {
        func org(_ id: OrgID?) -> String { id?.rawValue ?? "{\(Self.orgParameter)}" }
        func member(_ id: PersonID?) -> String { id?.rawValue ?? "{\(Self.memberParameter)}" }
        func year(_ year: Int?) -> String { year.map(String.init) ?? "{\(Self.yearParameter)}" }
        switch self {
        case .healthz: return "/healthz"
        case .readyz: return "/readyz"
        case .login: return "/api/v1/login"
        case .logout: return "/api/v1/logout"
        case .me: return "/api/v1/me"
        case .mePassword: return "/api/v1/me/password"
        case .org(let id): return "/api/v1/orgs/\(org(id))"
        case .orgChildren(let id): return "/api/v1/orgs/\(org(id))/children"
        case .orgMembers(let id): return "/api/v1/orgs/\(org(id))/members"
        case .member(let id): return "/api/v1/members/\(member(id))"
        case .memberArchive(let id): return "/api/v1/members/\(member(id))/archive"
        case .memberArchivePDF(let id): return "/api/v1/members/\(member(id))/archive/pdf"
        case .myArchive: return "/api/v1/me/archive"
        case .myArchivePDF: return "/api/v1/me/archive/pdf"
        case .myAlerts: return "/api/v1/me/alerts"
        case .archiveDecision(let id, let verdict):
            return "/api/v1/archives/\(id?.rawValue ?? "{\(Self.archiveParameter)}")/\(verdict.rawValue)"
        case .changeRequests(let id): return "/api/v1/members/\(member(id))/archive/change-requests"
        case .changeRequestDecision(let id, let request, let approve):
            return "/api/v1/members/\(member(id))/archive/change-requests/\(request ?? "{\(Self.changeRequestParameter)}")/\(approve ? "approve" : "reject")"
        case .inbox: return "/api/v1/inbox"
        case .inboxCounts: return "/api/v1/inbox/counts"
        case .orgArchives(let id): return "/api/v1/orgs/\(org(id))/archives"
        case .archiveSearch: return "/api/v1/archives/search"
        case .orgNewMemberStats(let id): return "/api/v1/orgs/\(org(id))/stats/new-members"
        case .orgAudit(let id): return "/api/v1/orgs/\(org(id))/audit"
        case .transfers: return "/api/v1/transfers"
        case .transfer(let id): return "/api/v1/transfers/\(id ?? "{\(Self.transferParameter)}")"
        case .transferDecision(let id, let verb): return "/api/v1/transfers/\(id ?? "{\(Self.transferParameter)}")/\(verb.rawValue)"
        case .memberTransfers(let id): return "/api/v1/members/\(member(id))/transfers"
        case .orgTransfers(let id): return "/api/v1/orgs/\(org(id))/transfers"
        case .graduationMarks(let id): return "/api/v1/orgs/\(org(id))/graduation-marks"
        case .delayedGraduation(let id): return "/api/v1/members/\(member(id))/delayed-graduation"
        case .memberRecord(let id): return "/api/v1/members/\(member(id))/record"
        case .memberRemoval(let id): return "/api/v1/members/\(member(id))/removal"
        case .identityCheckRequest(let id): return "/api/v1/orgs/\(org(id))/identity-checks/pending.csv"
        case .identityCheckAnswers(let id): return "/api/v1/orgs/\(org(id))/identity-checks/answers"
        case .orgCadres(let id): return "/api/v1/orgs/\(org(id))/cadres"
        case .orgCadre(let id, let person): return "/api/v1/orgs/\(org(id))/cadres/\(member(person))/post"
        case .orgCadreHistory(let id): return "/api/v1/orgs/\(org(id))/cadres/history"
        case .reference: return "/api/v1/reference"
        case .orgChildrenPreview(let id): return "/api/v1/orgs/\(org(id))/children/preview"
        case .orgProfile(let id): return "/api/v1/orgs/\(org(id))/profile"
        case .orgProgress(let id): return "/api/v1/orgs/\(org(id))/progress"
        case .orgRegistrationCode(let id): return "/api/v1/orgs/\(org(id))/registration-code"
        case .orgRegistrationCodes(let id): return "/api/v1/orgs/\(org(id))/registration-codes"
        case .register: return "/api/v1/register"
        case .registerOrgs: return "/api/v1/register/orgs"
        case .orgAdmins(let id): return "/api/v1/orgs/\(org(id))/admins"
        case .adminChange(let id): return "/api/v1/admin-changes/\(id ?? "{\(Self.changeRequestParameter)}")"
        case .adminChangeDecision(let id, let approve):
            return "/api/v1/admin-changes/\(id ?? "{\(Self.changeRequestParameter)}")/\(approve ? "approve" : "reject")"
        case .memberResetCode(let id): return "/api/v1/members/\(member(id))/reset-code"
        case .passwordReset: return "/api/v1/password-reset"
        case .orgAdminAudit(let id): return "/api/v1/orgs/\(org(id))/admin-audit"
        case .orgExport(let id, let kind): return "/api/v1/orgs/\(org(id))/\(kind.rawValue).xlsx"
        case .orgChildrenTemplate(let id): return "/api/v1/orgs/\(org(id))/children/template.xlsx"
        case .orgChildrenImport(let id): return "/api/v1/orgs/\(org(id))/children/import"
        case .orgMembersTemplate(let id): return "/api/v1/orgs/\(org(id))/members/template.xlsx"
        case .orgMembersImport(let id): return "/api/v1/orgs/\(org(id))/members/import"
        case .orgGrading(let id, let y): return "/api/v1/orgs/\(org(id))/grading/\(year(y))"
        case .orgGradingSelf(let id, let y): return "/api/v1/orgs/\(org(id))/grading/\(year(y))/self"
        case .orgGradingReviews(let id, let y): return "/api/v1/orgs/\(org(id))/grading/\(year(y))/reviews"
        case .orgGradingSubordinates(let id, let y): return "/api/v1/orgs/\(org(id))/grading/\(year(y))/subordinates"
        case .orgNotices(let id): return "/api/v1/orgs/\(org(id))/notices"
        case .myNotices: return "/api/v1/me/notices"
        case .notice(let id): return "/api/v1/notices/\(id ?? "{\(Self.noticeParameter)}")"
        case .noticeRead(let id): return "/api/v1/notices/\(id ?? "{\(Self.noticeParameter)}")/read"
        case .noticeReaders(let id): return "/api/v1/notices/\(id ?? "{\(Self.noticeParameter)}")/readers"
        case .orgActivities(let id): return "/api/v1/orgs/\(org(id))/activities"
        case .orgStats(let id): return "/api/v1/orgs/\(org(id))/stats"
        case .orgRectification(let id, let y): return "/api/v1/orgs/\(org(id))/rectification/\(year(y))"
        case .orgRectificationSelfCheck(let id, let y): return "/api/v1/orgs/\(org(id))/rectification/\(year(y))/self-check"
        case .orgRectificationDecision(let id, let y): return "/api/v1/orgs/\(org(id))/rectification/\(year(y))/decision"
        case .orgRectificationBottom20(let id, let y): return "/api/v1/orgs/\(org(id))/rectification/\(year(y))/bottom20"
        case .orgRectificationBranches(let id, let y): return "/api/v1/orgs/\(org(id))/rectification/\(year(y))/branches"
        case .orgRectificationStatistics(let id, let y): return "/api/v1/orgs/\(org(id))/rectification/\(year(y))/statistics"
        case .activity(let id): return "/api/v1/activities/\(id ?? "{\(Self.activityParameter)}")"
        case .memberActivities(let id): return "/api/v1/members/\(member(id))/activities"
        case .memberRegistrations(let id): return "/api/v1/members/\(member(id))/registrations"
        case .orgRegistrations(let id): return "/api/v1/orgs/\(org(id))/registrations"
        case .registrationDecision(let id): return "/api/v1/registrations/\(id ?? "{\(Self.registrationParameter)}")/decision"
        case .activityAttachments(let id): return "/api/v1/activities/\(id ?? "{\(Self.activityParameter)}")/attachments"
        case .noticeAttachments(let id): return "/api/v1/notices/\(id ?? "{\(Self.noticeParameter)}")/attachments"
        case .attachment(let id): return "/api/v1/attachments/\(id ?? "{\(Self.attachmentParameter)}")"
        }
    }

    /// Every route with the methods it is registered for (HEAD answers wherever GET does):
    /// what a 405's `Allow` lists. `RouteMethodsTests` checks it against the router.
    static let registered: [(route: SiteRoute, methods: [HTTPRequest.Method])] = [
        (.healthz, [.get]), (.readyz, [.get]), (.login, [.post]), (.logout, [.post]), (.me, [.get]), (.mePassword, [.post]),
        (.org(nil), [.get, .delete]), (.orgChildren(nil), [.get, .post]), (.orgMembers(nil), [.get, .post]), (.member(nil), [.get, .patch]),
        (.memberArchive(nil), [.get, .put]), (.memberArchivePDF(nil), [.get]), (.myArchive, [.get]), (.myArchivePDF, [.get]),
        (.myAlerts, [.get]), (.archiveDecision(nil, .approve), [.post]), (.archiveDecision(nil, .reject), [.post]),
        (.archiveDecision(nil, .withdraw), [.post]), (.changeRequests(nil), [.get, .post]),
        (.changeRequestDecision(nil, nil, approve: true), [.post]), (.changeRequestDecision(nil, nil, approve: false), [.post]),
        (.inbox, [.get]), (.inboxCounts, [.get]), (.orgArchives(nil), [.get]), (.archiveSearch, [.get]), (.orgNewMemberStats(nil), [.get]),
        (.orgAudit(nil), [.get]), (.transfers, [.post]), (.transfer(nil), [.get]), (.memberTransfers(nil), [.get]),
        (.orgTransfers(nil), [.get]), (.graduationMarks(nil), [.get, .post]), (.delayedGraduation(nil), [.get, .post, .delete]),
        (.memberRecord(nil), [.get]), (.memberRemoval(nil), [.post]), (.identityCheckRequest(nil), [.get]),
        (.identityCheckAnswers(nil), [.post]), (.orgCadres(nil), [.get, .post]), (.orgCadre(nil, nil), [.patch]),
        (.orgCadreHistory(nil), [.get]),
        (.reference, [.get]), (.orgChildrenPreview(nil), [.post]), (.orgProfile(nil), [.get, .patch]), (.orgProgress(nil), [.get]),
        (.orgRegistrationCode(nil), [.post]), (.orgRegistrationCodes(nil), [.get, .post]), (.register, [.post]),
        (.registerOrgs, [.get]), (.orgAdmins(nil), [.get, .post]), (.adminChange(nil), [.get]),
        (.adminChangeDecision(nil, approve: true), [.post]), (.adminChangeDecision(nil, approve: false), [.post]),
        (.memberResetCode(nil), [.post]), (.passwordReset, [.post]), (.orgAdminAudit(nil), [.get]),
        (.orgChildrenTemplate(nil), [.get]), (.orgChildrenImport(nil), [.post]), (.orgMembersTemplate(nil), [.get]),
        (.orgMembersImport(nil), [.post]), (.orgGrading(nil, nil), [.get]), (.orgGradingSelf(nil, nil), [.put]),
        (.orgGradingReviews(nil, nil), [.post]), (.orgGradingSubordinates(nil, nil), [.get]),
        (.orgNotices(nil), [.get, .post]), (.myNotices, [.get]), (.notice(nil), [.get]), (.noticeRead(nil), [.post]),
        (.noticeReaders(nil), [.get]), (.orgActivities(nil), [.get, .post]), (.activity(nil), [.get, .patch, .delete]),
        (.memberActivities(nil), [.get]), (.orgRectification(nil, nil), [.get]), (.orgRectificationSelfCheck(nil, nil), [.put]),
        (.orgRectificationDecision(nil, nil), [.post]), (.orgRectificationBottom20(nil, nil), [.post]),
        (.orgRectificationBranches(nil, nil), [.get]), (.orgRectificationStatistics(nil, nil), [.get]), (.orgStats(nil), [.get]),
        (.memberRegistrations(nil), [.get, .post]), (.orgRegistrations(nil), [.get]), (.registrationDecision(nil), [.post]),
        (.activityAttachments(nil), [.post]), (.noticeAttachments(nil), [.post]), (.attachment(nil), [.get, .delete]),
    ] + TransferVerb.allCases.map { (route: SiteRoute.transferDecision(nil, $0), methods: [.post]) }
        + ExportKind.allCases.map { (route: SiteRoute.orgExport(nil, $0), methods: $0 == .registrationCodes ? [.get, .post] : [.get]) }

    /// The router pattern (`:orgId` placeholders).
    var pattern: RouterPath {
        RouterPath(path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: ""))
    }
}

extension AppRequestContext {
    func orgID() throws -> OrgID {
        guard let raw = parameters.get(SiteRoute.orgParameter), let id = OrgID(rawValue: raw) else { throw ServiceRefusal.notFound }
        return id
    }

    /// The `{year}` of a path: four digits.
    func year() throws -> Int {
        guard let raw = parameters.get(SiteRoute.yearParameter), raw.utf8.count == 4, let year = Int(raw), year >= 2000 else {
            throw ServiceRefusal.notFound
        }
        return year
    }

    func memberID() throws -> PersonID {
        guard let raw = parameters.get(SiteRoute.memberParameter), let id = PersonID(rawValue: raw) else { throw ServiceRefusal.notFound }
        return id
    }

    /// An activity's id: a lower-case UUID as `newIdentifier` makes them.
    func activityID() throws -> String {
        guard let raw = parameters.get(SiteRoute.activityParameter), let id = ArchiveID(rawValue: raw) else { throw ServiceRefusal.notFound }
        return id.rawValue
    }

    /// An attachment's id: a lower-case UUID as `newIdentifier` makes them.
    func attachmentID() throws -> String {
        guard let raw = parameters.get(SiteRoute.attachmentParameter), let id = ArchiveID(rawValue: raw) else {
            throw ServiceRefusal.notFound
        }
        return id.rawValue
    }

    /// A registration's id: a lower-case UUID as `newIdentifier` makes them.
    func registrationID() throws -> String {
        guard let raw = parameters.get(SiteRoute.registrationParameter), let id = ArchiveID(rawValue: raw) else {
            throw ServiceRefusal.notFound
        }
        return id.rawValue
    }

    /// A notice's id: a lower-case UUID as `newIdentifier` makes them.
    func noticeID() throws -> String {
        guard let raw = parameters.get(SiteRoute.noticeParameter), let id = ArchiveID(rawValue: raw) else { throw ServiceRefusal.notFound }
        return id.rawValue
    }

    func transferID() throws -> String {
        guard let raw = parameters.get(SiteRoute.transferParameter), !raw.isEmpty, raw.count <= 64,
            raw.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") })
        else { throw ServiceRefusal.notFound }
        return raw
    }

    func archiveID() throws -> ArchiveID {
        guard let raw = parameters.get(SiteRoute.archiveParameter), let id = ArchiveID(rawValue: raw) else { throw ServiceRefusal.notFound }
        return id
    }
}

import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Persistence

/// An admin-change request as the API and the operation centre show it. The appointee's ID
/// number is masked: lists never show it whole.
struct AdminChangeResponse: ResponseEncodable, Sendable {
    let id: String
    let orgId: String
    let orgName: String
    let kind: String
    let appointeeId: String?
    let appointeeName: String?
    let appointeeIdNumber: String?
    let replacesId: String?
    let replacesName: String?
    let requestedById: String
    let requestedByName: String?
    let requestedAt: String
    let state: String
    let reason: String?

    init(_ item: AdminChangeItem) {
        id = item.request.id
        orgId = item.org.id.rawValue
        orgName = item.org.name
        switch item.request.change {
        case .add: kind = "add"
        case .replace: kind = "replace"
        case .revoke: kind = "revoke"
        }
        appointeeId = item.request.change.appointee?.rawValue
        appointeeName = item.appointee?.name
        appointeeIdNumber = item.appointee?.idNumber.masked
        replacesId = item.replaced?.id.rawValue
        replacesName = item.replaced?.name
        requestedById = item.request.requestedBy.rawValue
        requestedByName = item.requester?.name
        requestedAt = item.request.requestedAt.text
        state = item.request.state.code
        if case .rejected(let r) = item.request.state { reason = r } else { reason = nil }
    }
}

/// Registration codes, `/register`, admins and their changes, reset codes and `/password-reset`
/// (ADM-1 … ADM-5): decoding and encoding around `AdminWorkflow`.
struct AdminController {
    let admins: AdminWorkflow
    let config: AppConfig

    /// Routes that need no session: registering and resetting a forgotten password.
    func registerPublic(on group: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.register.pattern, use: register)
        group.get(SiteRoute.registerOrgs.pattern, use: searchOrgs)
        group.post(SiteRoute.passwordReset.pattern, use: resetPassword)
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.orgRegistrationCode(nil).pattern, use: issueCode)
        group.get(SiteRoute.orgRegistrationCodes(nil).pattern, use: codes)
        group.post(SiteRoute.orgRegistrationCodes(nil).pattern, use: issueAll)
        group.get(SiteRoute.orgAdmins(nil).pattern, use: listAdmins)
        group.post(SiteRoute.orgAdmins(nil).pattern, use: changeAdmins)
        group.get(SiteRoute.adminChange(nil).pattern, use: changeRequest)
        group.post(SiteRoute.adminChangeDecision(nil, approve: true).pattern) { try await decide($0, $1, approve: true) }
        group.post(SiteRoute.adminChangeDecision(nil, approve: false).pattern) { try await decide($0, $1, approve: false) }
        group.post(SiteRoute.memberResetCode(nil).pattern, use: issueResetCode)
        group.get(SiteRoute.orgAdminAudit(nil).pattern, use: audit)
    }

    // MARK: ADM-1

    struct CodeResponse: ResponseEncodable {
        let orgId: String
        let orgName: String
        let code: String
        let expiresAt: String

        init(_ issued: IssuedRegistrationCode) {
            orgId = issued.org.id.rawValue
            orgName = issued.org.fullName
            code = issued.code.value
            expiresAt = issued.expiresAt.text
        }
    }

    @Sendable func issueCode(request: Request, context: AppRequestContext) async throws -> Response {
        let issued = try await admins.issueRegistrationCode(try context.requireActor(), for: try context.orgID())
        context.logger.info("registration code issued", metadata: ["org_id": .string(issued.org.id.rawValue)])
        return try CodeResponse(issued).noStore(status: .created, request: request, context: context)
    }

    struct CodeList: ResponseEncodable { let items: [CodeResponse] }

    @Sendable func issueAll(request: Request, context: AppRequestContext) async throws -> Response {
        let issued = try await admins.generateForAllChildren(try context.requireActor(), parent: try context.orgID())
        return try CodeList(items: issued.map(CodeResponse.init)).noStore(status: .created, request: request, context: context)
    }

    struct CodeStatus: Encodable {
        let orgId: String
        let orgName: String
        let fullName: String
        let admins: Int
        /// `none`, `valid`, `used` or `expired`: the current code's state (the code itself is never stored).
        let codeState: String
        let issuedAt: String?
        let expiresAt: String?
        let canIssue: Bool

        init(_ s: ChildCodeStatus, now: Timestamp) {
            orgId = s.org.id.rawValue
            orgName = s.org.name
            fullName = s.org.fullName
            admins = s.admins
            codeState = Self.state(s.current, now: now)
            issuedAt = s.current?.issuedAt.text
            expiresAt = s.current?.expiresAt.text
            canIssue = s.canIssue
        }

        static func state(_ code: StoredCode?, now: Timestamp) -> String {
            guard let code else { return "none" }
            if code.usedAt != nil { return "used" }
            return code.expiresAt > now ? "valid" : "expired"
        }
    }

    struct CodeStatusList: ResponseEncodable {
        let orgId: String
        let items: [CodeStatus]
    }

    @Sendable func codes(request: Request, context: AppRequestContext) async throws -> CodeStatusList {
        let (org, children) = try await admins.registrationCodes(try context.requireActor(), parent: try context.orgID())
        let now = admins.clock.now()
        return CodeStatusList(orgId: org.id.rawValue, items: children.map { CodeStatus($0, now: now) })
    }

    // MARK: ADM-2

    struct RegisterRequest: Decodable {
        let orgId: String
        let post: String
        let code: String
        let name: String
        let gender: String?
        let idNumber: String
        let joinedOn: String
        let mobile: String
        let password: String
    }

    struct RegisterResponse: ResponseEncodable {
        let personId: String
        let accountId: String
        let orgId: String
        let orgName: String
        let slot: Int
        /// The account existed already (a cadre of another org): it keeps its password and now
        /// administers one more org (ADM-7).
        let existingAccount: Bool
    }

    static func gender(_ raw: String?) -> Gender? {
        switch raw?.trimmingCharacters(in: .whitespaces) {
        case "male", "男": .male
        case "female", "女": .female
        default: nil
        }
    }

    @Sendable func register(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: RegisterRequest.self, context: context)
        let form = RegistrationForm(
            orgID: body.orgId, code: body.code,
            draft: AdminRegistrationDraft(
                name: body.name, gender: Self.gender(body.gender), idNumber: body.idNumber, joinedOn: body.joinedOn, mobile: body.mobile,
                post: body.post),
            password: body.password)
        let address = context.loginAddress(of: request, trustedProxies: config.trustedProxies)
        let done = try await admins.register(form, address: address)
        context.logger.info("admin registered", metadata: ["org_id": .string(done.org.id.rawValue), "person_id": .string(done.personID.rawValue)])
        return try RegisterResponse(
            personId: done.personID.rawValue, accountId: done.accountID.rawValue, orgId: done.org.id.rawValue, orgName: done.org.fullName,
            slot: done.slot, existingAccount: done.existingAccount
        ).noStore(status: .created, request: request, context: context)
    }

    struct OrgChoice: Encodable {
        let id: String
        let name: String
        let fullName: String
    }

    struct OrgChoices: ResponseEncodable { let items: [OrgChoice] }

    @Sendable func searchOrgs(request: Request, context: AppRequestContext) async throws -> OrgChoices {
        let orgs = try await admins.searchOrgs(request.uri.queryParameters["q"].map(String.init) ?? "")
        return OrgChoices(items: orgs.map { OrgChoice(id: $0.id.rawValue, name: $0.name, fullName: $0.fullName) })
    }

    // MARK: ADM-3 / ADM-4

    struct AdminsResponse: ResponseEncodable {
        struct Admin: Encodable {
            let slot: Int
            let personId: String
            let name: String
        }
        struct Cadre: Encodable {
            let personId: String
            let name: String
            let post: String
            let isAdmin: Bool
        }
        let orgId: String
        let admins: [Admin]
        let cadres: [Cadre]
        let pending: [AdminChangeResponse]
        /// `immediate` (the caller is the parent's admin) or `approval` (a request for the parent).
        let changeTakesEffect: String
    }

    @Sendable func listAdmins(request: Request, context: AppRequestContext) async throws -> AdminsResponse {
        let o = try await admins.admins(try context.requireActor(), org: try context.orgID())
        let adminIDs = Set(o.admins.map(\.person.id))
        return AdminsResponse(
            orgId: o.org.id.rawValue, admins: o.admins.map { .init(slot: $0.slot, personId: $0.person.id.rawValue, name: $0.person.name) },
            cadres: o.cadres.map {
                .init(personId: $0.person.id.rawValue, name: $0.person.name, post: $0.post.title, isAdmin: adminIDs.contains($0.person.id))
            },
            pending: o.pending.map(AdminChangeResponse.init), changeTakesEffect: o.route == .immediate ? "immediate" : "approval")
    }

    struct ChangeRequestBody: Decodable {
        /// `add`, `replace` or `revoke`.
        let action: String
        let personId: String
        let replacesPersonId: String?
    }

    struct ChangeOutcomeResponse: ResponseEncodable {
        /// `applied` or `pending`.
        let status: String
        let requestId: String?
    }

    static func change(action: String, person: String, replaces: String?) throws -> AdminChange {
        guard let p = PersonID(rawValue: person) else { throw ServiceRefusal.badRequest("personId 无效") }
        switch action {
        case "add": return .add(p)
        case "revoke": return .revoke(p)
        case "replace":
            guard let old = replaces.flatMap(PersonID.init(rawValue:)) else { throw ServiceRefusal.badRequest("替换管理员须提供 replacesPersonId") }
            return .replace(old, with: p)
        default: throw ServiceRefusal.badRequest("action 须为 add、replace 或 revoke")
        }
    }

    @Sendable func changeAdmins(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: ChangeRequestBody.self, context: context)
        let change = try Self.change(action: body.action, person: body.personId, replaces: body.replacesPersonId)
        let outcome = try await admins.changeAdmins(try context.requireActor(), org: try context.orgID(), change: change)
        switch outcome {
        case .applied:
            return try ChangeOutcomeResponse(status: "applied", requestId: nil).response(from: request, context: context)
        case .requested(let id):
            var response = try ChangeOutcomeResponse(status: "pending", requestId: id).response(from: request, context: context)
            response.status = .accepted
            return response
        }
    }

    func requestID(_ context: AppRequestContext) throws -> String {
        guard let raw = context.parameters.get(SiteRoute.changeRequestParameter), EntityIDText.isValid(raw) else { throw ServiceRefusal.notFound }
        return raw
    }

    @Sendable func changeRequest(request: Request, context: AppRequestContext) async throws -> AdminChangeResponse {
        AdminChangeResponse(try await admins.changeRequest(try context.requireActor(), id: try requestID(context)).0)
    }

    struct DecisionBody: Decodable { let reason: String? }

    func decide(_ request: Request, _ context: AppRequestContext, approve: Bool) async throws -> Response {
        let actor = try context.requireActor()
        var reason: String?
        if request.hasBody { reason = try await request.decode(as: DecisionBody.self, context: context).reason }
        try await admins.decide(actor, request: try requestID(context), approve: approve, reason: reason)
        return Response(status: .noContent)
    }

    // MARK: ADM-5

    struct ResetCodeResponse: ResponseEncodable {
        let personId: String
        let code: String
        let expiresAt: String
    }

    @Sendable func issueResetCode(request: Request, context: AppRequestContext) async throws -> Response {
        let issued = try await admins.issueResetCode(try context.requireActor(), person: try context.memberID())
        context.logger.info("password reset code issued", metadata: ["person_id": .string(issued.person.id.rawValue)])
        return try ResetCodeResponse(personId: issued.person.id.rawValue, code: issued.code.value, expiresAt: issued.expiresAt.text)
            .noStore(status: .created, request: request, context: context)
    }

    struct ResetBody: Decodable {
        let account: String
        let code: String
        let newPassword: String
    }

    @Sendable func resetPassword(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: ResetBody.self, context: context)
        let address = context.loginAddress(of: request, trustedProxies: config.trustedProxies)
        try await admins.resetPassword(account: body.account, code: body.code, newPassword: body.newPassword, address: address)
        return Response(status: .noContent)
    }

    // MARK: Audit

    struct AuditItem: Encodable {
        let at: String
        let action: String
        let actorId: String?
        let subjectId: String?
        let orgId: String
        let detail: String?
    }

    struct AuditList: ResponseEncodable { let items: [AuditItem] }

    @Sendable func audit(request: Request, context: AppRequestContext) async throws -> AuditList {
        let events = try await admins.audit(try context.requireActor(), org: try context.orgID(), limit: try request.limit(default: 50, maximum: 500))
        return AuditList(
            items: events.map {
                AuditItem(at: $0.at.text, action: $0.action.rawValue, actorId: $0.actorID?.rawValue, subjectId: $0.subjectID?.rawValue, orgId: $0.org.id.rawValue, detail: $0.detail)
            })
    }
}

/// Request ids (UUIDs) in paths: the identifier alphabet.
enum EntityIDText {
    static func isValid(_ raw: String) -> Bool { OrgID.isValid(raw) }
}

extension ResponseEncodable {
    /// The encoded value with `status` and `Cache-Control: no-store`: codes are credentials.
    func noStore(status: HTTPResponse.Status, request: Request, context: AppRequestContext) throws -> Response {
        var response = try response(from: request, context: context)
        response.status = status
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

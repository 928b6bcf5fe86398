import Domain
import Hummingbird
import HummingbirdCore
import Persistence

/// 年度团籍注册 and 年度团籍注册审批 over JSON (ACT-1), around `RegistrationWorkflow`.
struct RegistrationController {
    let registrations: RegistrationWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.memberRegistrations(nil).pattern, use: submit)
        group.get(SiteRoute.memberRegistrations(nil).pattern, use: history)
        group.get(SiteRoute.orgRegistrations(nil).pattern, use: list)
        group.post(SiteRoute.registrationDecision(nil).pattern, use: decide)
    }

    struct Submission: Decodable {
        let year: Int
        let summary: String
    }

    @Sendable func submit(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: Submission.self, context: context)
        let created = try await registrations.submit(try context.requireActor(), member: try context.memberID(), year: body.year, summary: body.summary)
        return try RegistrationResponse(created).response(from: request, context: context).withStatus(.created)
    }

    struct History: ResponseEncodable {
        let memberId: String
        /// The years the member may report on today.
        let openYears: [Int]
        let items: [RegistrationResponse]
    }

    @Sendable func history(request: Request, context: AppRequestContext) async throws -> History {
        let (member, items) = try await registrations.history(try context.requireActor(), member: try context.memberID())
        let open = AnnualRegistrationRules.openYears(today: registrations.today)
        return History(memberId: member.member.personID.rawValue, openYears: Array(open), items: items.map(RegistrationResponse.init))
    }

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> Page<RegistrationResponse> {
        let query = RegistrationQuery(query: request.uri.queryParameters)
        let page = try await registrations.list(try context.requireActor(), branch: try context.orgID(), query, limit: try request.limit())
        return Page(items: page.items.map(RegistrationResponse.init), nextCursor: page.nextCursor)
    }

    struct Decision: Decodable {
        let approve: Bool
        let reason: String?
    }

    @Sendable func decide(request: Request, context: AppRequestContext) async throws -> RegistrationResponse {
        let body = try await request.decode(as: Decision.self, context: context)
        return RegistrationResponse(
            try await registrations.decide(try context.requireActor(), try context.registrationID(), approve: body.approve, reason: body.reason ?? ""))
    }
}

struct RegistrationResponse: ResponseEncodable {
    let id: String
    let memberId: String
    let memberName: String
    let branchId: String
    let year: Int
    let revision: Int
    let summary: String
    let submittedAt: String
    let status: String
    let statusName: String
    let reason: String?
    let decidedAt: String?

    init(_ r: RegistrationRecord) {
        id = r.id
        memberId = r.member.rawValue
        memberName = r.memberName
        branchId = r.branch.rawValue
        year = r.year
        revision = r.revision
        summary = r.summary
        submittedAt = r.submittedAt.text
        status = r.status.rawValue
        statusName = r.status.chineseName
        reason = r.decision?.reason
        decidedAt = r.decision?.decidedAt.text
    }
}

extension RegistrationQuery {
    /// From a request's `name`, `status`, `from`, `to` and `cursor`.
    init(query q: FlatDictionary<Substring, Substring>) {
        self.init(
            name: q["name"].map(String.init) ?? "", status: q["status"].map(String.init) ?? "", from: q["from"].map(String.init) ?? "",
            to: q["to"].map(String.init) ?? "", cursor: q["cursor"].map(String.init))
    }
}

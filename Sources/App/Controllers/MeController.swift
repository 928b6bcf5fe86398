import Domain
import Hummingbird
import Persistence

/// `GET /api/v1/me`: who is logged in and what they administer. Answers even before the
/// initial password is changed, so a client knows to ask for the change (ADM-6).
struct MeController {
    let services: AppServices

    struct AdminOrg: Encodable, Equatable {
        let id: String
        let name: String
        let category: String
        let categoryName: String
    }

    struct MeResponse: ResponseEncodable, Equatable {
        let accountId: String
        let personId: String
        let name: String
        let mustChangePassword: Bool
        let member: MemberResponse?
        let adminOf: [AdminOrg]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.me.pattern) { _, context -> MeResponse in
            let session = try context.requireSession()
            return try await describe(account: session.account, actor: session.actor)
        }
    }

    func describe(account: AccountRecord, actor: Actor) async throws -> MeResponse {
        async let person = services.people.find(account.personID)
        async let member = services.members.find(account.personID)
        async let orgs = services.cadres.administeredOrgs(by: account.personID)
        guard let person = try await person else { throw AppError.notFound }
        return MeResponse(
            accountId: account.id.rawValue, personId: person.id.rawValue, name: person.name,
            mustChangePassword: account.mustChangePassword,
            member: try await member.map { MemberResponse($0, showFullIDNumber: true) },
            adminOf: try await orgs.map {
                AdminOrg(id: $0.id.rawValue, name: $0.name, category: $0.category.rawValue, categoryName: $0.category.chineseName)
            })
    }
}

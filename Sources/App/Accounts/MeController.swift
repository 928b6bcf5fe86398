import Domain
import Hummingbird
import Persistence

/// `GET /api/v1/me`: who is logged in and what they administer. Answers even before the
/// initial password is changed, so a client knows to ask for the change (ADM-6).
struct MeController {
    let accounts: AccountWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.me.pattern) { _, context -> MeResponse in
            MeResponse(try await accounts.profile(try context.requireSession()))
        }
    }
}

struct MeResponse: ResponseEncodable, Equatable {
    struct AdminOrg: Encodable, Equatable {
        let id: String
        let name: String
        let category: String
        let categoryName: String
    }

    let accountId: String
    let personId: String
    let name: String
    let mustChangePassword: Bool
    let member: MemberResponse?
    let adminOf: [AdminOrg]

    init(_ profile: Profile) {
        accountId = profile.account.id.rawValue
        personId = profile.person.id.rawValue
        name = profile.person.name
        mustChangePassword = profile.account.mustChangePassword
        member = profile.member.map { MemberResponse($0, showFullIDNumber: true) }
        adminOf = profile.administeredOrgs.map {
            AdminOrg(id: $0.id.rawValue, name: $0.name, category: $0.category.rawValue, categoryName: $0.category.chineseName)
        }
    }
}

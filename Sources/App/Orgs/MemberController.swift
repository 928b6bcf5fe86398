import Domain
import Hummingbird
import Persistence

/// One member's record.
struct MemberController {
    let orgs: OrgWorkflow
    /// Today for MEM-7's 超龄 mark.
    let today: @Sendable () -> CivilDate

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.member(nil).pattern, use: show)
    }

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> MemberResponse {
        let (record, full) = try await orgs.member(try context.requireActor(), try context.memberID())
        return MemberResponse(record, showFullIDNumber: full, today: today())
    }
}

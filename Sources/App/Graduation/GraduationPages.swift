import Domain
import Foundation
import Hummingbird
import Persistence

/// 毕业生标注 (GRD-1 … GRD-4): a school 团委 or 团总支 ticks branches and gives them one expected
/// graduation month, or a reason why it is not known. Decided by `GraduationWorkflow`, as the API
/// is; a refusal comes back on the page with every broken rule and the ticks kept.
extension PagesController {
    func graduationView(_ visitor: PageVisitor, _ orgID: OrgID, ticked: Set<String> = [], month: String = "", reason: String = "", error: String? = nil)
        async throws -> GraduationPage
    {
        let (details, branches) = try await services.graduation.branches(visitor.actor, of: orgID)
        // GRD-3: the school's own admin marks once; the provincial committee above it corrects.
        let corrects = !visitor.actor.isAdmin(of: orgID) && visitor.actor.isTopLevelAdmin(over: details.org.path)
        return GraduationPage(
            orgName: details.org.fullName, csrf: visitor.csrf, action: PageRoute.graduationMark(orgID).href,
            transfersHref: PageRoute.orgTransfers(orgID).href, corrects: corrects, error: error, month: month, reason: reason,
            branches: branches.map { b in
                GraduationPage.Row(
                    id: b.placement.id.rawValue, name: b.name, memberCount: b.memberCount, month: b.mark?.month?.iso ?? "—",
                    reason: b.mark?.reason ?? "—",
                    status: b.graduatedYear.map { "\($0)年起为毕业生团组织" } ?? (b.mark == nil ? "未标注" : "已标注"),
                    markable: b.graduatedYear == nil && (b.mark == nil || corrects), ticked: ticked.contains(b.placement.id.rawValue))
            })
    }

    @Sendable func graduationPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let view = try await graduationView(visitor, try pathOrg(context))
        return renderer.page(.graduation, view, title: "毕业生标注", visitor: visitor, active: .transfers, flash: PageFlash.of(request))
    }

    @Sendable func graduationMark(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgID = try pathOrg(context)
        let form = try await PageForm.read(request)
        let ticked = form.all("branchId").filter { !$0.isEmpty }
        let month = form["month"] ?? ""
        let reason = form["reason"] ?? ""
        do {
            guard !ticked.isEmpty else { throw ServiceRefusal.badRequest("请勾选要标注的团支部") }
            let mark = try GraduationWorkflow.mark(month: month, reason: reason)
            _ = try await services.graduation.mark(visitor.actor, as: orgID, branches: ticked.compactMap { OrgID(rawValue: $0) }, mark)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await graduationView(visitor, orgID, ticked: Set(ticked), month: month, reason: reason, error: entry.message)
            return renderer.page(.graduation, view, title: "毕业生标注", visitor: visitor, active: .transfers, status: entry.status)
        }
        return PageKit.redirect(.graduation(orgID, done: .graduationMarked))
    }
}

/// `/orgs/{orgId}/graduation`.
struct GraduationPage {
    struct Row {
        let id: String
        let name: String
        let memberCount: Int
        let month: String
        let reason: String
        let status: String
        /// Not yet marked (or the visitor is the provincial committee), and not graduated yet.
        let markable: Bool
        let ticked: Bool
    }

    let orgName: String
    let csrf: String
    let action: String
    let transfersHref: String
    let corrects: Bool
    let error: String?
    let month: String
    let reason: String
    let branches: [Row]
}

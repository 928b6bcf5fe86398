import Domain
import Foundation
import Hummingbird
import Persistence

/// 年度团籍注册 on the pages (ACT-1): the member reports a year on their own page; the branch
/// admin's 年度团籍注册审批 lists the branch's registrations by name, status and period and
/// approves each or sends it back with a reason.
extension PagesController {
    func registrationsView(_ visitor: PageVisitor, _ branch: OrgID, _ query: RegistrationQuery, error: String? = nil)
        async throws -> RegistrationsPage
    {
        let page = try await services.registrations.list(visitor.actor, branch: branch, query, limit: 50)
        return RegistrationsPage.make(
            org: page.org, filter: query, items: page.items, nextCursor: page.nextCursor, mayDecide: page.mayDecide, csrf: visitor.csrf,
            error: error)
    }

    @Sendable func registrationsPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let q = request.uri.queryParameters
        let typed = RegistrationQuery(query: q)
        let branch = try pathOrg(context)
        let view: RegistrationsPage
        var status: HTTPResponse.Status = .ok
        do {
            view = try await registrationsView(visitor, branch, typed)
        } catch {
            // A filter typed wrong is shown beside the form it came from, with the unfiltered list.
            let entry = try PageKit.refusalShownInPlace(error, context)
            view = try await registrationsView(visitor, branch, RegistrationQuery(), error: entry.message)
            status = entry.status
        }
        return renderer.page(.registrations, view, title: "年度团籍注册审批", visitor: visitor, active: .orgs, flash: PageFlash.of(request), status: status)
    }

    @Sendable func registrationDecide(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try context.registrationID()
        let form = try await PageForm.read(request)
        guard let registration = try await services.database.repositories.registrations.find(id) else { throw ServiceRefusal.notFound }
        let approve = form["approve"] == "1"
        do {
            _ = try await services.registrations.decide(visitor.actor, id, approve: approve, reason: form["reason"] ?? "")
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await registrationsView(visitor, registration.branch, RegistrationQuery(), error: entry.message)
            return renderer.page(.registrations, view, title: "年度团籍注册审批", visitor: visitor, active: .orgs, status: entry.status)
        }
        return PageKit.redirect(.registrations(registration.branch, done: approve ? .registrationApproved : .registrationRejected))
    }

    func myRegistrationsView(_ visitor: PageVisitor, typedYear: String? = nil, typedSummary: String? = nil, error: String? = nil)
        async throws -> MyRegistrationsPage
    {
        let (_, items) = try await services.registrations.history(visitor.actor, member: visitor.actor.personID)
        return MyRegistrationsPage.make(
            items: items, openYears: AnnualRegistrationRules.openYears(today: services.today), csrf: visitor.csrf, typedYear: typedYear,
            typedSummary: typedSummary, error: error)
    }

    @Sendable func myRegistrationsPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        guard visitor.isMember else { throw PageRedirect(to: visitor.home) }
        let view = try await myRegistrationsView(visitor)
        return renderer.page(.myRegistrations, view, title: "年度团籍注册", visitor: visitor, active: .registration, flash: PageFlash.of(request))
    }

    @Sendable func myRegistrationSubmit(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        guard visitor.isMember else { throw PageRedirect(to: visitor.home) }
        let form = try await PageForm.read(request)
        let year = form["year"] ?? "", summary = form["summary"] ?? ""
        do {
            guard let number = Int(year) else { throw ServiceRefusal.badRequest("请选择注册年度") }
            _ = try await services.registrations.submit(visitor.actor, member: visitor.actor.personID, year: number, summary: summary)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await myRegistrationsView(visitor, typedYear: year, typedSummary: summary, error: entry.message)
            return renderer.page(.myRegistrations, view, title: "年度团籍注册", visitor: visitor, active: .registration, status: entry.status)
        }
        return PageKit.redirect(.myRegistrations(done: .registrationSubmitted))
    }
}

/// `/orgs/{orgId}/registrations`: 年度团籍注册审批.
struct RegistrationsPage {
    struct Row {
        let memberName: String
        let year: Int
        /// "第2次提交" from the second report of a year on; nil for the first.
        let revisionNote: String?
        let summary: String
        let submittedAt: String
        let statusName: String
        let pending: Bool
        let reason: String?
        let decidedAt: String?
        let decideAction: String?
    }

    let orgName: String
    let action: String
    let csrf: String
    let name: String
    let statuses: [Choice]
    let from: String
    let to: String
    let rows: [Row]
    let next: String?
    let error: String?

    static func make(
        org: Org, filter: RegistrationQuery, items: [RegistrationRecord], nextCursor: String?, mayDecide: Bool, csrf: String, error: String?
    ) -> RegistrationsPage {
        RegistrationsPage(
            orgName: org.fullName, action: PageRoute.registrations(org.id).href, csrf: csrf, name: filter.name,
            statuses: [Choice(value: "", label: "全部", selected: filter.status.isEmpty)]
                + RegistrationStatus.allCases.map { Choice(value: $0.rawValue, label: $0.chineseName, selected: $0.rawValue == filter.status) },
            from: filter.from, to: filter.to,
            rows: items.map { r in
                Row(
                    memberName: r.memberName, year: r.year, revisionNote: r.revision > 1 ? "第\(r.revision)次提交" : nil, summary: r.summary,
                    submittedAt: PageKit.chinaTime(r.submittedAt), statusName: r.status.chineseName, pending: r.status == .pending,
                    reason: r.decision?.reason, decidedAt: r.decision.map { PageKit.chinaTime($0.decidedAt) },
                    decideAction: mayDecide && r.status == .pending ? PageRoute.registrationDecide(r.id).href : nil)
            },
            next: nextCursor.map { PageRoute.registrations(org.id, filter: filter, cursor: $0).href }, error: error)
    }
}

/// `/me/registrations`: the member's 年度团籍注册.
struct MyRegistrationsPage {
    struct Row {
        let year: Int
        let revision: Int
        let summary: String
        let submittedAt: String
        let statusName: String
        let reason: String?
    }

    let action: String
    let csrf: String
    let years: [Choice]
    let summary: String
    let rows: [Row]
    let error: String?

    static func make(
        items: [RegistrationRecord], openYears: ClosedRange<Int>, csrf: String, typedYear: String?, typedSummary: String?, error: String?
    ) -> MyRegistrationsPage {
        let chosen = typedYear ?? String(openYears.upperBound)
        return MyRegistrationsPage(
            action: PageRoute.myRegistrationSubmit.href, csrf: csrf,
            years: openYears.reversed().map { Choice(value: String($0), label: "\($0)年度", selected: String($0) == chosen) },
            summary: typedSummary ?? "",
            rows: items.map {
                Row(
                    year: $0.year, revision: $0.revision, summary: $0.summary, submittedAt: PageKit.chinaTime($0.submittedAt),
                    statusName: $0.status.chineseName, reason: $0.decision?.reason)
            },
            error: error)
    }
}

import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Persistence

/// The org pages: 组织管理 (sub-orgs, create one with its full-name step, delete), 组织信息 and
/// 录入进度. They call `SubOrgWorkflow`, `OrgProfileWorkflow` and `EntryProgressWorkflow`, as
/// the API does; a refusal is shown on the page with the catalogue's message.
extension PagesController {
    // MARK: 组织管理

    @Sendable func orgsPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        var chosen: OrgID?
        if let raw = request.uri.queryParameters["org"], !raw.isEmpty {
            guard let id = OrgID(rawValue: String(raw)) else { throw ServiceRefusal.notFound }
            chosen = id
        }
        return try await subOrgsPage(visitor, org: chosen, flash: PageFlash.of(request))
    }

    /// The sub-org list of `org` (default: the visitor's first org that may have sub-orgs).
    func subOrgsPage(
        _ visitor: PageVisitor, org: OrgID?, typed: OrgsPage.Typed = .init(), preview: OrgsPage.Preview? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok, flash: PageFlash? = nil
    ) async throws -> Response {
        let actor = visitor.actor
        let choices = try await services.operations.orgChoices(actor).filter { !$0.org.category.holdsMembers }
        guard let id = org ?? choices.first?.org.id ?? actor.administeredOrgs.first?.id else { throw ServiceRefusal.forbidden }
        let (parent, children) = try await services.subOrgs.children(actor, of: id)
        let placement = AccessTarget.org(OrgPlacement(parent.org))
        let page = OrgsPage.make(
            parent: parent, children: children, choices: choices, mayCreate: Domain.authorize(actor, .createSubOrg, placement).isAllowed,
            mayDelete: Domain.authorize(actor, .createSubOrg, placement).isAllowed, csrf: visitor.csrf, typed: typed, preview: preview,
            error: error)
        return renderer.page(.orgs, page, title: "组织管理", visitor: visitor, active: .orgs, flash: flash, status: status)
    }

    static func subOrgDraft(_ form: PageForm, withFullName: Bool) -> SubOrgDraft {
        SubOrgDraft(
            shortName: form["shortName"] ?? "", category: form["category"] ?? "", industryCategory: form["industryCategory"],
            fullName: withFullName ? form["fullName"] : nil)
    }

    /// Runs a sub-org form's action; a refusal (422, 409) re-renders the list with the form as typed.
    func onOrgsPage(
        _ request: Request, _ context: AppRequestContext, _ action: (PageVisitor, OrgID, PageForm) async throws -> Response
    ) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try context.orgID()
        let form = try await PageForm.read(request)
        do {
            return try await action(visitor, id, form)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let typed = OrgsPage.Typed(
                shortName: form["shortName"] ?? "", category: form["category"] ?? OrgCategory.branch.rawValue,
                industry: form["industryCategory"])
            return try await subOrgsPage(visitor, org: id, typed: typed, error: entry.message, status: entry.status)
        }
    }

    /// Step one: check the draft and show the generated full name for correction (ORG-3).
    @Sendable func previewSubOrg(request: Request, context: AppRequestContext) async throws -> Response {
        try await onOrgsPage(request, context) { visitor, id, form in
            let accepted = try await services.subOrgs.check(visitor.actor, parent: id, Self.subOrgDraft(form, withFullName: false))
            let parent = try await services.subOrgs.parent(visitor.actor, id)
            let upper = try await services.subOrgs.upperCommitteeName(of: accepted) ?? "—"
            let preview = OrgsPage.preview(accepted, parent: parent, csrf: visitor.csrf, upperCommitteeName: upper)
            return try await subOrgsPage(visitor, org: id, preview: preview)
        }
    }

    /// Step two: create with the (corrected) full name.
    @Sendable func createSubOrg(request: Request, context: AppRequestContext) async throws -> Response {
        try await onOrgsPage(request, context) { visitor, id, form in
            _ = try await services.subOrgs.create(visitor.actor, parent: id, Self.subOrgDraft(form, withFullName: true))
            return PageKit.redirect(.orgs(org: id, done: .orgCreated))
        }
    }

    /// ORG-10: the form on an empty sub-org's row; the list of its parent is shown again.
    @Sendable func deleteSubOrg(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try context.orgID()
        let org = try await services.orgs.org(visitor.actor, id)
        do {
            try await services.subOrgs.delete(visitor.actor, id)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            return try await subOrgsPage(visitor, org: org.parentID, error: entry.message, status: entry.status)
        }
        return PageKit.redirect(.orgs(org: org.parentID, done: .orgDeleted))
    }

    // MARK: 组织信息

    @Sendable func orgProfilePage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let view = try await services.orgProfiles.profile(visitor.actor, try context.orgID())
        return renderer.page(
            .orgProfile, OrgProfilePage.make(view, csrf: visitor.csrf), title: "组织信息", visitor: visitor, active: .orgs,
            flash: PageFlash.of(request))
    }

    /// Every field of the form is sent: a blank one clears its field. The masked ID number
    /// comes back as shown and is then left as it is.
    @Sendable func saveOrgProfile(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try context.orgID()
        let form = try await PageForm.read(request)
        var edit = OrgProfileEdit()
        var typed: [OrgProfileField: String] = [:]
        for field in OrgProfileField.allCases {
            guard let value = form[field.rawValue] else { continue }
            typed[field] = value
            switch field {
            case .shortName, .fullName, .category: continue
            case .industryCategory: if !value.isEmpty { edit.industryCategory = .some(value) }
            case .secretaryIdNumber where value.contains("*"): continue
            default: edit.fields[field] = value
            }
        }
        do {
            _ = try await services.orgProfiles.update(visitor.actor, id, edit)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await services.orgProfiles.profile(visitor.actor, id)
            let page = OrgProfilePage.make(
                view, csrf: visitor.csrf, typed: typed, error: entry.reasons == nil ? entry.message : "组织信息未保存：",
                reasons: entry.reasons ?? [])
            return renderer.page(.orgProfile, page, title: "组织信息", visitor: visitor, active: .orgs, status: entry.status)
        }
        return PageKit.redirect(.orgProfile(id, done: .orgProfileSaved))
    }

    // MARK: 录入进度

    @Sendable func orgProgressPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        var level: Int?
        if let raw = request.uri.queryParameters["level"], !raw.isEmpty {
            guard let n = Int(String(raw)), n >= 1 else { throw ServiceRefusal.badRequest("层级无效") }
            level = n
        }
        let progress = try await services.entryProgress.progress(visitor.actor, try context.orgID(), only: level, firstByDefault: true)
        let page = OrgProgressPage.make(progress, asOf: PageKit.chinaTime(services.clock.now()))
        return renderer.page(.orgProgress, page, title: "录入进度", visitor: visitor, active: .orgs)
    }
}

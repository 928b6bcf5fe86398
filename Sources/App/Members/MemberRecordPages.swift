import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Persistence

/// The member-record pages: 录入团员团干部 (one at a time), a member's record (资料: profile,
/// edit, removal, histories) and 团干部列表. They call the same workflows as the API; a
/// refusal re-renders the page with its message (every reason of a record that fails its
/// rules) and the refusal's status.
extension PagesController {
    /// The refusal's catalogue entry, or the error again when the page cannot show it in place.
    func inPlace(_ error: any Error, _ context: AppRequestContext) throws -> AppError {
        let entry = ErrorMiddleware<AppRequestContext>.entry(for: error, logger: context.logger)
        // Not found and not permitted are the page's own answer; every other refusal is shown
        // beside the form that caused it.
        if entry.status == .unauthorized || ["not_found", "forbidden", "password_change_required"].contains(entry.code) { throw error }
        return entry
    }

    // MARK: 录入团员团干部

    @Sendable func memberEntryForm(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let org = try await services.memberRecords.branch(visitor.actor, try context.orgID())
        return renderer.page(.memberEntry, MemberEntryPage.make(org: org, csrf: visitor.csrf), title: "录入团员团干部", visitor: visitor, active: .members)
    }

    @Sendable func memberEntry(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let form = try await PageForm.read(request)
        let orgID = try context.orgID()
        let draft = MemberEntryPage.draft(form)
        do {
            let record = try await services.memberRecords.enter(visitor.actor, branch: orgID, draft: draft)
            return PageKit.redirect(.memberRecord(record.member.personID, done: .entered))
        } catch {
            let entry = try inPlace(error, context)
            let org = try await services.memberRecords.branch(visitor.actor, orgID)
            let page = MemberEntryPage.make(
                org: org, csrf: visitor.csrf, draft: draft, error: entry.reasons == nil ? entry.message : "无法录入，请修改以下内容后重新提交：",
                reasons: entry.reasons ?? [])
            return renderer.page(.memberEntry, page, title: "录入团员团干部", visitor: visitor, active: .members, status: entry.status)
        }
    }

    // MARK: A member's record

    func recordPage(
        _ visitor: PageVisitor, _ id: PersonID, error: AppError? = nil, flash: PageFlash? = nil, delayDraft: (month: String, reason: String) = ("", "")
    ) async throws -> Response {
        let detail = try await services.memberRecords.detail(visitor.actor, id)
        let isSelf = id == visitor.actor.personID && !visitor.actor.administers(detail.record.branch.path)
        var page = MemberRecordPage.make(
            detail, csrf: visitor.csrf, isSelf: isSelf, error: error.map { $0.reasons == nil ? $0.message : "无法保存，请修改以下内容：" },
            reasons: error?.reasons ?? [])
        page.participation = try await services.activities.participation(visitor.actor, member: id, limit: 100).map {
            .init(date: $0.draft.heldOn.iso, kindName: $0.draft.kind.chineseName, topic: $0.draft.topic, branchName: $0.branch.name)
        }
        if let standing = try await services.graduation.delayStanding(visitor.actor, of: detail.record) {
            page.delay = MemberRecordPage.DelaySection(
                csrf: visitor.csrf, branchMonth: standing.branchMonth.iso,
                current: standing.delay.map {
                    .init(
                        month: $0.month.iso, reason: $0.reason, markedAt: PageKit.chinaTime($0.markedAt),
                        revokeAction: PageRoute.memberDelayRevoke(id).href)
                },
                markAction: standing.delay == nil ? PageRoute.memberDelay(id).href : nil, month: delayDraft.month, reason: delayDraft.reason)
        }
        return renderer.page(
            .memberRecord, page, title: detail.record.member.name + " · 资料", visitor: visitor, active: isSelf ? .profile : .members,
            flash: flash, status: error?.status ?? .ok)
    }

    @Sendable func memberRecord(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        return try await recordPage(visitor, try context.memberID(), flash: PageFlash.of(request))
    }

    /// GRD-5: 延迟毕业 marked on the member's page, or revoked back to the branch's month.
    @Sendable func memberDelay(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let form = try await PageForm.read(request)
        let id = try context.memberID()
        let month = form["month"] ?? ""
        let reason = form["reason"] ?? ""
        do {
            guard let value = YearMonth(iso: month.trimmingCharacters(in: .whitespaces)) else {
                throw ServiceRefusal.badRequest("延迟毕业年月应为“YYYY-MM”格式，如2028-06")
            }
            _ = try await services.graduation.delay(visitor.actor, member: id, to: value, reason: reason)
        } catch {
            return try await recordPage(visitor, id, error: try inPlace(error, context), delayDraft: (month, reason))
        }
        return PageKit.redirect(.memberRecord(id, done: .delayMarked))
    }

    @Sendable func memberDelayRevoke(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try context.memberID()
        do {
            try await services.graduation.revokeDelay(visitor.actor, member: id)
        } catch {
            return try await recordPage(visitor, id, error: try inPlace(error, context))
        }
        return PageKit.redirect(.memberRecord(id, done: .delayRevoked))
    }

    @Sendable func memberRecordEdit(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        let form = try await PageForm.read(request)
        let id = try context.memberID()
        do {
            _ = try await services.memberRecords.edit(visitor.actor, member: id, MemberRecordPage.edit(form))
        } catch {
            return try await recordPage(visitor, id, error: try inPlace(error, context))
        }
        return PageKit.redirect(.memberRecord(id, done: .profileSaved))
    }

    @Sendable func memberRemoval(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let form = try await PageForm.read(request)
        let id = try context.memberID()
        do {
            try await services.memberRecords.remove(
                visitor.actor, member: id, name: form["name"] ?? "", idNumber: form["idNumber"] ?? "", reason: form["reason"] ?? "")
        } catch {
            return try await recordPage(visitor, id, error: try inPlace(error, context))
        }
        return PageKit.redirect(.memberRecord(id, done: .removed))
    }

    // MARK: 团干部列表

    func cadresPage(_ visitor: PageVisitor, _ id: OrgID, error: AppError? = nil, flash: PageFlash? = nil) async throws -> Response {
        let (org, cadres) = try await services.cadres.cadres(visitor.actor, of: id)
        let history = try await services.cadres.history(visitor.actor, of: id)
        let choices = try await services.operations.orgChoices(visitor.actor).map { ($0.org, $0.depth) }
        let page = CadresPage.make(org: org, choices: choices, cadres: cadres, history: history, csrf: visitor.csrf, error: error?.message)
        return renderer.page(.cadres, page, title: "团干部列表", visitor: visitor, active: .cadres, flash: flash, status: error?.status ?? .ok)
    }

    @Sendable func cadreList(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try context.orgID()
        // The org picker is a plain GET form: it names the org in the query.
        if let raw = request.uri.queryParameters["org"], let other = OrgID(rawValue: String(raw)), other != id {
            throw PageRedirect(to: .cadres(other))
        }
        return try await cadresPage(visitor, id, flash: PageFlash.of(request))
    }

    /// Changes a listed cadre's post (`personId`), or gives the person with the typed ID number
    /// a first post in the org (`idNumber`).
    @Sendable func cadrePost(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let form = try await PageForm.read(request)
        let id = try context.orgID()
        do {
            let title = form["post"] ?? ""
            if let raw = form["personId"], !raw.isEmpty {
                guard let person = PersonID(rawValue: raw) else { throw ServiceRefusal.personNotFound }
                _ = try await services.cadres.setPost(visitor.actor, org: id, person: person, title: title, expectExisting: true)
            } else {
                let typed = (form["idNumber"] ?? "").trimmingWhitespaceAndNewlines
                guard let number = try? IDNumber(typed, today: services.today),
                    let person = try await services.database.repositories.memberRecords.person(withIDNumber: number)
                else { throw ServiceRefusal.personNotFound }
                _ = try await services.cadres.setPost(visitor.actor, org: id, person: person.id, title: title, expectExisting: false)
            }
        } catch {
            return try await cadresPage(visitor, id, error: try inPlace(error, context))
        }
        return PageKit.redirect(.cadres(id, done: .postChanged))
    }
}

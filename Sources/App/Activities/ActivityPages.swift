import Domain
import Foundation
import Hummingbird
import Persistence

/// 三会·两制·一课 and 团日活动 on the pages (ACT-1): one page per branch with its entries and the
/// form, which also corrects an entry (a new version) or withdraws it.
extension PagesController {
    func activitiesView(
        _ visitor: PageVisitor, _ branch: OrgID, editing: ActivityRecord? = nil, typed: ActivityInput? = nil, error: String? = nil
    ) async throws -> ActivitiesPage {
        let (org, items, mayRecord) = try await services.activities.list(visitor.actor, branch: branch, limit: 200)
        let members = mayRecord ? try await services.activities.branch(visitor.actor, branch).members : []
        return ActivitiesPage.make(
            org: org, items: items, members: members, csrf: visitor.csrf, mayRecord: mayRecord, editing: editing, typed: typed,
            today: services.today, error: error, attachments: try await services.activities.attachments(of: items))
    }

    static func activityInput(_ form: PageForm) -> ActivityInput {
        ActivityInput(
            kind: form["kind"] ?? "", date: form["date"] ?? "", topic: form["topic"] ?? "", place: form["place"] ?? "",
            record: form["record"] ?? "", attendees: form.all("attendee").filter { !$0.isEmpty })
    }

    @Sendable func activitiesPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let view = try await activitiesView(visitor, try pathOrg(context))
        return renderer.page(.activities, view, title: "三会两制一课", visitor: visitor, active: .orgs, flash: PageFlash.of(request))
    }

    @Sendable func activityCreate(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let branch = try pathOrg(context)
        let input = Self.activityInput(try await PageForm.read(request))
        do {
            _ = try await services.activities.record(visitor.actor, branch: branch, input)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await activitiesView(visitor, branch, typed: input, error: entry.message)
            return renderer.page(.activities, view, title: "三会两制一课", visitor: visitor, active: .orgs, status: entry.status)
        }
        return PageKit.redirect(.activities(branch, done: .activityRecorded))
    }

    @Sendable func activityEditPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let activity = try await services.activities.find(visitor.actor, try context.activityID())
        let view = try await activitiesView(visitor, activity.branch.id, editing: activity)
        return renderer.page(.activities, view, title: "修改记录", visitor: visitor, active: .orgs)
    }

    @Sendable func activitySave(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try context.activityID()
        let form = try await PageForm.read(request)
        let input = Self.activityInput(form)
        let activity = try await services.activities.find(visitor.actor, id)
        do {
            _ = try await services.activities.edit(visitor.actor, id, expectedRevision: form["revision"].flatMap { Int($0) }, input)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await activitiesView(visitor, activity.branch.id, editing: activity, typed: input, error: entry.message)
            return renderer.page(.activities, view, title: "修改记录", visitor: visitor, active: .orgs, status: entry.status)
        }
        return PageKit.redirect(.activities(activity.branch.id, done: .activityEdited))
    }

    @Sendable func activityWithdraw(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try context.activityID()
        _ = try await PageForm.read(request)
        let activity = try await services.activities.find(visitor.actor, id)
        try await services.activities.withdraw(visitor.actor, id)
        return PageKit.redirect(.activities(activity.branch.id, done: .activityWithdrawn))
    }
}

/// `/orgs/{orgId}/activities` (and `/activities/{id}/edit`, the same page correcting one entry).
struct ActivitiesPage {
    struct Row {
        let date: String
        let kindName: String
        let topic: String
        let place: String
        let attendees: String
        let attendeeCount: Int
        let record: String
        let revision: Int
        let editHref: String?
        let withdrawAction: String?
        let attachments: [AttachmentLink]
        /// The upload form's action (multipart, the token in the query).
        let attachAction: String?
    }

    struct Attendee {
        let id: String
        let name: String
        let checked: Bool
    }

    struct Form {
        let action: String
        let csrf: String
        /// Correcting an entry: its revision, so a stale correction is refused.
        let revision: Int?
        let heading: String
        let kinds: [Choice]
        let date: String
        let maxDate: String
        let topic: String
        let place: String
        let record: String
        let attendees: [Attendee]
        let cancelHref: String?
    }

    let orgName: String
    let csrf: String
    let rows: [Row]
    let form: Form?
    let error: String?

    static func make(
        org: Org, items: [ActivityRecord], members: [MemberRecord], csrf: String, mayRecord: Bool, editing: ActivityRecord?,
        typed: ActivityInput?, today: CivilDate, error: String?, attachments: [String: [AttachmentRecord]] = [:]
    ) -> ActivitiesPage {
        let source: ActivityInput? =
            typed
            ?? editing.map {
                ActivityInput(
                    kind: $0.draft.kind.rawValue, date: $0.draft.heldOn.iso, topic: $0.draft.topic, place: $0.draft.place,
                    record: $0.draft.record, attendees: $0.draft.attendees.map(\.rawValue))
            }
        let chosen = Set(source?.attendees ?? [])
        let form =
            mayRecord
            ? Form(
                action: editing.map { PageRoute.activitySave($0.id).href } ?? PageRoute.activityCreate(org.id).href, csrf: csrf,
                revision: editing?.revision, heading: editing == nil ? "新增记录" : "修改记录",
                kinds: ActivityKind.allCases.map { Choice(value: $0.rawValue, label: $0.chineseName, selected: $0.rawValue == (source?.kind ?? "")) },
                date: source?.date ?? today.iso, maxDate: today.iso, topic: source?.topic ?? "", place: source?.place ?? "",
                record: source?.record ?? "",
                attendees: members.map { Attendee(id: $0.member.personID.rawValue, name: $0.member.name, checked: chosen.contains($0.member.personID.rawValue)) },
                cancelHref: editing == nil ? nil : PageRoute.activities(org.id).href)
            : nil
        return ActivitiesPage(
            orgName: org.fullName, csrf: csrf,
            rows: items.map { a in
                Row(
                    date: a.draft.heldOn.iso, kindName: a.draft.kind.chineseName, topic: a.draft.topic, place: a.draft.place.isEmpty ? "—" : a.draft.place,
                    attendees: a.attendeeNames.joined(separator: "、"), attendeeCount: a.attendeeNames.count, record: a.draft.record,
                    revision: a.revision, editHref: mayRecord ? PageRoute.activityEdit(a.id).href : nil,
                    withdrawAction: mayRecord ? PageRoute.activityWithdraw(a.id).href : nil,
                    attachments: (attachments[a.id] ?? []).map { AttachmentLink($0, mayWithdraw: mayRecord) },
                    attachAction: mayRecord ? PageRoute.activityAttach(a.id, csrf: csrf).href : nil)
            },
            form: form, error: error)
    }
}

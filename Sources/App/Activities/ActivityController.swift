import Domain
import Foundation
import Hummingbird
import Persistence

/// 三会·两制·一课 and 团日活动 over JSON (ACT-1), around `ActivityWorkflow`.
struct ActivityController {
    let activities: ActivityWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.orgActivities(nil).pattern, use: create)
        group.get(SiteRoute.orgActivities(nil).pattern, use: list)
        group.get(SiteRoute.activity(nil).pattern, use: show)
        group.patch(SiteRoute.activity(nil).pattern, use: edit)
        group.delete(SiteRoute.activity(nil).pattern, use: withdraw)
        group.get(SiteRoute.memberActivities(nil).pattern, use: participation)
    }

    struct Body: Decodable {
        let kind: String
        let date: String
        let topic: String
        let place: String?
        let record: String?
        let attendees: [String]?
        /// PATCH: the revision edited, so a stale edit is refused (409) rather than lost.
        let revision: Int?

        var input: ActivityInput {
            ActivityInput(kind: kind, date: date, topic: topic, place: place ?? "", record: record ?? "", attendees: attendees ?? [])
        }
    }

    @Sendable func create(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: Body.self, context: context)
        let created = try await activities.record(try context.requireActor(), branch: try context.orgID(), body.input)
        return try ActivityResponse(created, attachments: []).response(from: request, context: context).withStatus(.created)
    }

    struct List: ResponseEncodable { let orgId: String; let items: [ActivityResponse] }

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> List {
        let (org, items, _) = try await activities.list(try context.requireActor(), branch: try context.orgID(), limit: try request.limit())
        let attached = try await activities.attachments(of: items)
        return List(orgId: org.id.rawValue, items: items.map { ActivityResponse($0, attachments: attached[$0.id] ?? []) })
    }

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> ActivityResponse {
        let activity = try await activities.find(try context.requireActor(), try context.activityID())
        return ActivityResponse(activity, attachments: try await activities.attachments(of: [activity])[activity.id] ?? [])
    }

    @Sendable func edit(request: Request, context: AppRequestContext) async throws -> ActivityResponse {
        let body = try await request.decode(as: Body.self, context: context)
        let edited = try await activities.edit(try context.requireActor(), try context.activityID(), expectedRevision: body.revision, body.input)
        return ActivityResponse(edited, attachments: try await activities.attachments(of: [edited])[edited.id] ?? [])
    }

    @Sendable func withdraw(request: Request, context: AppRequestContext) async throws -> Response {
        try await activities.withdraw(try context.requireActor(), try context.activityID())
        return Response(status: .noContent)
    }

    struct Participation: ResponseEncodable { let memberId: String; let items: [ActivityResponse] }

    @Sendable func participation(request: Request, context: AppRequestContext) async throws -> Participation {
        let member = try context.memberID()
        let items = try await activities.participation(try context.requireActor(), member: member, limit: try request.limit())
        let attached = try await activities.attachments(of: items)
        return Participation(memberId: member.rawValue, items: items.map { ActivityResponse($0, attachments: attached[$0.id] ?? []) })
    }
}

struct ActivityResponse: ResponseEncodable {
    struct Attendee: Encodable, Sendable { let id: String; let name: String }

    let id: String
    let branchId: String
    let branchName: String
    let kind: String
    let kindName: String
    let date: String
    let topic: String
    let place: String
    let record: String
    let attendees: [Attendee]
    let revision: Int
    let createdAt: String
    let editedAt: String
    let withdrawn: Bool
    let attachments: [AttachmentResponse]

    init(_ a: ActivityRecord, attachments: [AttachmentRecord] = []) {
        id = a.id
        branchId = a.branch.id.rawValue
        branchName = a.branch.name
        kind = a.draft.kind.rawValue
        kindName = a.draft.kind.chineseName
        date = a.draft.heldOn.iso
        topic = a.draft.topic
        place = a.draft.place
        record = a.draft.record
        attendees = zip(a.draft.attendees, a.attendeeNames).map { Attendee(id: $0.rawValue, name: $1) }
        revision = a.revision
        createdAt = a.createdAt.text
        editedAt = a.editedAt.text
        withdrawn = a.withdrawnAt != nil
        self.attachments = attachments.map(AttachmentResponse.init)
    }
}

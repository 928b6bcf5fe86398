import Domain
import Foundation
import Persistence

/// What an entry is made of, as typed (the API's JSON and the page's form alike).
struct ActivityInput: Sendable {
    var kind: String
    var date: String
    var topic: String
    var place: String
    var record: String
    var attendees: [String]
}

/// 三会·两制·一课 and 团日活动 (issue 11 item 3, ACT-1): a branch records its meetings, lessons and
/// activities with attendees chosen from its members; an entry is edited (a new version) or
/// withdrawn (marked), each with who and when; members see what they attended.
struct ActivityWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }

    /// The branch and its members, for choosing attendees.
    func branch(_ actor: Actor, _ id: OrgID) async throws -> (org: Org, members: [MemberRecord]) {
        guard let (org, members) = try await repositories.members.page(ofSubtree: id, after: nil, limit: 5000) else {
            throw ServiceRefusal.notFound
        }
        try require(actor, .viewOrg, .org(OrgPlacement(org)))
        return (org, members)
    }

    func list(_ actor: Actor, branch id: OrgID, limit: Int) async throws -> (org: Org, items: [ActivityRecord], mayRecord: Bool) {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(org)))
        let mayRecord = Domain.authorize(actor, .recordActivity, .org(OrgPlacement(org))).isAllowed
        return (org, try await repositories.activities.list(branch: id, limit: limit), mayRecord)
    }

    func record(_ actor: Actor, branch id: OrgID, _ input: ActivityInput) async throws -> ActivityRecord {
        let (org, members) = try await branch(actor, id)
        try require(actor, .recordActivity, .org(OrgPlacement(org)))
        let draft = try checked(input, members: members)
        let activityID = newIdentifier()
        let now = clock.now()
        try await database.write { w in try await w.activities.insert(activityID, branch: id, draft, by: actor.personID, at: now) }
        guard let stored = try await repositories.activities.find(activityID) else { throw ServiceRefusal.notFound }
        return stored
    }

    func find(_ actor: Actor, _ id: String) async throws -> ActivityRecord {
        guard let activity = try await repositories.activities.find(id) else { throw ServiceRefusal.notFound }
        let isAttendee = activity.draft.attendees.contains(actor.personID)
        if !isAttendee { try require(actor, .viewOrg, .org(OrgPlacement(activity.branch))) }
        return activity
    }

    /// A new version of the entry: every field as given (`expectedRevision` the one edited).
    func edit(_ actor: Actor, _ id: String, expectedRevision: Int?, _ input: ActivityInput) async throws -> ActivityRecord {
        guard let current = try await repositories.activities.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .recordActivity, .org(OrgPlacement(current.branch)))
        if current.withdrawnAt != nil { throw ActivityProblem.withdrawn }
        if let expectedRevision, expectedRevision != current.revision { throw ConcurrentChange(table: "activity_versions") }
        let (_, members) = try await branch(actor, current.branch.id)
        // Someone who attended and has since left the branch stays on the record.
        let draft = try checked(input, members: members, alsoAllowed: Set(current.draft.attendees))
        let now = clock.now()
        try await database.write { w in
            try await w.activities.appendVersion(id, revision: current.revision + 1, draft, by: actor.personID, at: now)
        }
        guard let stored = try await repositories.activities.find(id) else { throw ServiceRefusal.notFound }
        return stored
    }

    func withdraw(_ actor: Actor, _ id: String) async throws {
        guard let current = try await repositories.activities.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .recordActivity, .org(OrgPlacement(current.branch)))
        if current.withdrawnAt != nil { throw ActivityProblem.withdrawn }
        let now = clock.now()
        try await database.write { w in try await w.activities.withdraw(id, by: actor.personID, at: now) }
    }

    /// The live attachments of entries the caller has read (and so may see), in one query.
    func attachments(of entries: [ActivityRecord]) async throws -> [String: [AttachmentRecord]] {
        let found = try await repositories.attachments.live(of: entries.map { .activity($0.id) })
        var byEntry: [String: [AttachmentRecord]] = [:]
        for (owner, records) in found { if case .activity(let id) = owner { byEntry[id] = records } }
        return byEntry
    }

    /// ACT-1: what the member attended, for the member and the admins over their branch.
    func participation(_ actor: Actor, member id: PersonID, limit: Int) async throws -> [ActivityRecord] {
        guard let record = try await repositories.members.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewMember, .member(id, branch: record.branch))
        return try await repositories.activities.participation(of: id, limit: limit)
    }

    private func checked(_ input: ActivityInput, members: [MemberRecord], alsoAllowed: Set<PersonID> = []) throws -> ActivityDraft {
        guard let kind = ActivityKind(rawValue: input.kind) else {
            throw ServiceRefusal.badRequest("活动类型应为 " + ActivityKind.allCases.map(\.rawValue).joined(separator: "、"))
        }
        guard let date = CivilDate(iso: input.date.trimmingCharacters(in: .whitespaces)) else {
            throw ServiceRefusal.badRequest("日期应为“YYYY-MM-DD”格式，如2026-11-20")
        }
        var attendees: [PersonID] = []
        for raw in input.attendees {
            guard let id = PersonID(rawValue: raw) else { throw ServiceRefusal.badRequest("参加人员不正确：\(raw)") }
            attendees.append(id)
        }
        return try ActivityRules.checked(
            kind: kind, heldOn: date, topic: input.topic, place: input.place, record: input.record, attendees: attendees,
            members: Set(members.map(\.member.personID)).union(alsoAllowed), today: clock.now().chinaDate)
    }
}

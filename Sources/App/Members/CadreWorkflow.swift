import Domain
import Foundation
import Persistence

/// 团干部管理: the cadre list of an org, giving a person a post there or changing it, and the
/// history of post changes (团干部职务变更记录). The 书记 post changes only through the
/// parent org's admin.
struct CadreWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }

    func org(_ actor: Actor, _ id: OrgID, _ action: AccessAction) async throws -> Org {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, action, .org(OrgPlacement(org)))
        return org
    }

    func cadres(_ actor: Actor, of id: OrgID) async throws -> (org: Org, cadres: [CadreListRow]) {
        let org = try await org(actor, id, .listCadres)
        return (org, try await repositories.cadrePosts.cadres(in: org.id))
    }

    func history(_ actor: Actor, of id: OrgID, limit: Int = 200) async throws -> [(change: CadrePostChange, personName: String, changedByName: String)] {
        let org = try await org(actor, id, .listCadres)
        return try await repositories.cadrePosts.changes(in: org.id, limit: limit)
    }

    /// Gives `person` the post `title` in the org (first post there), or changes the post they
    /// hold; `expectExisting` says which the caller meant (POST or PATCH).
    func setPost(_ actor: Actor, org id: OrgID, person: PersonID, title raw: String, expectExisting: Bool) async throws -> CadrePostChange? {
        let org = try await org(actor, id, .manageCadres)
        guard let title = CadrePostTitle(rawValue: raw.trimmingWhitespaceAndNewlines) else { throw ServiceRefusal.unknownCadrePost }
        guard let personRecord = try await repositories.people.find(person) else { throw ServiceRefusal.personNotFound }
        let current = try await repositories.cadres.posts(of: person).first { $0.orgID == org.id }
        if expectExisting && current == nil { throw ServiceRefusal.cadrePostNotFound }
        if !expectExisting && current != nil { throw ServiceRefusal.cadrePostExists }
        let wasSecretary = current.flatMap { CadrePostTitle(title: $0.title) }?.isSecretary ?? false
        if (title.isSecretary || wasSecretary) && !Domain.authorize(actor, .changeSecretary, .org(OrgPlacement(org))).isAllowed {
            throw ServiceRefusal.secretaryNeedsParent
        }
        if let current, current.title == title.rawValue { return nil }
        let now = clock.now()
        let change = CadrePostChange(
            id: newIdentifier(), personID: personRecord.id, orgID: org.id, fromTitle: current?.title, toTitle: title.rawValue,
            changedBy: actor.personID, changedAt: now)
        try await database.write { r in
            if current == nil {
                try await r.cadres.insert(CadrePost(personID: person, orgID: org.id, title: title.rawValue), at: now)
            } else {
                try await r.cadrePosts.updateTitle(of: person, in: org.id, to: title.rawValue, at: now)
            }
            try await r.cadrePosts.appendChange(change)
            try await r.memberRecords.appendAudit(
                MemberAuditEvent(
                    id: newIdentifier(), at: now, action: .cadrePost, actorID: actor.personID, personID: person, orgPath: org.path,
                    detail: MemberRecordWorkflow.json(["org": org.id.rawValue, "before": current?.title ?? "", "after": title.rawValue])))
        }
        return change
    }
}

import Domain
import Persistence

/// Reading the org tree and its members within the actor's scope.
struct OrgWorkflow: Sendable {
    let database: Database

    var repositories: Repositories { database.repositories }

    func org(_ actor: Actor, _ id: OrgID) async throws -> Org {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(org)))
        return org
    }

    func children(_ actor: Actor, of id: OrgID) async throws -> [Org] {
        try await repositories.orgs.children(of: try await org(actor, id).id)
    }

    /// Members of the org's subtree (for a branch: its own members), keyset-paged by branch and person.
    func members(_ actor: Actor, of id: OrgID, cursor: MemberListCursor?, limit: Int) async throws -> ListPage<MemberRecord> {
        // One query for the org and the page; nothing of it leaves here unless authorised.
        guard let (org, rows) = try await repositories.members.page(ofSubtree: id, after: cursor, limit: limit + 1)
        else { throw ServiceRefusal.notFound }
        try require(actor, .listMembers, .org(OrgPlacement(org)))
        let page = Array(rows.prefix(limit))
        return ListPage(items: page, nextCursor: rows.count > limit ? page.last.map { MemberListCursor($0).rawValue } : nil)
    }

    /// A member, and whether the actor may see the full ID number.
    func member(_ actor: Actor, _ id: PersonID) async throws -> (record: MemberRecord, fullIDNumber: Bool) {
        guard let record = try await repositories.members.find(id) else { throw ServiceRefusal.notFound }
        let target = AccessTarget.member(id, branch: record.branch)
        try require(actor, .viewMember, target)
        return (record, Domain.authorize(actor, .viewMemberIdentity, target).isAllowed)
    }
}

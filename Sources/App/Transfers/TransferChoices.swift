import Domain
import Foundation
import Persistence

/// What the transfer pages offer before anything is submitted: the member found by name and
/// ID number (TRF-2), the members a branch may send, the branches a committee may assign
/// (TRF-3), and which decisions the visitor may take. Each answer is authorised as the
/// submission or decision it prepares would be, so a page never offers what would be refused.
extension TransferWorkflow {
    /// TRF-2: 办理转入 finds the member by name and ID number together. A miss does not say
    /// which of the two was wrong, so the form cannot be used to probe who is registered.
    func memberToTransferIn(_ actor: Actor, into orgID: OrgID, name: String, idNumber: String) async throws -> PersonID {
        guard let org = try await repositories.orgs.find(orgID) else { throw ServiceRefusal.notFound }
        try require(actor, .transferIn, .org(OrgPlacement(org)))
        let number = idNumber.trimmingCharacters(in: .whitespaces).uppercased()
        let wanted = name.trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty, !wanted.isEmpty, let person = try await repositories.admins.person(idNumber: number), person.name == wanted,
            let record = try await repositories.members.find(person.id), !record.removed
        else { throw ServiceRefusal.transferMemberNotFound }
        return person.id
    }

    /// The members of a branch its admin may transfer out, one query, in the list's order.
    func members(_ actor: Actor, of branchID: OrgID) async throws -> (org: Org, members: [MemberRecord]) {
        guard let found = try await repositories.members.page(ofSubtree: branchID, after: nil, limit: 500) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(found.org)))
        return (found.org, found.members.filter { $0.branch.id == branchID && !$0.removed })
    }

    /// The branches below an org (itself excluded), for a batch's two ends and a committee's
    /// assignment; at most `limit`.
    func branches(_ actor: Actor, below orgID: OrgID, limit: Int = 500) async throws -> [Org] {
        guard let org = try await repositories.orgs.find(orgID) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(org)))
        return try await branches(below: org, limit: limit)
    }

    private func branches(below org: Org, limit: Int) async throws -> [Org] {
        try await repositories.orgs.subtree(of: org.path, limit: limit).filter { $0.id != org.id && $0.category.holdsMembers }
    }

    /// What the visitor may do with the transfer now.
    struct Rights: Sendable {
        var decide = false
        var assign = false
        var withdraw = false
        /// TRF-3: the destination's branches, when the visitor is to assign one.
        var assignable: [Org] = []
    }

    func rights(_ actor: Actor, on record: TransferRecord) async throws -> Rights {
        var rights = Rights()
        guard let step = record.transfer.currentStep else { return rights }
        rights.withdraw = Domain.authorize(actor, .withdrawTransfer, .person(record.initiatedBy, orgs: [])).isAllowed
        let stepActor = step.actor(source: record.source.org, destination: record.destination.org)
        guard let org = try await repositories.orgs.find(stepActor.orgID),
            Domain.authorize(actor, stepActor.action, .org(OrgPlacement(org))).isAllowed
        else { return rights }
        if step == .branchAssignment {
            rights.assign = true
            rights.assignable = try await branches(below: org, limit: 500)
        } else {
            rights.decide = true
        }
        return rights
    }
}

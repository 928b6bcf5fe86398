import Domain
import Foundation
import Persistence

/// Building the tree below an org (ORG-1, ORG-3, ORG-4, ORG-7, ORG-10): its sub-orgs, created
/// one at a time by the parent's admin and deleted once empty.
///
/// `check` and `create` are the one entry point for a sub-org: the single-entry API and page
/// call them once, the bulk import per row. Both report every reason a draft fails, and
/// `create` writes the org, its information and its audit entry in one transaction.
struct SubOrgWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }
    var today: CivilDate { clock.now().chinaDate }

    /// The live org the actor may create sub-orgs under.
    func parent(_ actor: Actor, _ id: OrgID) async throws -> OrgDetails {
        guard let parent = try await repositories.orgAdministration.details(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(parent.org)))
        try require(actor, .createSubOrg, .org(OrgPlacement(parent.org)))
        return parent
    }

    /// The live sub-org of `parent` with this short name, if any (a bulk row that is already there).
    func existingChild(_ actor: Actor, of parent: OrgID, shortName: String) async throws -> Org? {
        let parent = try await self.parent(actor, parent)
        return try await repositories.orgAdministration.liveChild(of: parent.org.id, named: shortName.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Checks `draft` against every rule without writing; throws `SubOrgRejection` with every
    /// reason. The answer carries the generated full name, for the admin to correct (ORG-3).
    func check(_ actor: Actor, parent id: OrgID, _ draft: SubOrgDraft) async throws -> SubOrgDraft.Accepted {
        let parent = try await parent(actor, id)
        return try await accepted(draft, under: parent.org, repositories: repositories)
    }

    private func accepted(_ draft: SubOrgDraft, under parent: Org, repositories: Repositories) async throws -> SubOrgDraft.Accepted {
        let name = draft.shortName.trimmingCharacters(in: .whitespacesAndNewlines)
        var taken = false
        if !name.isEmpty { taken = try await repositories.orgAdministration.liveChild(of: parent.id, named: name) != nil }
        switch draft.validated(under: parent, id: Self.newOrgID(), today: today, shortNameTaken: taken) {
        case .success(let accepted): return accepted
        case .failure(let rejection): throw rejection
        }
    }

    /// The name of the org that will approve the new org's archives: an ancestor of the parent,
    /// shown in the preview whether or not the actor administers it.
    func upperCommitteeName(of accepted: SubOrgDraft.Accepted) async throws -> String? {
        guard let id = accepted.org.upperCommitteeID else { return nil }
        return try await repositories.orgs.find(id)?.name
    }

    /// Creates the sub-org with its information, audited, in one transaction.
    func create(_ actor: Actor, parent id: OrgID, _ draft: SubOrgDraft) async throws -> OrgDetails {
        let parent = try await parent(actor, id)
        let now = clock.now()
        do {
            return try await database.write { repositories in
                // Read again inside the transaction: the parent may have been deleted, or a
                // sibling of that name created, since the check.
                guard let current = try await repositories.orgAdministration.details(parent.org.id) else {
                    throw SubOrgRejection([.parentDeleted])
                }
                let accepted = try await accepted(draft, under: current.org, repositories: repositories)
                let org = accepted.org
                try await repositories.orgAdministration.insert(org, industryCategory: accepted.industryCategory, at: now)
                if !accepted.profile.isEmpty {
                    try await repositories.orgAdministration.saveProfile(
                        accepted.profile, of: org.id, expectedRevision: 0, by: actor.personID, at: now)
                }
                var detail: [String: String] = [
                    "shortName": org.name, "fullName": org.fullName, "generatedFullName": accepted.generatedFullName,
                    "category": org.category.rawValue,
                ]
                detail["industryCategory"] = accepted.industryCategory?.rawValue
                for field in OrgProfileField.allCases {
                    if let value = OrgAuditDetail.shown(field, accepted.profile.value(of: field)) { detail[field.rawValue] = value }
                }
                try await repositories.orgAudit.append(
                    OrgAuditEvent(
                        at: now, action: .create, actorID: actor.personID, orgID: org.id, orgPath: org.path,
                        detail: OrgAuditDetail.json(detail)))
                guard let created = try await repositories.orgAdministration.details(org.id) else { throw ServiceRefusal.internalError }
                return created
            }
        } catch {
            // Two admins creating the same name at once: the schema's unique index decides.
            if case .unique(let detail) = ConstraintViolation(error), detail.contains("orgs_sibling_name") || detail.contains("orgs.parent_id, orgs.name") {
                throw SubOrgRejection([.shortNameTaken])
            }
            throw error
        }
    }

    /// The org and its live sub-orgs with their details, for the admin who manages them.
    func children(_ actor: Actor, of id: OrgID) async throws -> (parent: OrgDetails, children: [OrgDetails]) {
        guard let parent = try await repositories.orgAdministration.details(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(parent.org)))
        return (parent, try await repositories.orgAdministration.childDetails(of: id))
    }

    /// ORG-10: marks an empty sub-org deleted, keeping its row and its history.
    func delete(_ actor: Actor, _ id: OrgID) async throws {
        guard let target = try await repositories.orgAdministration.details(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(target.org)))
        try require(actor, .deleteOrg, .org(OrgPlacement(target.org)))
        let now = clock.now()
        try await database.write { repositories in
            guard let current = try await repositories.orgAdministration.details(id) else { throw ServiceRefusal.notFound }
            let problems = OrgDeletion.problems(
                category: current.org.category, admins: current.adminCount, members: current.memberCount, subOrgs: current.subOrgCount)
            guard problems.isEmpty else { throw OrgDeletionRefused(problems: problems) }
            try await repositories.orgAdministration.markDeleted(id, by: actor.personID, at: now)
            try await repositories.orgAudit.append(
                OrgAuditEvent(
                    at: now, action: .delete, actorID: actor.personID, orgID: id, orgPath: current.org.path,
                    detail: OrgAuditDetail.json(["shortName": current.org.name, "fullName": current.org.fullName])))
        }
    }

    /// `o` and 12 random letters and digits: never derived from what a user typed, and short
    /// enough that a deep tree's path stays readable.
    static func newOrgID() -> OrgID {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        let suffix = String((0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
        return OrgID(unchecked: "o" + suffix)
    }
}

/// ORG-10: the org still has admins, members or sub-orgs.
struct OrgDeletionRefused: Error, Equatable {
    let problems: [OrgDeletionProblem]
}

/// The `detail` of an org audit entry: a JSON object, ID numbers masked (the record names the
/// secretary; the number itself stays in the org's information).
enum OrgAuditDetail {
    static func shown(_ field: OrgProfileField, _ value: String?) -> String? {
        guard let value else { return nil }
        return field == .secretaryIdNumber ? IDNumber.mask(value) : value
    }

    static func json(_ object: Any) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

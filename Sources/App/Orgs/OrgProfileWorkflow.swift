import Domain
import Foundation
import Persistence

/// What a PATCH of an org's information or the 组织信息 form asks for.
struct OrgProfileEdit: Sendable, Equatable {
    /// Information fields to set (text, counts as text) or clear (nil or blank).
    var fields: [OrgProfileField: String?] = [:]
    /// The fixed fields as the request names them: only checked against ORG-4.
    var shortName: String?
    var fullName: String?
    /// A category code; an unknown one is a change too.
    var category: String?
    /// `.some(nil)`: asked to clear; `.some(name)`: asked to set (once, ORG-4).
    var industryCategory: String??
}

/// An org's information as its admin and the levels above see it (ORG-5, ORG-8).
struct OrgProfileView: Sendable {
    let details: OrgDetails
    /// False: the secretary's ID number is masked for this viewer.
    let showsFullIDNumber: Bool
    /// The viewer may edit it (the org's own admin).
    let editable: Bool
}

/// Each org's own information (组织信息, ORG-5): read by every admin at or above it, filled in by
/// its own admin, completeness per ORG-8, every change audited with before and after.
struct OrgProfileWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }

    func profile(_ actor: Actor, _ id: OrgID) async throws -> OrgProfileView {
        guard let details = try await repositories.orgAdministration.details(id) else { throw ServiceRefusal.notFound }
        let target = AccessTarget.org(OrgPlacement(details.org))
        try require(actor, .viewOrg, target)
        return OrgProfileView(
            details: details, showsFullIDNumber: Domain.authorize(actor, .viewOrgProfileIdentity, target).isAllowed,
            editable: Domain.authorize(actor, .editOrgProfile, target).isAllowed)
    }

    /// Applies `edit`: ORG-4 first (409 for a fixed field), then every problem of the result at
    /// once (422), then one transaction with the audit entry.
    func update(_ actor: Actor, _ id: OrgID, _ edit: OrgProfileEdit) async throws -> OrgProfileView {
        guard let details = try await repositories.orgAdministration.details(id) else { throw ServiceRefusal.notFound }
        let target = AccessTarget.org(OrgPlacement(details.org))
        try require(actor, .viewOrg, target)
        try require(actor, .editOrgProfile, target)

        var problems: [OrgProfileProblem] = []
        var industry: IndustryCategory?? = nil
        var unknownCategory = false
        if let requested = edit.industryCategory {
            if let name = requested, !name.trimmingCharacters(in: .whitespaces).isEmpty {
                if let known = IndustryCategory(rawValue: name.trimmingCharacters(in: .whitespaces)) { industry = .some(known) }
                else if details.industryCategory == nil { problems.append(.unknownIndustryCategory) }
                else { unknownCategory = true }
            } else if details.industryCategory != nil {
                industry = .some(nil)
            }
        }
        var fixed = details.org.fixedFieldChanges(
            shortName: edit.shortName, fullName: edit.fullName, category: edit.category.flatMap(OrgCategory.init(rawValue:)),
            industryCategory: industry, currentIndustryCategory: details.industryCategory)
        // A code or name the service does not know cannot be the current value: it is a change too.
        if let code = edit.category, OrgCategory(rawValue: code) == nil { fixed.insert(.category, at: 0) }
        if unknownCategory, !fixed.contains(.industryCategory) { fixed.append(.industryCategory) }
        guard fixed.isEmpty else { throw OrgFixedFieldChange(fixed) }

        let (next, parseProblems) = details.profile.applying(edit.fields)
        problems += parseProblems + next.problems(today: clock.now().chinaDate)
        guard problems.isEmpty else { throw OrgProfileRejection(problems) }
        let newIndustry: IndustryCategory? = details.industryCategory == nil ? (industry ?? nil) : nil
        let changed = details.profile.changedFields(to: next)
        if changed.isEmpty && newIndustry == nil { return try await profile(actor, id) }

        let now = clock.now()
        try await database.write { repositories in
            guard let current = try await repositories.orgAdministration.details(id) else { throw ServiceRefusal.notFound }
            guard current.profileRevision == details.profileRevision, current.industryCategory == details.industryCategory else {
                throw ConcurrentChange(table: "org_profiles")
            }
            if let newIndustry { try await repositories.orgAdministration.setIndustryCategory(newIndustry, of: id) }
            if !changed.isEmpty {
                try await repositories.orgAdministration.saveProfile(
                    next, of: id, expectedRevision: current.profileRevision, by: actor.personID, at: now)
            }
            var changes: [String: [String: Any]] = [:]
            for field in changed {
                changes[field.rawValue] = [
                    "before": OrgAuditDetail.shown(field, details.profile.value(of: field)) ?? NSNull(),
                    "after": OrgAuditDetail.shown(field, next.value(of: field)) ?? NSNull(),
                ]
            }
            if let newIndustry { changes[OrgProfileField.industryCategory.rawValue] = ["before": NSNull(), "after": newIndustry.rawValue] }
            try await repositories.orgAudit.append(
                OrgAuditEvent(
                    at: now, action: .profileUpdate, actorID: actor.personID, orgID: id, orgPath: current.org.path,
                    detail: OrgAuditDetail.json(["changes": changes])))
        }
        return try await profile(actor, id)
    }
}

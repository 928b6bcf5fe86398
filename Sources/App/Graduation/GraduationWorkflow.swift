import Domain
import Foundation
import Persistence

/// A graduation mark or delay refused (GRD-1 … GRD-5), with every rule it breaks.
struct GraduationRefusal: Error, Equatable {
    let problems: [GraduationProblem]
    /// Branch names by id, for the messages.
    var names: [OrgID: String] = [:]
}

/// Graduation (issue 10, GRD-1 … GRD-6): a school 团委 or 团总支 marks its branches' expected
/// graduation month (or why it is not known), marks delayed graduates, and on June 1 the
/// marked branches become 毕业生团组织. Authorised with `Domain.authorize`, decided by
/// `GraduationRules`, written in one transaction each.
struct GraduationWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }

    /// The marking page: the marking org and its branches with their marks, in one query.
    func branches(_ actor: Actor, of orgID: OrgID) async throws -> (org: OrgDetails, branches: [GraduationBranchRecord]) {
        guard let org = try await repositories.orgAdministration.details(orgID) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(org.org)))
        return (org, try await repositories.graduation.branches(below: org.org.path, limit: 2000))
    }

    /// GRD-1: exactly one of a month (`2027-06`) and a reason.
    static func mark(month: String?, reason: String?) throws -> GraduationMark {
        let month = month?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        let reason = reason?.nilIfEmpty
        switch (month, reason) {
        case (let m?, nil):
            guard let value = YearMonth(iso: m) else { throw ServiceRefusal.badRequest("预计毕业年月应为“YYYY-MM”格式，如2027-06") }
            return .month(value)
        case (nil, let r?): return .reason(r)
        default: throw GraduationRefusal(problems: [.markNeedsMonthOrReason])
        }
    }

    /// GRD-1 … GRD-3: the same mark for every branch named, all or none.
    func mark(_ actor: Actor, as orgID: OrgID, branches ids: [OrgID], _ mark: GraduationMark) async throws -> [GraduationBranchRecord] {
        guard let marker = try await repositories.orgAdministration.details(orgID) else { throw ServiceRefusal.notFound }
        let placement = OrgPlacement(marker.org)
        try require(actor, .markGraduation, .org(placement))
        var seen = Set<OrgID>()
        let unique = ids.filter { seen.insert($0).inserted }
        let found = try await repositories.graduation.branches(unique)
        guard found.count == unique.count else { throw ServiceRefusal.targetOrgNotFound }
        // GRD-3: the provincial committee corrects; the school's own admin marks once.
        let provincial = !actor.isAdmin(of: orgID) && actor.isTopLevelAdmin(over: placement.path)
        let marking = GraduationMarking(
            marker: placement, markerIndustry: marker.industryCategory,
            branches: found.map { GraduationBranch(placement: $0.placement, currentMark: $0.mark) }, mark: mark,
            byProvincialCommittee: provincial)
        let (problems, normalised) = GraduationRules.problems(marking)
        guard problems.isEmpty else {
            throw GraduationRefusal(problems: problems, names: Dictionary(uniqueKeysWithValues: found.map { ($0.placement.id, $0.name) }))
        }
        let now = clock.now()
        try await database.write { w in
            for branch in found {
                try await w.graduation.appendMark(
                    newIdentifier(), branch: branch.placement.id, revision: branch.markRevision + 1, mark: normalised, by: orgID,
                    person: actor.personID, at: now)
            }
        }
        return try await repositories.graduation.branches(unique)
    }

    /// GRD-5: a member of a graduating branch graduates later, for a reason.
    func delay(_ actor: Actor, member id: PersonID, to month: YearMonth, reason: String) async throws -> DelayedGraduationRecord {
        let (record, branch) = try await memberAndBranch(actor, id)
        if try await repositories.graduation.delay(of: id) != nil { throw ServiceRefusal.delayExists }
        let graduated = try await repositories.graduation.hasGraduated(id)
        let (problems, trimmed) = GraduationRules.delayProblems(branchMark: branch.mark, delayedTo: month, reason: reason, graduated: graduated)
        guard problems.isEmpty else { throw GraduationRefusal(problems: problems) }
        let delay = DelayedGraduationRecord(
            id: newIdentifier(), personID: id, branchID: record.branch.id, month: month, reason: trimmed, markedBy: actor.personID,
            markedAt: clock.now())
        try await database.write { w in try await w.graduation.insertDelay(delay) }
        return delay
    }

    /// GRD-5: the member graduates with the branch again.
    func revokeDelay(_ actor: Actor, member id: PersonID) async throws {
        _ = try await memberAndBranch(actor, id)
        guard let delay = try await repositories.graduation.delay(of: id) else { throw GraduationRefusal(problems: [.noDelayToRevoke]) }
        let now = clock.now()
        try await database.write { w in try await w.graduation.revokeDelay(delay.id, by: actor.personID, at: now) }
    }

    /// GRD-5 on the member's page: the branch's month and the delay in force, when the visitor
    /// may mark one and the branch has a month to delay from; nil otherwise.
    func delayStanding(_ actor: Actor, of record: MemberRecord) async throws -> (branchMonth: YearMonth, delay: DelayedGraduationRecord?)? {
        let id = record.member.personID
        guard !record.removed, Domain.authorize(actor, .markDelayedGraduation, .member(id, branch: record.branch)).isAllowed,
            let month = try await repositories.graduation.branches([record.branch.id]).first?.mark?.month
        else { return nil }
        return (month, try await repositories.graduation.delay(of: id))
    }

    /// The delay in force, for the member's page.
    func delay(_ actor: Actor, of id: PersonID) async throws -> DelayedGraduationRecord? {
        guard let member = try await repositories.members.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewMember, .member(id, branch: member.branch))
        return try await repositories.graduation.delay(of: id)
    }

    private func memberAndBranch(_ actor: Actor, _ id: PersonID) async throws -> (MemberRecord, GraduationBranchRecord) {
        guard let record = try await repositories.enrolments.memberships(of: [id])[id], !record.removed else { throw ServiceRefusal.notFound }
        try require(actor, .viewMember, .member(id, branch: record.branch))
        try require(actor, .markDelayedGraduation, .member(id, branch: record.branch))
        guard let branch = try await repositories.graduation.branches([record.branch.id]).first else { throw ServiceRefusal.notFound }
        return (record, branch)
    }

    /// What one June-1 sweep did.
    struct SweepOutcome: Sendable, Equatable {
        var branchesConverted = 0
        var membersGraduated = 0
    }

    /// GRD-4 as of `now`: every branch whose month's year has reached its June 1 becomes a
    /// 毕业生团组织 and its members (but delayed ones) graduates; delayed members graduate on
    /// the June 1 of their own month's year. Read from the database and keyed per branch and
    /// per member and year, so a missed June 1 is caught up and a second sweep converts nothing.
    func sweep(at now: Timestamp) async throws -> SweepOutcome {
        let year = GraduationRules.lastGraduationYear(today: now.chinaDate)
        var outcome = SweepOutcome()
        while true {
            let due = try await repositories.graduation.unconvertedBranches(upToYear: year, limit: 200)
            if due.isEmpty { break }
            var progressed = false
            for branch in due {
                guard let markID = branch.markID, let month = branch.mark?.month else { continue }
                do {
                    let graduated = try await database.write { w in try await w.graduation.convert(branch.placement.id, markID: markID, year: month.year, at: now) }
                    outcome.branchesConverted += 1
                    outcome.membersGraduated += graduated
                    progressed = true
                } catch is ConcurrentChange {
                    // Another instance converted it meanwhile.
                    progressed = true
                }
            }
            if !progressed { break }
        }
        outcome.membersGraduated += try await database.write { w in try await w.graduation.graduateDelayedMembers(upToYear: year, at: now) }
        return outcome
    }
}

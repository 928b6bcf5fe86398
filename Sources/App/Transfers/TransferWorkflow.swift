import Domain
import Foundation
import Persistence

/// A transfer refused before it starts: every rule it breaks (TRF-1 … TRF-11, ARC-9), with
/// the names of the members the gate blocks.
struct TransferRejection: Error, Equatable {
    let problems: [TransferRequestProblem]
    /// Names of the members in `membersNotVerified` and `archiveChangePending`, by id.
    let names: [PersonID: String]
}

/// Org-relationship transfers (issue 10): starting one of each kind, deciding its steps, and
/// reading it. Every call authorises with `Domain.authorize`, asks `TransferRules` and the
/// `Transfer` state machine, and writes the transfer, its kept steps and the member's move in
/// one transaction: the member's branch changes only with the last step.
struct TransferWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }
    var today: CivilDate { clock.now().chinaDate }

    /// What `POST /api/v1/transfers` asks for.
    struct Submission: Sendable {
        let kind: TransferKind
        let members: [PersonID]
        let destination: OrgID
        let reason: String
        var outcome: GraduateOutcome? = nil
        var channel: GraduateChannel? = nil
        var keptMonths: Int? = nil

        /// Sets the 学社衔接 options from their wire values (the API's JSON and the page's form alike).
        mutating func graduate(outcome: String?, channel: String?) throws {
            if let outcome {
                guard let value = GraduateOutcome(rawValue: outcome) else { throw ServiceRefusal.badRequest("毕业去向（outcome）取值不正确") }
                self.outcome = value
            }
            if let channel {
                guard let value = GraduateChannel(rawValue: channel) else { throw ServiceRefusal.badRequest("转接渠道（channel）取值不正确") }
                self.channel = value
            }
        }
    }

    /// Starts the transfer (one per member; a batch's share a batch id) and returns them.
    func submit(_ actor: Actor, _ submission: Submission) async throws -> [TransferRecord] {
        let r = repositories
        guard let destination = try await r.orgs.find(submission.destination) else { throw ServiceRefusal.targetOrgNotFound }
        // A batch names up to 30 members: their records in one query.
        let found = try await r.enrolments.memberships(of: submission.members)
        let records = try submission.members.map { id in
            guard let record = found[id], !record.removed else { throw ServiceRefusal.notFound }
            return record
        }
        guard !records.isEmpty else { throw TransferRejection(problems: [.noMembers], names: [:]) }
        let initiating = try await initiatingOrg(actor, submission.kind, records: records, destination: OrgPlacement(destination))

        var subjects: [TransferRequest.Subject] = []
        for record in records {
            let archive = try await r.archives.find(member: record.member.personID)
            var changePending = false
            if case .changeRequested = archive?.state { changePending = true }
            subjects.append(
                TransferRequest.Subject(
                    id: record.member.personID, name: record.member.name, branch: record.branch, joinedOn: record.member.joinedOn,
                    identityVerified: archive?.state.identityVerified ?? false, archiveChangePending: changePending))
        }
        let request = TransferRequest(
            kind: submission.kind, subjects: subjects, destination: OrgPlacement(destination), initiatingOrg: initiating,
            outcome: submission.outcome, channel: submission.channel, keptMonths: submission.keptMonths,
            destinationProvince: Self.province(of: destination.path), reason: submission.reason)
        let problems = TransferRules.problems(request, today: today)
        if !problems.isEmpty {
            throw TransferRejection(problems: problems, names: Dictionary(uniqueKeysWithValues: records.map { ($0.member.personID, $0.member.name) }))
        }
        for record in records where try await r.transfers.openTransfer(of: record.member.personID) != nil {
            throw ServiceRefusal.transferPending(name: record.member.name)
        }

        let chain = TransferChain.steps(kind: submission.kind, destination: destination.category, outcome: submission.outcome)
        let now = clock.now()
        let batchID = submission.kind == .batch ? newIdentifier() : nil
        let reason = try FreeText.checked(submission.reason, as: .reason)
        let today = self.today
        let ids: [String]
        do {
            ids = try await database.write { w in
                var ids: [String] = []
                for record in records {
                    let (transfer, effects) = Transfer.submit(kind: submission.kind, destination: OrgPlacement(destination), chain: chain, today: today)
                    let id = newIdentifier()
                    try await w.transfers.insert(
                        TransferRecord(
                            id: id, batchID: batchID, personID: record.member.personID, memberName: record.member.name,
                            source: TransferEnd(org: record.branch, name: record.branchName),
                            destination: TransferEnd(org: OrgPlacement(destination), name: destination.name), initiatedBy: actor.personID,
                            initiatingOrgID: initiating?.id, reason: reason, outcome: submission.outcome, channel: submission.channel,
                            transfer: transfer, createdAt: now, revision: 1))
                    try await perform(effects, transfer: id, person: record.member.personID, source: record.branch, actor: actor, store: w, at: now)
                    ids.append(id)
                }
                return ids
            }
        } catch let error where ConstraintViolation(error).map({ $0.concerns("transfers_open_member") || $0.concerns("transfers.person_id") }) == true {
            // Two starts for one member at once both passed the check above; the schema's one
            // open transfer per member lets one in, and the other gets the same refusal.
            for record in records where try await r.transfers.openTransfer(of: record.member.personID) != nil {
                throw ServiceRefusal.transferPending(name: record.member.name)
            }
            throw error
        }
        var answer: [TransferRecord] = []
        for id in ids { if let record = try await r.transfers.find(id) { answer.append(record) } }
        return answer
    }

    /// The org the starter acts as, after the right to start this kind (TRF-1, TRF-2, TRF-4).
    private func initiatingOrg(_ actor: Actor, _ kind: TransferKind, records: [MemberRecord], destination: OrgPlacement) async throws
        -> OrgPlacement?
    {
        switch kind {
        case .apply:
            for record in records { try require(actor, .applyForTransfer, .member(record.member.personID, branch: record.branch)) }
            return nil
        case .transferIn:
            try require(actor, .transferIn, .org(destination))
            return destination
        case .transferOut, .graduate, .dropout:
            for record in records { try require(actor, .transferOut, .member(record.member.personID, branch: record.branch)) }
            return records.first.map(\.branch)
        case .batch:
            // TRF-4: the 团委/团工委/团总支 the actor administers above both ends (the nearest one).
            let above = actor.administeredOrgs
                .filter { org in destination.path.isWithin(org.path) && records.allSatisfy { $0.branch.path.isWithin(org.path) } }
                .max { $0.path.depth < $1.path.depth }
            guard let above else { throw AccessDenial.outOfScope }
            try require(actor, .batchTransfer, .org(above))
            return above
        }
    }

    /// TRF-10: the province of a destination, from the second level of its path (the
    /// provincial committees sit directly below 团中央).
    static func province(of path: OrgPath) -> DestinationProvince {
        guard path.ids.count > 1 else { return .other }
        switch path.ids[1].rawValue {
        case "bj": return .beijing
        case "gd": return .guangdong
        case "fj": return .fujian
        default: return .other
        }
    }

    /// Who the audit logs name when the calendar decided (TRF-7's default approval): no person.
    static let calendar = PersonID(unchecked: "calendar")

    /// A decision on the step the transfer waits on.
    enum Decision: Sendable {
        case approve
        case reject(reason: String)
        case withdraw
        case assign(branch: OrgID)
    }

    func decide(_ actor: Actor, transfer id: String, _ decision: Decision) async throws -> TransferRecord {
        let r = repositories
        guard let record = try await r.transfers.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewTransfer, .person(record.personID, orgs: [record.source.org, record.destination.org]))
        let event: TransferEvent
        switch decision {
        case .withdraw:
            // TRF-1, TRF-6: the one who started it withdraws it.
            try require(actor, .withdrawTransfer, .person(record.initiatedBy, orgs: []))
            event = .withdraw
        case .approve, .reject, .assign:
            guard let step = record.transfer.currentStep else { throw ServiceRefusal.transferNotPending }
            let stepActor = step.actor(source: record.source.org, destination: record.destination.org)
            guard let org = try await r.orgs.find(stepActor.orgID) else { throw ServiceRefusal.notFound }
            try require(actor, stepActor.action, .org(OrgPlacement(org)))
            switch decision {
            case .approve: event = .approve
            case .reject(let reason): event = .reject(reason: reason)
            case .assign(let branchID):
                guard let branch = try await r.orgs.find(branchID) else { throw ServiceRefusal.targetOrgNotFound }
                event = .assign(branch: OrgPlacement(branch))
            case .withdraw: event = .withdraw
            }
        }
        let (next, effects) = try record.transfer.apply(event, today: today)
        let now = clock.now()
        try await database.write { w in
            try await w.transfers.update(id, to: next, waitingOn: next.waitingOn(source: record.source.org), from: record.revision, at: now)
            try await perform(effects, transfer: id, person: record.personID, source: record.source.org, actor: actor, store: w, at: now)
        }
        guard let updated = try await r.transfers.find(id) else { throw ServiceRefusal.internalError }
        return updated
    }

    /// What one calendar sweep did.
    struct SweepOutcome: Sendable, Equatable {
        var autoApproved = 0
        var returned = 0
        /// Decided meanwhile by an admin or another instance's sweep: left as they are.
        var alreadyDecided = 0
    }

    /// The calendar rules as of `now` (TRF-7: a step unreviewed for 15 days is approved;
    /// TRF-6: a 学社衔接 application unreviewed 10 days after 9-30 returns to its initiator).
    /// Everything it looks at is in the database, so a restart loses nothing and catches up;
    /// each decision is written against the transfer's revision, so a second sweep, or another
    /// instance sweeping at the same moment, decides nothing twice.
    func sweep(at now: Timestamp) async throws -> SweepOutcome {
        let today = now.chinaDate
        var outcome = SweepOutcome()
        // The earliest a step can be due: 学社衔接's 10 days (TRF-6) are shorter than TRF-7's 15.
        let cutoff = today.adding(days: -(TransferCalendar.lateReviewDays + 1))
        var seen = Set<String>()
        while true {
            let batch = try await repositories.transfers.waiting(openedOnOrBefore: cutoff, limit: 200).filter { seen.insert($0.id).inserted }
            if batch.isEmpty { break }
            for record in batch {
                guard case .awaiting(let index, let openedOn) = record.transfer.state,
                    let event = TransferCalendar.due(kind: record.transfer.kind, step: record.transfer.chain[index], openedOn: openedOn, today: today),
                    let (next, effects) = try? record.transfer.apply(event, today: today)
                else { continue }
                do {
                    try await database.write { w in
                        try await w.transfers.update(record.id, to: next, waitingOn: next.waitingOn(source: record.source.org), from: record.revision, at: now)
                        try await perform(effects, transfer: record.id, person: record.personID, source: record.source.org, actor: nil, store: w, at: now)
                    }
                    if event == .autoApprove { outcome.autoApproved += 1 } else { outcome.returned += 1 }
                } catch is ConcurrentChange {
                    outcome.alreadyDecided += 1
                }
            }
        }
        return outcome
    }


    private func perform(
        _ effects: [TransferEffect], transfer id: String, person: PersonID, source: OrgPlacement, actor: Actor?, store w: Repositories,
        at now: Timestamp
    ) async throws {
        for effect in effects {
            switch effect {
            case .recordStep(let step, let decision, let reason):
                try await w.transfers.appendStep(
                    newIdentifier(), transfer: id, step: step, decision: decision, actor: actor?.personID, reason: reason, at: now)
            case .moveMember(let branch):
                try await w.transfers.moveMember(person, to: branch)
                // GRD-6: a graduate org whose last member has left is closed, in the same
                // transaction; only a graduated source costs the count.
                let graduated = try await w.graduation.isGraduated(source.id)
                let left = graduated ? try await w.graduation.memberCount(of: source.id) : 1
                if GraduationRules.closesAfterMove(sourceGraduated: graduated, membersLeft: left) {
                    try await w.orgAdministration.markDeleted(source.id, by: actor?.personID, at: now)
                    _ = try await w.orgAudit.append(
                        OrgAuditEvent(
                            at: now, action: .delete, actorID: actor?.personID ?? Self.calendar, orgID: source.id, orgPath: source.path,
                            detail: OrgAuditDetail.json(["closedBy": "GRD-6", "reason": "毕业生团组织的团员已全部转出"])))
                }
            case .notify:
                // The operation centre reads whose turn it is from the open step; nothing to send.
                break
            }
        }
    }

    /// A transfer with its kept steps, for its detail.
    func detail(_ actor: Actor, _ id: String) async throws -> (TransferRecord, [TransferStepRecord]) {
        guard let record = try await repositories.transfers.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewTransfer, .person(record.personID, orgs: [record.source.org, record.destination.org]))
        return (record, try await repositories.transfers.steps(of: id))
    }

    /// 我的组织关系转接历史: the member's transfers, newest first.
    func history(_ actor: Actor, member id: PersonID) async throws -> [TransferRecord] {
        guard let member = try await repositories.members.find(id) else { throw ServiceRefusal.notFound }
        let transfers = try await repositories.transfers.transfers(of: id)
        let ends = [member.branch] + transfers.flatMap { [$0.source.org, $0.destination.org] }
        try require(actor, .viewTransfer, .person(id, orgs: ends))
        return transfers
    }

    /// The transfers out of or into an org's subtree (办理转出 / 办理转入 lists), newest first,
    /// filtered by status before the limit.
    func list(_ actor: Actor, org id: OrgID, outgoing: Bool, status: TransferStatus?, limit: Int) async throws -> [TransferRecord] {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(org)))
        return try await repositories.transfers.transfers(at: org.path, outgoing: outgoing, status: status, before: nil, limit: limit)
    }
}

import Domain
import Foundation
import Persistence

/// A member's record beyond the archive (issue 9): entering a member (MEM-1, MEM-3, MEM-4,
/// MEM-5, ORG-7, ADM-6), editing the profile (MEM-10, MEM-4) and the identity fields (MEM-2),
/// and removal (MEM-6). Each call authorises with `Domain.authorize`, checks the domain's
/// rules, and writes its rows and its audit entry in one transaction.
struct MemberRecordWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource
    let passwords: PasswordHasher

    var repositories: Repositories { database.repositories }
    var today: CivilDate { clock.now().chinaDate }

    /// A member with everything the detail view shows.
    struct Detail: Sendable {
        let record: MemberRecord
        let profile: PersonProfile
        let posts: [CadrePost]
        let removal: MemberRemovalRecord?
        let identityChecks: [IdentityCheckRecord]
        let audit: [MemberAuditEvent]
        let today: CivilDate
        /// What the viewer may do.
        let mayEditProfile: Bool
        let mayEditIdentity: Bool
        let mayRemove: Bool
        let seesFullIDNumber: Bool

        var overAge: Bool { record.isOverAge(on: today) }
    }

    // MARK: Entry

    /// The branch a member is entered into, after the actor's right to do so.
    func branch(_ actor: Actor, _ id: OrgID) async throws -> Org {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .enterMember, .org(OrgPlacement(org)))
        return org
    }

    /// Every reason `draft` cannot be entered into `branch`, the store's included (a taken
    /// development number with the branch that holds it, a person already a member
    /// elsewhere); the entry when there is none. `store` is the transaction's repositories
    /// when the check runs inside the write that follows it.
    func check(_ draft: MemberDraft, into branch: Org, store: Repositories? = nil, known: Known? = nil) async throws -> MemberEntry {
        let r = store ?? repositories
        let known = if let known { known } else { try await self.known(draft, store: r) }
        var problems: [MemberDraftProblem] = []
        var entry: MemberEntry?
        do { entry = try draft.validated(branchCategory: branch.category, today: today) } catch { problems = error.problems }
        // The store's checks run on whatever parsed, so that one pass reports everything.
        if let number = DevelopmentNumber(draft.developmentNumber),
            let holder = try await r.members.holder(ofDevelopmentNumber: number)
        {
            let samePerson = (try? IDNumber(draft.idNumber.trimmingWhitespaceAndNewlines, today: today)).map { $0 == holder.member.idNumber } ?? false
            if !samePerson { problems.append(.developmentNumberTaken(branchName: holder.branchName)) }
        }
        if let member = known.member { problems.append(.alreadyMember(branchName: member.branchName)) }
        guard problems.isEmpty, let entry else { throw MemberDraftRejection(problems) }
        return entry
    }

    /// What the store knows of the draft's ID number: the person and their membership. Looked
    /// up once per row and handed on, because a bulk entry's cost is its statements.
    struct Known: Sendable {
        let person: PersonRecord?
        let member: MemberRecord?
    }

    func known(_ draft: MemberDraft, store r: Repositories) async throws -> Known {
        guard let number = try? IDNumber(draft.idNumber.trimmingWhitespaceAndNewlines, today: today),
            let person = try await r.memberRecords.person(withIDNumber: number)
        else { return Known(person: nil, member: nil) }
        return Known(person: person, member: try await r.members.find(person.id))
    }

    /// Enters one member: the person (or the known person, when a cadre without membership
    /// is entered), the profile, the membership, the account with the initial password that
    /// must be changed at first login (ADM-6), the post if one is given, and the audit
    /// entry, in one transaction: the member exists completely or not at all.
    func enter(_ actor: Actor, branch id: OrgID, draft: MemberDraft) async throws -> MemberRecord {
        let branch = try await branch(actor, id)
        do {
            return try await database.write { r in try await self.record(actor, draft, into: branch, store: r) }
        } catch {
            // A concurrent entry took the number or the person between the check and the write.
            if let violation = ConstraintViolation(error), case .unique = violation {
                _ = try await check(draft, into: branch)
            }
            throw error
        }
    }

    /// One row of a bulk entry: the branch (already found) and what the row says.
    struct EntryRow: Sendable {
        let branch: Org
        let draft: MemberDraft
    }

    /// What entering a row did: entered it, or found the person already a member of that
    /// branch (a re-uploaded file creates nothing twice).
    enum EntryOutcome: Sendable {
        case entered(MemberRecord)
        case alreadyThere(MemberRecord)
    }

    /// Many members in one transaction (`Database.writeEach`): each row authorised, checked
    /// and written inside its own savepoint, so a refused row leaves nothing and the others
    /// share one commit. The answer has one result per row, in order.
    func enter(_ actor: Actor, rows: [EntryRow]) async throws -> [Result<EntryOutcome, any Error>] {
        let results = try await database.writeEach(rows) { r, row in
            try require(actor, .enterMember, .org(OrgPlacement(row.branch)))
            let known = try await self.known(row.draft, store: r)
            if let member = known.member, member.branch.id == row.branch.id, !member.removed { return EntryOutcome.alreadyThere(member) }
            return EntryOutcome.entered(try await self.record(actor, row.draft, into: row.branch, store: r, known: known))
        }
        // A unique constraint (another writer on PostgreSQL took the number or the person in
        // the meantime) is told as the check's reasons, read after the fact.
        var answered: [Result<EntryOutcome, any Error>] = []
        for (row, result) in zip(rows, results) {
            if case .failure(let error) = result, let violation = ConstraintViolation(error), case .unique = violation {
                do { _ = try await check(row.draft, into: row.branch) } catch {
                    answered.append(.failure(error))
                    continue
                }
            }
            answered.append(result)
        }
        return answered
    }

    /// The rows of one entry, written with `store` (the caller's transaction), after the check.
    private func record(
        _ actor: Actor, _ draft: MemberDraft, into branch: Org, store r: Repositories, known: Known? = nil
    ) async throws -> MemberRecord {
        let known = if let known { known } else { try await self.known(draft, store: r) }
        let entry = try await check(draft, into: branch, store: r, known: known)
        // ADM-6: the initial password's marker, not bcrypt (see `PasswordHasher.initialPasswordHash`).
        let hash = PasswordHasher.initialPasswordHash(for: entry.idNumber.initialPassword)
        let now = clock.now()
        let existing = known.person
        let personID = existing?.id ?? PersonID(unchecked: newIdentifier())
        if existing == nil {
            try await r.people.insert(PersonRecord(id: personID, name: entry.name, idNumber: entry.idNumber), at: now)
        }
        try await r.memberRecords.saveProfile(entry.profile, of: personID, at: now)
        try await r.members.insert(
            Member(
                personID: personID, name: entry.name, idNumber: entry.idNumber, branchID: branch.id, joinedOn: entry.joinedOn,
                developmentNumber: entry.developmentNumber), at: now)
        // A person the store did not know has no account (an account belongs to a person, and
        // the schema's unique login would refuse a stray one).
        let needsAccount = if existing == nil { true } else { try await r.accounts.find(login: entry.idNumber.value) == nil }
        if needsAccount {
            try await r.accounts.insert(
                AccountRecord(
                    id: AccountID(unchecked: newIdentifier()), personID: personID, login: entry.idNumber.value, passwordHash: hash,
                    mustChangePassword: true), at: now)
        }
        if let post = entry.post {
            try await r.cadres.insert(CadrePost(personID: personID, orgID: branch.id, title: post.rawValue), at: now)
            try await r.cadrePosts.appendChange(
                CadrePostChange(
                    id: newIdentifier(), personID: personID, orgID: branch.id, fromTitle: nil, toTitle: post.rawValue,
                    changedBy: actor.personID, changedAt: now))
        }
        try await r.memberRecords.appendAudit(
            MemberAuditEvent(
                id: newIdentifier(), at: now, action: .enter, actorID: actor.personID, personID: personID, orgPath: branch.path,
                detail: Self.json(["branch": branch.id.rawValue, "joinedOn": entry.joinedOn.iso])))
        if existing == nil {
            // Everything about a new person is what was just written: no lookup needed.
            let member = Member(
                personID: personID, name: entry.name, idNumber: entry.idNumber, branchID: branch.id, joinedOn: entry.joinedOn,
                developmentNumber: entry.developmentNumber)
            return MemberRecord(
                member: member, branch: OrgPlacement(branch), branchName: branch.name, identityStatus: .unverified,
                holdsLeaguePost: entry.post != nil)
        }
        guard let record = try await r.members.find(personID) else { throw ServiceRefusal.internalError }
        return record
    }

    // MARK: Reading

    func detail(_ actor: Actor, _ id: PersonID) async throws -> Detail {
        guard let record = try await repositories.members.find(id) else { throw ServiceRefusal.notFound }
        let target = AccessTarget.member(id, branch: record.branch)
        try require(actor, .viewMember, target)
        let r = repositories
        let removal = record.removed ? try await r.memberRecords.removal(of: id) : nil
        return Detail(
            record: record, profile: try await r.memberRecords.profile(of: id) ?? PersonProfile(), posts: try await r.cadres.posts(of: id),
            removal: removal,
            identityChecks: try await r.memberRecords.identityChecks(of: id), audit: try await r.memberRecords.audit(of: id),
            today: today,
            mayEditProfile: !record.removed
                && (Domain.authorize(actor, .editMemberProfile, target).isAllowed || Domain.authorize(actor, .editMemberIdentity, target).isAllowed),
            mayEditIdentity: !record.removed && Domain.authorize(actor, .editMemberIdentity, target).isAllowed,
            mayRemove: !record.removed && Domain.authorize(actor, .removeMember, target).isAllowed,
            seesFullIDNumber: Domain.authorize(actor, .viewMemberIdentity, target).isAllowed)
    }

    // MARK: Profile (MEM-10, MEM-4, MEM-2)

    /// Applies `edit`: the member, the branch's admin or its direct parent's edit the profile
    /// and the development number; name, gender and ID number only the provincial committee.
    /// Fields posted unchanged are not changes. Every changed field is audited with its
    /// before and after value.
    func edit(_ actor: Actor, member id: PersonID, _ requested: MemberProfileEdit) async throws -> [FieldChange] {
        guard let record = try await repositories.members.find(id) else { throw ServiceRefusal.notFound }
        if record.removed { throw ServiceRefusal.memberRemoved }
        let target = AccessTarget.member(id, branch: record.branch)
        let identityAllowed = Domain.authorize(actor, .editMemberIdentity, target).isAllowed
        if !identityAllowed { try require(actor, .editMemberProfile, target) }
        let profile = try await repositories.memberRecords.profile(of: id) ?? PersonProfile()
        let current = MemberSnapshot(
            name: record.member.name, idNumber: record.member.idNumber, joinedOn: record.member.joinedOn,
            developmentNumber: record.member.developmentNumber, profile: profile)
        let edit = requested.onlyChanges(from: current)
        if edit.touchesIdentity && !identityAllowed { throw ServiceRefusal.identityFieldsProvinceOnly }
        let (next, changes) = try edit.applied(to: current, today: today)
        if changes.isEmpty { return [] }

        var problems: [MemberDraftProblem] = []
        if let number = next.developmentNumber, number != current.developmentNumber,
            let holder = try await repositories.members.holder(ofDevelopmentNumber: number), holder.member.personID != id
        {
            problems.append(.developmentNumberTaken(branchName: holder.branchName))
        }
        if next.idNumber != current.idNumber, let other = try await repositories.memberRecords.person(withIDNumber: next.idNumber), other.id != id {
            problems.append(.idNumberTaken)
        }
        if !problems.isEmpty { throw MemberDraftRejection(problems) }

        let now = clock.now()
        let identityChanged = next.name != current.name || next.idNumber != current.idNumber
        try await database.write { r in
            if identityChanged {
                try await r.memberRecords.updateIdentity(of: id, name: next.name, idNumber: next.idNumber, at: now)
                // MEM-9: what the identity service checked is no longer the record.
                try await r.memberRecords.recordIdentityCheck(
                    IdentityCheckRecord(
                        id: newIdentifier(), personID: id, status: .unverified, checkedName: next.name, checkedIDNumber: next.idNumber.value,
                        source: .recordChange, note: nil, recordedBy: actor.personID, recordedAt: now))
            }
            if next.profile != current.profile { try await r.memberRecords.saveProfile(next.profile, of: id, at: now) }
            if next.developmentNumber != current.developmentNumber {
                try await r.memberRecords.updateDevelopmentNumber(of: id, to: next.developmentNumber)
            }
            try await r.memberRecords.appendAudit(
                MemberAuditEvent(
                    id: newIdentifier(), at: now, action: edit.touchesIdentity ? .identity : .profile, actorID: actor.personID, personID: id,
                    orgPath: record.branch.path, detail: Self.json(changes)))
        }
        return changes
    }

    // MARK: Removal (MEM-6)

    /// A top-level act: the typed name and ID number must be the record's, the reason is
    /// required. The record stays, marked removed, and leaves lists and counts.
    func remove(_ actor: Actor, member id: PersonID, name: String, idNumber: String, reason: String) async throws {
        guard let record = try await repositories.members.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .removeMember, .member(id, branch: record.branch))
        if record.removed { throw ServiceRefusal.memberRemoved }
        let confirmed = try MemberRemoval.confirm(name: name, idNumber: idNumber, reason: reason, of: record.member)
        let now = clock.now()
        try await database.write { r in
            try await r.memberRecords.markRemoved(
                MemberRemovalRecord(personID: id, branchID: record.branch.id, reason: confirmed, removedBy: actor.personID, removedAt: now))
            try await r.memberRecords.appendAudit(
                MemberAuditEvent(
                    id: newIdentifier(), at: now, action: .remove, actorID: actor.personID, personID: id, orgPath: record.branch.path,
                    detail: Self.json(["reason": confirmed, "branch": record.branch.id.rawValue])))
        }
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

extension String {
    var trimmingWhitespaceAndNewlines: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

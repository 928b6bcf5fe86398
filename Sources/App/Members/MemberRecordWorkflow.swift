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
        var holder: MemberRecord?
        if let number = DevelopmentNumber(draft.developmentNumber) { holder = try await r.members.holder(ofDevelopmentNumber: number) }
        return try judge(draft, into: branch, member: known.member, holder: holder)
    }

    /// The rules on `draft` given what the store holds: the membership its ID number already
    /// has, and who holds its development number. The domain's checks and the store's are
    /// reported together, so that one pass tells everything.
    private func judge(_ draft: MemberDraft, into branch: Org, member: MemberRecord?, holder: MemberRecord?) throws -> MemberEntry {
        var problems: [MemberDraftProblem] = []
        var entry: MemberEntry?
        do { entry = try draft.validated(branchCategory: branch.category, today: today) } catch { problems = error.problems }
        if let holder {
            let samePerson = (try? IDNumber(draft.idNumber.trimmingWhitespaceAndNewlines, today: today)).map { $0 == holder.member.idNumber } ?? false
            if !samePerson { problems.append(.developmentNumberTaken(branchName: holder.branchName)) }
        }
        if let member { problems.append(.alreadyMember(branchName: member.branchName)) }
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

    /// Many members in one transaction. The batch is read with a query per table (the
    /// people, memberships, development numbers and logins it names), judged row by row in
    /// memory, each row seeing the rows before it (a file may name a person twice), and written
    /// with one multi-row insert per table. A refused row is left out, so it leaves nothing;
    /// the others share one commit. The answer has one result per row, in order.
    func enter(_ actor: Actor, rows: [EntryRow]) async throws -> [Result<EntryOutcome, any Error>] {
        do {
            return try await database.write { r in try await self.enterTogether(actor, rows, store: r) }
        } catch {
            guard ConstraintViolation(error) != nil else { throw error }
            // Another writer (PostgreSQL) took a number or a person between the batch's reads
            // and its inserts, and the whole batch rolled back: it runs again row by row, each
            // row in its own savepoint, where the check tells each row's reason.
            return try await enterOneByOne(actor, rows)
        }
    }

    private func enterTogether(_ actor: Actor, _ rows: [EntryRow], store r: Repositories) async throws -> [Result<EntryOutcome, any Error>] {
        let numbers = rows.map { try? IDNumber($0.draft.idNumber.trimmingWhitespaceAndNewlines, today: today) }
        let people = try await r.enrolments.people(withIDNumbers: numbers.compactMap { $0 })
        let memberships = try await r.enrolments.memberships(of: people.values.map(\.id))
        let holders = try await r.enrolments.holders(ofDevelopmentNumbers: rows.compactMap { DevelopmentNumber($0.draft.developmentNumber) })
        // Only a person the store already knows may have an account.
        let logins = try await r.enrolments.takenLogins(people.values.map(\.idNumber.value))
        let now = clock.now()
        var results: [Result<EntryOutcome, any Error>] = []
        var batch: [MemberEnrolment] = []
        // What the batch has entered so far, by ID number and by development number.
        var enteredHere: [String: MemberRecord] = [:]
        var numbersHere: [String: MemberRecord] = [:]
        // Results for people the store knew, whose records are read back after the write.
        var knownPeople: [(index: Int, person: PersonID, alreadyThere: Bool)] = []
        for (row, number) in zip(rows, numbers) {
            if case .deny(let denial) = Domain.authorize(actor, .enterMember, .org(OrgPlacement(row.branch))) {
                results.append(.failure(denial))
                continue
            }
            let person = number.flatMap { people[$0.value] }
            let member = number.flatMap { enteredHere[$0.value] } ?? person.flatMap { memberships[$0.id] }
            if let member, member.branch.id == row.branch.id, !member.removed {
                if let person, enteredHere[person.idNumber.value] != nil { knownPeople.append((results.count, person.id, true)) }
                results.append(.success(.alreadyThere(member)))
                continue
            }
            let holder = DevelopmentNumber(row.draft.developmentNumber).flatMap { numbersHere[$0.value] ?? holders[$0.value] }
            let entry: MemberEntry
            do { entry = try judge(row.draft, into: row.branch, member: member, holder: holder) } catch {
                results.append(.failure(error))
                continue
            }
            let enrolment = enrolment(actor, entry, into: row.branch, person: person, hasAccount: person != nil && logins.contains(entry.idNumber.value), at: now)
            batch.append(enrolment)
            let record = Self.record(of: enrolment, in: row.branch)
            enteredHere[entry.idNumber.value] = record
            if let number = entry.developmentNumber { numbersHere[number.value] = record }
            if !enrolment.personIsNew { knownPeople.append((results.count, enrolment.person.id, false)) }
            results.append(.success(.entered(record)))
        }
        try await r.enrolments.enrol(batch, at: now)
        if !knownPeople.isEmpty {
            // Their identity status and other posts are the store's.
            let reread = try await r.enrolments.memberships(of: knownPeople.map(\.person))
            for (index, person, alreadyThere) in knownPeople {
                guard let record = reread[person] else { throw ServiceRefusal.internalError }
                results[index] = .success(alreadyThere ? .alreadyThere(record) : .entered(record))
            }
        }
        return results
    }

    /// The exact path: each row checked against the store and written in its own savepoint.
    private func enterOneByOne(_ actor: Actor, _ rows: [EntryRow]) async throws -> [Result<EntryOutcome, any Error>] {
        let results = try await database.writeEach(rows) { r, row in
            try require(actor, .enterMember, .org(OrgPlacement(row.branch)))
            let known = try await self.known(row.draft, store: r)
            if let member = known.member, member.branch.id == row.branch.id, !member.removed { return EntryOutcome.alreadyThere(member) }
            return EntryOutcome.entered(try await self.record(actor, row.draft, into: row.branch, store: r, known: known))
        }
        // A unique constraint (another writer took the number or the person in the meantime)
        // is told as the check's reasons, read after the fact.
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
        let now = clock.now()
        // A person the store did not know has no account; a known one may (a cadre elsewhere).
        let hasAccount = if known.person == nil { false } else { try await r.accounts.find(login: entry.idNumber.value) != nil }
        let enrolment = enrolment(actor, entry, into: branch, person: known.person, hasAccount: hasAccount, at: now)
        try await r.enrolments.enrol([enrolment], at: now)
        if enrolment.personIsNew { return Self.record(of: enrolment, in: branch) }
        guard let record = try await r.members.find(enrolment.person.id) else { throw ServiceRefusal.internalError }
        return record
    }

    /// Every row one entry writes: the person (unless `person`, the one the store knows), the
    /// profile, the membership, the account with the initial password that must be changed at
    /// first login (ADM-6) unless the person has one, the post if one is given, and the audit entry.
    private func enrolment(
        _ actor: Actor, _ entry: MemberEntry, into branch: Org, person: PersonRecord?, hasAccount: Bool, at now: Timestamp
    ) -> MemberEnrolment {
        let personID = person?.id ?? PersonID(unchecked: newIdentifier())
        // ADM-6: the initial password's marker, not bcrypt (see `PasswordHasher.initialPasswordHash`).
        let account = hasAccount
            ? nil
            : AccountRecord(
                id: AccountID(unchecked: newIdentifier()), personID: personID, login: entry.idNumber.value,
                passwordHash: PasswordHasher.initialPasswordHash(for: entry.idNumber.initialPassword), mustChangePassword: true)
        return MemberEnrolment(
            person: person ?? PersonRecord(id: personID, name: entry.name, idNumber: entry.idNumber), personIsNew: person == nil,
            profile: entry.profile,
            member: Member(
                personID: personID, name: entry.name, idNumber: entry.idNumber, branchID: branch.id, joinedOn: entry.joinedOn,
                developmentNumber: entry.developmentNumber),
            account: account,
            post: entry.post.map { CadrePost(personID: personID, orgID: branch.id, title: $0.rawValue) },
            postChange: entry.post.map {
                CadrePostChange(
                    id: newIdentifier(), personID: personID, orgID: branch.id, fromTitle: nil, toTitle: $0.rawValue, changedBy: actor.personID,
                    changedAt: now)
            },
            audit: MemberAuditEvent(
                id: newIdentifier(), at: now, action: .enter, actorID: actor.personID, personID: personID, orgPath: branch.path,
                detail: Self.entryDetail(branch: branch.id, joinedOn: entry.joinedOn)))
    }

    /// What `json(["branch": …, "joinedOn": …])` writes (sorted keys), without an encoder per row.
    static func entryDetail(branch: OrgID, joinedOn: CivilDate) -> String {
        var json = JSONText(capacity: 96)
        json.object { json in
            json.field("branch", branch.rawValue)
            json.field("joinedOn", joinedOn.iso)
        }
        return json.text
    }

    /// A new person's record is what the entry writes: nothing to read back.
    private static func record(of enrolment: MemberEnrolment, in branch: Org) -> MemberRecord {
        MemberRecord(
            member: enrolment.member, branch: OrgPlacement(branch), branchName: branch.name, identityStatus: .unverified,
            holdsLeaguePost: enrolment.post != nil)
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
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, which bridges through `NSString` even
    /// when there is nothing to trim: the common case (every cell of a bulk import) returns at once.
    var trimmingWhitespaceAndNewlines: String {
        let set = CharacterSet.whitespacesAndNewlines
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        if !set.contains(first) && !set.contains(last) { return self }
        return trimmingCharacters(in: set)
    }
}

import Crypto
import Domain
import Foundation
import Persistence

/// The refusals of admin onboarding (ADM-1 … ADM-5), each one entry of `ErrorCatalogue`.
enum AdminRefusal: Error, Equatable {
    /// A registration code that opens nothing; `wrong` covers "no such code" and "another
    /// org's code" alike.
    case registrationCode(CodeRefusal)
    /// A reset code that opens nothing; `wrong` also covers an unknown account.
    case resetCode(CodeRefusal)
    case tooManyCodeAttempts(retryAfterSeconds: Int)
    /// Every reason a registration's personal data fails, at once.
    case invalidRegistration(ReasonList)
    case roster(AdminRoster.Refusal)
    /// The ID number has an account already, and the password given is not its password.
    case accountPasswordMismatch
    case changeRequestPending
    case changeRequestNotPending
    case reasonRequired
    /// The person has no login account (nothing to reset).
    case noAccount
    /// Revoking an admin is the parent's act; the org's own admin cannot request it.
    case revokeNeedsParent
    /// The org has no sub-orgs to generate codes for.
    case noChildren
}

/// Counts failed code attempts per address (`code_attempts`) and refuses an address past the
/// bound, the way `LoginThrottle` treats one address guessing many accounts.
struct CodeThrottle: Sendable {
    /// Failures of one address within `windowSeconds`, whatever the code was for.
    var perAddress = 10
    var windowSeconds: Int64 = 15 * 60
    let clock: any TimeSource
    private let turns = AddressTurns()

    init(clock: any TimeSource) { self.clock = clock }

    /// Runs one attempt per address at a time, after checking the count; records a refusal once.
    func attempt<T: Sendable>(
        _ purpose: OneTimeCodePurpose, from address: String, repositories: Repositories, _ body: () async throws -> T
    ) async throws -> T {
        try await turns.exclusive(address) { try await judged(purpose, from: address, repositories: repositories, body) }
    }

    private func judged<T: Sendable>(
        _ purpose: OneTimeCodePurpose, from address: String, repositories: Repositories, _ body: () async throws -> T
    ) async throws -> T {
        let now = clock.now()
        let failures = try await repositories.admins.codeFailures(address: address, since: now.adding(seconds: -windowSeconds))
        if failures.count >= perAddress, let oldest = failures.oldest {
            let wait = max(1, (oldest.adding(seconds: windowSeconds).millisecondsSinceEpoch - now.millisecondsSinceEpoch + 999) / 1000)
            throw AdminRefusal.tooManyCodeAttempts(retryAfterSeconds: Int(wait))
        }
        do {
            let result = try await body()
            try await repositories.admins.recordCodeAttempt(purpose: purpose, address: address, outcome: .succeeded, at: clock.now())
            return result
        } catch let refusal as AdminRefusal {
            switch refusal {
            case .registrationCode, .resetCode:
                try await repositories.admins.recordCodeAttempt(purpose: purpose, address: address, outcome: .failed, at: clock.now())
            default: break
            }
            throw refusal
        }
    }
}

/// A registration code just generated: shown once, never stored in the clear.
struct IssuedRegistrationCode: Sendable {
    let org: Org
    let code: OneTimeCode
    let expiresAt: Timestamp
}

/// A direct sub-org with the state of its current registration code, for the 注册码 page.
struct ChildCodeStatus: Sendable {
    let org: Org
    let current: StoredCode?
    let admins: Int
    let canIssue: Bool
}

/// What a person sends to register as an org's admin (ADM-2).
struct RegistrationForm: Sendable {
    var orgID: String
    var code: String
    var draft: AdminRegistrationDraft
    var password: String
}

struct Registration: Sendable {
    let personID: PersonID
    let accountID: AccountID
    let org: Org
    let slot: Int
    /// The account existed before (a cadre of another org, ADM-7): its password was kept.
    let existingAccount: Bool
}

/// An org's admins as the 管理员 page and `GET …/admins` show them.
struct AdminsOverview: Sendable {
    let org: Org
    let admins: [(slot: Int, person: PersonRecord)]
    /// Cadres of the org who may be appointed (ADM-3).
    let cadres: [(post: CadrePost, person: PersonRecord)]
    let pending: [AdminChangeItem]
    let route: AdminChangeRoute
}

/// A change request with the names a reader needs.
struct AdminChangeItem: Sendable {
    let request: AdminChangeRequestRecord
    let org: Org
    let appointee: PersonRecord?
    let replaced: PersonRecord?
    let requester: PersonRecord?
}

enum AdminChangeOutcome: Sendable, Equatable {
    case applied
    case requested(id: String)
}

/// A password-reset code just generated (ADM-5).
struct IssuedResetCode: Sendable {
    let code: OneTimeCode
    let expiresAt: Timestamp
    let person: PersonRecord
}

/// Admin onboarding: registration codes (ADM-1), registration (ADM-2, ADM-3), admin changes
/// through the operation centre (ADM-4) and password resets (ADM-5). The API and the pages
/// both call it; every decision on access is `Domain.authorize`'s, every change is audited.
struct AdminWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource
    let passwords: PasswordHasher
    /// The sessions cache of `AccountWorkflow`: whoever gains or loses admin rights is dropped
    /// from it at once, so the next request reads the new rights.
    let cache: SessionCache
    let throttle: CodeThrottle

    var repositories: Repositories { database.repositories }
    var today: CivilDate { clock.now().chinaDate }

    /// The stored form of a code: SHA-256 with the purpose, so a registration code's hash
    /// never matches a reset code's.
    static func hash(_ code: OneTimeCode, _ purpose: OneTimeCodePurpose) -> String {
        SHA256.hash(data: Data("zhtj.\(purpose.rawValue):\(code.value)".utf8)).lowercaseHex
    }

    func org(_ id: OrgID) async throws -> Org {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        return org
    }

    // MARK: ADM-1 registration codes

    /// A new code for the direct sub-org `orgID`; the org's previous code stops working.
    func issueRegistrationCode(_ actor: Actor, for orgID: OrgID) async throws -> IssuedRegistrationCode {
        let org = try await org(orgID)
        try require(actor, .issueRegistrationCode, .org(OrgPlacement(org)))
        return try await issue([org], by: actor)[0]
    }

    /// ADM-1 "all of them exported at once": a fresh code for every direct sub-org of `parent`,
    /// in one transaction (codes are stored hashed, so exporting means generating anew).
    func generateForAllChildren(_ actor: Actor, parent: OrgID) async throws -> [IssuedRegistrationCode] {
        let parentOrg = try await org(parent)
        try require(actor, .viewOrg, .org(OrgPlacement(parentOrg)))
        let children = try await repositories.orgs.children(of: parent)
        for child in children { try require(actor, .issueRegistrationCode, .org(OrgPlacement(child))) }
        guard !children.isEmpty else { throw AdminRefusal.noChildren }
        return try await issue(children, by: actor)
    }

    private func issue(_ orgs: [Org], by actor: Actor) async throws -> [IssuedRegistrationCode] {
        let now = clock.now()
        let expires = Timestamp(millisecondsSinceEpoch: IssuedCode.expiry(issuedAt: now.millisecondsSinceEpoch, for: .adminRegistration))
        let issued = orgs.map { IssuedRegistrationCode(org: $0, code: OneTimeCode.generate(), expiresAt: expires) }
        let person = actor.personID
        try await database.write { repositories in
            for item in issued {
                try await repositories.admins.issueRegistrationCode(
                    id: newIdentifier(), org: item.org.id, codeHash: Self.hash(item.code, .adminRegistration), issuedBy: person, at: now,
                    expiresAt: expires)
                try await repositories.admins.appendAudit(
                    AdminAuditEvent(
                        at: now, action: .issueRegistrationCode, actorID: person, subjectID: nil, org: OrgPlacement(item.org),
                        detail: "expires \(expires.text)"))
            }
        }
        return issued
    }

    /// The direct sub-orgs of `parent` with their current code's state (never the code).
    func registrationCodes(_ actor: Actor, parent: OrgID) async throws -> (Org, [ChildCodeStatus]) {
        let parentOrg = try await org(parent)
        try require(actor, .viewOrg, .org(OrgPlacement(parentOrg)))
        let children = try await repositories.orgs.children(of: parent)
        let codes = try await repositories.admins.currentRegistrationCodes(of: children.map(\.id))
        var result: [ChildCodeStatus] = []
        for child in children {
            result.append(
                ChildCodeStatus(
                    org: child, current: codes[child.id], admins: try await repositories.cadres.admins(of: child.id).count,
                    canIssue: Domain.authorize(actor, .issueRegistrationCode, .org(OrgPlacement(child))).isAllowed))
        }
        return (parentOrg, result)
    }

    // MARK: ADM-2 registration

    /// Orgs a registrant may pick by name (at most 20), for the registration page.
    func searchOrgs(_ text: String) async throws -> [Org] {
        let q = try FreeText.checked(text, as: .search)
        guard q.count >= 2 else { return [] }
        return try await repositories.admins.searchOrgs(name: q, limit: 20)
    }

    /// The org a registration form names, for showing its full name (nil when unknown).
    func registrationOrg(_ raw: String) async throws -> Org? {
        guard let id = OrgID(rawValue: raw) else { return nil }
        return try await repositories.orgs.find(id)
    }

    /// Creates (or reuses) the person, the account, the post and the admin appointment, and
    /// consumes the code, in one transaction; throttled per address.
    func register(_ form: RegistrationForm, address: String) async throws -> Registration {
        try await throttle.attempt(.adminRegistration, from: address, repositories: repositories) {
            try await attemptRegistration(form)
        }
    }

    private func attemptRegistration(_ form: RegistrationForm) async throws -> Registration {
        let now = clock.now()
        // The code first: nothing about people or accounts is said to someone without one.
        guard let orgID = OrgID(rawValue: form.orgID.trimmingCharacters(in: .whitespaces)),
            let org = try await repositories.orgs.find(orgID),
            let code = OneTimeCode(form.code)
        else { throw AdminRefusal.registrationCode(.wrong) }
        let stored = try await repositories.admins.registrationCode(org: org.id, codeHash: Self.hash(code, .adminRegistration))
        do {
            try IssuedCode.redeemable(stored?.issued, now: now.millisecondsSinceEpoch)
        } catch {
            throw AdminRefusal.registrationCode(error)
        }
        guard let stored else { throw AdminRefusal.registrationCode(.wrong) }

        var reasons: [String] = []
        var checked: AdminRegistrationDraft.Checked?
        switch form.draft.check(today: now.chinaDate) {
        case .success(let c): checked = c
        case .failure(let list): reasons = list.reasons
        }
        var existingPerson: PersonRecord?
        var existingAccount: AccountRecord?
        if let checked {
            existingPerson = try await repositories.admins.person(idNumber: checked.idNumber.value)
            existingAccount = try await repositories.accounts.find(login: checked.idNumber.value)
            // A new account's password must be strong; an existing one keeps its own.
            if existingAccount == nil, let problem = PasswordPolicy.problem(with: form.password, idNumberSuffix: checked.idNumber.initialPassword) {
                reasons.append(problem.replacingOccurrences(of: "新密码", with: "登录密码"))
            }
        }
        if let existingPerson, let checked, existingPerson.name != checked.name {
            reasons.append("姓名与该身份证号已登记的姓名不一致，请核对")
        }
        guard reasons.isEmpty, let checked else { throw AdminRefusal.invalidRegistration(ReasonList(reasons)) }
        let knownPerson = existingPerson
        let knownAccount = existingAccount
        if let existingAccount {
            // A cadre of another org registering here (ADM-7) proves it is them; nobody takes
            // over an account by knowing its ID number and an org's code.
            guard try await passwords.verify(form.password, hash: existingAccount.passwordHash) else {
                throw AdminRefusal.accountPasswordMismatch
            }
        }
        let passwordHash: String? = knownAccount == nil ? try await passwords.hash(form.password) : nil
        let personID = knownPerson?.id ?? PersonID(unchecked: newIdentifier())
        let accountID = knownAccount?.id ?? AccountID(unchecked: newIdentifier())
        let placement = OrgPlacement(org)
        let slot: Int = try await database.write { repositories in
            if knownPerson == nil {
                try await repositories.people.insert(PersonRecord(id: personID, name: checked.name, idNumber: checked.idNumber), at: now)
            }
            if let passwordHash {
                // The registrant chose this password: no first-login change (ADM-6 is for entered members).
                try await repositories.accounts.insert(
                    AccountRecord(id: accountID, personID: personID, login: checked.idNumber.value, passwordHash: passwordHash,
                                  mustChangePassword: false), at: now)
            }
            let posts = try await repositories.cadres.posts(of: personID)
            if !posts.contains(where: { $0.orgID == org.id }) {
                try await repositories.cadres.insert(CadrePost(personID: personID, orgID: org.id, title: checked.post), at: now)
            }
            var roster = try await repositories.admins.activeAdmins(of: org.id)
            let slot: Int
            do throws(AdminRoster.Refusal) {
                slot = try roster.appoint(personID, isCadre: true)
            } catch {
                throw AdminRefusal.roster(error)
            }
            guard try await repositories.admins.consumeRegistrationCode(id: stored.id, by: personID, at: now) else {
                throw AdminRefusal.registrationCode(.used)
            }
            try await repositories.admins.appoint(personID, of: org.id, slot: slot, by: personID, at: now)
            try await repositories.admins.insertRegistration(
                AdminRegistrationRecord(
                    id: newIdentifier(), orgID: org.id, personID: personID, codeID: stored.id, post: checked.post, mobile: checked.mobile,
                    joinedOn: checked.joinedOn), at: now)
            try await repositories.admins.appendAudit(
                AdminAuditEvent(at: now, action: .register, actorID: personID, subjectID: personID, org: placement, detail: "slot \(slot)"))
            return slot
        }
        cache.forget(account: accountID)
        return Registration(personID: personID, accountID: accountID, org: org, slot: slot, existingAccount: knownAccount != nil)
    }

    // MARK: ADM-3 / ADM-4 admins and changes

    func admins(_ actor: Actor, org id: OrgID) async throws -> AdminsOverview {
        let org = try await org(id)
        try require(actor, .manageAdmins, .org(OrgPlacement(org)))
        let roster = try await repositories.admins.activeAdmins(of: id)
        let posts = try await repositories.cadres.posts(in: id)
        let people = try await repositories.people.find(Array(Set(posts.map(\.personID) + roster.admins)))
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0) })
        let admins = roster.slots.keys.sorted().compactMap { slot in roster.slots[slot].flatMap { byID[$0] }.map { (slot, $0) } }
        let cadres = posts.compactMap { post in byID[post.personID].map { (post, $0) } }
        let pending = try await items(try await repositories.admins.pendingChangeRequests(of: id))
        return AdminsOverview(
            org: org, admins: admins, cadres: cadres, pending: pending, route: AdminChangeRoute.route(for: actor, changing: OrgPlacement(org)))
    }

    /// ADM-4: the parent's admin changes a sub-org's admins at once; the org's own admin asks
    /// the parent, and the request waits in the parent's operation centre.
    func changeAdmins(_ actor: Actor, org id: OrgID, change: AdminChange) async throws -> AdminChangeOutcome {
        let org = try await org(id)
        let placement = OrgPlacement(org)
        try require(actor, .manageAdmins, .org(placement))
        var roster = try await repositories.admins.activeAdmins(of: id)
        let isCadre = try await isCadre(change.appointee, of: id)
        do {
            _ = try change.apply(to: &roster, appointeeIsCadre: isCadre)
        } catch {
            throw AdminRefusal.roster(error)
        }
        let now = clock.now()
        switch AdminChangeRoute.route(for: actor, changing: placement) {
        case .immediate:
            try await database.write { repositories in
                try await apply(change, org: placement, by: actor.personID, at: now, repositories: repositories)
            }
            try await forgetSessions(of: change)
            return .applied
        case .needsApproval(let parent):
            if case .revoke = change { throw AdminRefusal.revokeNeedsParent }
            let request = AdminChangeRequestRecord(
                id: newIdentifier(), orgID: id, deciderOrgID: parent, change: change, requestedBy: actor.personID, requestedAt: now,
                state: .pending)
            do {
                try await database.write { repositories in
                    try await repositories.admins.insertChangeRequest(request)
                    try await repositories.admins.appendAudit(
                        AdminAuditEvent(
                            at: now, action: .requestChange, actorID: actor.personID, subjectID: change.appointee, org: placement,
                            detail: Self.describe(change)))
                }
            } catch {
                if case .unique? = ConstraintViolation(error) { throw AdminRefusal.changeRequestPending }
                throw error
            }
            return .requested(id: request.id)
        }
    }

    /// The parent's admin decides a request; an approval applies it in the same transaction.
    func decide(_ actor: Actor, request id: String, approve: Bool, reason: String?) async throws {
        guard let request = try await repositories.admins.changeRequest(id) else { throw ServiceRefusal.notFound }
        let org = try await org(request.orgID)
        let placement = OrgPlacement(org)
        try require(actor, .decideAdminChange, .org(placement))
        let event: AdminChangeRequestState.Event
        if approve {
            event = .approve
        } else {
            event = .reject(reason: try FreeText.checked(reason ?? "", as: .reason))
        }
        let next: AdminChangeRequestState
        do {
            next = try request.state.apply(event).0
        } catch {
            switch error {
            case .notPending: throw AdminRefusal.changeRequestNotPending
            case .reasonRequired: throw AdminRefusal.reasonRequired
            }
        }
        let now = clock.now()
        try await database.write { repositories in
            guard try await repositories.admins.decideChangeRequest(id, state: next, by: actor.personID, at: now) else {
                throw AdminRefusal.changeRequestNotPending
            }
            if approve {
                try await apply(request.change, org: placement, by: actor.personID, at: now, repositories: repositories)
            }
            try await repositories.admins.appendAudit(
                AdminAuditEvent(
                    at: now, action: approve ? .approveChange : .rejectChange, actorID: actor.personID, subjectID: request.change.appointee,
                    org: placement, detail: approve ? Self.describe(request.change) : "rejected"))
        }
        if approve { try await forgetSessions(of: request.change) }
    }

    /// Applies `change` to the org's appointments inside a transaction, checking the roster
    /// afresh (another change may have filled the slots since).
    private func apply(_ change: AdminChange, org: OrgPlacement, by actor: PersonID, at now: Timestamp, repositories: Repositories) async throws {
        var roster = try await repositories.admins.activeAdmins(of: org.id)
        var isCadre = true
        if let p = change.appointee { isCadre = try await repositories.cadres.posts(of: p).contains { $0.orgID == org.id } }
        let slot: Int
        do throws(AdminRoster.Refusal) {
            slot = try change.apply(to: &roster, appointeeIsCadre: isCadre)
        } catch {
            throw AdminRefusal.roster(error)
        }
        switch change {
        case .add(let p):
            try await repositories.admins.appoint(p, of: org.id, slot: slot, by: actor, at: now)
            try await audit(.appoint, p, org, actor, now, "slot \(slot)", repositories)
        case .replace(let old, let new):
            try await repositories.admins.revoke(old, of: org.id, by: actor, at: now)
            try await repositories.admins.appoint(new, of: org.id, slot: slot, by: actor, at: now)
            try await audit(.revoke, old, org, actor, now, "replaced, slot \(slot)", repositories)
            try await audit(.appoint, new, org, actor, now, "slot \(slot)", repositories)
        case .revoke(let p):
            try await repositories.admins.revoke(p, of: org.id, by: actor, at: now)
            try await audit(.revoke, p, org, actor, now, "slot \(slot)", repositories)
        }
    }

    private func audit(
        _ action: AdminAuditAction, _ subject: PersonID, _ org: OrgPlacement, _ actor: PersonID, _ now: Timestamp, _ detail: String,
        _ repositories: Repositories
    ) async throws {
        try await repositories.admins.appendAudit(AdminAuditEvent(at: now, action: action, actorID: actor, subjectID: subject, org: org, detail: detail))
    }

    private func isCadre(_ person: PersonID?, of org: OrgID) async throws -> Bool {
        guard let person else { return true }
        return try await repositories.cadres.posts(of: person).contains { $0.orgID == org }
    }

    /// Ends the cached sessions of everyone whose admin rights changed: a revoked admin loses
    /// them with the next request, a new one gains them.
    private func forgetSessions(of change: AdminChange) async throws {
        let people: [PersonID] =
            switch change {
            case .add(let p), .revoke(let p): [p]
            case .replace(let old, let new): [old, new]
            }
        for person in try await repositories.people.find(people) {
            if let account = try await repositories.accounts.find(login: person.idNumber.value) { cache.forget(account: account.id) }
        }
    }

    static func describe(_ change: AdminChange) -> String {
        switch change {
        case .add(let p): "add \(p.rawValue)"
        case .replace(let old, let new): "replace \(old.rawValue) with \(new.rawValue)"
        case .revoke(let p): "revoke \(p.rawValue)"
        }
    }

    /// Pending requests waiting on the actor's orgs (operation-centre type 管理员变更).
    func pendingChanges(_ actor: Actor, after cursor: (Timestamp, String)?, limit: Int) async throws -> [AdminChangeItem] {
        if actor.mustChangePassword { throw ServiceRefusal.passwordChangeRequired }
        let rows = try await repositories.admins.pendingChangeRequests(
            decidedBy: actor.administeredOrgs.map(\.id), after: cursor, limit: limit)
        return try await items(rows)
    }

    /// One request, for its decision page; only its deciders and the org's own admins see it.
    func changeRequest(_ actor: Actor, id: String) async throws -> (AdminChangeItem, canDecide: Bool) {
        guard let request = try await repositories.admins.changeRequest(id) else { throw ServiceRefusal.notFound }
        let org = try await org(request.orgID)
        try require(actor, .manageAdmins, .org(OrgPlacement(org)))
        guard let item = try await items([request]).first else { throw ServiceRefusal.notFound }
        return (item, Domain.authorize(actor, .decideAdminChange, .org(OrgPlacement(org))).isAllowed)
    }

    private func items(_ rows: [AdminChangeRequestRecord]) async throws -> [AdminChangeItem] {
        try await Self.items(rows, repositories: repositories)
    }

    /// The requests with the orgs and people they name, in three queries whatever their number.
    static func items(_ rows: [AdminChangeRequestRecord], repositories: Repositories) async throws -> [AdminChangeItem] {
        if rows.isEmpty { return [] }
        let orgs = Dictionary(uniqueKeysWithValues: try await repositories.orgs.find(Array(Set(rows.map(\.orgID)))).map { ($0.id, $0) })
        var ids: Set<PersonID> = []
        for row in rows {
            ids.insert(row.requestedBy)
            if let p = row.change.appointee { ids.insert(p) }
            if case .replace(let old, _) = row.change { ids.insert(old) }
        }
        let people = Dictionary(uniqueKeysWithValues: try await repositories.people.find(Array(ids)).map { ($0.id, $0) })
        return rows.compactMap { row in
            guard let org = orgs[row.orgID] else { return nil }
            var replaced: PersonRecord?
            if case .replace(let old, _) = row.change { replaced = people[old] }
            return AdminChangeItem(
                request: row, org: org, appointee: row.change.appointee.flatMap { people[$0] }, replaced: replaced,
                requester: people[row.requestedBy])
        }
    }

    // MARK: ADM-5 password resets

    /// A reset code for `personID`, by an admin of one of the person's orgs or its direct parent.
    func issueResetCode(_ actor: Actor, person personID: PersonID) async throws -> IssuedResetCode {
        guard let person = try await repositories.people.find(personID) else { throw ServiceRefusal.notFound }
        let orgs = try await orgs(of: personID)
        try require(actor, .issuePasswordReset, .person(personID, orgs: orgs))
        guard let account = try await repositories.accounts.find(login: person.idNumber.value) else { throw AdminRefusal.noAccount }
        // The org the code is issued as: the person's own org where the actor administers it, else its parent.
        guard
            let issuer = orgs.lazy.compactMap({ org -> OrgPlacement? in
                if actor.isAdmin(of: org.id) { return org }
                return actor.administeredOrgs.first { $0.id == org.parentID }
            }).first
        else { throw ServiceRefusal.forbidden }
        let subjectOrg = orgs.first { $0.id == issuer.id || $0.parentID == issuer.id } ?? issuer
        let now = clock.now()
        let expires = Timestamp(millisecondsSinceEpoch: IssuedCode.expiry(issuedAt: now.millisecondsSinceEpoch, for: .passwordReset))
        let code = OneTimeCode.generate()
        try await database.write { repositories in
            try await repositories.admins.issueResetCode(
                id: newIdentifier(), account: account.id, codeHash: Self.hash(code, .passwordReset), issuedBy: actor.personID,
                issuedByOrg: issuer.id, at: now, expiresAt: expires)
            try await repositories.admins.appendAudit(
                AdminAuditEvent(
                    at: now, action: .issueResetCode, actorID: actor.personID, subjectID: personID, org: subjectOrg,
                    detail: "expires \(expires.text)"))
        }
        return IssuedResetCode(code: code, expiresAt: expires, person: person)
    }

    /// The person's orgs, once the actor may issue them a reset code (the reset page's check).
    func resetTarget(_ actor: Actor, person: PersonID) async throws -> [OrgPlacement] {
        let orgs = try await orgs(of: person)
        try require(actor, .issuePasswordReset, .person(person, orgs: orgs))
        return orgs
    }

    /// The person's member branch and the orgs where they hold a post.
    private func orgs(of person: PersonID) async throws -> [OrgPlacement] {
        var ids: [OrgID] = []
        if let member = try await repositories.members.find(person) { ids.append(member.branch.id) }
        ids += try await repositories.cadres.posts(of: person).map(\.orgID)
        return try await repositories.orgs.find(Array(Set(ids))).map(OrgPlacement.init).sorted { $0.path.encoded < $1.path.encoded }
    }

    /// `/forgot-password`: the ID number, the code and a new password; every session of the
    /// account ends. An unknown account is refused exactly like a wrong code.
    func resetPassword(account rawAccount: String, code rawCode: String, newPassword: String, address: String) async throws {
        try await throttle.attempt(.passwordReset, from: address, repositories: repositories) {
            let login = AccountWorkflow.normalise(rawAccount)
            let now = clock.now()
            guard let code = OneTimeCode(rawCode), !login.isEmpty, login.count <= 64,
                let account = try await repositories.accounts.find(login: login)
            else { throw AdminRefusal.resetCode(.wrong) }
            let stored = try await repositories.admins.resetCode(account: account.id, codeHash: Self.hash(code, .passwordReset))
            do throws(CodeRefusal) {
                try IssuedCode.redeemable(stored?.issued, now: now.millisecondsSinceEpoch)
            } catch {
                throw AdminRefusal.resetCode(error)
            }
            guard let stored, let person = try await repositories.people.find(account.personID) else { throw AdminRefusal.resetCode(.wrong) }
            if let problem = PasswordPolicy.problem(with: newPassword, idNumberSuffix: person.idNumber.initialPassword) {
                throw ServiceRefusal.weakPassword(problem)
            }
            let hash = try await passwords.hash(newPassword)
            let org = try await orgs(of: person.id).first
            try await database.write { repositories in
                guard try await repositories.admins.consumeResetCode(id: stored.id, at: now) else { throw AdminRefusal.resetCode(.used) }
                try await repositories.accounts.updatePassword(account.id, hash: hash, at: now)
                try await repositories.sessions.revokeAll(of: account.id, except: nil, at: now)
                if let org {
                    try await repositories.admins.appendAudit(
                        AdminAuditEvent(at: now, action: .resetPassword, actorID: person.id, subjectID: person.id, org: org, detail: nil))
                }
            }
            cache.forget(account: account.id)
        }
    }

    /// The subtree's admin and account audit, newest first.
    func audit(_ actor: Actor, org id: OrgID, limit: Int) async throws -> [AdminAuditEvent] {
        let org = try await org(id)
        try require(actor, .viewOrg, .org(OrgPlacement(org)))
        return try await repositories.admins.audit(inSubtreeOf: org.path, limit: limit)
    }
}

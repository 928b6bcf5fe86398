import Domain
import Foundation
import SQLKit

/// A stored one-time code (registration or password reset), without the code: only its hash
/// is kept.
public struct StoredCode: Sendable, Equatable {
    public let id: String
    /// The org (registration codes) or account (reset codes) it opens.
    public let owner: String
    public let issuedAt: Timestamp
    public let expiresAt: Timestamp
    public let supersededAt: Timestamp?
    public let usedAt: Timestamp?

    public var issued: IssuedCode {
        IssuedCode(
            issuedAt: issuedAt.millisecondsSinceEpoch, expiresAt: expiresAt.millisecondsSinceEpoch, superseded: supersededAt != nil,
            used: usedAt != nil)
    }
}

/// ADM-2: a registration as recorded beside the person, account, post and appointment.
public struct AdminRegistrationRecord: Sendable, Equatable {
    public let id: String
    public let orgID: OrgID
    public let personID: PersonID
    public let codeID: String
    public let post: String
    public let mobile: String
    public let joinedOn: CivilDate

    public init(id: String, orgID: OrgID, personID: PersonID, codeID: String, post: String, mobile: String, joinedOn: CivilDate) {
        self.id = id
        self.orgID = orgID
        self.personID = personID
        self.codeID = codeID
        self.post = post
        self.mobile = mobile
        self.joinedOn = joinedOn
    }
}

/// ADM-4: a request to change an org's admins, waiting in the parent's operation centre.
public struct AdminChangeRequestRecord: Sendable, Equatable {
    public let id: String
    public let orgID: OrgID
    public let deciderOrgID: OrgID
    public let change: AdminChange
    public let requestedBy: PersonID
    public let requestedAt: Timestamp
    public let state: AdminChangeRequestState
    public let decidedBy: PersonID?
    public let decidedAt: Timestamp?

    public init(
        id: String, orgID: OrgID, deciderOrgID: OrgID, change: AdminChange, requestedBy: PersonID, requestedAt: Timestamp,
        state: AdminChangeRequestState, decidedBy: PersonID? = nil, decidedAt: Timestamp? = nil
    ) {
        self.id = id
        self.orgID = orgID
        self.deciderOrgID = deciderOrgID
        self.change = change
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.state = state
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
    }
}

/// What happened to admins and accounts (`admin_audit_log`).
public enum AdminAuditAction: String, Sendable, CaseIterable {
    case issueRegistrationCode = "registration_code.issue"
    case register = "admin.register"
    case appoint = "admin.appoint"
    case revoke = "admin.revoke"
    case requestChange = "admin_change.request"
    case approveChange = "admin_change.approve"
    case rejectChange = "admin_change.reject"
    case issueResetCode = "password_reset.issue"
    case resetPassword = "password_reset.use"
}

/// One audit entry. `detail` never holds an ID number or a code.
public struct AdminAuditEvent: Sendable, Equatable {
    public let at: Timestamp
    public let action: AdminAuditAction
    /// Who acted; nil never happens today (a registrant is the subject and the actor).
    public let actorID: PersonID?
    public let subjectID: PersonID?
    public let org: OrgPlacement
    public let detail: String?

    public init(at: Timestamp, action: AdminAuditAction, actorID: PersonID?, subjectID: PersonID?, org: OrgPlacement, detail: String?) {
        self.at = at
        self.action = action
        self.actorID = actorID
        self.subjectID = subjectID
        self.org = org
        self.detail = detail
    }
}

/// What became of a code attempt; the throttle counts failures per address.
public enum CodeAttemptOutcome: String, Sendable {
    case succeeded, failed, throttled
}

/// Registration codes, registrations, revocable admin appointments, admin-change requests,
/// password-reset codes, code attempts and their audit (ADM-1 … ADM-5).
public protocol AdminRepository: Sendable {
    // Registration codes (ADM-1)
    /// Marks the org's current code superseded and stores the new one, in the caller's transaction.
    func issueRegistrationCode(id: String, org: OrgID, codeHash: String, issuedBy: PersonID, at: Timestamp, expiresAt: Timestamp) async throws
    /// The current (not superseded) code of each org, in one query.
    func currentRegistrationCodes(of orgs: [OrgID]) async throws -> [OrgID: StoredCode]
    /// The newest code of `org` with this hash, whatever its state; nil for none.
    func registrationCode(org: OrgID, codeHash: String) async throws -> StoredCode?
    /// Marks the code used; false when it was used or superseded meanwhile.
    func consumeRegistrationCode(id: String, by person: PersonID, at: Timestamp) async throws -> Bool
    func insertRegistration(_ registration: AdminRegistrationRecord, at: Timestamp) async throws
    func registrations(of person: PersonID) async throws -> [AdminRegistrationRecord]

    // Appointments (ADM-3, ADM-4)
    func activeAdmins(of org: OrgID) async throws -> AdminRoster
    func appoint(_ person: PersonID, of org: OrgID, slot: Int, by actor: PersonID?, at: Timestamp) async throws
    func revoke(_ person: PersonID, of org: OrgID, by actor: PersonID, at: Timestamp) async throws

    // Change requests (ADM-4)
    func insertChangeRequest(_ request: AdminChangeRequestRecord) async throws
    func changeRequest(_ id: String) async throws -> AdminChangeRequestRecord?
    /// Pending requests decided by any of `deciders`, oldest first, after the keyset cursor.
    func pendingChangeRequests(decidedBy deciders: [OrgID], after: (Timestamp, String)?, limit: Int) async throws -> [AdminChangeRequestRecord]
    func pendingChangeRequests(of org: OrgID) async throws -> [AdminChangeRequestRecord]
    /// Records the decision; false when the request was no longer pending.
    func decideChangeRequest(_ id: String, state: AdminChangeRequestState, by: PersonID, at: Timestamp) async throws -> Bool

    // Password-reset codes (ADM-5)
    func issueResetCode(id: String, account: AccountID, codeHash: String, issuedBy: PersonID, issuedByOrg: OrgID, at: Timestamp, expiresAt: Timestamp) async throws
    func resetCode(account: AccountID, codeHash: String) async throws -> StoredCode?
    func consumeResetCode(id: String, at: Timestamp) async throws -> Bool

    // Attempts and audit
    func recordCodeAttempt(purpose: OneTimeCodePurpose, address: String, outcome: CodeAttemptOutcome, at: Timestamp) async throws
    /// Failures from `address` since `since`: how many and the oldest.
    func codeFailures(address: String, since: Timestamp) async throws -> (count: Int, oldest: Timestamp?)
    func appendAudit(_ event: AdminAuditEvent) async throws
    /// Entries of the subtree at `path`, newest first.
    func audit(inSubtreeOf path: OrgPath, limit: Int) async throws -> [AdminAuditEvent]

    // Lookups the onboarding needs
    func person(idNumber: String) async throws -> PersonRecord?
    /// Orgs whose short or full name contains `text` (the registration page's org search).
    func searchOrgs(name text: String, limit: Int) async throws -> [Org]
}

public struct SQLAdminRepository: AdminRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static func newID() -> String { UUID().uuidString.lowercased() }

    static func code(_ row: any SQLRow, owner column: String) throws -> StoredCode {
        func time(_ c: String) throws -> Timestamp? { try row.decode(column: c, as: String?.self).flatMap(Timestamp.init(text:)) }
        let id = try row.decode(column: "id", as: String.self)
        guard let issued = try time("issued_at"), let expires = try time("expires_at") else { throw CorruptRow(table: "codes", key: id) }
        return StoredCode(
            id: id, owner: try row.decode(column: column, as: String.self), issuedAt: issued, expiresAt: expires,
            supersededAt: try time("superseded_at"), usedAt: try time("used_at"))
    }

    // MARK: Registration codes

    public func issueRegistrationCode(id: String, org: OrgID, codeHash: String, issuedBy: PersonID, at: Timestamp, expiresAt: Timestamp) async throws {
        try await sql.raw("""
            UPDATE registration_codes SET superseded_at = \(bind: at.text) WHERE org_id = \(bind: org.rawValue) AND superseded_at IS NULL
            """).run()
        try await sql.raw("""
            INSERT INTO registration_codes (id, org_id, code_hash, issued_by, issued_at, expires_at)
            VALUES (\(bind: id), \(bind: org.rawValue), \(bind: codeHash), \(bind: issuedBy.rawValue), \(bind: at.text), \(bind: expiresAt.text))
            """).run()
    }

    static let codeColumns = "id, issued_at, expires_at, superseded_at, used_at"

    public func currentRegistrationCodes(of orgs: [OrgID]) async throws -> [OrgID: StoredCode] {
        if orgs.isEmpty { return [:] }
        let rows = try await sql.raw("""
            SELECT org_id, \(unsafeRaw: Self.codeColumns) FROM registration_codes
            WHERE superseded_at IS NULL AND org_id IN (\(binds: orgs.map(\.rawValue)))
            """).all()
        var result: [OrgID: StoredCode] = [:]
        for row in rows {
            let code = try Self.code(row, owner: "org_id")
            result[OrgID(unchecked: code.owner)] = code
        }
        return result
    }

    public func registrationCode(org: OrgID, codeHash: String) async throws -> StoredCode? {
        try await sql.raw("""
            SELECT org_id, \(unsafeRaw: Self.codeColumns) FROM registration_codes
            WHERE org_id = \(bind: org.rawValue) AND code_hash = \(bind: codeHash) ORDER BY issued_at DESC, id LIMIT 1
            """).first().map { try Self.code($0, owner: "org_id") }
    }

    public func consumeRegistrationCode(id: String, by person: PersonID, at: Timestamp) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE registration_codes SET used_at = \(bind: at.text), used_by = \(bind: person.rawValue)
            WHERE id = \(bind: id) AND used_at IS NULL AND superseded_at IS NULL
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    public func insertRegistration(_ r: AdminRegistrationRecord, at: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO admin_registrations (id, org_id, person_id, code_id, post, mobile, joined_on, registered_at)
            VALUES (\(bind: r.id), \(bind: r.orgID.rawValue), \(bind: r.personID.rawValue), \(bind: r.codeID), \(bind: r.post),
                    \(bind: r.mobile), \(bind: r.joinedOn.iso), \(bind: at.text))
            """).run()
    }

    public func registrations(of person: PersonID) async throws -> [AdminRegistrationRecord] {
        try await sql.raw("""
            SELECT id, org_id, person_id, code_id, post, mobile, joined_on FROM admin_registrations
            WHERE person_id = \(bind: person.rawValue) ORDER BY registered_at, id
            """).all().map { row in
            let id = try row.decode(column: "id", as: String.self)
            guard let joined = CivilDate(iso: try row.decode(column: "joined_on", as: String.self)) else {
                throw CorruptRow(table: "admin_registrations", key: id)
            }
            return AdminRegistrationRecord(
                id: id, orgID: OrgID(unchecked: try row.decode(column: "org_id", as: String.self)), personID: person,
                codeID: try row.decode(column: "code_id", as: String.self), post: try row.decode(column: "post", as: String.self),
                mobile: try row.decode(column: "mobile", as: String.self), joinedOn: joined)
        }
    }

    // MARK: Appointments

    public func activeAdmins(of org: OrgID) async throws -> AdminRoster {
        let rows = try await sql.raw("""
            SELECT slot, person_id FROM admin_appointments WHERE org_id = \(bind: org.rawValue) AND revoked_at IS NULL
            """).all()
        var slots: [Int: PersonID] = [:]
        for row in rows {
            slots[try row.decode(column: "slot", as: Int.self)] = PersonID(unchecked: try row.decode(column: "person_id", as: String.self))
        }
        return AdminRoster(orgID: org, slots: slots)
    }

    public func appoint(_ person: PersonID, of org: OrgID, slot: Int, by actor: PersonID?, at: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO admin_appointments (id, org_id, person_id, slot, appointed_at, appointed_by)
            VALUES (\(bind: Self.newID()), \(bind: org.rawValue), \(bind: person.rawValue), \(bind: slot), \(bind: at.text),
                    \(bind: actor?.rawValue))
            """).run()
    }

    public func revoke(_ person: PersonID, of org: OrgID, by actor: PersonID, at: Timestamp) async throws {
        try await sql.raw("""
            UPDATE admin_appointments SET revoked_at = \(bind: at.text), revoked_by = \(bind: actor.rawValue)
            WHERE org_id = \(bind: org.rawValue) AND person_id = \(bind: person.rawValue) AND revoked_at IS NULL
            """).run()
    }

    // MARK: Change requests

    public func insertChangeRequest(_ r: AdminChangeRequestRecord) async throws {
        let (kind, person, replaces): (String, PersonID, PersonID?) =
            switch r.change {
            case .add(let p): ("add", p, nil)
            case .replace(let old, let new): ("replace", new, old)
            // Revocations by request are not offered: a parent revokes at once (ORG-10).
            case .revoke(let p): ("add", p, nil)
            }
        try await sql.raw("""
            INSERT INTO admin_change_requests (id, org_id, decider_org_id, kind, person_id, replaces_person_id, requested_by,
                                               requested_at, state)
            VALUES (\(bind: r.id), \(bind: r.orgID.rawValue), \(bind: r.deciderOrgID.rawValue), \(bind: kind), \(bind: person.rawValue),
                    \(bind: replaces?.rawValue), \(bind: r.requestedBy.rawValue), \(bind: r.requestedAt.text), \(bind: "pending"))
            """).run()
    }

    static let requestColumns =
        "id, org_id, decider_org_id, kind, person_id, replaces_person_id, requested_by, requested_at, state, decided_by, decided_at, reason"

    static func request(_ row: any SQLRow) throws -> AdminChangeRequestRecord {
        let id = try row.decode(column: "id", as: String.self)
        let person = PersonID(unchecked: try row.decode(column: "person_id", as: String.self))
        let replaces = try row.decode(column: "replaces_person_id", as: String?.self).map(PersonID.init(unchecked:))
        let stateCode = try row.decode(column: "state", as: String.self)
        let state: AdminChangeRequestState
        switch stateCode {
        case "pending": state = .pending
        case "approved": state = .approved
        case "rejected": state = .rejected(reason: try row.decode(column: "reason", as: String?.self) ?? "")
        default: throw CorruptRow(table: "admin_change_requests", key: id)
        }
        guard let requestedAt = Timestamp(text: try row.decode(column: "requested_at", as: String.self)) else {
            throw CorruptRow(table: "admin_change_requests", key: id)
        }
        return AdminChangeRequestRecord(
            id: id, orgID: OrgID(unchecked: try row.decode(column: "org_id", as: String.self)),
            deciderOrgID: OrgID(unchecked: try row.decode(column: "decider_org_id", as: String.self)),
            change: replaces.map { .replace($0, with: person) } ?? .add(person),
            requestedBy: PersonID(unchecked: try row.decode(column: "requested_by", as: String.self)), requestedAt: requestedAt,
            state: state, decidedBy: try row.decode(column: "decided_by", as: String?.self).map(PersonID.init(unchecked:)),
            decidedAt: try row.decode(column: "decided_at", as: String?.self).flatMap(Timestamp.init(text:)))
    }

    public func changeRequest(_ id: String) async throws -> AdminChangeRequestRecord? {
        try await sql.raw("SELECT \(unsafeRaw: Self.requestColumns) FROM admin_change_requests WHERE id = \(bind: id)")
            .first().map(Self.request)
    }

    public func pendingChangeRequests(decidedBy deciders: [OrgID], after: (Timestamp, String)?, limit: Int) async throws -> [AdminChangeRequestRecord] {
        if deciders.isEmpty { return [] }
        let since = after?.0.text ?? ""
        let id = after?.1 ?? ""
        return try await sql.raw("""
            SELECT \(unsafeRaw: Self.requestColumns) FROM admin_change_requests
            WHERE state = 'pending' AND decider_org_id IN (\(binds: deciders.map(\.rawValue)))
              AND (requested_at > \(bind: since) OR (requested_at = \(bind: since) AND id > \(bind: id)))
            ORDER BY requested_at, id LIMIT \(limit: limit)
            """).all().map(Self.request)
    }

    public func pendingChangeRequests(of org: OrgID) async throws -> [AdminChangeRequestRecord] {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.requestColumns) FROM admin_change_requests
            WHERE state = 'pending' AND org_id = \(bind: org.rawValue) ORDER BY requested_at, id
            """).all().map(Self.request)
    }

    public func decideChangeRequest(_ id: String, state: AdminChangeRequestState, by: PersonID, at: Timestamp) async throws -> Bool {
        var reason: String?
        if case .rejected(let r) = state { reason = r }
        let rows = try await sql.raw("""
            UPDATE admin_change_requests SET state = \(bind: state.code), decided_by = \(bind: by.rawValue), decided_at = \(bind: at.text),
                reason = \(bind: reason)
            WHERE id = \(bind: id) AND state = 'pending'
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    // MARK: Password-reset codes

    public func issueResetCode(
        id: String, account: AccountID, codeHash: String, issuedBy: PersonID, issuedByOrg: OrgID, at: Timestamp, expiresAt: Timestamp
    ) async throws {
        try await sql.raw("""
            UPDATE password_reset_codes SET superseded_at = \(bind: at.text) WHERE account_id = \(bind: account.rawValue) AND superseded_at IS NULL
            """).run()
        try await sql.raw("""
            INSERT INTO password_reset_codes (id, account_id, code_hash, issued_by, issued_by_org, issued_at, expires_at)
            VALUES (\(bind: id), \(bind: account.rawValue), \(bind: codeHash), \(bind: issuedBy.rawValue), \(bind: issuedByOrg.rawValue),
                    \(bind: at.text), \(bind: expiresAt.text))
            """).run()
    }

    public func resetCode(account: AccountID, codeHash: String) async throws -> StoredCode? {
        try await sql.raw("""
            SELECT account_id, \(unsafeRaw: Self.codeColumns) FROM password_reset_codes
            WHERE account_id = \(bind: account.rawValue) AND code_hash = \(bind: codeHash) ORDER BY issued_at DESC, id LIMIT 1
            """).first().map { try Self.code($0, owner: "account_id") }
    }

    public func consumeResetCode(id: String, at: Timestamp) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE password_reset_codes SET used_at = \(bind: at.text)
            WHERE id = \(bind: id) AND used_at IS NULL AND superseded_at IS NULL
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    // MARK: Attempts and audit

    public func recordCodeAttempt(purpose: OneTimeCodePurpose, address: String, outcome: CodeAttemptOutcome, at: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO code_attempts (id, at, purpose, address, outcome)
            VALUES (\(bind: Self.newID()), \(bind: at.text), \(bind: purpose.rawValue), \(bind: address), \(bind: outcome.rawValue))
            """).run()
    }

    public func codeFailures(address: String, since: Timestamp) async throws -> (count: Int, oldest: Timestamp?) {
        let row = try await sql.raw("""
            SELECT COUNT(*) AS n, MIN(at) AS oldest FROM code_attempts
            WHERE address = \(bind: address) AND outcome = 'failed' AND at > \(bind: since.text)
            """).first()
        return (
            try row?.decode(column: "n", as: Int.self) ?? 0,
            try row?.decode(column: "oldest", as: String?.self).flatMap(Timestamp.init(text:))
        )
    }

    public func appendAudit(_ e: AdminAuditEvent) async throws {
        try await sql.raw("""
            INSERT INTO admin_audit_log (id, at, action, actor_id, subject_id, org_id, org_path, detail)
            VALUES (\(bind: Self.newID()), \(bind: e.at.text), \(bind: e.action.rawValue), \(bind: e.actorID?.rawValue),
                    \(bind: e.subjectID?.rawValue), \(bind: e.org.id.rawValue), \(bind: e.org.path.encoded), \(bind: e.detail))
            """).run()
    }

    public func audit(inSubtreeOf path: OrgPath, limit: Int) async throws -> [AdminAuditEvent] {
        let rows = try await sql.raw("""
            SELECT l.at, l.action, l.actor_id, l.subject_id, l.detail,
                   o.id, o.parent_id, o.name, o.full_name, o.category, o.path, o.upper_committee_id
            FROM admin_audit_log l JOIN orgs o ON o.id = l.org_id
            WHERE l.org_path LIKE \(bind: path.encoded + "%") ORDER BY l.at DESC, l.id DESC LIMIT \(limit: limit)
            """).all()
        return try rows.map { row in
            let org = try SQLOrgRepository.Row(row: row).org()
            guard let at = Timestamp(text: try row.decode(column: "at", as: String.self)),
                let action = AdminAuditAction(rawValue: try row.decode(column: "action", as: String.self))
            else { throw CorruptRow(table: "admin_audit_log", key: org.id.rawValue) }
            return AdminAuditEvent(
                at: at, action: action, actorID: try row.decode(column: "actor_id", as: String?.self).map(PersonID.init(unchecked:)),
                subjectID: try row.decode(column: "subject_id", as: String?.self).map(PersonID.init(unchecked:)),
                org: OrgPlacement(org), detail: try row.decode(column: "detail", as: String?.self))
        }
    }

    // MARK: Lookups

    public func person(idNumber: String) async throws -> PersonRecord? {
        guard let row = try await sql.raw("SELECT id, name, id_number FROM people WHERE id_number = \(bind: idNumber)").first() else {
            return nil
        }
        let id = try row.decode(column: "id", as: String.self)
        guard let number = try? IDNumber(try row.decode(column: "id_number", as: String.self), today: farFuture) else {
            throw CorruptRow(table: "people", key: id)
        }
        return PersonRecord(id: PersonID(unchecked: id), name: try row.decode(column: "name", as: String.self), idNumber: number)
    }

    public func searchOrgs(name text: String, limit: Int) async throws -> [Org] {
        // `%` and `_` typed by the visitor are matched literally.
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        let pattern = "%" + escaped + "%"
        return try await sql.raw("""
            SELECT id, parent_id, name, full_name, category, path, upper_committee_id FROM orgs
            WHERE name LIKE \(bind: pattern) ESCAPE '\\' OR full_name LIKE \(bind: pattern) ESCAPE '\\'
            ORDER BY path LIMIT \(limit: limit)
            """).all().map { try SQLOrgRepository.Row(row: $0).org() }
    }
}

import Domain
import Foundation
import SQLKit

/// What a member-record audit entry records (MEM-2: every change with before and after).
public enum MemberAuditAction: String, Sendable, Codable, CaseIterable {
    case enter = "member.enter"
    case profile = "member.profile"
    /// Name, gender or ID number, by the provincial committee.
    case identity = "member.identity"
    case remove = "member.remove"
    case identityCheck = "member.identity_check"
    case cadrePost = "cadre.post"
}

/// One entry of the member-record audit trail. `detail` is JSON the workflow wrote: the field
/// changes, or the reason. ID numbers appear in it only where the record itself changed one
/// (the official record must say from what to what); never in a log line.
public struct MemberAuditEvent: Sendable, Equatable {
    public let id: String
    public let at: Timestamp
    public let action: MemberAuditAction
    public let actorID: PersonID
    public let personID: PersonID
    public let orgPath: OrgPath
    public let detail: String

    public init(id: String, at: Timestamp, action: MemberAuditAction, actorID: PersonID, personID: PersonID, orgPath: OrgPath, detail: String) {
        self.id = id
        self.at = at
        self.action = action
        self.actorID = actorID
        self.personID = personID
        self.orgPath = orgPath
        self.detail = detail
    }
}

/// MEM-6: why, by whom and when a member was removed.
public struct MemberRemovalRecord: Sendable, Equatable {
    public let personID: PersonID
    public let branchID: OrgID
    public let reason: String
    public let removedBy: PersonID
    public let removedAt: Timestamp

    public init(personID: PersonID, branchID: OrgID, reason: String, removedBy: PersonID, removedAt: Timestamp) {
        self.personID = personID
        self.branchID = branchID
        self.reason = reason
        self.removedBy = removedBy
        self.removedAt = removedAt
    }
}

/// One step of a person's real-name check history (MEM-9).
public struct IdentityCheckRecord: Sendable, Equatable {
    public enum Source: String, Sendable { case answerFile = "answer_file", recordChange = "record_change" }
    public let id: String
    public let personID: PersonID
    public let status: IdentityCheckStatus
    public let checkedName: String
    public let checkedIDNumber: String
    public let source: Source
    public let note: String?
    public let recordedBy: PersonID
    public let recordedAt: Timestamp

    public init(
        id: String, personID: PersonID, status: IdentityCheckStatus, checkedName: String, checkedIDNumber: String, source: Source,
        note: String?, recordedBy: PersonID, recordedAt: Timestamp
    ) {
        self.id = id
        self.personID = personID
        self.status = status
        self.checkedName = checkedName
        self.checkedIDNumber = checkedIDNumber
        self.source = source
        self.note = note
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }
}

/// A person the real-name check concerns: in the scope of the org that runs it.
public struct IdentityCheckSubject: Sendable, Equatable {
    public let id: PersonID
    public let name: String
    public let idNumber: String
    public let status: IdentityCheckStatus
}

/// The parts of a member's record beyond the branch placement: profile, removal, real-name
/// status, and the member-record audit trail.
public protocol MemberRecordRepository: Sendable {
    /// The person with this ID number, member or not (MEM-5: one person, one record).
    func person(withIDNumber number: IDNumber) async throws -> PersonRecord?
    func profile(of person: PersonID) async throws -> PersonProfile?
    /// Inserts or replaces the person's profile.
    func saveProfile(_ profile: PersonProfile, of person: PersonID, at time: Timestamp) async throws
    /// MEM-2: the name and ID number (and with it gender, birth date and the login), and the
    /// real-name status back to 未认证, since what was checked is no longer the record.
    func updateIdentity(of person: PersonID, name: String, idNumber: IDNumber, at time: Timestamp) async throws
    /// The schema refuses a taken number (unique) and one whose year is not the join year.
    func updateDevelopmentNumber(of person: PersonID, to number: DevelopmentNumber?) async throws
    /// MEM-6: marks the member removed and records why; the rows stay.
    func markRemoved(_ removal: MemberRemovalRecord) async throws
    func removal(of person: PersonID) async throws -> MemberRemovalRecord?
    func appendAudit(_ event: MemberAuditEvent) async throws
    /// A person's audit entries, oldest first.
    func audit(of person: PersonID) async throws -> [MemberAuditEvent]
    /// MEM-9: records a check result and sets the current status.
    func recordIdentityCheck(_ check: IdentityCheckRecord) async throws
    func identityChecks(of person: PersonID) async throws -> [IdentityCheckRecord]
    /// The people of the subtree at `path` (members of its branches that are not removed, and
    /// cadres of its orgs) whose status is `status`, ordered by id, at most `limit`.
    func identitySubjects(inSubtreeOf path: OrgPath, status: IdentityCheckStatus?, limit: Int) async throws -> [IdentityCheckSubject]
    /// The given people when they are in the subtree at `path`, in one query.
    func identitySubjects(_ ids: [PersonID], inSubtreeOf path: OrgPath) async throws -> [IdentityCheckSubject]
}

public struct SQLMemberRecordRepository: MemberRecordRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func person(withIDNumber number: IDNumber) async throws -> PersonRecord? {
        guard let row = try await sql.raw("SELECT id, name FROM people WHERE id_number = \(bind: number.value)").first() else { return nil }
        return PersonRecord(
            id: PersonID(unchecked: try row.decode(column: "id", as: String.self)), name: try row.decode(column: "name", as: String.self),
            idNumber: number)
    }

    public func profile(of person: PersonID) async throws -> PersonProfile? {
        guard let row = try await sql.raw("""
            SELECT ethnicity, education, political_status, mobile, email, address, workplace
            FROM person_profiles WHERE person_id = \(bind: person.rawValue)
            """).first()
        else { return nil }
        func text(_ c: String) throws -> String? { try row.decode(column: c, as: String?.self) }
        return PersonProfile(
            ethnicity: try text("ethnicity"), education: try text("education"), politicalStatus: try text("political_status"),
            mobile: try text("mobile"), email: try text("email"), address: try text("address"), workplace: try text("workplace"))
    }

    public func saveProfile(_ p: PersonProfile, of person: PersonID, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO person_profiles (person_id, ethnicity, education, political_status, mobile, email, address, workplace, updated_at)
            VALUES (\(bind: person.rawValue), \(bind: p.ethnicity), \(bind: p.education), \(bind: p.politicalStatus), \(bind: p.mobile),
                    \(bind: p.email), \(bind: p.address), \(bind: p.workplace), \(bind: time.text))
            ON CONFLICT (person_id) DO UPDATE SET
                ethnicity = excluded.ethnicity, education = excluded.education, political_status = excluded.political_status,
                mobile = excluded.mobile, email = excluded.email, address = excluded.address, workplace = excluded.workplace,
                updated_at = excluded.updated_at
            """).run()
    }

    public func updateIdentity(of person: PersonID, name: String, idNumber: IDNumber, at time: Timestamp) async throws {
        try await sql.raw("""
            UPDATE people SET name = \(bind: name), gender = \(bind: idNumber.gender.rawValue), id_number = \(bind: idNumber.value),
                birth_date = \(bind: idNumber.birthDate.iso), identity_status = 'unverified'
            WHERE id = \(bind: person.rawValue)
            """).run()
        // ADM-6: the login is the ID number.
        try await sql.raw("UPDATE accounts SET login = \(bind: idNumber.value) WHERE person_id = \(bind: person.rawValue)").run()
    }

    public func updateDevelopmentNumber(of person: PersonID, to number: DevelopmentNumber?) async throws {
        try await sql.raw("UPDATE members SET development_number = \(bind: number?.value) WHERE person_id = \(bind: person.rawValue)").run()
    }

    public func markRemoved(_ r: MemberRemovalRecord) async throws {
        try await sql.raw("""
            UPDATE members SET removed_at = \(bind: r.removedAt.text) WHERE person_id = \(bind: r.personID.rawValue) AND removed_at IS NULL
            """).run()
        try await sql.raw("""
            INSERT INTO member_removals (person_id, branch_id, reason, removed_by, removed_at)
            VALUES (\(bind: r.personID.rawValue), \(bind: r.branchID.rawValue), \(bind: r.reason), \(bind: r.removedBy.rawValue),
                    \(bind: r.removedAt.text))
            """).run()
    }

    public func removal(of person: PersonID) async throws -> MemberRemovalRecord? {
        guard let row = try await sql.raw("""
            SELECT person_id, branch_id, reason, removed_by, removed_at FROM member_removals WHERE person_id = \(bind: person.rawValue)
            """).first()
        else { return nil }
        guard let at = Timestamp(text: try row.decode(column: "removed_at", as: String.self)) else {
            throw CorruptRow(table: "member_removals", key: person.rawValue)
        }
        return MemberRemovalRecord(
            personID: person, branchID: OrgID(unchecked: try row.decode(column: "branch_id", as: String.self)),
            reason: try row.decode(column: "reason", as: String.self),
            removedBy: PersonID(unchecked: try row.decode(column: "removed_by", as: String.self)), removedAt: at)
    }

    public func appendAudit(_ e: MemberAuditEvent) async throws {
        try await sql.raw("""
            INSERT INTO member_audit (id, at, action, actor_id, person_id, org_path, detail, ordinal)
            VALUES (\(bind: e.id), \(bind: e.at.text), \(bind: e.action.rawValue), \(bind: e.actorID.rawValue),
                    \(bind: e.personID.rawValue), \(bind: e.orgPath.encoded), \(bind: e.detail),
                    (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM member_audit))
            """).run()
    }

    public func audit(of person: PersonID) async throws -> [MemberAuditEvent] {
        try await sql.raw("""
            SELECT id, at, action, actor_id, person_id, org_path, detail FROM member_audit
            WHERE person_id = \(bind: person.rawValue) ORDER BY ordinal
            """).all().map { row in
            let id = try row.decode(column: "id", as: String.self)
            guard let at = Timestamp(text: try row.decode(column: "at", as: String.self)),
                let action = MemberAuditAction(rawValue: try row.decode(column: "action", as: String.self)),
                let path = OrgPath(encoded: try row.decode(column: "org_path", as: String.self))
            else { throw CorruptRow(table: "member_audit", key: id) }
            return MemberAuditEvent(
                id: id, at: at, action: action, actorID: PersonID(unchecked: try row.decode(column: "actor_id", as: String.self)),
                personID: person, orgPath: path, detail: try row.decode(column: "detail", as: String.self))
        }
    }

    public func recordIdentityCheck(_ c: IdentityCheckRecord) async throws {
        try await sql.raw("""
            INSERT INTO identity_checks (id, person_id, status, checked_name, checked_id_number, source, note, recorded_by, recorded_at, ordinal)
            VALUES (\(bind: c.id), \(bind: c.personID.rawValue), \(bind: c.status.rawValue), \(bind: c.checkedName),
                    \(bind: c.checkedIDNumber), \(bind: c.source.rawValue), \(bind: c.note), \(bind: c.recordedBy.rawValue),
                    \(bind: c.recordedAt.text), (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM identity_checks))
            """).run()
        try await sql.raw("UPDATE people SET identity_status = \(bind: c.status.rawValue) WHERE id = \(bind: c.personID.rawValue)").run()
    }

    public func identityChecks(of person: PersonID) async throws -> [IdentityCheckRecord] {
        try await sql.raw("""
            SELECT id, status, checked_name, checked_id_number, source, note, recorded_by, recorded_at FROM identity_checks
            WHERE person_id = \(bind: person.rawValue) ORDER BY ordinal
            """).all().map { row in
            let id = try row.decode(column: "id", as: String.self)
            guard let status = IdentityCheckStatus(rawValue: try row.decode(column: "status", as: String.self)),
                let source = IdentityCheckRecord.Source(rawValue: try row.decode(column: "source", as: String.self)),
                let at = Timestamp(text: try row.decode(column: "recorded_at", as: String.self))
            else { throw CorruptRow(table: "identity_checks", key: id) }
            return IdentityCheckRecord(
                id: id, personID: person, status: status, checkedName: try row.decode(column: "checked_name", as: String.self),
                checkedIDNumber: try row.decode(column: "checked_id_number", as: String.self), source: source,
                note: try row.decode(column: "note", as: String?.self),
                recordedBy: PersonID(unchecked: try row.decode(column: "recorded_by", as: String.self)), recordedAt: at)
        }
    }

    /// Members of the subtree's branches (not removed) and cadres of its orgs.
    static func scope(_ path: OrgPath) -> SQLQueryString {
        let like = path.encoded + "%"
        return """
            (EXISTS (SELECT 1 FROM members m JOIN orgs o ON o.id = m.branch_id
                     WHERE m.person_id = p.id AND m.removed_at IS NULL AND o.path LIKE \(bind: like))
             OR EXISTS (SELECT 1 FROM cadre_posts c JOIN orgs o ON o.id = c.org_id
                     WHERE c.person_id = p.id AND o.path LIKE \(bind: like)))
            """
    }

    static func subject(_ row: any SQLRow) throws -> IdentityCheckSubject {
        let id = try row.decode(column: "id", as: String.self)
        guard let status = IdentityCheckStatus(rawValue: try row.decode(column: "identity_status", as: String.self)) else {
            throw CorruptRow(table: "people", key: id)
        }
        return IdentityCheckSubject(
            id: PersonID(unchecked: id), name: try row.decode(column: "name", as: String.self),
            idNumber: try row.decode(column: "id_number", as: String.self), status: status)
    }

    public func identitySubjects(inSubtreeOf path: OrgPath, status: IdentityCheckStatus?, limit: Int) async throws -> [IdentityCheckSubject] {
        var query: SQLQueryString = "SELECT p.id, p.name, p.id_number, p.identity_status FROM people p WHERE "
        query.appendInterpolation(Self.scope(path))
        if let status {
            query.appendInterpolation(unsafeRaw: " AND p.identity_status = ")
            query.appendInterpolation(bind: status.rawValue)
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY p.id LIMIT ")
        query.appendInterpolation(bind: limit)
        return try await sql.raw(query).all().map(Self.subject)
    }

    public func identitySubjects(_ ids: [PersonID], inSubtreeOf path: OrgPath) async throws -> [IdentityCheckSubject] {
        if ids.isEmpty { return [] }
        var query: SQLQueryString = "SELECT p.id, p.name, p.id_number, p.identity_status FROM people p WHERE p.id IN ("
        query.appendInterpolation(binds: ids.map(\.rawValue))
        query.appendInterpolation(unsafeRaw: ") AND ")
        query.appendInterpolation(Self.scope(path))
        return try await sql.raw(query).all().map(Self.subject)
    }
}

/// One line of 团干部职务变更记录.
public struct CadrePostChange: Sendable, Equatable {
    public let id: String
    public let personID: PersonID
    public let orgID: OrgID
    /// nil when the person got their first post in the org.
    public let fromTitle: String?
    public let toTitle: String
    public let changedBy: PersonID
    public let changedAt: Timestamp

    public init(id: String, personID: PersonID, orgID: OrgID, fromTitle: String?, toTitle: String, changedBy: PersonID, changedAt: Timestamp) {
        self.id = id
        self.personID = personID
        self.orgID = orgID
        self.fromTitle = fromTitle
        self.toTitle = toTitle
        self.changedBy = changedBy
        self.changedAt = changedAt
    }
}

/// A cadre of an org as the cadre list shows it.
public struct CadreListRow: Sendable, Equatable {
    public let personID: PersonID
    public let name: String
    public let idNumber: IDNumber
    public let title: String
    public let isAdmin: Bool
    public let mobile: String?
    /// The branch the cadre is a member of, if any.
    public let memberBranchName: String?
}

/// Post changes and the cadre list (团干部管理).
public protocol CadrePostRepository: Sendable {
    func updateTitle(of person: PersonID, in org: OrgID, to title: String, at time: Timestamp) async throws
    func appendChange(_ change: CadrePostChange) async throws
    /// The org's post changes, newest first, with the names of the people concerned.
    func changes(in org: OrgID, limit: Int) async throws -> [(change: CadrePostChange, personName: String, changedByName: String)]
    /// The org's cadres, by post then name, in one query.
    func cadres(in org: OrgID) async throws -> [CadreListRow]
}

public struct SQLCadrePostRepository: CadrePostRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func updateTitle(of person: PersonID, in org: OrgID, to title: String, at time: Timestamp) async throws {
        try await sql.raw("""
            UPDATE cadre_posts SET title = \(bind: title) WHERE person_id = \(bind: person.rawValue) AND org_id = \(bind: org.rawValue)
            """).run()
    }

    public func appendChange(_ c: CadrePostChange) async throws {
        try await sql.raw("""
            INSERT INTO cadre_post_changes (id, person_id, org_id, from_title, to_title, changed_by, changed_at, ordinal)
            VALUES (\(bind: c.id), \(bind: c.personID.rawValue), \(bind: c.orgID.rawValue), \(bind: c.fromTitle), \(bind: c.toTitle),
                    \(bind: c.changedBy.rawValue), \(bind: c.changedAt.text), (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM cadre_post_changes))
            """).run()
    }

    public func changes(in org: OrgID, limit: Int) async throws -> [(change: CadrePostChange, personName: String, changedByName: String)] {
        try await sql.raw("""
            SELECT c.id, c.person_id, c.from_title, c.to_title, c.changed_by, c.changed_at, p.name AS person_name, b.name AS by_name
            FROM cadre_post_changes c JOIN people p ON p.id = c.person_id JOIN people b ON b.id = c.changed_by
            WHERE c.org_id = \(bind: org.rawValue) ORDER BY c.ordinal DESC LIMIT \(limit: limit)
            """).all().map { row in
            let id = try row.decode(column: "id", as: String.self)
            guard let at = Timestamp(text: try row.decode(column: "changed_at", as: String.self)) else {
                throw CorruptRow(table: "cadre_post_changes", key: id)
            }
            let change = CadrePostChange(
                id: id, personID: PersonID(unchecked: try row.decode(column: "person_id", as: String.self)), orgID: org,
                fromTitle: try row.decode(column: "from_title", as: String?.self), toTitle: try row.decode(column: "to_title", as: String.self),
                changedBy: PersonID(unchecked: try row.decode(column: "changed_by", as: String.self)), changedAt: at)
            return (change, try row.decode(column: "person_name", as: String.self), try row.decode(column: "by_name", as: String.self))
        }
    }

    public func cadres(in org: OrgID) async throws -> [CadreListRow] {
        try await sql.raw("""
            SELECT c.person_id, p.name, p.id_number, c.title, pr.mobile, mo.name AS member_branch_name,
                   CASE WHEN a.person_id IS NULL THEN 0 ELSE 1 END AS is_admin
            FROM cadre_posts c JOIN people p ON p.id = c.person_id
            LEFT JOIN org_admins a ON a.org_id = c.org_id AND a.person_id = c.person_id
            LEFT JOIN person_profiles pr ON pr.person_id = c.person_id
            LEFT JOIN members m ON m.person_id = c.person_id AND m.removed_at IS NULL
            LEFT JOIN orgs mo ON mo.id = m.branch_id
            WHERE c.org_id = \(bind: org.rawValue)
            ORDER BY c.title, p.name, c.person_id
            """).all().map { row in
            let id = try row.decode(column: "person_id", as: String.self)
            guard let number = try? IDNumber(try row.decode(column: "id_number", as: String.self), today: farFuture) else {
                throw CorruptRow(table: "people", key: id)
            }
            return CadreListRow(
                personID: PersonID(unchecked: id), name: try row.decode(column: "name", as: String.self), idNumber: number,
                title: try row.decode(column: "title", as: String.self), isAdmin: try row.decode(column: "is_admin", as: Int.self) == 1,
                mobile: try row.decode(column: "mobile", as: String?.self),
                memberBranchName: try row.decode(column: "member_branch_name", as: String?.self))
        }
    }
}

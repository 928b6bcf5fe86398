import Domain
import SQLKit

/// An entry of a branch's organisational life, in its latest version.
public struct ActivityRecord: Sendable, Equatable {
    public let id: String
    public let branch: Org
    public let draft: ActivityDraft
    public let revision: Int
    public let createdBy: PersonID
    public let createdAt: Timestamp
    public let editedBy: PersonID
    public let editedAt: Timestamp
    public let withdrawnAt: Timestamp?
    /// The attendees' names, in `draft.attendees` order.
    public let attendeeNames: [String]
}

/// 三会·两制·一课 and 团日活动 (ACT-1): entries as versions, withdrawn by marking.
public protocol ActivityRepository: Sendable {
    /// Writes the entry as version 1 with its attendees.
    func insert(_ id: String, branch: OrgID, _ draft: ActivityDraft, by person: PersonID, at time: Timestamp) async throws
    /// Appends version `revision` (the one read plus one); `ConcurrentChange` when another edit
    /// took that number first.
    func appendVersion(_ id: String, revision: Int, _ draft: ActivityDraft, by person: PersonID, at time: Timestamp) async throws
    /// Marks the entry withdrawn; `ConcurrentChange` when it already is.
    func withdraw(_ id: String, by person: PersonID, at time: Timestamp) async throws
    func find(_ id: String) async throws -> ActivityRecord?
    /// The branch's entries not withdrawn, newest held first, at most `limit`: two queries.
    func list(branch: OrgID, limit: Int) async throws -> [ActivityRecord]
    /// ACT-1: the entries not withdrawn whose latest version counts `person` as attending.
    func participation(of person: PersonID, limit: Int) async throws -> [ActivityRecord]
}

public struct SQLActivityRepository: ActivityRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let select = """
        SELECT a.id AS a_id, a.created_by, a.created_at, a.withdrawn_at,
               v.revision, v.kind, v.held_on, v.topic, v.place, v.record, v.edited_by, v.edited_at,
               o.id AS o_id, o.parent_id AS o_parent_id, o.name AS o_name, o.full_name AS o_full_name,
               o.category AS o_category, o.path AS o_path, o.upper_committee_id AS o_upper_committee_id
        FROM activities a JOIN orgs o ON o.id = a.branch_id
        JOIN activity_versions v ON v.activity_id = a.id
            AND v.revision = (SELECT MAX(x.revision) FROM activity_versions x WHERE x.activity_id = a.id)
        """

    private func writeVersion(_ id: String, revision: Int, _ d: ActivityDraft, by person: PersonID, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO activity_versions (activity_id, revision, kind, held_on, topic, place, record, edited_by, edited_at)
            VALUES (\(bind: id), \(literal: revision), \(bind: d.kind.rawValue), \(bind: d.heldOn.iso), \(bind: d.topic), \(bind: d.place),
                    \(bind: d.record), \(bind: person.rawValue), \(bind: time.text))
            """).run()
        for attendee in d.attendees {
            try await sql.raw("""
                INSERT INTO activity_attendees (activity_id, revision, person_id) VALUES (\(bind: id), \(literal: revision), \(bind: attendee.rawValue))
                """).run()
        }
    }

    public func insert(_ id: String, branch: OrgID, _ draft: ActivityDraft, by person: PersonID, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO activities (id, branch_id, created_by, created_at) VALUES (\(bind: id), \(bind: branch.rawValue), \(bind: person.rawValue), \(bind: time.text))
            """).run()
        try await writeVersion(id, revision: 1, draft, by: person, at: time)
    }

    public func appendVersion(_ id: String, revision: Int, _ draft: ActivityDraft, by person: PersonID, at time: Timestamp) async throws {
        do {
            try await writeVersion(id, revision: revision, draft, by: person, at: time)
        } catch {
            if let violation = ConstraintViolation(error), case .unique = violation { throw ConcurrentChange(table: "activity_versions") }
            throw error
        }
    }

    public func withdraw(_ id: String, by person: PersonID, at time: Timestamp) async throws {
        let rows = try await sql.raw("""
            UPDATE activities SET withdrawn_by = \(bind: person.rawValue), withdrawn_at = \(bind: time.text)
            WHERE id = \(bind: id) AND withdrawn_at IS NULL RETURNING id
            """).all()
        if rows.isEmpty { throw ConcurrentChange(table: "activities") }
    }

    /// The rows with their attendees, read in one more query for all of them.
    private func records(_ rows: [any SQLRow]) async throws -> [ActivityRecord] {
        if rows.isEmpty { return [] }
        var keys: [(String, Int)] = []
        for row in rows { keys.append((try row.decode(column: "a_id", as: String.self), try row.decode(column: "revision", as: Int.self))) }
        let attendeeRows = try await sql.raw("""
            SELECT t.activity_id, t.revision, t.person_id, p.name FROM activity_attendees t JOIN people p ON p.id = t.person_id
            WHERE t.activity_id IN (\(binds: keys.map(\.0))) ORDER BY t.activity_id, t.revision, p.name, t.person_id
            """).all()
        var attendees: [String: [(PersonID, String)]] = [:]
        for row in attendeeRows {
            let key = "\(try row.decode(column: "activity_id", as: String.self))#\(try row.decode(column: "revision", as: Int.self))"
            guard let person = PersonID(rawValue: try row.decode(column: "person_id", as: String.self)) else { continue }
            attendees[key, default: []].append((person, try row.decode(column: "name", as: String.self)))
        }
        return try zip(rows, keys).map { row, key in
            let people = attendees["\(key.0)#\(key.1)"] ?? []
            func text(_ column: String) throws -> String { try row.decode(column: column, as: String.self) }
            guard let kind = ActivityKind(rawValue: try text("kind")), let heldOn = CivilDate(iso: try text("held_on")),
                let createdBy = PersonID(rawValue: try text("created_by")), let createdAt = Timestamp(text: try text("created_at")),
                let editedBy = PersonID(rawValue: try text("edited_by")), let editedAt = Timestamp(text: try text("edited_at"))
            else { throw CorruptRow(table: "activities", key: key.0) }
            return ActivityRecord(
                id: key.0, branch: try SQLOrgRepository.Row(row: row, prefix: "o_").org(),
                draft: ActivityDraft(
                    kind: kind, heldOn: heldOn, topic: try text("topic"), place: try text("place"), record: try text("record"),
                    attendees: people.map(\.0)),
                revision: key.1, createdBy: createdBy, createdAt: createdAt, editedBy: editedBy, editedAt: editedAt,
                withdrawnAt: try row.decode(column: "withdrawn_at", as: String?.self).flatMap(Timestamp.init(text:)),
                attendeeNames: people.map(\.1))
        }
    }

    public func find(_ id: String) async throws -> ActivityRecord? {
        try await records(try await sql.raw("\(unsafeRaw: Self.select) WHERE a.id = \(bind: id)").all()).first
    }

    public func list(branch: OrgID, limit: Int) async throws -> [ActivityRecord] {
        try await records(try await sql.raw("""
            \(unsafeRaw: Self.select) WHERE a.branch_id = \(bind: branch.rawValue) AND a.withdrawn_at IS NULL
            ORDER BY v.held_on DESC, a.created_at DESC, a.id LIMIT \(limit: limit)
            """).all())
    }

    public func participation(of person: PersonID, limit: Int) async throws -> [ActivityRecord] {
        try await records(try await sql.raw("""
            \(unsafeRaw: Self.select)
            WHERE a.withdrawn_at IS NULL
              AND EXISTS (SELECT 1 FROM activity_attendees t WHERE t.activity_id = a.id AND t.revision = v.revision AND t.person_id = \(bind: person.rawValue))
            ORDER BY v.held_on DESC, a.created_at DESC, a.id LIMIT \(limit: limit)
            """).all())
    }
}

import Domain
import SQLKit

/// A work notice as published (工作通知).
public struct NoticeRecord: Sendable, Equatable {
    public let id: String
    public let org: Org
    public let title: String
    public let text: String
    public let publishedBy: PersonID
    public let publishedAt: Timestamp

    public init(id: String, org: Org, title: String, text: String, publishedBy: PersonID, publishedAt: Timestamp) {
        self.id = id
        self.org = org
        self.title = title
        self.text = text
        self.publishedBy = publishedBy
        self.publishedAt = publishedAt
    }
}

/// A notice as one admin sees it: read or not.
public struct ReceivedNotice: Sendable, Equatable {
    public let notice: NoticeRecord
    public let readAt: Timestamp?
}

/// One admin below the publishing org, and whether they have read the notice.
public struct NoticeReader: Sendable, Equatable {
    public let personID: PersonID
    public let name: String
    public let orgID: OrgID
    public let orgName: String
    public let readAt: Timestamp?
}

/// Work notices and who read them; both append-only.
public protocol NoticeRepository: Sendable {
    func insert(_ notice: NoticeRecord) async throws
    func find(_ id: String) async throws -> NoticeRecord?
    /// The notices `senders` published, as `person` sees them: unread first, newest first, at most `limit`.
    func received(from senders: [OrgID], by person: PersonID, unreadOnly: Bool, limit: Int) async throws -> [ReceivedNotice]
    /// When `person` read the notice; nil when they have not.
    func readAt(_ id: String, by person: PersonID) async throws -> Timestamp?
    /// Records that `person` read the notice; false when they had already.
    func markRead(_ id: String, by person: PersonID, at time: Timestamp) async throws -> Bool
    /// The live admins of every org below `path` with their read time, unread first, at most
    /// `limit`, and how many there are and have read, in two queries.
    func readers(of id: String, below path: OrgPath, limit: Int) async throws -> (readers: [NoticeReader], total: Int, read: Int)
    /// The org's own notices, newest first, with how many people have read each.
    func published(by org: OrgID, limit: Int) async throws -> [(notice: NoticeRecord, reads: Int)]
}

public struct SQLNoticeRepository: NoticeRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let select = """
        SELECT n.id AS n_id, n.title, n.body, n.published_by, n.published_at,
               o.id AS o_id, o.parent_id AS o_parent_id, o.name AS o_name, o.full_name AS o_full_name,
               o.category AS o_category, o.path AS o_path, o.upper_committee_id AS o_upper_committee_id
        FROM notices n JOIN orgs o ON o.id = n.org_id
        """

    static func record(_ row: some SQLRow) throws -> NoticeRecord {
        let id = try row.decode(column: "n_id", as: String.self)
        guard let by = PersonID(rawValue: try row.decode(column: "published_by", as: String.self)),
            let at = Timestamp(text: try row.decode(column: "published_at", as: String.self))
        else { throw CorruptRow(table: "notices", key: id) }
        return NoticeRecord(
            id: id, org: try SQLOrgRepository.Row(row: row, prefix: "o_").org(), title: try row.decode(column: "title", as: String.self),
            text: try row.decode(column: "body", as: String.self), publishedBy: by, publishedAt: at)
    }

    public func insert(_ n: NoticeRecord) async throws {
        try await sql.raw("""
            INSERT INTO notices (id, org_id, title, body, published_by, published_at)
            VALUES (\(bind: n.id), \(bind: n.org.id.rawValue), \(bind: n.title), \(bind: n.text), \(bind: n.publishedBy.rawValue),
                    \(bind: n.publishedAt.text))
            """).run()
    }

    public func find(_ id: String) async throws -> NoticeRecord? {
        try await sql.raw("\(unsafeRaw: Self.select) WHERE n.id = \(bind: id)").first().map { try Self.record($0) }
    }

    public func received(from senders: [OrgID], by person: PersonID, unreadOnly: Bool, limit: Int) async throws -> [ReceivedNotice] {
        if senders.isEmpty { return [] }
        return try await sql.raw("""
            SELECT n_all.*, r.read_at FROM (\(unsafeRaw: Self.select) WHERE n.org_id IN (\(binds: senders.map(\.rawValue)))) n_all
            LEFT JOIN notice_reads r ON r.notice_id = n_all.n_id AND r.person_id = \(bind: person.rawValue)
            WHERE \(unsafeRaw: unreadOnly ? "r.read_at IS NULL" : "1 = 1")
            ORDER BY CASE WHEN r.read_at IS NULL THEN 0 ELSE 1 END, n_all.published_at DESC, n_all.n_id
            LIMIT \(limit: limit)
            """).all().map { row in
            ReceivedNotice(
                notice: try Self.record(row), readAt: try row.decode(column: "read_at", as: String?.self).flatMap(Timestamp.init(text:)))
        }
    }

    public func readAt(_ id: String, by person: PersonID) async throws -> Timestamp? {
        try await sql.raw("SELECT read_at FROM notice_reads WHERE notice_id = \(bind: id) AND person_id = \(bind: person.rawValue)")
            .first().flatMap { Timestamp(text: try $0.decode(column: "read_at", as: String.self)) }
    }

    public func markRead(_ id: String, by person: PersonID, at time: Timestamp) async throws -> Bool {
        !(try await sql.raw("""
            INSERT INTO notice_reads (notice_id, person_id, read_at) VALUES (\(bind: id), \(bind: person.rawValue), \(bind: time.text))
            ON CONFLICT (notice_id, person_id) DO NOTHING RETURNING notice_id
            """).all()).isEmpty
    }

    public func readers(of id: String, below path: OrgPath, limit: Int) async throws -> (readers: [NoticeReader], total: Int, read: Int) {
        let scope: SQLQueryString = """
            FROM org_admins a JOIN orgs o ON o.id = a.org_id JOIN people p ON p.id = a.person_id
            LEFT JOIN notice_reads r ON r.notice_id = \(bind: id) AND r.person_id = a.person_id
            WHERE o.path LIKE \(bind: path.encoded + "_%") AND o.deleted_at IS NULL
            """
        let rows = try await sql.raw("""
            SELECT a.person_id, p.name, o.id AS org_id, o.name AS org_name, r.read_at \(scope)
            ORDER BY CASE WHEN r.read_at IS NULL THEN 0 ELSE 1 END, o.path, a.person_id LIMIT \(limit: limit)
            """).all()
        let readers = try rows.map { row in
            guard let person = PersonID(rawValue: try row.decode(column: "person_id", as: String.self)),
                let org = OrgID(rawValue: try row.decode(column: "org_id", as: String.self))
            else { throw CorruptRow(table: "org_admins", key: id) }
            return NoticeReader(
                personID: person, name: try row.decode(column: "name", as: String.self), orgID: org,
                orgName: try row.decode(column: "org_name", as: String.self),
                readAt: try row.decode(column: "read_at", as: String?.self).flatMap(Timestamp.init(text:)))
        }
        let counts = try await sql.raw("SELECT COUNT(*) AS total, COUNT(r.read_at) AS done \(scope)").first()
        return (readers, try counts?.decode(column: "total", as: Int.self) ?? 0, try counts?.decode(column: "done", as: Int.self) ?? 0)
    }

    public func published(by org: OrgID, limit: Int) async throws -> [(notice: NoticeRecord, reads: Int)] {
        try await sql.raw("""
            SELECT x.*, (SELECT COUNT(*) FROM notice_reads r WHERE r.notice_id = x.n_id) AS reads
            FROM (\(unsafeRaw: Self.select) WHERE n.org_id = \(bind: org.rawValue)) x
            ORDER BY x.published_at DESC, x.n_id LIMIT \(limit: limit)
            """).all().map { (try Self.record($0), try $0.decode(column: "reads", as: Int.self)) }
    }
}

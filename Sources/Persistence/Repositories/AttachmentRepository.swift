import Domain
import SQLKit

/// What an attachment belongs to.
public enum AttachmentOwner: Sendable, Equatable, Hashable {
    case activity(String)
    case notice(String)
}

/// A file attached to a meeting record or a work notice.
public struct AttachmentRecord: Sendable, Equatable {
    public let id: String
    public let owner: AttachmentOwner
    public let fileName: String
    /// `application/pdf`, `image/png` or `image/jpeg`: what the inspector read from the content.
    public let mediaType: String
    public let bytes: Int
    public let sha256: String
    public let uploadedBy: PersonID
    public let uploadedAt: Timestamp
    public let withdrawnAt: Timestamp?

    public init(
        id: String, owner: AttachmentOwner, fileName: String, mediaType: String, bytes: Int, sha256: String, uploadedBy: PersonID,
        uploadedAt: Timestamp, withdrawnAt: Timestamp? = nil
    ) {
        self.id = id
        self.owner = owner
        self.fileName = fileName
        self.mediaType = mediaType
        self.bytes = bytes
        self.sha256 = sha256
        self.uploadedBy = uploadedBy
        self.uploadedAt = uploadedAt
        self.withdrawnAt = withdrawnAt
    }
}

public protocol AttachmentRepository: Sendable {
    func insert(_ attachment: AttachmentRecord, inspection: String) async throws
    func find(_ id: String) async throws -> AttachmentRecord?
    /// The live attachments of each owner, in upload order, in one query.
    func live(of owners: [AttachmentOwner]) async throws -> [AttachmentOwner: [AttachmentRecord]]
    func withdraw(_ id: String, by person: PersonID, at time: Timestamp) async throws
    /// Every attachment, withdrawn ones too (`zhtj verify`: their files are referenced).
    func all() async throws -> [AttachmentRecord]
}

public struct SQLAttachmentRepository: AttachmentRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let select = """
        SELECT id, activity_id, notice_id, file_name, media_type, bytes, sha256, uploaded_by, uploaded_at, withdrawn_at FROM attachments
        """

    static func record(_ row: any SQLRow) throws -> AttachmentRecord {
        let id = try row.decode(column: "id", as: String.self)
        let owner: AttachmentOwner
        if let activity = try row.decode(column: "activity_id", as: String?.self) {
            owner = .activity(activity)
        } else if let notice = try row.decode(column: "notice_id", as: String?.self) {
            owner = .notice(notice)
        } else {
            throw CorruptRow(table: "attachments", key: id)
        }
        guard let by = PersonID(rawValue: try row.decode(column: "uploaded_by", as: String.self)),
            let at = Timestamp(text: try row.decode(column: "uploaded_at", as: String.self))
        else { throw CorruptRow(table: "attachments", key: id) }
        return AttachmentRecord(
            id: id, owner: owner, fileName: try row.decode(column: "file_name", as: String.self),
            mediaType: try row.decode(column: "media_type", as: String.self), bytes: try row.decode(column: "bytes", as: Int.self),
            sha256: try row.decode(column: "sha256", as: String.self), uploadedBy: by, uploadedAt: at,
            withdrawnAt: try row.decode(column: "withdrawn_at", as: String?.self).flatMap(Timestamp.init(text:)))
    }

    public func insert(_ a: AttachmentRecord, inspection: String) async throws {
        var activity: String?, notice: String?
        switch a.owner {
        case .activity(let id): activity = id
        case .notice(let id): notice = id
        }
        try await sql.raw("""
            INSERT INTO attachments (id, activity_id, notice_id, file_name, media_type, bytes, sha256, inspection, uploaded_by, uploaded_at)
            VALUES (\(bind: a.id), \(bind: activity), \(bind: notice), \(bind: a.fileName), \(bind: a.mediaType), \(bind: a.bytes),
                    \(bind: a.sha256), \(bind: inspection), \(bind: a.uploadedBy.rawValue), \(bind: a.uploadedAt.text))
            """).run()
    }

    public func find(_ id: String) async throws -> AttachmentRecord? {
        try await sql.raw("\(unsafeRaw: Self.select) WHERE id = \(bind: id)").first().map(Self.record)
    }

    public func live(of owners: [AttachmentOwner]) async throws -> [AttachmentOwner: [AttachmentRecord]] {
        var activities: [String] = [], notices: [String] = []
        for owner in owners {
            switch owner {
            case .activity(let id): activities.append(id)
            case .notice(let id): notices.append(id)
            }
        }
        if activities.isEmpty && notices.isEmpty { return [:] }
        // `IN ()` is not SQL; an id that cannot exist stands in for an empty list.
        let rows = try await sql.raw("""
            \(unsafeRaw: Self.select)
            WHERE withdrawn_at IS NULL
              AND (activity_id IN (\(binds: activities.isEmpty ? [""] : activities)) OR notice_id IN (\(binds: notices.isEmpty ? [""] : notices)))
            ORDER BY uploaded_at, id
            """).all().map(Self.record)
        return Dictionary(grouping: rows, by: \.owner)
    }

    public func withdraw(_ id: String, by person: PersonID, at time: Timestamp) async throws {
        try await sql.raw("""
            UPDATE attachments SET withdrawn_by = \(bind: person.rawValue), withdrawn_at = \(bind: time.text)
            WHERE id = \(bind: id) AND withdrawn_at IS NULL
            """).run()
    }

    public func all() async throws -> [AttachmentRecord] {
        try await sql.raw("\(unsafeRaw: Self.select) ORDER BY uploaded_at, id").all().map(Self.record)
    }
}

import Crypto
import Domain
import Foundation
import SQLKit

/// What happened to an org, as `org_audit_log` records it.
public enum OrgAuditAction: String, Sendable, Codable, CaseIterable {
    case create = "org.create"
    case delete = "org.delete"
    case profileUpdate = "org.profile_update"
}

/// An org change before it is chained. `detail` is JSON written by the workflow: the values
/// before and after, ID numbers masked.
public struct OrgAuditEvent: Sendable, Equatable {
    public let at: Timestamp
    public let action: OrgAuditAction
    public let actorID: PersonID
    public let orgID: OrgID
    /// The org's path, so admins above it see the entry in their subtree.
    public let orgPath: OrgPath
    public let detail: String?

    public init(at: Timestamp, action: OrgAuditAction, actorID: PersonID, orgID: OrgID, orgPath: OrgPath, detail: String?) {
        self.at = at
        self.action = action
        self.actorID = actorID
        self.orgID = orgID
        self.orgPath = orgPath
        self.detail = detail
    }
}

public struct OrgAuditEntry: Sendable, Equatable {
    public let seq: Int
    public let event: OrgAuditEvent
    public let prevHash: String
    public let hash: String
}

/// The chain of `org_audit_log`, hashed the way `AuditChain` hashes the archive log.
public enum OrgAuditChain {
    public static func hash(seq: Int, event e: OrgAuditEvent, prevHash: String) -> String {
        let fields = [
            String(seq), e.at.text, e.action.rawValue, e.actorID.rawValue, e.orgID.rawValue, e.orgPath.encoded, e.detail ?? "", prevHash,
        ]
        var data = Data()
        for field in fields {
            let bytes = Data(field.utf8)
            data.append(contentsOf: Array("\(bytes.count):".utf8))
            data.append(bytes)
        }
        return SHA256.hash(data: data).lowercaseHex
    }

    /// The sequence numbers whose entry does not follow its predecessor or does not match its hash.
    public static func breaks(_ entries: [OrgAuditEntry]) -> [Int] {
        var broken: [Int] = []
        var prev = AuditChain.genesis
        var expected = 1
        for entry in entries {
            if entry.seq != expected || entry.prevHash != prev || hash(seq: entry.seq, event: entry.event, prevHash: entry.prevHash) != entry.hash {
                broken.append(entry.seq)
            }
            prev = entry.hash
            expected = entry.seq + 1
        }
        return broken
    }
}

public protocol OrgAuditRepository: Sendable {
    /// Appends to the chain; call inside the transaction that makes the change.
    @discardableResult
    func append(_ event: OrgAuditEvent) async throws -> OrgAuditEntry
    /// Entries of one org, oldest first.
    func entries(of org: OrgID) async throws -> [OrgAuditEntry]
    /// The whole chain, oldest first.
    func all() async throws -> [OrgAuditEntry]
}

public struct SQLOrgAuditRepository: OrgAuditRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = "seq, at, action, actor_id, org_id, org_path, detail, prev_hash, hash"

    static func entry(_ row: some SQLRow) throws -> OrgAuditEntry {
        let seq = try row.decode(column: "seq", as: Int.self)
        guard let at = Timestamp(text: try row.decode(column: "at", as: String.self)),
            let action = OrgAuditAction(rawValue: try row.decode(column: "action", as: String.self)),
            let path = OrgPath(encoded: try row.decode(column: "org_path", as: String.self))
        else { throw CorruptRow(table: "org_audit_log", key: String(seq)) }
        let event = OrgAuditEvent(
            at: at, action: action, actorID: PersonID(unchecked: try row.decode(column: "actor_id", as: String.self)),
            orgID: OrgID(unchecked: try row.decode(column: "org_id", as: String.self)), orgPath: path,
            detail: try row.decode(column: "detail", as: String?.self))
        return OrgAuditEntry(
            seq: seq, event: event, prevHash: try row.decode(column: "prev_hash", as: String.self),
            hash: try row.decode(column: "hash", as: String.self))
    }

    public func append(_ event: OrgAuditEvent) async throws -> OrgAuditEntry {
        let last = try await sql.raw("SELECT seq, hash FROM org_audit_log ORDER BY seq DESC LIMIT 1").first()
        let seq = (try last?.decode(column: "seq", as: Int.self) ?? 0) + 1
        let prev = try last?.decode(column: "hash", as: String.self) ?? AuditChain.genesis
        let hash = OrgAuditChain.hash(seq: seq, event: event, prevHash: prev)
        try await sql.raw("""
            INSERT INTO org_audit_log (seq, at, action, actor_id, org_id, org_path, detail, prev_hash, hash)
            VALUES (\(bind: seq), \(bind: event.at.text), \(bind: event.action.rawValue), \(bind: event.actorID.rawValue),
                    \(bind: event.orgID.rawValue), \(bind: event.orgPath.encoded), \(bind: event.detail), \(bind: prev), \(bind: hash))
            """).run()
        return OrgAuditEntry(seq: seq, event: event, prevHash: prev, hash: hash)
    }

    public func entries(of org: OrgID) async throws -> [OrgAuditEntry] {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM org_audit_log WHERE org_id = \(bind: org.rawValue) ORDER BY seq")
            .all().map { try Self.entry($0) }
    }

    public func all() async throws -> [OrgAuditEntry] {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM org_audit_log ORDER BY seq").all().map { try Self.entry($0) }
    }
}

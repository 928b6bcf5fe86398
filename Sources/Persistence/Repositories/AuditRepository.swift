import Crypto
import Domain
import Foundation
import SQLKit

/// What happened to an archive, as recorded in the audit log (issue: archive.* actions).
public enum AuditAction: String, Sendable, Codable, CaseIterable {
    case upload = "archive.upload"
    case approve = "archive.approve"
    case reject = "archive.reject"
    case withdraw = "archive.withdraw"
    case changeRequest = "archive.change_request"
    case changeApprove = "archive.change_approve"
    case changeReject = "archive.change_reject"
    case download = "archive.download"
}

/// An entry before it is chained.
public struct AuditEvent: Sendable, Equatable {
    public let at: Timestamp
    public let action: AuditAction
    public let actorID: PersonID
    public let memberID: PersonID
    /// The member's branch path at the time, so an org's admins see entries of their subtree.
    public let branchPath: OrgPath
    public let archiveID: ArchiveID
    public let version: Int?
    public let sha256: String?
    public let detail: String?

    public init(
        at: Timestamp, action: AuditAction, actorID: PersonID, memberID: PersonID, branchPath: OrgPath, archiveID: ArchiveID,
        version: Int?, sha256: String?, detail: String?
    ) {
        self.at = at
        self.action = action
        self.actorID = actorID
        self.memberID = memberID
        self.branchPath = branchPath
        self.archiveID = archiveID
        self.version = version
        self.sha256 = sha256
        self.detail = detail
    }
}

public struct AuditEntry: Sendable, Equatable {
    public let seq: Int
    public let event: AuditEvent
    public let prevHash: String
    public let hash: String

    public init(seq: Int, event: AuditEvent, prevHash: String, hash: String) {
        self.seq = seq
        self.event = event
        self.prevHash = prevHash
        self.hash = hash
    }
}

/// The hash chain: each entry's hash covers its fields and the previous entry's hash, so
/// editing or deleting any entry breaks every hash after it.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)

    public static func hash(seq: Int, event e: AuditEvent, prevHash: String) -> String {
        // Length-prefixed fields: no separator inside a reason can forge another split.
        let fields: [String] = [
            String(seq), e.at.text, e.action.rawValue, e.actorID.rawValue, e.memberID.rawValue, e.branchPath.encoded,
            e.archiveID.rawValue, e.version.map(String.init) ?? "", e.sha256 ?? "", e.detail ?? "", prevHash,
        ]
        var data = Data()
        for field in fields {
            let bytes = Data(field.utf8)
            data.append(contentsOf: Array("\(bytes.count):".utf8))
            data.append(bytes)
        }
        return SHA256.hash(data: data).lowercaseHex
    }

    /// A break in the chain, as `zhtj verify` reports it.
    public enum Break: Equatable, Sendable, CustomStringConvertible {
        case gap(expected: Int, found: Int)
        case prevHashMismatch(seq: Int)
        case hashMismatch(seq: Int)

        public var description: String {
            switch self {
            case .gap(let e, let f): "audit log entry \(e) is missing (next is \(f))"
            case .prevHashMismatch(let s): "audit log entry \(s) does not follow its predecessor (an entry before it was edited or deleted)"
            case .hashMismatch(let s): "audit log entry \(s) was edited (its hash does not match its contents)"
            }
        }
    }

    /// Checks the whole chain from the start.
    public static func verify(_ entries: [AuditEntry]) -> [Break] {
        var breaks: [Break] = []
        var expectedSeq = 1
        var prev = genesis
        for entry in entries {
            if entry.seq != expectedSeq { breaks.append(.gap(expected: expectedSeq, found: entry.seq)) }
            if entry.prevHash != prev { breaks.append(.prevHashMismatch(seq: entry.seq)) }
            if hash(seq: entry.seq, event: entry.event, prevHash: entry.prevHash) != entry.hash {
                breaks.append(.hashMismatch(seq: entry.seq))
            }
            prev = entry.hash
            expectedSeq = entry.seq + 1
        }
        return breaks
    }
}

public protocol AuditRepository: Sendable {
    /// Appends to the chain. Call inside the transaction that makes the change it records;
    /// a concurrent append makes the transaction fail with a unique violation on `seq`, and
    /// the caller retries.
    @discardableResult
    func append(_ event: AuditEvent) async throws -> AuditEntry
    /// Entries of the subtree at `path`, newest first, keyset-paged by seq.
    func list(inSubtreeOf path: OrgPath, before seq: Int?, limit: Int) async throws -> [AuditEntry]
    /// The whole chain, oldest first.
    func all() async throws -> [AuditEntry]
}

public struct SQLAuditRepository: AuditRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    struct Row: Decodable {
        let seq: Int
        let at: String
        let action: String
        let actorId: String
        let memberId: String
        let branchPath: String
        let archiveId: String
        let version: Int?
        let sha256: String?
        let detail: String?
        let prevHash: String
        let hash: String

        func entry() throws -> AuditEntry {
            guard let at = Timestamp(text: at), let action = AuditAction(rawValue: action), let path = OrgPath(encoded: branchPath) else {
                throw CorruptRow(table: "audit_log", key: String(seq))
            }
            let event = AuditEvent(
                at: at, action: action, actorID: PersonID(unchecked: actorId), memberID: PersonID(unchecked: memberId), branchPath: path,
                archiveID: ArchiveID(unchecked: archiveId), version: version, sha256: sha256, detail: detail)
            return AuditEntry(seq: seq, event: event, prevHash: prevHash, hash: hash)
        }
    }

    static let columns = "seq, at, action, actor_id, member_id, branch_path, archive_id, version, sha256, detail, prev_hash, hash"

    public func append(_ event: AuditEvent) async throws -> AuditEntry {
        let last = try await sql.raw("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").first()
        let seq = (try last?.decode(column: "seq", as: Int.self) ?? 0) + 1
        let prev = try last?.decode(column: "hash", as: String.self) ?? AuditChain.genesis
        let hash = AuditChain.hash(seq: seq, event: event, prevHash: prev)
        try await sql.raw("""
            INSERT INTO audit_log (seq, at, action, actor_id, member_id, branch_path, archive_id, version, sha256, detail, prev_hash, hash)
            VALUES (\(bind: seq), \(bind: event.at.text), \(bind: event.action.rawValue), \(bind: event.actorID.rawValue),
                    \(bind: event.memberID.rawValue), \(bind: event.branchPath.encoded), \(bind: event.archiveID.rawValue),
                    \(bind: event.version), \(bind: event.sha256), \(bind: event.detail), \(bind: prev), \(bind: hash))
            """).run()
        return AuditEntry(seq: seq, event: event, prevHash: prev, hash: hash)
    }

    public func list(inSubtreeOf path: OrgPath, before seq: Int?, limit: Int) async throws -> [AuditEntry] {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM audit_log
            WHERE branch_path LIKE \(bind: path.encoded + "%") AND seq < \(bind: seq ?? Int.max)
            ORDER BY seq DESC LIMIT \(limit: limit)
            """).all(decoding: Row.self, with: .snakeCase).map { try $0.entry() }
    }

    public func all() async throws -> [AuditEntry] {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM audit_log ORDER BY seq")
            .all(decoding: Row.self, with: .snakeCase).map { try $0.entry() }
    }
}

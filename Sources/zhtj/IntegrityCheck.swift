import BlobStore
import Domain
import Persistence

/// `zhtj verify`: re-hashes every blob, checks every database reference and the audit
/// chain. Problems name the blob by SHA-256 and the members whose archives use it.
struct IntegrityCheck: Sendable {
    struct Problem: Sendable, Equatable, CustomStringConvertible {
        enum Kind: String, Sendable { case missing, corrupted, unreadable, orphaned, auditChain = "audit_chain", tallies }
        let kind: Kind
        let sha256: String?
        /// "p-c1-03 马晓东 (archive …, version 2)" for each reference.
        let concerns: [String]
        let detail: String

        var description: String {
            var line = "\(kind.rawValue)"
            if let sha256 { line += " blob \(sha256)" }
            if !detail.isEmpty { line += ": \(detail)" }
            if !concerns.isEmpty { line += " — members: " + concerns.joined(separator: "; ") }
            return line
        }
    }

    struct Summary: Sendable {
        let blobsChecked: Int
        let versionsChecked: Int
        let auditEntriesChecked: Int
        /// Missing, corrupted or unreadable blobs and a broken audit chain: data is lost or was
        /// changed.
        let problems: [Problem]
        /// Blobs no archive version refers to: the permitted leftover of a crash between the
        /// blob's commit and its row, or of a row written then rolled back. Nothing is lost.
        let orphans: [Problem]

        /// Exit codes of `zhtj verify`.
        enum Status {
            static let clean: Int32 = 0
            /// Any problem (orphans besides or not).
            static let problems: Int32 = 1
            /// Orphaned blobs and nothing else.
            static let orphansOnly: Int32 = 2
        }

        var exitStatus: Int32 {
            if !problems.isEmpty { return Status.problems }
            return orphans.isEmpty ? Status.clean : Status.orphansOnly
        }
    }

    let database: Database
    let blobs: any BlobStore

    init(database: Database, blobs: any BlobStore) {
        self.database = database
        self.blobs = blobs
    }

    /// Removes the orphans of `summary` stored more than `age` ago, each after asking the
    /// database once more whether a record refers to it; returns the summary with the orphans
    /// kept, and the hashes removed.
    func collectOrphans(of summary: Summary, olderThan age: Duration) async throws -> (Summary, [String]) {
        guard let store = blobs as? FileBlobStore else { return (summary, []) }
        let archives = database.repositories.archives
        var kept: [Problem] = []
        var removed: [String] = []
        for orphan in summary.orphans {
            guard let sha = orphan.sha256 else { continue }
            switch try await store.collectOrphan(sha, olderThan: age, unreferenced: { try await !archives.blobIsReferenced(sha) }) {
            case .removed: removed.append(sha)
            case .recent:
                kept.append(Problem(kind: .orphaned, sha256: sha, concerns: [], detail: "\(orphan.detail); kept: stored within the grace period"))
            case .referenced, .absent: break
            }
        }
        let after = Summary(
            blobsChecked: summary.blobsChecked, versionsChecked: summary.versionsChecked,
            auditEntriesChecked: summary.auditEntriesChecked, problems: summary.problems, orphans: kept)
        return (after, removed)
    }

    func run() async throws -> Summary {
        let archives = database.repositories.archives
        let members = database.repositories.members
        let versions = try await archives.allVersions()
        var memberOfArchive: [ArchiveID: String] = [:]
        var references: [String: [String]] = [:]
        for version in versions {
            if memberOfArchive[version.archiveID] == nil, let archive = try await archives.find(version.archiveID) {
                let record = try await members.find(archive.memberID)
                memberOfArchive[version.archiveID] = "\(archive.memberID) \(record?.member.name ?? "?")"
            }
            let who = "\(memberOfArchive[version.archiveID] ?? "?") (archive \(version.archiveID), version \(version.version))"
            references[version.sha256, default: []].append(who)
        }
        // Attachments' files are referenced too, withdrawn ones included (the record keeps them).
        for attachment in try await database.repositories.attachments.all() {
            let owner: String
            switch attachment.owner {
            case .activity(let id): owner = "activity \(id)"
            case .notice(let id): owner = "notice \(id)"
            }
            references[attachment.sha256, default: []].append("attachment \(attachment.id) of \(owner)")
        }
        var problems: [Problem] = []
        var orphans: [Problem] = []
        for (sha, concerns) in references.sorted(by: { $0.key < $1.key }) {
            switch await blobs.verify(sha) {
            case .intact: break
            case .missing: problems.append(Problem(kind: .missing, sha256: sha, concerns: concerns, detail: "no file stored"))
            case .corrupted(let actual):
                problems.append(Problem(kind: .corrupted, sha256: sha, concerns: concerns, detail: "content now hashes to \(actual)"))
            case .unreadable(let reason): problems.append(Problem(kind: .unreadable, sha256: sha, concerns: concerns, detail: reason))
            }
        }
        let stored = try await blobs.allBlobs()
        for sha in stored where references[sha] == nil {
            orphans.append(Problem(kind: .orphaned, sha256: sha, concerns: [], detail: "no archive version or attachment refers to it"))
        }
        let entries = try await database.repositories.audit.all()
        for broken in AuditChain.verify(entries) {
            problems.append(Problem(kind: .auditChain, sha256: nil, concerns: [], detail: broken.description))
        }
        // The org tree's own chain (creation, deletion, information changes).
        for seq in OrgAuditChain.breaks(try await database.repositories.orgAudit.all()) {
            problems.append(Problem(kind: .auditChain, sha256: nil, concerns: [], detail: "org audit log entry \(seq) was edited, removed or reordered"))
        }
        // The statistics' counts per subtree against the rows they count.
        for drift in try await database.repositories.statistics.tallyDrift(limit: 100) {
            problems.append(Problem(kind: .tallies, sha256: nil, concerns: [], detail: drift))
        }
        return Summary(
            blobsChecked: stored.count, versionsChecked: versions.count, auditEntriesChecked: entries.count, problems: problems,
            orphans: orphans)
    }
}

import Foundation
import Testing
@testable import BlobStore

/// `collectOrphan` (issue 12 item 1, `zhtj verify --collect-orphans`): only a blob stored before
/// the grace period that the record still does not refer to goes, and a commit of the same
/// content never loses its blob to a collection running beside it.
@Suite("Orphan collection")
struct OrphanCollectionTests {
    static func withStore(_ body: (FileBlobStore) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.path + "/blobstore-orphans-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await body(FileBlobStore(root: root))
    }

    /// Backdates a stored blob as if it had been committed `hours` ago.
    static func age(_ store: FileBlobStore, _ sha256: String, hours: Double) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -hours * 3600)], ofItemAtPath: try store.blobPath(sha256))
    }

    static func bytes(_ salt: String) -> [UInt8] { Array("orphan \(salt) \(UUID().uuidString)".utf8) }

    @Test("an orphan stored before the grace period and still unreferenced is removed; reads then say missing")
    func oldOrphanRemoved() async throws {
        try await Self.withStore { store in
            let sha = try await store.put(Self.bytes("old")).sha256
            try Self.age(store, sha, hours: 2)
            let outcome = try await store.collectOrphan(sha, olderThan: .seconds(3600), unreferenced: { true })
            #expect(outcome == .removed)
            #expect(try await store.allBlobs().isEmpty)
            #expect(await store.verify(sha) == .missing)
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/collected").isEmpty, "nothing left aside")
        }
    }

    @Test("a blob stored within the grace period is kept, and the database is not even asked")
    func recentKept() async throws {
        try await Self.withStore { store in
            let content = Self.bytes("recent")
            let sha = try await store.put(content).sha256
            let outcome = try await store.collectOrphan(sha, olderThan: .seconds(3600), unreferenced: {
                Issue.record("asked about a recent blob")
                return true
            })
            #expect(outcome == .recent)
            #expect(try await store.read(sha) == content)
        }
    }

    @Test("a blob the database refers to when asked at the last moment is put back intact; so is one when asking fails")
    func referencedKept() async throws {
        struct Unreachable: Error {}
        try await Self.withStore { store in
            let content = Self.bytes("referenced")
            let sha = try await store.put(content).sha256
            try Self.age(store, sha, hours: 2)
            #expect(try await store.collectOrphan(sha, olderThan: .seconds(3600), unreferenced: { false }) == .referenced)
            #expect(try await store.read(sha) == content)
            await #expect(throws: Unreachable.self) {
                try await store.collectOrphan(sha, olderThan: .seconds(3600), unreferenced: { throw Unreachable() })
            }
            #expect(try await store.read(sha) == content)
        }
    }

    @Test("storing the same content again makes an old blob new: a collection right after keeps it")
    func recommitRefreshes() async throws {
        try await Self.withStore { store in
            let content = Self.bytes("again")
            let sha = try await store.put(content).sha256
            try Self.age(store, sha, hours: 2)
            #expect(try await store.put(content).sha256 == sha)
            #expect(try await store.collectOrphan(sha, olderThan: .seconds(3600), unreferenced: { true }) == .recent)
            #expect(try await store.read(sha) == content)
        }
    }

    @Test("a commit of the same content while the collector holds the blob aside stores its own copy, and keeps it")
    func commitDuringCollection() async throws {
        try await Self.withStore { store in
            let content = Self.bytes("race")
            let sha = try await store.put(content).sha256
            try Self.age(store, sha, hours: 2)
            // The database is asked while the blob is aside: the moment a concurrent upload commits.
            let outcome = try await store.collectOrphan(sha, olderThan: .seconds(3600), unreferenced: {
                let again = try await store.put(content)
                #expect(again.sha256 == sha)
                return true
            })
            #expect(outcome == .removed, "the copy held aside goes")
            #expect(try await store.read(sha) == content, "the commit's own copy stays")
            #expect(try await store.allBlobs() == [sha])
        }
    }

    @Test("a hash that is not stored is absent; one that is not a hash never reaches the filesystem")
    func absentAndInvalid() async throws {
        try await Self.withStore { store in
            let sha = String(repeating: "ab", count: 32)
            let outcome = try await store.collectOrphan(sha, olderThan: .zero, unreferenced: { true })
            #expect(outcome == .absent)
            await #expect(throws: BlobStoreError.self) {
                try await store.collectOrphan("../../etc/passwd", olderThan: .zero, unreferenced: { true })
            }
        }
    }
}

import Foundation
import Testing
@testable import BlobStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Known SHA-256 vectors (FIPS 180-2), so the streaming hash is checked
// against an independent truth rather than against itself.
private let abcHash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
private let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
private let millionAHash = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

/// A fresh store in its own temp directory, removed afterwards.
private func withStore(_ body: (FileBlobStore) async throws -> Void) async throws {
    let root = FileManager.default.temporaryDirectory.path + "/blobstore-tests-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: root) }
    try await body(FileBlobStore(root: root))
}

private func tmpEntries(_ store: FileBlobStore) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: store.tmpDirectory)
}

private func permissions(_ path: String) throws -> Int {
    var st = stat()
    guard stat(path, &st) == 0 else { throw BlobStoreError.io(operation: "stat", path: path, errno: errno) }
    return Int(st.st_mode) & 0o777
}

/// Flips one bit in a stored (read-only) blob, as bit rot would.
private func flipByte(_ path: String, at offset: Int) throws {
    #expect(chmod(path, 0o644) == 0)
    var data = try Data(contentsOf: URL(fileURLWithPath: path))
    data[offset] ^= 0x01
    try data.write(to: URL(fileURLWithPath: path))
    #expect(chmod(path, 0o444) == 0)
}

/// A deterministic, non-repetitive byte pattern of `count` bytes.
private func pattern(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

private func streamUpload(_ store: FileBlobStore, _ bytes: [UInt8], chunk: Int) throws -> BlobUpload {
    let upload = try store.makeUpload()
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + chunk, bytes.count)
        try bytes[offset..<end].withUnsafeBytes { try upload.write($0) }
        offset = end
    }
    return upload
}

/// Keys that must never reach the filesystem.
private let invalidKeys: [String] = {
    let almost = String(abcHash.dropLast())
    var keys: [String] = ["", "../../../../etc/passwd", almost, abcHash + "0", abcHash.uppercased()]
    keys.append("ba/78/" + String(abcHash.dropFirst(6)))
    keys.append(String(abcHash.dropLast(2)) + "..")
    keys.append(almost + "g")
    keys.append(almost + "é")
    return keys
}()

@Suite("FileBlobStore")
struct BlobStoreTests {
    @Test func streamedUploadHashesLikeKnownVectors() async throws {
        try await withStore { store in
            // "abc" one byte at a time.
            let abc = try store.makeUpload()
            defer { abc.discard() }
            for byte in "abc".utf8 { try abc.write([byte]) }
            #expect(abc.byteCount == 3)
            #expect(try abc.finish() == BlobDigest(sha256: abcHash, byteCount: 3))

            // One million "a" in uneven chunks through every write overload.
            let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
            let upload = try store.makeUpload()
            defer { upload.discard() }
            var offset = 0
            var round = 0
            while offset < million.count {
                let end = min(offset + [1, 7, 4096, 65_537, 333][round % 5], million.count)
                switch round % 4 {
                case 0: try million[offset..<end].withUnsafeBytes { try upload.write($0) }
                case 1: try upload.write(Array(million[offset..<end]))
                case 2: try upload.write(Data(million[offset..<end]))
                default: try upload.write(million[offset..<end])
                }
                offset = end
                round += 1
            }
            #expect(round > 20)
            #expect(try upload.finish() == BlobDigest(sha256: millionAHash, byteCount: 1_000_000))

            // Whole-buffer put gives the same address as the streamed upload.
            #expect(try await store.put(million).sha256 == millionAHash)
            #expect(try await store.put([]).sha256 == emptyHash)
        }
    }

    @Test func commitPlacesReadOnlyBlobAtShardedPath() async throws {
        try await withStore { store in
            let upload = try streamUpload(store, Array("abc".utf8), chunk: 1)
            defer { upload.discard() }
            try upload.finish()
            let digest = try await store.commit(upload)
            #expect(digest.sha256 == abcHash)
            #expect(digest.byteCount == 3)

            let expectedPath = store.root + "/blobs/ba/78/" + abcHash
            #expect(try store.blobPath(abcHash) == expectedPath)
            #expect(try await store.verifiedPath(abcHash) == expectedPath)
            #expect(try permissions(expectedPath) == 0o444)
            #expect(try await store.read(abcHash) == Array("abc".utf8))
            #expect(try await store.readData(abcHash) == Data("abc".utf8))
            #expect(await store.verify(abcHash) == .intact)
            #expect(!FileManager.default.fileExists(atPath: upload.path))
        }
    }

    @Test func commitFinishesAnUnfinishedUpload() async throws {
        try await withStore { store in
            let upload = try streamUpload(store, Array("abc".utf8), chunk: 2)
            defer { upload.discard() }
            #expect(try await store.commit(upload).sha256 == abcHash)
            #expect(try upload.finish().sha256 == abcHash) // idempotent after commit
            await #expect(throws: BlobStoreError.self) { try await store.commit(upload) }
        }
    }

    @Test func identicalContentIsStoredOnce() async throws {
        try await withStore { store in
            let content = pattern(300_000, seed: 1)
            let first = try await store.put(content)
            let second = try await store.commit(try streamUpload(store, content, chunk: 10_000))
            #expect(first == second)
            #expect(try await store.allBlobs() == [first.sha256])
            let shard = store.shardDirectories(first.sha256).inner
            #expect(try FileManager.default.contentsOfDirectory(atPath: shard) == [first.sha256])
            #expect(try tmpEntries(store).isEmpty)
            #expect(try await store.read(first.sha256) == content)
        }
    }

    /// The upload path inspects a sealed file while another task makes it durable.
    @Test func sealedUploadIsReadOnlyAndCommitsAfterFinishingElsewhere() async throws {
        try await withStore { store in
            let content = pattern(1_500_000, seed: 7)
            let upload = try store.makeUpload()
            defer { upload.discard() }
            try upload.write(content)
            let sealed = try upload.seal()
            #expect(try FileManager.default.attributesOfItem(atPath: upload.path)[.posixPermissions] as? Int == 0o444)
            #expect(throws: BlobStoreError.self) { try upload.write([1]) }
            let durable = Task.detached { try upload.finish() }
            #expect(try Data(contentsOf: URL(fileURLWithPath: upload.path)) == Data(content))
            #expect(try await durable.value == sealed)
            #expect(try upload.seal() == sealed)
            #expect(try await store.commit(upload) == sealed)
            #expect(try await store.read(sealed.sha256) == content)
        }
    }

    @Test func flippedByteIsDetectedByEveryRead() async throws {
        try await withStore { store in
            let content = pattern(2_500_000, seed: 2) // spans several 1 MiB hash chunks
            let digest = try await store.put(content)
            let path = try store.blobPath(digest.sha256)
            try flipByte(path, at: 1_800_000)

            let health = await store.verify(digest.sha256)
            guard case .corrupted(let actual) = health else {
                Issue.record("expected .corrupted, got \(health)")
                return
            }
            #expect(actual != digest.sha256)
            #expect(BlobDigest.isValidSHA256(actual))
            let expected = BlobStoreError.corrupted(digest.sha256, actual: actual)
            await #expect(throws: expected) { try await store.read(digest.sha256) }
            await #expect(throws: expected) { try await store.readData(digest.sha256) }
            await #expect(throws: expected) { try await store.verifiedPath(digest.sha256) }
        }
    }

    @Test func missingBlobIsReportedAsMissing() async throws {
        try await withStore { store in
            #expect(await store.verify(abcHash) == .missing)
            await #expect(throws: BlobStoreError.missing(abcHash)) { try await store.read(abcHash) }
            await #expect(throws: BlobStoreError.missing(abcHash)) { try await store.readData(abcHash) }
            await #expect(throws: BlobStoreError.missing(abcHash)) { try await store.verifiedPath(abcHash) }
        }
    }

    @Test(arguments: invalidKeys)
    func invalidHashIsRefused(key: String) async throws {
        try await withStore { store in
            _ = try await store.put(Array("abc".utf8))
            #expect(!BlobDigest.isValidSHA256(key))
            await #expect(throws: BlobStoreError.invalidHash(key)) { try await store.read(key) }
            await #expect(throws: BlobStoreError.invalidHash(key)) { try await store.readData(key) }
            await #expect(throws: BlobStoreError.invalidHash(key)) { try await store.verifiedPath(key) }
            #expect(throws: BlobStoreError.invalidHash(key)) { try BlobDigest(sha256: key, byteCount: 0) }
            guard case .unreadable = await store.verify(key) else {
                Issue.record("verify accepted invalid key \(key.debugDescription)")
                return
            }
        }
    }

    @Test func keyWithNULIsRefused() async throws {
        // Separate from the parameterized test only because a NUL garbles the
        // test runner's console output. A NUL would truncate the C path.
        let key = String(abcHash.dropLast()) + "\0"
        try await withStore { store in
            _ = try await store.put(Array("abc".utf8))
            await #expect(throws: BlobStoreError.invalidHash(key)) { try await store.read(key) }
            await #expect(throws: BlobStoreError.invalidHash(key)) { try await store.verifiedPath(key) }
        }
    }

    @Test func decodingADigestValidatesTheHash() throws {
        let good = try JSONDecoder().decode(BlobDigest.self, from: Data(#"{"sha256":"\#(abcHash)","byteCount":3}"#.utf8))
        #expect(good == (try BlobDigest(sha256: abcHash, byteCount: 3)))
        #expect(throws: BlobStoreError.self) {
            try JSONDecoder().decode(BlobDigest.self, from: Data(#"{"sha256":"../x","byteCount":3}"#.utf8))
        }
    }

    @Test func discardRemovesTheTempFileInAnyState() async throws {
        try await withStore { store in
            // While writing.
            let writing = try streamUpload(store, pattern(10_000, seed: 3), chunk: 999)
            #expect(FileManager.default.fileExists(atPath: writing.path))
            #expect(writing.path.hasPrefix(store.root + "/tmp/"))
            writing.discard()
            #expect(!FileManager.default.fileExists(atPath: writing.path))
            writing.discard() // idempotent
            #expect(throws: BlobStoreError.self) { try writing.write([1]) }
            #expect(throws: BlobStoreError.self) { try writing.finish() }
            await #expect(throws: BlobStoreError.self) { try await store.commit(writing) }

            // After finish (e.g. the inspector rejected the PDF).
            let finished = try streamUpload(store, pattern(10_000, seed: 4), chunk: 4096)
            try finished.finish()
            #expect(try permissions(finished.path) == 0o444)
            finished.discard()
            #expect(!FileManager.default.fileExists(atPath: finished.path))

            // After an error (writing to a finished upload).
            let failed = try streamUpload(store, [1, 2, 3], chunk: 1)
            try failed.finish()
            #expect(throws: BlobStoreError.self) { try failed.write([4]) }
            failed.discard()
            #expect(!FileManager.default.fileExists(atPath: failed.path))

            #expect(try tmpEntries(store).isEmpty)
        }
    }

    @Test func droppedUploadDeletesItsTempFile() async throws {
        try await withStore { store in
            var path = ""
            do {
                let upload = try store.makeUpload()
                try upload.write([1, 2, 3])
                path = upload.path
                #expect(FileManager.default.fileExists(atPath: path))
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(try tmpEntries(store).isEmpty)
        }
    }

    @Test func committedBlobSurvivesAndTmpIsEmpty() async throws {
        try await withStore { store in
            let content = pattern(1_234_567, seed: 5)
            let upload = try streamUpload(store, content, chunk: 65_536)
            try upload.finish()
            let digest = try await store.commit(upload)
            upload.discard() // the `defer` pattern: must not touch the committed blob
            #expect(try tmpEntries(store).isEmpty)

            // A new store instance on the same root (as after a restart).
            let reopened = try FileBlobStore(root: store.root)
            #expect(try await reopened.read(digest.sha256) == content)
            #expect(await reopened.verify(digest.sha256) == .intact)
        }
    }

    @Test("committed as unchanged since the seal, the staged file is not hashed again; had it changed, reads would report it corrupted")
    func commitTrustingTheSeal() async throws {
        try await withStore { store in
            let upload = try streamUpload(store, Array("abc".utf8), chunk: 3)
            defer { upload.discard() }
            let digest = try upload.seal()
            // What only a process outside the inspector's write ban could do.
            #expect(chmod(upload.path, 0o644) == 0)
            try Data("abd".utf8).write(to: URL(fileURLWithPath: upload.path))

            #expect(try await store.commit(upload, staged: .unchangedSinceSeal) == digest)
            #expect(try await store.allBlobs() == [digest.sha256])
            if case .corrupted = await store.verify(digest.sha256) {} else { Issue.record("a changed blob must read as corrupted") }
            await #expect(throws: BlobStoreError.self) { try await store.read(digest.sha256) }
        }
    }

    @Test func tempFileAlteredAfterFinishIsNotCommitted() async throws {
        try await withStore { store in
            let upload = try streamUpload(store, Array("abc".utf8), chunk: 3)
            defer { upload.discard() }
            let digest = try upload.finish()
            // A misbehaving inspector rewrites the staged file.
            #expect(chmod(upload.path, 0o644) == 0)
            try Data("abd".utf8).write(to: URL(fileURLWithPath: upload.path))

            await #expect(throws: BlobStoreError.self) { try await store.commit(upload) }
            #expect(await store.verify(digest.sha256) == .missing)
            #expect(try await store.allBlobs().isEmpty)
            upload.discard()
            #expect(try tmpEntries(store).isEmpty)
        }
    }

    @Test func uploadFromAnotherStoreIsRefused() async throws {
        try await withStore { a in
            try await withStore { b in
                let upload = try a.makeUpload()
                defer { upload.discard() }
                try upload.write([1, 2, 3])
                await #expect(throws: BlobStoreError.foreignUpload(path: upload.path)) { try await b.commit(upload) }
            }
        }
    }

    @Test func concurrentUploadsAllEndIntact() async throws {
        try await withStore { store in
            // 20 uploads over 7 distinct contents: several commit the same
            // content at once, racing on shard creation and the rename.
            let contents = (0..<7).map { pattern(150_000 + $0 * 10_007, seed: UInt64(100 + $0)) }
            let digests = try await withThrowingTaskGroup(of: (Int, BlobDigest).self) { group in
                for i in 0..<20 {
                    group.addTask {
                        let content = contents[i % contents.count]
                        let upload = try store.makeUpload()
                        defer { upload.discard() }
                        var offset = 0
                        while offset < content.count {
                            let end = min(offset + 8192 + i, content.count)
                            try upload.write(content[offset..<end])
                            offset = end
                            if offset % 3 == 0 { await Task.yield() }
                        }
                        try upload.finish()
                        return (i, try await store.commit(upload))
                    }
                }
                var result: [Int: BlobDigest] = [:]
                for try await (i, digest) in group { result[i] = digest }
                return result
            }

            #expect(digests.count == 20)
            for (i, digest) in digests {
                #expect(digest == digests[i % contents.count])
                #expect(await store.verify(digest.sha256) == .intact)
                #expect(try await store.read(digest.sha256) == contents[i % contents.count])
            }
            let distinct = Set(digests.values.map(\.sha256))
            #expect(distinct.count == contents.count)
            #expect(try await store.allBlobs() == distinct.sorted())
            #expect(try tmpEntries(store).isEmpty)
        }
    }

    @Test func corruptedBlobIsHealedByCommittingTheSameContent() async throws {
        try await withStore { store in
            let content = pattern(50_000, seed: 6)
            let digest = try await store.put(content)
            let path = try store.blobPath(digest.sha256)
            try flipByte(path, at: 0)
            guard case .corrupted = await store.verify(digest.sha256) else {
                Issue.record("corruption not detected")
                return
            }

            #expect(try await store.put(content) == digest)
            #expect(await store.verify(digest.sha256) == .intact)
            #expect(try await store.read(digest.sha256) == content)
            #expect(try permissions(path) == 0o444)
            #expect(try tmpEntries(store).isEmpty)
        }
    }

    @Test func blobMissingFromItsShardIsRestoredByCommit() async throws {
        try await withStore { store in
            let digest = try await store.put(Array("abc".utf8))
            try FileManager.default.removeItem(atPath: store.blobPath(digest.sha256))
            #expect(await store.verify(digest.sha256) == .missing)
            _ = try await store.put(Array("abc".utf8))
            #expect(await store.verify(digest.sha256) == .intact)
        }
    }

    @Test func allBlobsListsExactlyTheCommittedOnes() async throws {
        try await withStore { store in
            #expect(try await store.allBlobs().isEmpty)
            var expected: Set<String> = []
            for seed in 0..<5 {
                expected.insert(try await store.put(pattern(1000 + seed, seed: UInt64(seed))).sha256)
            }
            // An uncommitted upload is not a blob.
            let pending = try streamUpload(store, [9, 9, 9], chunk: 1)
            defer { pending.discard() }
            try pending.finish()
            // Stray entries that are not reachable by `read` are not blobs either.
            let someShard = store.shardDirectories(expected.first!).inner
            try Data().write(to: URL(fileURLWithPath: someShard + "/notes.txt"))
            try Data().write(to: URL(fileURLWithPath: store.root + "/blobs/README"))
            try FileManager.default.createDirectory(atPath: store.root + "/blobs/zz/00", withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: someShard + "/" + abcHash)) // wrong shard

            #expect(try await store.allBlobs() == expected.sorted())
        }
    }

    /// A temp file as a crashed process leaves it: named like an upload, locked by nobody.
    func crashLeftover(_ store: FileBlobStore, age: TimeInterval = 0) throws -> String {
        let path = store.tmpDirectory + "/upload-\(UUID().uuidString.lowercased()).part"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        if age > 0 {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: path)
        }
        return path
    }

    @Test func sweepRemovesOnlyStaleUploads() async throws {
        try await withStore { store in
            let stale = try crashLeftover(store, age: 7200)
            let recent = try crashLeftover(store)
            let fresh = try streamUpload(store, [4, 5, 6], chunk: 1)
            defer { fresh.discard() }
            // Not ours: the sweeper must leave it alone.
            let foreign = store.tmpDirectory + "/keep-me"
            try Data().write(to: URL(fileURLWithPath: foreign))
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: foreign)

            #expect(try await store.sweepStaleUploads(olderThan: .seconds(3600)) == 1)
            #expect(!FileManager.default.fileExists(atPath: stale))
            #expect(FileManager.default.fileExists(atPath: recent))
            #expect(FileManager.default.fileExists(atPath: fresh.path))
            #expect(FileManager.default.fileExists(atPath: foreign))
            #expect(try await store.commit(fresh).byteCount == 3)
        }
    }

    @Test("a sweep with no age removes every leftover, however recent, and never a live upload, however old")
    func sweepKeepsLiveUploads() async throws {
        try await withStore { store in
            let leftovers = try (0..<3).map { _ in try crashLeftover(store) }
            // Live uploads in every phase, one of them untouched for hours: each holds its lock.
            let writing = try streamUpload(store, [1], chunk: 1)
            defer { writing.discard() }
            let sealed = try streamUpload(store, [2, 2], chunk: 1)
            defer { sealed.discard() }
            try sealed.seal()
            let finished = try streamUpload(store, [3, 3, 3], chunk: 1)
            defer { finished.discard() }
            try finished.finish()
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: finished.path)

            #expect(try await store.sweepStaleUploads(olderThan: .zero) == 3)
            for path in leftovers { #expect(!FileManager.default.fileExists(atPath: path)) }
            for live in [writing, sealed, finished] { #expect(FileManager.default.fileExists(atPath: live.path)) }
            #expect(try await store.commit(finished).byteCount == 3)
            // Discarded or committed, the lock is gone with the file: nothing is left to sweep.
            writing.discard()
            sealed.discard()
            #expect(try await store.sweepStaleUploads(olderThan: .zero) == 0)
            #expect(try POSIX.listDirectory(store.tmpDirectory).isEmpty)
        }
    }

    @Test("the lock is the kernel's: another process holding it keeps the file from the sweep")
    func sweepRespectsAnotherProcessesLock() async throws {
        let flockTool = "/usr/bin/flock"
        guard FileManager.default.isExecutableFile(atPath: flockTool) else { return }
        try await withStore { store in
            let held = try crashLeftover(store)
            let marker = store.root + "/locked"
            // flock(1) takes the lock, then its command says so and waits for its stdin to close.
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: flockTool)
            holder.arguments = ["-o", "-x", held, "sh", "-c", "touch '\(marker)'; read _"]
            let stdin = Pipe()
            holder.standardInput = stdin
            try holder.run()
            defer {
                try? stdin.fileHandleForWriting.close()
                holder.waitUntilExit()
            }
            for _ in 0..<2000 where !FileManager.default.fileExists(atPath: marker) { try await Task.sleep(for: .milliseconds(5)) }
            #expect(FileManager.default.fileExists(atPath: marker))
            #expect(try await store.sweepStaleUploads(olderThan: .zero) == 0)
            #expect(FileManager.default.fileExists(atPath: held))
        }
    }

    @Test func relativeRootIsMadeAbsolute() throws {
        // Built relative to the working directory without changing it (the
        // working directory is process-wide and tests run in parallel).
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let absolute = FileManager.default.temporaryDirectory.path + "/blobstore-rel-" + UUID().uuidString
        let relative = String(repeating: "../", count: depth) + absolute.dropFirst() + "/"
        let store = try FileBlobStore(root: relative)
        defer { try? FileManager.default.removeItem(atPath: absolute) }
        #expect(store.root.hasPrefix("/"))
        #expect(!store.root.hasSuffix("/"))
        #expect(FileManager.default.fileExists(atPath: absolute + "/blobs"))
        let upload = try store.makeUpload()
        defer { upload.discard() }
        #expect(upload.path.hasPrefix(store.root + "/tmp/upload-"))
        #expect(FileManager.default.fileExists(atPath: upload.path))
    }
}

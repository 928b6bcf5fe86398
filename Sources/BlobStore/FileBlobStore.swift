import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``BlobStore`` on a local filesystem.
///
/// Layout under `root`:
/// - `blobs/ab/cd/abcd…` — one read-only (0444) file per blob, named by its
///   SHA-256 and sharded by the first two byte-pairs of the hex, so no
///   directory grows past 65 536 / 256 entries at realistic sizes;
/// - `tmp/upload-<uuid>.part` — uploads in progress. It sits inside `root`
///   so it is on the same filesystem as `blobs/`, which makes the final
///   `rename` atomic: a blob path either does not exist or holds complete,
///   fsynced content, even across a crash.
///
/// Durability order in ``commit(_:)``: fsync the file, create shard
/// directories and fsync their parents, rename, fsync the destination
/// directory. Only then does `commit` return.
///
/// All I/O is blocking (in 1 MiB chunks); do not call from an event loop.
public struct FileBlobStore: BlobStore {
    /// Absolute path of the store's root folder.
    public let root: String
    let blobsDirectory: String
    let tmpDirectory: String

    /// Opens (creating if needed) a store at `root`, with `root/blobs` and
    /// `root/tmp`. A relative `root` is made absolute now, so upload paths
    /// handed to an inspector process do not depend on its working directory.
    /// Throws if `blobs/` and `tmp/` are on different filesystems (someone
    /// mounted one of them separately), since commits could not be atomic.
    public init(root: String) throws {
        var root = root
        if !root.hasPrefix("/") {
            root = FileManager.default.currentDirectoryPath + "/" + root
        }
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.blobsDirectory = root + "/blobs"
        self.tmpDirectory = root + "/tmp"

        // A new root's entry in its parent must be durable too, or a crash
        // could lose the whole (freshly created) store.
        for directory in try POSIX.makeDirectories(root) {
            try POSIX.syncDirectory((directory as NSString).deletingLastPathComponent)
        }
        let createdBlobs = try POSIX.makeDirectory(blobsDirectory)
        let createdTmp = try POSIX.makeDirectory(tmpDirectory)
        if createdBlobs || createdTmp { try POSIX.syncDirectory(root) }

        var blobsStat = stat()
        var tmpStat = stat()
        guard stat(blobsDirectory, &blobsStat) == 0 else { throw POSIX.fail("stat", blobsDirectory) }
        guard stat(tmpDirectory, &tmpStat) == 0 else { throw POSIX.fail("stat", tmpDirectory) }
        guard blobsStat.st_dev == tmpStat.st_dev else {
            throw BlobStoreError.io(operation: "open store (blobs/ and tmp/ on different filesystems)", path: root, errno: EXDEV)
        }
    }

    // MARK: Paths

    /// `blobs/ab` and `blobs/ab/cd` for a validated hash.
    func shardDirectories(_ sha256: String) -> (outer: String, inner: String) {
        let hex = Array(sha256.utf8)
        let outer = blobsDirectory + "/" + String(decoding: hex[0..<2], as: UTF8.self)
        let inner = outer + "/" + String(decoding: hex[2..<4], as: UTF8.self)
        return (outer, inner)
    }

    /// Where a blob lives. Validates first: this is the only way a
    /// caller-supplied string becomes a path.
    func blobPath(_ sha256: String) throws -> String {
        try BlobDigest.validate(sha256)
        return shardDirectories(sha256).inner + "/" + sha256
    }

    // MARK: Writing

    public func makeUpload() throws -> BlobUpload {
        try BlobUpload(directory: tmpDirectory)
    }

    public func commit(_ upload: BlobUpload, staged: StagedContent) async throws -> BlobDigest {
        guard upload.directory == tmpDirectory else { throw BlobStoreError.foreignUpload(path: upload.path) }
        return try upload.commit { digest in
            let sha256 = digest.sha256

            // Unless nothing that had it open could write to it, the temp file may have
            // changed since it was hashed while receiving; the content address must never be
            // a lie.
            if staged == .rehash {
                let current = try ChunkedHash.hashFile(at: upload.path)
                guard current == digest else {
                    throw BlobStoreError.corrupted(sha256, actual: current.sha256)
                }
            }

            // Shard directories. Their parents are fsynced even when another
            // commit created them: that commit may not have reached its own
            // fsync yet, and our blob must not depend on it. A directory fsync
            // with nothing dirty is nearly free.
            let (outer, inner) = shardDirectories(sha256)
            try POSIX.makeDirectory(outer)
            try POSIX.makeDirectory(inner)
            try POSIX.syncDirectory(blobsDirectory)
            try POSIX.syncDirectory(outer)

            let destination = inner + "/" + sha256
            switch health(atPath: destination, expected: sha256) {
            case .intact:
                // Stored once: keep the existing copy, unless orphan collection took it
                // away meanwhile; then ours goes in after all.
                if try keepExisting(destination) {
                    try POSIX.syncDirectory(inner)
                    try POSIX.removeFile(upload.path)
                } else {
                    try POSIX.renameFile(upload.path, to: destination)
                    try POSIX.syncDirectory(inner)
                }
            case .missing, .corrupted, .unreadable:
                // rename(2) replaces an existing (corrupted / unreadable)
                // entry atomically: readers see the old file or the new one,
                // never a missing or partial one. The staged file is already
                // 0444 and fsynced (BlobUpload.finish).
                try POSIX.renameFile(upload.path, to: destination)
                try POSIX.syncDirectory(inner)
            }
        }
    }

    /// Makes an existing intact copy this commit's: durable (a concurrent commit may have
    /// renamed it in without its fsync yet), read-only, and touched, so that orphan collection
    /// sees it as just stored. False when it is no longer at `destination` once touched
    /// (collected meanwhile): the caller stores its own copy.
    private func keepExisting(_ destination: String) throws -> Bool {
        let fd = open(destination, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return false }
            throw POSIX.fail("open", destination)
        }
        defer { POSIX.closeFile(fd) }
        // Only the owner may touch a read-only file; a store another user wrote is replaced.
        guard futimens(fd, nil) == 0 else { return false }
        try POSIX.syncFile(fd, path: destination)
        // Best effort: restoring read-only is hygiene, not a reason
        // to fail a commit whose content is already safely stored.
        _ = fchmod(fd, 0o444)
        // Checked after the touch: a collector that moved it aside before this point finds
        // it touched and puts it back, or has moved it already and this finds it gone.
        return POSIX.isSameFile(fd, destination)
    }

    // MARK: Orphans

    /// Removes the blob `sha256` if it was last stored (or re-stored) at least `age` ago and
    /// `unreferenced` still says no record refers to it, asked after the blob was moved aside
    /// into `collected/`, where no reader or commit finds it.
    ///
    /// A commit of the same content meanwhile either finds the blob gone and stores its own copy,
    /// or touches it first, and the collector then puts it back. This is the only way a blob
    /// leaves the store; it exists for the leftovers of crashes, which no record refers to.
    public func collectOrphan(
        _ sha256: String, olderThan age: Duration, unreferenced: @Sendable () async throws -> Bool
    ) async throws -> OrphanCollection {
        let path = try blobPath(sha256)
        let (seconds, attoseconds) = age.components
        let cutoff = Date(timeIntervalSinceNow: -(Double(seconds) + Double(attoseconds) / 1e18))
        func isRecent(_ path: String) -> Bool? {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let modified = attributes[.modificationDate] as? Date
            else { return nil }
            return modified > cutoff
        }
        guard let recent = isRecent(path) else { return .absent }
        if recent { return .recent }

        let collected = root + "/collected"
        if try POSIX.makeDirectory(collected) { try POSIX.syncDirectory(root) }
        let aside = collected + "/" + sha256 + "." + UUID().uuidString
        let inner = shardDirectories(sha256).inner
        do {
            try POSIX.renameFile(path, to: aside)
        } catch where POSIX.isNotFound(error) {
            return .absent
        }
        try POSIX.syncDirectory(inner)
        try POSIX.syncDirectory(collected)
        func putBack() throws {
            try POSIX.renameFile(aside, to: path)
            try POSIX.syncDirectory(inner)
        }
        if isRecent(aside) != false {
            try putBack()
            return .recent
        }
        let stillUnreferenced: Bool
        do {
            stillUnreferenced = try await unreferenced()
        } catch {
            try putBack()
            throw error
        }
        guard stillUnreferenced else {
            try putBack()
            return .referenced
        }
        try POSIX.removeFile(aside)
        try POSIX.syncDirectory(collected)
        return .removed
    }

    // MARK: Reading

    public func read(_ sha256: String) async throws -> [UInt8] {
        let path = try blobPath(sha256)
        var bytes: [UInt8] = []
        // One pass: the bytes returned are exactly the bytes hashed, so
        // there is no window between check and use.
        try checkedHash(path, sha256, sizeHint: { bytes.reserveCapacity($0) }) { chunk in
            bytes.append(contentsOf: chunk.assumingMemoryBound(to: UInt8.self))
        }
        return bytes
    }

    public func readData(_ sha256: String) async throws -> Data {
        let path = try blobPath(sha256)
        var data = Data()
        try checkedHash(path, sha256, sizeHint: { data.reserveCapacity($0) }) { chunk in
            data.append(contentsOf: chunk.assumingMemoryBound(to: UInt8.self))
        }
        return data
    }

    public func verifiedPath(_ sha256: String) async throws -> String {
        let path = try blobPath(sha256)
        try checkedHash(path, sha256)
        return path
    }

    public func verify(_ sha256: String) async -> BlobHealth {
        guard let path = try? blobPath(sha256) else {
            return .unreadable(reason: "not a valid sha256 key")
        }
        return health(atPath: path, expected: sha256)
    }

    /// Hashes the file at `path`, throwing `.missing`/`.corrupted` unless it
    /// matches `sha256`.
    private func checkedHash(
        _ path: String,
        _ sha256: String,
        sizeHint: (Int) -> Void = { _ in },
        sink: (UnsafeRawBufferPointer) -> Void = { _ in }
    ) throws {
        let actual: BlobDigest
        do {
            actual = try ChunkedHash.hashFile(at: path, sizeHint: sizeHint, sink: sink)
        } catch where POSIX.isNotFound(error) {
            throw BlobStoreError.missing(sha256)
        }
        guard actual.sha256 == sha256 else {
            throw BlobStoreError.corrupted(sha256, actual: actual.sha256)
        }
    }

    private func health(atPath path: String, expected sha256: String) -> BlobHealth {
        do {
            let actual = try ChunkedHash.hashFile(at: path)
            return actual.sha256 == sha256 ? .intact : .corrupted(actual: actual.sha256)
        } catch where POSIX.isNotFound(error) {
            return .missing
        } catch {
            return .unreadable(reason: "\(error)")
        }
    }

    // MARK: Listing and maintenance

    public func allBlobs() async throws -> [String] {
        // Only entries shaped like blobs count (ab/cd/abcd…); anything else
        // in blobs/ is not reachable by `read` and so is not a blob.
        var result: [String] = []
        for outer in try listDirectory(blobsDirectory) where isShardName(outer) {
            let outerPath = blobsDirectory + "/" + outer
            guard isDirectory(outerPath) else { continue }
            for inner in try listDirectory(outerPath) where isShardName(inner) {
                let innerPath = outerPath + "/" + inner
                guard isDirectory(innerPath) else { continue }
                let prefix = outer + inner
                for name in try listDirectory(innerPath)
                where BlobDigest.isValidSHA256(name) && name.hasPrefix(prefix) {
                    result.append(name)
                }
            }
        }
        return result.sorted()
    }

    public func sweepStaleUploads(olderThan age: Duration) async throws -> Int {
        let (seconds, attoseconds) = age.components
        let cutoff = Date(timeIntervalSinceNow: -(Double(seconds) + Double(attoseconds) / 1e18))
        var removed = 0
        for name in try listDirectory(tmpDirectory)
        where name.hasPrefix(BlobUpload.filePrefix) && name.hasSuffix(BlobUpload.fileSuffix) {
            let path = tmpDirectory + "/" + name
            // attributesOfItem uses lstat: a symlink is judged (and removed)
            // as itself, never followed.
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let modified = attributes[.modificationDate] as? Date,
                  modified <= cutoff
            else { continue }
            // A live upload (of this process or another sharing the folder) holds its lock.
            if try POSIX.removeIfUnlocked(path) { removed += 1 }
        }
        return removed
    }

    private func listDirectory(_ path: String) throws -> [String] {
        try POSIX.listDirectory(path)
    }

    private func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private func isShardName(_ name: String) -> Bool {
        let utf8 = name.utf8
        return utf8.count == 2 && utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

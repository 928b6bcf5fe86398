import Foundation

/// A content-addressed store of immutable blobs keyed by their SHA-256
/// (64 lower-case hex characters).
///
/// The store holds official records (scanned PDF archives) that must never be
/// lost or silently altered, which shapes the contract:
/// - content is addressed by its hash, so identical content is stored once
///   and every read can be checked against the address;
/// - nothing is acknowledged (``commit(_:)`` returning) before it is durable;
/// - every read is verified; corrupted content is reported, never served;
/// - there is deliberately no delete operation for records; only a blob no record refers to,
///   left by a crash, can be collected (``FileBlobStore/collectOrphan(_:olderThan:unreferenced:)``).
///
/// Keys passed in are validated (``BlobDigest/isValidSHA256(_:)``) before any
/// storage is touched.
///
/// Implementations may do blocking I/O inside these `async` methods (the file
/// store does, in 1 MiB chunks). Call them from Swift concurrency tasks, never
/// from a NIO event loop thread.
public protocol BlobStore: Sendable {
    /// Starts an upload: an empty temp file in the store's staging area that
    /// receives the streamed body. See ``BlobUpload`` for the life cycle.
    func makeUpload() throws -> BlobUpload

    /// Stores a finished upload under its SHA-256 and returns its digest.
    ///
    /// Finishes the upload first if the caller did not. When this returns
    /// the blob is durable and intact. If identical content is already stored
    /// and intact, the upload is dropped; if the stored copy is corrupted it is
    /// atomically replaced by the new, verified one. Throws
    /// ``BlobStoreError/corrupted(_:actual:)`` if the temp file no longer
    /// hashes to what was written into it.
    func commit(_ upload: BlobUpload) async throws -> BlobDigest
    /// ``commit(_:)``, saying whether the staged file can have changed since it was sealed.
    /// `.rehash` (what ``commit(_:)`` does) reads it once more against its digest;
    /// `.unchangedSinceSeal` trusts the digest taken while receiving.
    func commit(_ upload: BlobUpload, staged: StagedContent) async throws -> BlobDigest

    /// Stores `data` (convenience over ``makeUpload()`` + ``commit(_:)``).
    func put(_ data: [UInt8]) async throws -> BlobDigest

    /// Returns the blob's bytes after checking them against `sha256`.
    /// Throws ``BlobStoreError/invalidHash(_:)``, ``BlobStoreError/missing(_:)``
    /// or ``BlobStoreError/corrupted(_:actual:)``.
    func read(_ sha256: String) async throws -> [UInt8]

    /// ``read(_:)`` returning `Data`.
    func readData(_ sha256: String) async throws -> Data

    /// Re-hashes the stored file and returns a local path to it only if it
    /// matches `sha256`, for streaming large blobs without loading them.
    ///
    /// The check is as of this call: the caller should open the path promptly
    /// and treat it as read-only. Throws like ``read(_:)``.
    func verifiedPath(_ sha256: String) async throws -> String

    /// Checks one blob without throwing (for `zhtj verify` style audits).
    func verify(_ sha256: String) async -> BlobHealth

    /// Every hash stored, sorted, so audits can find blobs no record refers
    /// to (orphans) and records whose blob is gone.
    func allBlobs() async throws -> [String]

    /// Deletes staged uploads whose temp file was last modified at least
    /// `age` ago and that no live upload holds — leftovers of crashes, which
    /// no `discard` will ever clean. Returns how many were removed.
    ///
    /// A live upload, of this process or of another one sharing the store's
    /// folder, holds an exclusive `flock` on its temp file and is never
    /// removed, whatever `age`; so start-up passes `.zero` and removes every
    /// leftover at once.
    func sweepStaleUploads(olderThan age: Duration) async throws -> Int
}

/// What ``FileBlobStore/collectOrphan(_:olderThan:unreferenced:)`` did with one blob.
public enum OrphanCollection: Sendable, Equatable {
    case removed
    /// Stored or re-stored within the grace period: an upload may be about to record it.
    case recent
    /// A record refers to it after all: kept.
    case referenced
    /// Not in the store.
    case absent
}

/// What a commit may assume of a staged upload's file between ``BlobUpload/seal()`` and the
/// commit, when other processes (an inspector) may have had it open.
public enum StagedContent: Sendable, Equatable {
    /// A process that could have written to it had it: hash it again, and refuse it if it no
    /// longer matches (the default).
    case rehash
    /// Only processes that could not change it had it: in this project, the inspecting child,
    /// which bans itself from changing any file before it reads one (`PDFInspection.WriteBan`).
    /// Reads still verify every blob against its address.
    case unchangedSinceSeal
}

extension BlobStore {
    public func commit(_ upload: BlobUpload) async throws -> BlobDigest {
        try await commit(upload, staged: .rehash)
    }

    public func put(_ data: [UInt8]) async throws -> BlobDigest {
        let upload = try makeUpload()
        defer { upload.discard() }
        try upload.write(data)
        try upload.finish()
        return try await commit(upload)
    }

    public func readData(_ sha256: String) async throws -> Data {
        Data(try await read(sha256))
    }
}

import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blob being received: a temporary file that takes bytes incrementally
/// while they are hashed, so a streamed HTTP body never has to be held in
/// memory and is hashed exactly once on the way in.
///
/// Life cycle: ``write(_:)-(UnsafeRawBufferPointer)`` any number of times →
/// ``seal()`` (makes the file read-only, returns the digest) → optionally let
/// an inspector process read ``path`` while ``finish()`` fsyncs it →
/// ``BlobStore/commit(_:)``.
/// On any failure, or if the content is rejected, call ``discard()``.
///
/// The safe pattern is
/// ```swift
/// let upload = try store.makeUpload()
/// defer { upload.discard() }          // no-op once committed
/// for try await chunk in body { try chunk.withUnsafeReadableBytes { try upload.write($0) } }
/// let digest = try upload.seal()          // hashed and read-only
/// // ... inspect upload.path in a child process while upload.finish() fsyncs ...
/// _ = try await store.commit(upload)
/// ```
/// As a last line of defence, an upload that is neither committed nor
/// discarded deletes its temp file when it is deallocated; files left by a
/// crash are removed by ``BlobStore/sweepStaleUploads(olderThan:)``.
///
/// While an upload lives it holds an exclusive `flock(2)` on its temp file
/// (on a descriptor of its own, kept after ``finish()`` closes the one it
/// writes with), so a sweep — in this process or in another instance sharing
/// the folder — can tell a live upload from a crash's leftover: the kernel
/// drops the lock when its process dies, however it dies.
///
/// All methods are thread-safe (state is behind a lock), but writes are
/// meant to come from one producer in order. I/O is blocking: do not call
/// from a NIO event loop thread.
public final class BlobUpload: @unchecked Sendable {
    // @unchecked: every mutable property below is only touched with `lock` held.

    /// Absolute path of the temp file. Stable until commit or discard, so a
    /// separate inspector process can open it after ``finish()``.
    public let path: String
    /// The folder the temp file lives in; `commit` checks it is the store's
    /// own `tmp/` so the final rename stays on one filesystem (atomic).
    let directory: String

    private enum Phase {
        case writing
        case failed(String)
        /// Read-only and hashed, not yet durable.
        case sealed(BlobDigest)
        case finished(BlobDigest)
        case committed(BlobDigest)
        case discarded
    }

    private let lock = NSLock()
    private var phase: Phase = .writing
    private var fd: Int32
    /// Holds the `flock` until the temp file is renamed away or deleted.
    private var lockFD: Int32
    private var hasher = SHA256()
    private var count = 0

    /// Creates a new, empty temp file `upload-<UUID>.part` in `directory`.
    ///
    /// Stores call this from ``BlobStore/makeUpload()``; it is public so that
    /// other backends (e.g. S3) can stage uploads locally the same way. The
    /// file is created with `O_EXCL` (never reuses or follows an existing
    /// name) and mode 0600 until it is finished.
    public init(directory: String) throws {
        self.directory = directory
        // A sweep can take the lock in the moment between `open` and `flock` and delete the
        // new file; the new file is then no longer at its path, and another name is tried.
        for attempt in 1...8 {
            let path = directory + "/" + BlobUpload.filePrefix + UUID().uuidString.lowercased() + BlobUpload.fileSuffix
            let fd = try POSIX.openFile(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
            let lockFD: Int32
            do {
                lockFD = try POSIX.lockExclusively(fd, path: path)
            } catch {
                POSIX.closeFile(fd)
                _ = try? POSIX.removeFile(path)
                throw error
            }
            if POSIX.isSameFile(fd, path) || attempt == 8 {
                self.path = path
                self.fd = fd
                self.lockFD = lockFD
                return
            }
            POSIX.closeFile(lockFD)
            POSIX.closeFile(fd)
        }
        fatalError("unreachable")
    }

    /// Temp file names are `upload-<uuid>.part`; the sweeper only ever
    /// deletes names of this shape.
    static let filePrefix = "upload-"
    static let fileSuffix = ".part"

    deinit {
        // Last-resort cleanup so an upload dropped on an error path does not
        // leak a temp file (or a descriptor). No lock: nobody else holds us.
        if fd >= 0 { POSIX.closeFile(fd) }
        switch phase {
        case .writing, .failed, .sealed, .finished: _ = try? POSIX.removeFile(path)
        case .committed, .discarded: break
        }
        // After the removal: a sweep must never find the file unlocked while it is ours.
        if lockFD >= 0 { POSIX.closeFile(lockFD) }
    }

    private func unlock() {
        if lockFD >= 0 {
            POSIX.closeFile(lockFD)
            lockFD = -1
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Bytes written so far (the final length once finished).
    public var byteCount: Int {
        locked { count }
    }

    /// Appends `bytes` to the temp file and to the running hash.
    ///
    /// This is the zero-copy entry point: pass a NIO `ByteBuffer` chunk via
    /// `buffer.withUnsafeReadableBytes { try upload.write($0) }`.
    /// After a failed write the upload is poisoned (every further call but
    /// ``discard()`` throws): the file may hold a partial chunk that the hash
    /// does not, so it can never be finished correctly.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try locked {
            guard case .writing = phase else { throw stateError("write") }
            guard !bytes.isEmpty else { return }
            do {
                try POSIX.writeAll(fd, bytes, path: path)
            } catch {
                poison("write failed: \(error)")
                throw error
            }
            hasher.update(bufferPointer: bytes)
            count += bytes.count
        }
    }

    /// Appends `bytes`; see ``write(_:)-(UnsafeRawBufferPointer)``.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends any byte collection (`Data`, `ArraySlice`, a NIO
    /// `readableBytesView`, ...). Contiguous collections are written without
    /// copying; others are copied into an array first.
    public func write(_ bytes: some Collection<UInt8>) throws {
        let done: Void? = try bytes.withContiguousStorageIfAvailable { try write(UnsafeRawBufferPointer($0)) }
        if done == nil { try write(Array(bytes)) }
    }

    /// Ends the writing: makes the temp file read-only (0444) and returns the SHA-256 and
    /// length of everything written, without waiting for the disk. An inspector may read
    /// ``path`` from now on while ``finish()`` makes the file durable in parallel.
    ///
    /// Idempotent: calling it again (or after finish or commit) returns the same digest.
    @discardableResult
    public func seal() throws -> BlobDigest {
        try locked { try sealLocked() }
    }

    /// Ends the upload: seals it if needed, then fsyncs and closes the temp file, and returns
    /// the SHA-256 and length of everything written.
    ///
    /// Idempotent: calling it again (or after commit) returns the same digest.
    /// A failed fsync poisons the upload — after such a failure the kernel may
    /// already have dropped the dirty pages, so retrying could "succeed" on
    /// lost data.
    @discardableResult
    public func finish() throws -> BlobDigest {
        try locked { try finishLocked() }
    }

    private func sealLocked() throws -> BlobDigest {
        switch phase {
        case .sealed(let digest), .finished(let digest), .committed(let digest):
            return digest
        case .failed, .discarded:
            throw stateError("seal")
        case .writing:
            // Read-only before it is visible to the inspector: neither it
            // nor anything else should alter bytes we already hashed.
            if fchmod(fd, 0o444) != 0 {
                let error = POSIX.fail("fchmod", path)
                poison("seal failed: \(error)")
                throw error
            }
            let digest = BlobDigest(trusted: ChunkedHash.hex(hasher.finalize()), byteCount: count)
            phase = .sealed(digest)
            return digest
        }
    }

    private func finishLocked() throws -> BlobDigest {
        let digest = try sealLocked()
        guard case .sealed = phase else { return digest }
        do {
            try POSIX.syncFile(fd, path: path)
        } catch {
            poison("finish failed: \(error)")
            throw error
        }
        POSIX.closeFile(fd)
        fd = -1
        phase = .finished(digest)
        return digest
    }

    /// Deletes the temp file and releases everything. Never throws and is
    /// safe to call in any state, any number of times (after an error, after
    /// commit — where it is a no-op), which is what makes `defer { discard() }`
    /// correct.
    public func discard() {
        locked {
            switch phase {
            case .committed, .discarded:
                return
            case .writing, .failed, .sealed, .finished:
                if fd >= 0 {
                    POSIX.closeFile(fd)
                    fd = -1
                }
                // Best effort: if unlink fails (EIO, ...), the sweeper will
                // catch the file later; discard must not throw on error paths.
                _ = try? POSIX.removeFile(path)
                unlock()
                phase = .discarded
            }
        }
    }

    /// Used by a store's `commit`: finishes the upload if needed, then runs
    /// `moveIntoPlace` with the lock held (so a concurrent `discard` or second
    /// `commit` cannot interleave). `moveIntoPlace` must either rename the
    /// temp file away or delete it. If it throws while the temp file still
    /// exists, the upload stays finished (the caller may retry or discard).
    func commit(_ moveIntoPlace: (BlobDigest) throws -> Void) throws -> BlobDigest {
        try locked {
            if case .committed = phase { throw stateError("commit") }
            let digest = try finishLocked()
            do {
                try moveIntoPlace(digest)
            } catch {
                // A failure after the rename (e.g. the directory fsync) leaves
                // no temp file: nothing remains for discard/deinit to do.
                if access(path, F_OK) != 0, errno == ENOENT {
                    phase = .committed(digest)
                    unlock()
                }
                throw error
            }
            phase = .committed(digest)
            unlock()
            return digest
        }
    }

    private func poison(_ reason: String) {
        if fd >= 0 {
            POSIX.closeFile(fd)
            fd = -1
        }
        phase = .failed(reason)
    }

    private func stateError(_ operation: String) -> BlobStoreError {
        let state = switch phase {
        case .writing: "still being written"
        case .failed(let reason): "failed earlier (\(reason))"
        case .sealed: "sealed"
        case .finished: "already finished"
        case .committed: "already committed"
        case .discarded: "discarded"
        }
        return .invalidUploadState("cannot \(operation): upload \(path) is \(state)")
    }
}

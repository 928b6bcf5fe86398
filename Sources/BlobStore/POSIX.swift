import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the system calls the store needs.
///
/// Plain POSIX instead of `FileManager`/`FileHandle` because durability here
/// depends on details those APIs hide: `fsync` of directories, `O_EXCL`,
/// `O_CLOEXEC` (the server forks inspector processes, which must not inherit
/// our descriptors), retrying `EINTR` and short reads/writes.
enum POSIX {
    static func fail(_ operation: String, _ path: String) -> BlobStoreError {
        .io(operation: operation, path: path, errno: errno)
    }

    /// `open(2)` retrying `EINTR`; always adds `O_CLOEXEC`.
    static func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0) throws -> Int32 {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            throw fail("open", path)
        }
    }

    /// Takes an exclusive `flock(2)` on `fd`'s open file and returns a second descriptor
    /// (close-on-exec) that shares it, so the lock outlives `close(fd)` and ends with the
    /// returned descriptor — or with the process.
    static func lockExclusively(_ fd: Int32, path: String) throws -> Int32 {
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw fail("flock", path)
        }
        let holder = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        if holder < 0 { throw fail("fcntl(F_DUPFD_CLOEXEC)", path) }
        return holder
    }

    /// True when `path` still names the file open at `fd` (nobody removed or replaced it).
    static func isSameFile(_ fd: Int32, _ path: String) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(fd, &open) == 0, lstat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// Removes the temp file at `path` if no live upload holds its lock; true when removed.
    /// The lock is held across the removal, so an upload that was just creating the file
    /// finds it gone and picks another name.
    static func removeIfUnlocked(_ path: String) throws -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            // A symlink or special file named like an upload: no upload of ours; removed as itself.
            if errno == ELOOP { return try removeFile(path) }
            if errno == ENOENT { return false }
            throw fail("open", path)
        }
        defer { closeFile(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EWOULDBLOCK || errno == EINTR { return false }
            throw fail("flock", path)
        }
        // Removed and replaced between our open and our lock: leave the new file alone.
        guard isSameFile(fd, path) else { return false }
        return try removeFile(path)
    }

    /// `close(2)`, ignoring errors: we only close after `fsync` succeeded (for
    /// files we wrote) or after reading, so a failing close cannot lose data,
    /// and retrying close on Linux would risk closing a reused descriptor.
    static func closeFile(_ fd: Int32) {
        _ = close(fd)
    }

    /// Writes all of `bytes`, looping over short writes and `EINTR`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = write(fd, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("write", path)
            }
            base += n
            remaining -= n
        }
    }

    /// Reads up to `buffer.count` bytes, retrying `EINTR`. Returns 0 at EOF.
    static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw fail("read", path)
        }
    }

    /// Flushes a descriptor to stable storage. On Darwin plain `fsync` only
    /// reaches the drive's cache, so `F_FULLFSYNC` is used there.
    static func syncFile(_ fd: Int32, path: String) throws {
        #if canImport(Darwin)
        if fcntl(fd, F_FULLFSYNC) == 0 { return }
        #endif
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw fail("fsync", path)
        }
    }

    /// Makes a directory's entries (a rename, a new subdirectory) durable.
    /// Without this a crash can forget a renamed-in file even though the
    /// file's own data was fsynced.
    static func syncDirectory(_ path: String) throws {
        let fd = try openFile(path, O_RDONLY | O_DIRECTORY)
        defer { closeFile(fd) }
        try syncFile(fd, path: path)
    }

    /// `mkdir(2)`; returns whether this call created the directory (an
    /// existing one is fine — concurrent commits race to create shards).
    @discardableResult
    static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws -> Bool {
        if mkdir(path, mode) == 0 { return true }
        if errno == EEXIST {
            var st = stat()
            if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return false }
            throw BlobStoreError.io(operation: "mkdir", path: path, errno: EEXIST)
        }
        throw fail("mkdir", path)
    }

    /// `mkdir -p`; returns the directories it created, outermost first, so
    /// the caller can fsync their parents.
    static func makeDirectories(_ path: String) throws -> [String] {
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { return [] }
            throw BlobStoreError.io(operation: "mkdir", path: path, errno: ENOTDIR)
        }
        var created: [String] = []
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            created = try makeDirectories(String(path[..<slash]))
        }
        if try makeDirectory(path) { created.append(path) }
        return created
    }

    static func renameFile(_ from: String, to: String) throws {
        if rename(from, to) != 0 { throw fail("rename", "\(from) -> \(to)") }
    }

    /// `unlink(2)`; returns false if the file was already gone.
    @discardableResult
    static func removeFile(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw fail("unlink", path)
    }

    static func changeMode(_ path: String, _ mode: mode_t) throws {
        if chmod(path, mode) != 0 { throw fail("chmod", path) }
    }

    /// Names in a directory, without `.` and `..`.
    static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw fail("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw fail("readdir", path) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != ".", name != ".." { names.append(name) }
        }
    }

    /// Whether `error` means "the file does not exist".
    static func isNotFound(_ error: any Error) -> Bool {
        if case BlobStoreError.io(_, _, let code) = error, code == ENOENT { return true }
        return false
    }
}

/// Incremental SHA-256 in fixed-size chunks, so a 20 MiB archive is never
/// held in memory just to be hashed.
enum ChunkedHash {
    /// Read size for hashing files: large enough that syscall overhead is
    /// negligible, small enough to be a trivial allocation.
    static let chunkSize = 1 << 20

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(SHA256.byteCount * 2)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Hashes the file at `path` chunk by chunk, handing each chunk to `sink`
    /// as well (so `read` can keep the bytes it verifies without a second
    /// pass). `sizeHint` receives the file size before the first chunk.
    ///
    /// Opens with `O_NOFOLLOW`: a stored blob is always a regular file we
    /// renamed into place, never a symlink someone planted.
    static func hashFile(
        at path: String,
        sizeHint: (Int) -> Void = { _ in },
        sink: (UnsafeRawBufferPointer) -> Void = { _ in }
    ) throws -> BlobDigest {
        let fd = try POSIX.openFile(path, O_RDONLY | O_NOFOLLOW)
        defer { POSIX.closeFile(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw POSIX.fail("fstat", path) }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw BlobStoreError.io(operation: "open (not a regular file)", path: path, errno: EINVAL)
        }
        sizeHint(Int(st.st_size))

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var total = 0
        while true {
            let n = try POSIX.readSome(fd, into: buffer, path: path)
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(start: buffer.baseAddress, count: n)
            hasher.update(bufferPointer: chunk)
            sink(chunk)
            total += n
        }
        return BlobDigest(trusted: hex(hasher.finalize()), byteCount: total)
    }
}

import CSeccomp

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The inspecting child's ban on changing files (a seccomp filter, see `CSeccomp/shim.h`),
/// applied before the first byte of the upload is read.
///
/// The staged upload is the one file a compromised parser could want to alter (the server
/// commits it under the hash it took while receiving). With the ban in force, the server can
/// commit it after inspection without hashing it a second time; without it (a platform the
/// filter does not exist for), the server hashes it again. Reads of the store verify every blob
/// in any case.
public enum WriteBan {
    public struct Failure: Error, CustomStringConvertible {
        public let errno: Int32
        public var description: String { "the write ban could not be applied: \(String(cString: strerror(errno)))" }
    }

    /// True where the child applies the ban (Linux on x86-64 and AArch64): there a child that
    /// reported anything ran under it, since it exits before reading when the ban fails.
    public static var isSupported: Bool { zhtj_write_ban_supported() == 1 }

    /// Bans this process and every thread and child it later creates from changing any file.
    /// Irreversible. A no-op where the ban does not exist.
    static func apply() throws(Failure) {
        guard isSupported else { return }
        let code = zhtj_install_write_ban()
        if code != 0 { throw Failure(errno: code) }
    }

    struct Attempt {
        let name: String
        let refused: Bool
    }

    /// Tries every change the ban forbids on `path` (which the caller may write to) and on its
    /// folder; each must fail. Nothing is left changed when the ban holds.
    static func attempts(on path: String) -> [Attempt] {
        let moved = path + ".moved"
        let created = path + ".created"
        func refused(_ result: Int32) -> Bool { result < 0 }
        func opened(_ flags: Int32) -> Bool {
            let fd = open(path, flags)
            if fd >= 0 { close(fd) }
            return fd < 0
        }
        return [
            Attempt(name: "open for writing", refused: opened(O_WRONLY)),
            Attempt(name: "open for reading and writing", refused: opened(O_RDWR)),
            Attempt(name: "open for appending", refused: opened(O_WRONLY | O_APPEND)),
            Attempt(name: "open with truncation", refused: opened(O_RDONLY | O_TRUNC)),
            Attempt(name: "reopen through /proc/self/fd for writing", refused: {
                let fd = open(path, O_RDONLY)
                guard fd >= 0 else { return true }
                defer { close(fd) }
                let again = open("/proc/self/fd/\(fd)", O_RDWR)
                if again >= 0 { close(again) }
                return again < 0
            }()),
            Attempt(name: "create a file beside it", refused: {
                let fd = open(created, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                if fd >= 0 { close(fd); unlink(created) }
                return fd < 0
            }()),
            Attempt(name: "truncate", refused: refused(truncate(path, 0))),
            Attempt(name: "change its mode", refused: refused(chmod(path, 0o666))),
            Attempt(name: "change its mode through a descriptor", refused: {
                let fd = open(path, O_RDONLY)
                guard fd >= 0 else { return true }
                defer { close(fd) }
                return fchmod(fd, 0o666) < 0
            }()),
            Attempt(name: "rename it", refused: {
                let result = rename(path, moved)
                if result == 0 { rename(moved, path) }
                return result < 0
            }()),
            Attempt(name: "hard-link it", refused: {
                let result = link(path, moved)
                if result == 0 { unlink(moved) }
                return result < 0
            }()),
            Attempt(name: "unlink it", refused: refused(unlink(path))),
            Attempt(name: "trace the parent", refused: zhtj_try_ptrace_attach(getppid()) < 0),
        ]
    }
}

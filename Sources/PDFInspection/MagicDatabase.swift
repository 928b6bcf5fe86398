import CMagic
import NIOConcurrencyHelpers
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One libmagic handle with its database loaded, shared by the process.
///
/// A `magic_t` is not safe for concurrent use, hence the lock; loading the database once (and
/// before `setrlimit`, see ``PDFInspector/prepare()``) is also what keeps detection reliable.
final class MagicDatabase: @unchecked Sendable {
    static let shared = MagicDatabase()

    private let lock = NIOLock()
    private let cookie: OpaquePointer?

    private init() {
        // Compressed-file and ELF sniffing off: neither can make a PDF, and both parse more
        // untrusted data than needed.
        let flags = MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF
        guard let cookie = magic_open(flags) else {
            self.cookie = nil
            return
        }
        guard magic_load(cookie, nil) == 0, Self.selfTest(cookie) else {
            magic_close(cookie)
            self.cookie = nil
            return
        }
        self.cookie = cookie
    }

    /// A database that cannot tell a PDF header is no database (the text fallback libmagic uses
    /// when mapping the compiled one fails answers `application/octet-stream` for everything).
    private static func selfTest(_ cookie: OpaquePointer) -> Bool {
        let sample = Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n1 0 obj\n<< >>\nendobj\n".utf8)
        guard let result = sample.withUnsafeBytes({ magic_buffer(cookie, $0.baseAddress, $0.count) }) else {
            return false
        }
        return String(cString: result) == "application/pdf"
    }

    /// The MIME type libmagic reads from `bytes`; nil when libmagic is unusable.
    func mimeType(of bytes: ByteView) -> String? {
        guard let cookie else { return nil }
        lock.lock()
        defer { lock.unlock() }
        guard let result = bytes.withUnsafeBytes({ magic_buffer(cookie, $0.baseAddress, $0.count) }) else {
            return nil
        }
        return String(cString: result)
    }
}

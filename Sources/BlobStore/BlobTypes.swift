#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The identity of a stored blob: its SHA-256 and its length.
///
/// The hash is the blob's address; the length is carried along because the
/// caller usually needs it for the database row and for `Content-Length`, and
/// knowing it without a `stat` is free at hashing time.
public struct BlobDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    /// SHA-256 of the content as 64 lower-case hex characters.
    public let sha256: String
    /// Length of the content in bytes.
    public let byteCount: Int

    /// Creates a digest. Throws ``BlobStoreError/invalidHash(_:)`` unless
    /// `sha256` is 64 lower-case hex characters, so a `BlobDigest` in hand is
    /// always safe to turn into a path.
    public init(sha256: String, byteCount: Int) throws {
        try BlobDigest.validate(sha256)
        self.sha256 = sha256
        self.byteCount = byteCount
    }

    /// For digests this module computed itself (always well formed).
    init(trusted sha256: String, byteCount: Int) {
        self.sha256 = sha256
        self.byteCount = byteCount
    }

    private enum CodingKeys: String, CodingKey { case sha256, byteCount }

    /// Decoding validates the key too, so a tampered JSON/DB value can never
    /// become a path outside the store.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            sha256: try container.decode(String.self, forKey: .sha256),
            byteCount: try container.decode(Int.self, forKey: .byteCount)
        )
    }

    public var description: String { "sha256:\(sha256) (\(byteCount) bytes)" }

    /// Whether `string` is a well-formed blob key: exactly 64 characters of
    /// `0-9a-f`. Upper case is refused on purpose, so that one blob has exactly
    /// one spelling (and one path) — otherwise the database could hold two
    /// keys for the same file and orphan detection would misfire.
    public static func isValidSHA256(_ string: String) -> Bool {
        let utf8 = string.utf8
        guard utf8.count == 64 else { return false }
        return utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Throws ``BlobStoreError/invalidHash(_:)`` unless ``isValidSHA256(_:)``.
    /// Every operation that turns a caller-supplied key into a path calls this
    /// first; that is what rules out path traversal (`../`, `/`, NUL, ...).
    public static func validate(_ string: String) throws {
        guard isValidSHA256(string) else { throw BlobStoreError.invalidHash(string) }
    }
}

/// The outcome of checking one stored blob against its address.
public enum BlobHealth: Sendable, Hashable, CustomStringConvertible {
    /// The file exists and its SHA-256 equals its name.
    case intact
    /// No file is stored under this hash.
    case missing
    /// The file exists but its content hashes to `actual`: it was altered
    /// (bit rot, a bad disk, a manual edit) and must not be served.
    case corrupted(actual: String)
    /// The blob could not be checked: the key is not a valid SHA-256, or an
    /// I/O error (permissions, EIO, ...) prevented reading the file. Kept apart
    /// from `.missing`/`.corrupted` because the remedy differs — an operator
    /// should look at the disk or the key, not restore from backup blindly.
    case unreadable(reason: String)

    public var description: String {
        switch self {
        case .intact: "intact"
        case .missing: "missing"
        case .corrupted(let actual): "corrupted (content hashes to \(actual))"
        case .unreadable(let reason): "unreadable (\(reason))"
        }
    }
}

/// Errors thrown by ``BlobStore`` operations and ``BlobUpload``.
public enum BlobStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The given key is not 64 lower-case hex characters; nothing was touched.
    case invalidHash(String)
    /// No blob is stored under this hash.
    case missing(String)
    /// The blob stored under the first hash has content hashing to `actual`.
    /// Also thrown by `commit` when a finished temp file changed on disk
    /// after it was hashed.
    case corrupted(String, actual: String)
    /// The upload cannot do this in its current state (for example `write`
    /// after `finish`, or `commit` after `discard`, or after a failed write).
    case invalidUploadState(String)
    /// The upload's temp file is not in this store's `tmp/` folder, so it
    /// cannot be renamed into place atomically.
    case foreignUpload(path: String)
    /// A system call failed.
    case io(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidHash(let s):
            // Truncated and debug-quoted: the string is caller input and may be long or hostile.
            "invalid sha256 key \(String(reflecting: String(s.prefix(80))))"
        case .missing(let h): "blob \(h) is missing"
        case .corrupted(let h, let actual): "blob \(h) is corrupted: content hashes to \(actual)"
        case .invalidUploadState(let why): "invalid upload state: \(why)"
        case .foreignUpload(let path): "upload \(path) does not belong to this store's tmp folder"
        case .io(let op, let path, let code): "\(op)(\(path)) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

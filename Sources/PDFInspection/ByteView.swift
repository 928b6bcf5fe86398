#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes that stay where they are: a file mapped into memory, or a copy of an array
/// (tests). Every index is checked in every build configuration, as `Array` does: the bytes are
/// hostile, and a parser bug must trap (the child then counts as crashed, hence `damaged`), never
/// read beside the buffer.
struct ByteView: @unchecked Sendable {
    /// Keeps the memory alive (and unchanged) as long as any view of it.
    let owner: ByteStorage
    private let base: UnsafeRawPointer?
    let count: Int

    init(_ owner: ByteStorage) {
        self.owner = owner
        self.base = owner.bytes.baseAddress
        self.count = owner.bytes.count
    }

    /// A private copy of `bytes` (tests, and callers that hold an array).
    init(copying bytes: [UInt8]) {
        self.init(OwnedBytes(bytes))
    }

    var isEmpty: Bool { count == 0 }

    var indices: Range<Int> { 0..<count }

    @inline(__always)
    subscript(index: Int) -> UInt8 {
        precondition(UInt(bitPattern: index) < UInt(bitPattern: count), "ByteView index out of range")
        return base.unsafelyUnwrapped.load(fromByteOffset: index, as: UInt8.self)
    }

    /// A copy of `range` (checked).
    subscript(range: Range<Int>) -> [UInt8] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "ByteView range out of range")
        guard !range.isEmpty else { return [] }
        return Array(UnsafeRawBufferPointer(start: base.unsafelyUnwrapped + range.lowerBound, count: range.count))
    }

    /// The bytes for C functions and hashing; valid while `owner` lives (the closure keeps it).
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(owner) { try body(owner.bytes) }
    }

    /// Index of the first occurrence of `needle` in `range`, or nil.
    func firstIndex(of needle: [UInt8], in range: Range<Int>) -> Int? {
        let range = range.clamped(to: indices)
        guard let first = needle.first, range.count >= needle.count else { return nil }
        return withUnsafeBytes { buffer in
            var index = range.lowerBound
            let last = range.upperBound - needle.count
            while index <= last {
                // memchr finds candidates at memory speed; the rest is checked byte by byte.
                guard let hit = memchr(buffer.baseAddress! + index, Int32(first), last - index + 1) else { return nil }
                index = buffer.baseAddress!.distance(to: UnsafeRawPointer(hit))
                var match = true
                for offset in 1..<needle.count where buffer[index + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return index }
                index += 1
            }
            return nil
        }
    }
}

/// Memory that a ``ByteView`` reads.
class ByteStorage: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}

/// A heap copy of an array.
final class OwnedBytes: ByteStorage, @unchecked Sendable {
    init(_ array: [UInt8]) {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, array.count), alignment: 16)
        array.withUnsafeBytes { source in
            if let address = source.baseAddress { memory.baseAddress!.copyMemory(from: address, byteCount: source.count) }
        }
        super.init(bytes: UnsafeRawBufferPointer(start: memory.baseAddress, count: array.count))
    }

    deinit { UnsafeMutableRawPointer(mutating: bytes.baseAddress)?.deallocate() }
}

/// A regular file mapped read-only (`MAP_PRIVATE`): no copy, and only the pages that are read
/// are ever loaded — inspecting a 19 MiB scan touches a few kilobytes of it.
///
/// The size is fixed at `fstat` time. A file that grows afterwards is inspected as it was; one
/// that shrinks while mapped makes reading the lost pages raise SIGBUS, which in the inspecting
/// child is a crash the parent reports as `damaged`. The server inspects its own finished,
/// read-only upload temp file, which nothing else writes.
final class MappedFile: ByteStorage, @unchecked Sendable {
    private let length: Int

    enum Outcome {
        case mapped(MappedFile)
        /// 0 bytes: nothing to map.
        case empty
        case tooLarge(Int)
        case failure(String)
    }

    private init(address: UnsafeRawPointer, length: Int) {
        self.length = length
        super.init(bytes: UnsafeRawBufferPointer(start: address, count: length))
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), length) }

    /// Maps the regular file at `path`, unless it is larger than `limit` bytes.
    static func map(_ path: String, limit: Int) -> Outcome {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure("open: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure("fstat: \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure("not a regular file") }
        let size = Int(info.st_size)
        if size > limit { return .tooLarge(size) }
        if size == 0 { return .empty }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            return .failure("mmap: \(String(cString: strerror(errno)))")
        }
        return .mapped(MappedFile(address: UnsafeRawPointer(address), length: size))
    }
}

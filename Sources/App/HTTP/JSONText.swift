import Hummingbird
import NIOCore

/// JSON written straight into a `ByteBuffer`, for the lists that are read most (a committee's
/// member list under load). Foundation's `JSONEncoder` spent a sixth of such a request in
/// reflection and boxing (measured with `perf` against the release build); no JSON library in
/// this machine's package set is faster, so this small writer does it by hand. Its output is
/// compared, value for value, with `JSONEncoder`'s in `JSONTextTests`.
struct JSONText {
    /// Bytes in an array, not a `ByteBuffer`: each `ByteBuffer` write checks its capacity and
    /// uniqueness, and per-byte writes were a third of writing a member page (perf, release).
    private(set) var bytes: [UInt8] = []
    /// Whether the next element of the current object or array follows another. One flag is
    /// enough: an element's own separator is settled before it opens, so on closing it the
    /// enclosing container is always past its first element.
    private var needsComma = false

    init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    /// The JSON written so far.
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    mutating func object(_ body: (inout JSONText) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func array(_ body: (inout JSONText) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A key of the current object; its value follows.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        // The value that follows is not a new element.
        needsComma = false
    }

    mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var run = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index]))
                    escape(byte)
                    run = index + 1
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func bool(_ value: Bool) {
        separate()
        raw(value ? "true" : "false")
    }

    mutating func integer(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func null() {
        separate()
        raw("null")
    }

    /// `key: value`, or nothing when `value` is nil (as `Encodable`'s synthesised
    /// `encodeIfPresent` does).
    mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func field(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bool(value)
    }

    mutating func field(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        key(name)
        integer(value)
    }

    /// `key: [strings]`.
    mutating func field(_ name: StaticString, _ values: [String]) {
        key(name)
        array { json in for value in values { json.string(value) } }
    }

    /// The JSON as text, for values stored as JSON (audit details).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        case 0x08: raw("\\b")
        case 0x0C: raw("\\f")
        default:
            let digits: StaticString = "0123456789abcdef"
            raw("\\u00")
            digits.withUTF8Buffer { d in
                bytes.append(d[Int(byte >> 4)])
                bytes.append(d[Int(byte & 0x0f)])
            }
        }
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    /// Above this size the answer is sent in pieces of it, each copied only when sent: a
    /// 10,000-row import's answer (some 8 MB) is then not held twice.
    static let piece = 64 * 1024

    /// The answer: 200, JSON, the same headers `JSONEncoder`'s response carries.
    var response: Response {
        let headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .contentLength: String(bytes.count)]
        guard bytes.count > Self.piece else { return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer)) }
        let bytes = bytes
        return Response(
            status: .ok, headers: headers,
            body: .init(contentLength: bytes.count) { writer in
                for start in stride(from: 0, to: bytes.count, by: Self.piece) {
                    try await writer.write(ByteBuffer(bytes: bytes[start..<min(start + Self.piece, bytes.count)]))
                }
                try await writer.finish(nil)
            })
    }
}

/// A value that writes itself as `JSONText`, the same JSON its `Encodable` conformance makes.
protocol JSONTextWritable: Encodable {
    func write(to json: inout JSONText)
}

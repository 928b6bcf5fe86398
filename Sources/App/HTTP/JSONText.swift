import Hummingbird
import NIOCore

/// JSON written straight into a `ByteBuffer`, for the lists that are read most (a committee's
/// member list under load). Foundation's `JSONEncoder` spent a sixth of such a request in
/// reflection and boxing (measured with `perf` against the release build); no JSON library in
/// this machine's package set is faster, so this small writer does it by hand. Its output is
/// compared, value for value, with `JSONEncoder`'s in `JSONTextTests`.
struct JSONText {
    private(set) var buffer: ByteBuffer
    private var needsComma: [Bool] = []

    init(capacity: Int = 4096) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func object(_ body: (inout JSONText) -> Void) {
        separate()
        buffer.writeInteger(UInt8(ascii: "{"))
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    mutating func array(_ body: (inout JSONText) -> Void) {
        separate()
        buffer.writeInteger(UInt8(ascii: "["))
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    /// A key of the current object; its value follows.
    mutating func key(_ name: StaticString) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(name)
        buffer.writeStaticString("\":")
        // The value that follows is not a new element.
        needsComma[needsComma.count - 1] = false
    }

    mutating func string(_ value: String) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        var run = value.utf8.startIndex
        let utf8 = value.utf8
        var index = run
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                buffer.writeBytes(utf8[run..<index])
                escape(byte)
                run = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        buffer.writeBytes(utf8[run..<utf8.endIndex])
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    mutating func bool(_ value: Bool) {
        separate()
        buffer.writeStaticString(value ? "true" : "false")
    }

    mutating func integer(_ value: Int) {
        separate()
        buffer.writeString(String(value))
    }

    mutating func null() {
        separate()
        buffer.writeStaticString("null")
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
    var text: String { String(buffer: buffer) }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case 0x0A: buffer.writeStaticString("\\n")
        case 0x0D: buffer.writeStaticString("\\r")
        case 0x09: buffer.writeStaticString("\\t")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x0C: buffer.writeStaticString("\\f")
        default:
            let digits: StaticString = "0123456789abcdef"
            buffer.writeStaticString("\\u00")
            digits.withUTF8Buffer { d in
                buffer.writeInteger(d[Int(byte >> 4)])
                buffer.writeInteger(d[Int(byte & 0x0f)])
            }
        }
    }

    private mutating func separate() {
        guard let last = needsComma.last else { return }
        if last { buffer.writeInteger(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    /// The answer: 200, JSON, the same headers `JSONEncoder`'s response carries.
    var response: Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(buffer.readableBytes)],
            body: .init(byteBuffer: buffer))
    }
}

/// A value that writes itself as `JSONText`, the same JSON its `Encodable` conformance makes.
protocol JSONTextWritable: Encodable {
    func write(to json: inout JSONText)
}

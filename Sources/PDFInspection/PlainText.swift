#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few text and output routines this module needs that only Foundation (not
/// FoundationEssentials) provides; the child links FoundationEssentials alone.
enum PlainText {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes` (a SHA-256 digest), two digits a byte.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var digits: [UInt8] = []
        for byte in bytes {
            digits.append(hexDigits[Int(byte >> 4)])
            digits.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// `value` with one decimal ("0.4", "12.0"), as `%.1f` prints it for the seconds in messages.
    static func oneDecimal(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let tenths = Int((abs(value) * 10).rounded())
        return (value < 0 && tenths > 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
    }

    /// `text` without leading and trailing whitespace and newlines.
    static func trimmed(_ text: some StringProtocol) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// Writes all of `bytes` to the descriptor (1 stdout, 2 stderr), retrying short writes and
    /// interruptions; false when the descriptor refuses (a closed pipe, a full disk).
    @discardableResult
    static func emit(_ bytes: some Collection<UInt8>, to descriptor: Int32) -> Bool {
        let array = Array(bytes)
        return array.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }

    static func writeError(_ message: String) { emit(Array(message.utf8), to: 2) }
}

/// Lowercase hexadecimal of a digest. `String(format:)` per byte was a measurable share of
/// every authenticated request (the session token's hash), hence this table lookup. Shared by
/// the session, code and audit-chain hashes.
extension Sequence<UInt8> {
    /// Two lowercase hexadecimal digits per byte.
    public var lowercaseHex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

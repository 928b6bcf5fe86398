/// A resident identity card number (公民身份号码) as defined by GB 11643-1999.
///
/// 18 characters: a six-digit region code, the birth date (YYYYMMDD), a three-digit sequence
/// whose parity gives the gender, and an ISO 7064 MOD 11-2 check character (`0`–`9` or `X`).
/// RULES MEM-1.
public struct IDNumber: Hashable, Sendable, CustomStringConvertible {
    /// Normalised: upper-case `X`.
    public let value: String
    public let birthDate: CivilDate
    public let gender: Gender

    public enum Invalid: Error, Equatable, Sendable {
        case wrongLength
        case badCharacters
        case unknownRegion
        case impossibleBirthDate
        case birthDateInFuture
        case checkDigitMismatch
    }

    /// Validates the number against the check digit and the birth date it carries.
    /// - Parameter today: births after this day are refused.
    public init(_ raw: String, today: CivilDate) throws(Invalid) {
        // Stored numbers are already normalised: upper-casing (an allocation) only when a
        // lower-case letter is present.
        let normalised = raw.utf8.contains(where: { $0 >= UInt8(ascii: "a") }) ? raw.uppercased() : raw
        let chars = Array(normalised.utf8)
        guard chars.count == 18 else { throw .wrongLength }
        let isDigit = { (c: UInt8) in c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        guard chars.prefix(17).allSatisfy(isDigit), isDigit(chars[17]) || chars[17] == UInt8(ascii: "X") else {
            throw .badCharacters
        }
        let digits = chars.prefix(17).map { Int($0 - UInt8(ascii: "0")) }
        let province = digits[0] * 10 + digits[1]
        guard IDNumber.provinceCodes.contains(province) else { throw .unknownRegion }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + digits[$1] } }
        guard let birth = CivilDate(year: number(6..<10), month: number(10..<12), day: number(12..<14)),
            birth.year >= 1900
        else { throw .impossibleBirthDate }
        guard birth <= today else { throw .birthDateInFuture }
        guard IDNumber.checkCharacter(for: digits) == chars[17] else { throw .checkDigitMismatch }
        self.value = normalised
        self.birthDate = birth
        self.gender = digits[16] % 2 == 1 ? .male : .female
    }

    /// The first two digits of the region code: provinces, autonomous regions, municipalities,
    /// Hong Kong, Macao and Taiwan (GB/T 2260).
    static let provinceCodes: Set<Int> = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
        41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
    ]

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters = Array("10X98765432".utf8)

    /// The MOD 11-2 check character for the first 17 digits.
    public static func checkCharacter(for digits: [Int]) -> UInt8 {
        precondition(digits.count == 17)
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// Builds a valid number from its first 17 digits (used by fixtures and the demo data).
    public static func completing(_ first17: String) -> String {
        let digits = first17.utf8.map { Int($0 - UInt8(ascii: "0")) }
        return first17 + String(UnicodeScalar(checkCharacter(for: digits)))
    }

    /// Xinjiang (新疆维吾尔自治区) has its own join-age and development-number rules (MEM-3, MEM-4).
    public var isXinjiang: Bool { value.hasPrefix("65") }

    /// The last eight characters: the member's initial password (ADM-6).
    public var initialPassword: String { String(value.suffix(8)) }

    /// Shown in lists and to anyone who does not administer the person:
    /// the first 3 and last 4 characters survive, e.g. `370***********123X`.
    public var masked: String { IDNumber.mask(value) }

    public static func mask(_ value: String) -> String {
        let utf8 = value.utf8
        if utf8.count > 7, utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII (every valid number): one string built in place instead of four.
            return String(unsafeUninitializedCapacity: utf8.count) { buffer in
                for (i, byte) in utf8.enumerated() { buffer[i] = i < 3 || i >= utf8.count - 4 ? byte : UInt8(ascii: "*") }
                return utf8.count
            }
        }
        guard value.count > 7 else { return String(repeating: "*", count: value.count) }
        return String(value.prefix(3)) + String(repeating: "*", count: value.count - 7) + String(value.suffix(4))
    }

    /// Never the full number, so that string interpolation into a log line cannot leak it.
    public var description: String { masked }
}

public enum Gender: String, Codable, Sendable {
    case male
    case female

    public var chineseName: String { self == .male ? "男" : "女" }
}

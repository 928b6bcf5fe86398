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
        var text = raw.utf8.contains(where: { $0 >= UInt8(ascii: "a") }) ? raw.uppercased() : raw
        text.makeContiguousUTF8()  // a no-op for native strings
        guard text.utf8.count == 18 else { throw .wrongLength }
        // Read in place (every listed member's number is read again from storage): no arrays.
        let checked = text.utf8.withContiguousStorageIfAvailable { b -> Result<(CivilDate, Gender), Invalid> in
            var sum = 0
            for i in 0..<17 {
                let digit = b[i] &- UInt8(ascii: "0")
                guard digit < 10 else { return .failure(.badCharacters) }
                sum += Int(digit) * IDNumber.weights[i]
            }
            guard b[17] &- UInt8(ascii: "0") < 10 || b[17] == UInt8(ascii: "X") else { return .failure(.badCharacters) }
            func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(b[$1] - UInt8(ascii: "0")) } }
            guard IDNumber.provinceCodes.contains(number(0..<2)) else { return .failure(.unknownRegion) }
            guard let birth = CivilDate(year: number(6..<10), month: number(10..<12), day: number(12..<14)),
                birth.year >= 1900
            else { return .failure(.impossibleBirthDate) }
            guard birth <= today else { return .failure(.birthDateInFuture) }
            guard IDNumber.checkCharacters[sum % 11] == b[17] else { return .failure(.checkDigitMismatch) }
            return .success((birth, number(16..<17) % 2 == 1 ? .male : .female))
        }!
        let (birth, gender): (CivilDate, Gender)
        switch checked {
        case .success(let found): (birth, gender) = found
        case .failure(let invalid): throw invalid
        }
        self.value = text
        self.birthDate = birth
        self.gender = gender
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

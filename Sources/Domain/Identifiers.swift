/// Identifiers are opaque lowercase strings of `a-z`, `0-9` and `-` (at most 64 characters).
///
/// The alphabet is deliberately narrow: ids are embedded in URLs and in the materialised org
/// path (`/tzy/sd/…/`), where `_`, `%` and `/` would need escaping in `LIKE` prefix queries.
public protocol EntityIdentifier: RawRepresentable, Hashable, Codable, Sendable, Comparable,
    CustomStringConvertible where RawValue == String
{
    init(unchecked rawValue: String)
}

extension EntityIdentifier {
    public init?(rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.init(unchecked: rawValue)
    }

    public static func isValid(_ raw: String) -> Bool {
        guard !raw.isEmpty, raw.utf8.count <= 64 else { return false }
        return raw.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-")
        }
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard Self.isValid(raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid identifier"))
        }
        self.init(unchecked: raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A node of the league tree (团组织).
public struct OrgID: EntityIdentifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// A natural person: a member (团员), a cadre (团干部), or both.
public struct PersonID: EntityIdentifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// A login account; one per person.
public struct AccountID: EntityIdentifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

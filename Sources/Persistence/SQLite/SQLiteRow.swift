import Foundation
import SQLKit

/// A result row of `SQLiteConnection`, read by column name as SQLKit asks.
///
/// The common column types (text, integers, booleans) are converted directly; anything else
/// goes through a single-value `Decoder`, so a `RawRepresentable` enum or an optional decodes
/// as it would from any SQLKit driver. The conversions are sqlite-nio's: text from an integer
/// or real column, integers only from integers, `Bool` from 0 or 1.
struct SQLiteResultRow: SQLRow {
    let columns: SQLiteColumns
    let values: [SQLiteValue]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let i = columns.index[column] else { return true }
        return values[i] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let i = columns.index[column] else {
            throw DecodingError.keyNotFound(
                SQLiteColumnKey(column), .init(codingPath: [], debugDescription: "no column \(column) in the row"))
        }
        // Text and integers, most of every list, without the decoder and its dynamic casts.
        switch values[i] {
        case .text(let text) where D.self == String.self: return unsafeBitCast(text, to: D.self)
        case .integer(let n) where D.self == Int.self: return unsafeBitCast(Int(n), to: D.self)
        default: return try SQLiteValueDecoder(value: values[i], column: column).decode(D.self)
        }
    }
}

struct SQLiteColumnKey: CodingKey {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

/// Decodes one column's value: directly for the types the schema stores, through `Decodable`
/// for the rest (which ends in one of those).
struct SQLiteValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: SQLiteValue
    let column: String

    var codingPath: [any CodingKey] { [SQLiteColumnKey(column)] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw mismatch(type)
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch([SQLiteValue].self) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // Direct paths first: a generic `Decodable` walk per column was most of a list's decoding.
        if T.self == String.self { return try decode(String.self) as! T }
        if T.self == Int.self { return try decode(Int.self) as! T }
        if T.self == Bool.self { return try decode(Bool.self) as! T }
        if T.self == Int64.self { return try decode(Int64.self) as! T }
        if T.self == Double.self { return try decode(Double.self) as! T }
        if T.self == Optional<String>.self { return (value == .null ? nil : try decode(String.self)) as! T }
        if T.self == Optional<Int>.self { return (value == .null ? nil : try decode(Int.self)) as! T }
        if T.self == [UInt8].self, case .blob(let bytes) = value { return bytes as! T }
        if T.self == Data.self, case .blob(let bytes) = value { return Data(bytes) as! T }
        return try T(from: self)
    }

    func decode(_ type: String.Type) throws -> String {
        switch value {
        case .text(let s): return s
        case .integer(let n): return String(n)
        case .float(let x): return String(x)
        case .null, .blob: throw mismatch(type)
        }
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch value {
        case .integer(1): return true
        case .integer(0): return false
        default: throw mismatch(type)
        }
    }

    func decode(_ type: Int64.Type) throws -> Int64 {
        guard case .integer(let n) = value else { throw mismatch(type) }
        return n
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .float(let x): return x
        case .integer(let n): return Double(n)
        default: throw mismatch(type)
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .integer(let n) = value, let i = I(exactly: n) else { throw mismatch(type) }
        return i
    }

    private func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "column \(column) holds \(value.kind)"))
    }
}

extension SQLiteValue {
    var kind: String {
        switch self {
        case .null: "NULL"
        case .integer: "INTEGER"
        case .float: "REAL"
        case .text: "TEXT"
        case .blob: "BLOB"
        }
    }

    /// A bound parameter as SQLite stores it. The types the repositories bind are matched
    /// directly; any other `Encodable` must encode as one of them.
    init(binding value: any Encodable) throws {
        switch value {
        case let s as String: self = .text(s)
        case let n as Int: self = .integer(Int64(n))
        case let b as Bool: self = .integer(b ? 1 : 0)
        case let n as Int64: self = .integer(n)
        case let n as Int32: self = .integer(Int64(n))
        case let x as Double: self = .float(x)
        case let bytes as [UInt8]: self = .blob(bytes)
        case let data as Data: self = .blob(Array(data))
        default:
            let encoder = SQLiteValueEncoder()
            try value.encode(to: encoder)
            guard let encoded = encoder.value else {
                throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "encoded nothing"))
            }
            self = encoded
        }
    }
}

/// Encodes one bound value that is not one of the direct types (an optional, an enum with a raw
/// value): it must come down to a single value.
final class SQLiteValueEncoder: Encoder, SingleValueEncodingContainer {
    var value: SQLiteValue?
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Refused<Key>())
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { Refused<SQLiteColumnKey>() }
    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() throws { value = .null }
    func encode(_ v: Bool) throws { value = .integer(v ? 1 : 0) }
    func encode(_ v: String) throws { value = .text(v) }
    func encode(_ v: Double) throws { value = .float(v) }
    func encode(_ v: Float) throws { value = .float(Double(v)) }
    func encode(_ v: Int) throws { value = .integer(Int64(v)) }
    func encode(_ v: Int8) throws { value = .integer(Int64(v)) }
    func encode(_ v: Int16) throws { value = .integer(Int64(v)) }
    func encode(_ v: Int32) throws { value = .integer(Int64(v)) }
    func encode(_ v: Int64) throws { value = .integer(v) }
    func encode(_ v: UInt) throws { value = .integer(try Self.exact(v)) }
    func encode(_ v: UInt8) throws { value = .integer(Int64(v)) }
    func encode(_ v: UInt16) throws { value = .integer(Int64(v)) }
    func encode(_ v: UInt32) throws { value = .integer(Int64(v)) }
    func encode(_ v: UInt64) throws { value = .integer(try Self.exact(v)) }
    func encode<T: Encodable>(_ v: T) throws { value = try SQLiteValue(binding: v) }

    private static func exact<I: BinaryInteger>(_ v: I) throws -> Int64 {
        guard let n = Int64(exactly: v) else {
            throw EncodingError.invalidValue(v, .init(codingPath: [], debugDescription: "beyond SQLite's 64-bit integers"))
        }
        return n
    }

    /// Keyed and unkeyed values have no column to go to: a bind must be one value.
    struct Refused<Key: CodingKey>: KeyedEncodingContainerProtocol, UnkeyedEncodingContainer {
        var codingPath: [any CodingKey] { [] }
        var count: Int { 0 }
        private func refuse() -> EncodingError {
            .invalidValue(Key.self, .init(codingPath: [], debugDescription: "a bound value must be a single value"))
        }
        mutating func encodeNil(forKey key: Key) throws { throw refuse() }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { throw refuse() }
        mutating func nestedContainer<N: CodingKey>(keyedBy: N.Type, forKey key: Key) -> KeyedEncodingContainer<N> {
            KeyedEncodingContainer(Refused<N>())
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { self }
        mutating func superEncoder() -> any Encoder { SQLiteValueEncoder() }
        mutating func superEncoder(forKey key: Key) -> any Encoder { SQLiteValueEncoder() }
        mutating func encodeNil() throws { throw refuse() }
        mutating func encode<T: Encodable>(_ value: T) throws { throw refuse() }
        mutating func nestedContainer<N: CodingKey>(keyedBy: N.Type) -> KeyedEncodingContainer<N> {
            KeyedEncodingContainer(Refused<N>())
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
    }
}

import Domain
import Foundation

/// An instant stored as ISO-8601 UTC text with milliseconds (`2026-11-25T03:15:00.000Z`).
/// Text sorts chronologically and reads the same in SQLite and PostgreSQL.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }
    public init(_ date: Date) { self.millisecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    public static func now() -> Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + seconds * 1000) }

    /// The civil date in China Standard Time (UTC+8, no daylight saving), the calendar every
    /// rule of the manual is written in.
    public var chinaDate: CivilDate {
        let shifted = millisecondsSinceEpoch + 8 * 3_600_000
        return CivilDate(daysSinceEpoch: Int((shifted - (shifted % 86_400_000 + 86_400_000) % 86_400_000) / 86_400_000))
    }

    /// 00:00 China Standard Time of `date`: the first moment of that China day.
    public static func chinaMidnight(of date: CivilDate) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64(date.daysSinceEpoch) * 86_400_000 - 8 * 3_600_000)
    }

    /// The moment on China Standard Time's wall clock, to the minute (GRA-4's 12-31 12:00).
    public var chinaMoment: ChinaMoment {
        let shifted = millisecondsSinceEpoch + 8 * 3_600_000
        let inDay = (shifted % 86_400_000 + 86_400_000) % 86_400_000
        return ChinaMoment(date: chinaDate, minuteOfDay: Int(inDay / 60_000))
    }

    public var text: String {
        let ms = millisecondsSinceEpoch
        let dayMs: Int64 = 86_400_000
        let days = Int((ms - ((ms % dayMs) + dayMs) % dayMs) / dayMs)
        let rem = Int(((ms % dayMs) + dayMs) % dayMs)
        let date = CivilDate(daysSinceEpoch: days)
        func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        return "\(date.iso)T\(pad(rem / 3_600_000, 2)):\(pad(rem / 60_000 % 60, 2)):\(pad(rem / 1000 % 60, 2)).\(pad(rem % 1000, 3))Z"
    }

    public init?(text: String) {
        // 2026-11-25T03:15:00.000Z
        let u = Array(text.utf8)
        guard u.count == 24, u[10] == UInt8(ascii: "T"), u[23] == UInt8(ascii: "Z"),
            let date = CivilDate(iso: String(text.prefix(10))),
            let h = Int(text.dropFirst(11).prefix(2)), let m = Int(text.dropFirst(14).prefix(2)),
            let s = Int(text.dropFirst(17).prefix(2)), let f = Int(text.dropFirst(20).prefix(3))
        else { return nil }
        let ms = Int64(date.daysSinceEpoch) * 86_400_000 + Int64(h * 3_600_000 + m * 60_000 + s * 1000 + f)
        self.init(millisecondsSinceEpoch: ms)
    }

    public var description: String { text }
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let t = Timestamp(text: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad timestamp"))
        }
        self = t
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

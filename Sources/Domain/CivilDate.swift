/// A calendar date without time zone (join dates, birth dates).
///
/// Dates in the manual's rules are civil dates; keeping them apart from instants avoids the
/// off-by-one-day errors a time zone conversion would bring to age and deadline rules.
public struct CivilDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Returns nil for dates that do not exist (2019-02-29, month 13, …).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CivilDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    /// Read byte by byte: every listed member carries dates, and splitting the text allocated
    /// an array per date. Only ASCII digits count (no signs, no spaces).
    public init?(iso string: String) {
        var string = string
        string.makeContiguousUTF8()  // a no-op for native strings
        guard string.utf8.count == 10,
            let fields = string.utf8.withContiguousStorageIfAvailable({ b -> (Int, Int, Int)? in
                guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
                func number(_ range: Range<Int>) -> Int? {
                    var n = 0
                    for i in range {
                        let digit = b[i] &- UInt8(ascii: "0")
                        guard digit < 10 else { return nil }
                        n = n * 10 + Int(digit)
                    }
                    return n
                }
                guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
                return (y, m, d)
            }),
            let date = fields
        else { return nil }
        self.init(year: date.0, month: date.1, day: date.2)
    }

    /// `YYYY-MM-DD`, four-digit year.
    public var iso: String {
        String(unsafeUninitializedCapacity: 10) { buffer in
            func put(_ value: Int, _ at: Int, _ width: Int) {
                var v = value
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    buffer[i] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
            }
            put(year, 0, 4)
            buffer[4] = UInt8(ascii: "-")
            put(month, 5, 2)
            buffer[7] = UInt8(ascii: "-")
            put(day, 8, 2)
            return 10
        }
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String { iso }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Whole years completed between `self` (a birth date) and `date`.
    /// A person born on 02-29 turns a year older on 03-01 in common years.
    public func age(on date: CivilDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) { years -= 1 }
        return years
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for date arithmetic.
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// The same day `months` months earlier, clamped to that month's length (08-31 → 02-28).
    public func months(before months: Int) -> CivilDate {
        let index = year * 12 + (month - 1) - months
        let y = index / 12, m = index % 12 + 1
        return CivilDate(year: y, month: m, day: min(day, CivilDate.daysIn(month: m, year: y)))!
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let date = CivilDate(iso: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM-DD"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

import Foundation

/// A date cell: the serial number the file stored, and the calendar date and time it stands for.
///
/// The components are plain numbers rather than a `Date` because a spreadsheet date has no time
/// zone: 2001-09-01 typed in Beijing must stay 2001-09-01 wherever the server runs.
public struct SpreadsheetDate: Sendable, Equatable, Hashable {
    /// Days since the workbook's epoch, the time of day as the fraction.
    public let serial: Double
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int

    /// Converts a stored serial. In the 1900 system serial 60 is 1900-02-29, a day that never was:
    /// Lotus 1-2-3 took 1900 for a leap year and Excel kept the mistake, so serials from 61 on are
    /// one day later than a plain count from 1899-12-31 would say.
    public init(serial: Double, uses1904: Bool = false) {
        self.serial = serial
        var days = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(days)) * 86_400).rounded())
        if seconds >= 86_400 {
            days += 1
            seconds -= 86_400
        }
        (hour, minute, second) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        if uses1904 {
            (year, month, day) = civilDate(fromDaysSinceUnixEpoch: days + daysFrom1970To1904)
        } else if days == 60 {
            (year, month, day) = (1900, 2, 29)
        } else {
            let offset = days < 60 ? days : days - 1
            (year, month, day) = civilDate(fromDaysSinceUnixEpoch: offset + daysFrom1970To1899_12_31)
        }
    }

    /// A date for the writer; the serial is in the 1900 system, which is what the writer declares.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        var days = daysSinceUnixEpoch(year: year, month: month, day: day) - daysFrom1970To1899_12_31
        if days >= 60 { days += 1 }
        let fraction = Double(hour * 3600 + minute * 60 + second) / 86_400
        self.serial = Double(days) + fraction
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    public var hasTime: Bool { hour != 0 || minute != 0 || second != 0 }

    /// `yyyy-mm-dd`, with ` hh:mm:ss` when the time is not midnight.
    public var isoText: String {
        let date = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        return hasTime ? date + " " + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2) : date
    }

    /// The components in the Gregorian calendar, with no time zone (see the type's comment).
    public var dateComponents: DateComponents {
        DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(abs(value))
    return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
}

private let daysFrom1970To1899_12_31 = -25_568
private let daysFrom1970To1904 = -24_107

// Howard Hinnant's civil-calendar algorithms: exact for any proleptic Gregorian date, with no
// Calendar or time zone involved.
func daysSinceUnixEpoch(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

func civilDate(fromDaysSinceUnixEpoch days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

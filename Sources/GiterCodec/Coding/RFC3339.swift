#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Reads and writes timestamps in the RFC 3339 form Kubernetes uses:
/// `2024-05-01T12:30:00Z`, `2024-05-01T14:30:00.25+02:00`.
///
/// Reading accepts `T`, `t` or a space between date and time, fractional
/// seconds of any length, `Z`, `z` or a `±HH:MM` offset, and years
/// 0000–9999. Writing always gives UTC with `Z`, and fractional seconds only
/// when the date has them, with the fewest digits (at most nine) that read
/// back as the same `Date`.
public enum RFC3339 {
    /// The date a timestamp denotes, or `nil` when `text` is not an RFC 3339
    /// date-time (wrong shape, a day that does not exist, an offset out of range).
    public static func date(from text: String) -> Date? {
        if let date = text.utf8.withContiguousStorageIfAvailable({ parse($0) }) { return date }
        return Array(text.utf8).withUnsafeBufferPointer { parse($0) }
    }

    /// The timestamp of `date` in UTC, or `nil` when the date is not finite
    /// or falls outside the years 0000–9999.
    public static func string(from date: Date) -> String? {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, abs(interval) < 400_000_000_000 else { return nil }
        let whole = interval.rounded(.down)
        let fraction = interval - whole  // exact: both are doubles of the same magnitude
        var seconds = Int(whole)
        var fractionDigits = 0
        var fractionValue = 0
        if fraction > 0 {
            // The shortest fraction that reads back as the same date, computed
            // the way `date(from:)` computes it.
            for digits in 1...9 {
                let scale = powersOfTen[digits]
                let scaled = (fraction * scale).rounded()
                if scaled < scale, Date(timeIntervalSince1970: whole + scaled / scale) == date {
                    fractionDigits = digits
                    fractionValue = Int(scaled)
                    break
                }
            }
            if fractionDigits == 0 {
                let nanoseconds = Int((fraction * 1e9).rounded())
                if nanoseconds >= 1_000_000_000 {
                    seconds += 1
                } else if nanoseconds > 0 {
                    fractionDigits = 9
                    fractionValue = nanoseconds
                }
            }
            while fractionDigits > 0, fractionValue % 10 == 0 {
                fractionValue /= 10
                fractionDigits -= 1
            }
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(fromDaysSince1970: days)
        guard (0...9999).contains(year) else { return nil }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(30)
        append(year, digits: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(month, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        append(day, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        append(secondOfDay / 3600, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(secondOfDay / 60 % 60, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(secondOfDay % 60, digits: 2, to: &bytes)
        if fractionDigits > 0 {
            bytes.append(UInt8(ascii: "."))
            append(fractionValue, digits: fractionDigits, to: &bytes)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Parsing

    private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        // Fixed part: YYYY-MM-DDTHH:MM:SS is 19 bytes, the shortest zone is 1.
        guard bytes.count >= 20,
            let year = number(bytes, 0, 4), bytes[4] == UInt8(ascii: "-"),
            let month = number(bytes, 5, 2), bytes[7] == UInt8(ascii: "-"),
            let day = number(bytes, 8, 2),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
            let hour = number(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"),
            let minute = number(bytes, 14, 2), bytes[16] == UInt8(ascii: ":"),
            let second = number(bytes, 17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var position = 19
        var fraction = 0.0
        if bytes[position] == UInt8(ascii: ".") {
            position += 1
            var value = 0
            var digits = 0
            while position < bytes.count, isDigit(bytes[position]) {
                if digits < 18 {
                    value = value * 10 + Int(bytes[position] &- UInt8(ascii: "0"))
                    digits += 1
                }
                position += 1
            }
            guard digits > 0 else { return nil }
            fraction = Double(value) / (digits < powersOfTen.count ? powersOfTen[digits] : pow10(digits))
        }

        guard position < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[position] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            position += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard position + 6 == bytes.count,
                let offsetHour = number(bytes, position + 1, 2), bytes[position + 3] == UInt8(ascii: ":"),
                let offsetMinute = number(bytes, position + 4, 2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetSeconds = (offsetHour * 60 + offsetMinute) * 60
            if bytes[position] == UInt8(ascii: "-") { offsetSeconds = -offsetSeconds }
            position += 6
        default:
            return nil
        }
        guard position == bytes.count else { return nil }

        let days = daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The decimal number in `count` bytes from `start`, all of which must be digits.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for index in start..<(start + count) {
            guard isDigit(bytes[index]) else { return nil }
            value = value * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
        }
        return value
    }

    private static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    private static func append(_ value: Int, digits: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<max(digits, 1) { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    // MARK: Calendar arithmetic (proleptic Gregorian calendar)

    private static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given date. Years are counted from March
    /// so that the leap day falls at the end of a year; 400 years make a
    /// cycle of 146,097 days.
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let marchYear = month <= 2 ? year - 1 : year
        let cycle = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfCycle = marchYear - cycle * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfCycle = yearOfCycle * 365 + yearOfCycle / 4 - yearOfCycle / 100 + dayOfYear
        // 719,468 days from 0000-03-01 to 1970-01-01.
        return cycle * 146_097 + dayOfCycle - 719_468
    }

    /// The inverse of ``daysSince1970(year:month:day:)``.
    static func civilDate(fromDaysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let fromMarch0000 = days + 719_468
        let cycle = (fromMarch0000 >= 0 ? fromMarch0000 : fromMarch0000 - 146_096) / 146_097
        let dayOfCycle = fromMarch0000 - cycle * 146_097
        let yearOfCycle =
            (dayOfCycle - dayOfCycle / 1460 + dayOfCycle / 36_524 - dayOfCycle / 146_096) / 365
        let dayOfYear = dayOfCycle - (365 * yearOfCycle + yearOfCycle / 4 - yearOfCycle / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfCycle + cycle * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

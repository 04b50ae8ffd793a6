import FoundationEssentials

/// The HTTP-date of a `Retry-After` header (RFC 9110 §5.6.7), read without ICU: the IMF-fixdate
/// `Sun, 06 Nov 1994 08:49:37 GMT` as the DateFormatter pattern `EEE, dd MMM yyyy HH:mm:ss zzz` (en_US_POSIX, GMT)
/// read it before: names in any case and spelled short or in full, the weekday not checked against the date (nor
/// its comma required), one or two digits in the day and the clock, a year of up to six digits, a zone of GMT, UTC,
/// UT or Z. Impossible dates and times (31 Feb, 24:00, :60) are refused.
package enum HTTPDate {
    package static func parse(_ text: String) -> Date? {
        let fields = text.split(separator: " ")
        guard fields.count == 6 else { return nil }
        var weekday = fields[0]
        if weekday.hasSuffix(",") { weekday = weekday.dropLast() }
        guard Self.index(of: weekday, in: weekdays) != nil,
              let day = number(fields[1], digits: 1...2),
              let month = Self.index(of: fields[2], in: months).map({ $0 + 1 }),
              let year = number(fields[3], digits: 1...6),
              let clock = time(fields[4]),
              ["gmt", "utc", "ut", "z"].contains(fields[5].lowercased()) else { return nil }
        guard (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days) * 86_400 + Double(clock))
    }

    private static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    private static let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                                 "october", "november", "december"]

    /// The position of a name given in full or by its first three letters, in any case.
    private static func index(of field: Substring, in names: [String]) -> Int? {
        let lower = field.lowercased()
        return names.firstIndex { $0 == lower || (lower.count == 3 && $0.hasPrefix(lower)) }
    }

    private static func number(_ field: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(field.utf8.count), field.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(field)
    }

    /// `HH:mm:ss` as seconds into the day.
    private static func time(_ field: Substring) -> Int? {
        let parts = field.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let hour = number(parts[0], digits: 1...2), let minute = number(parts[1], digits: 1...2),
              let second = number(parts[2], digits: 1...2), hour < 24, minute < 60, second < 60 else { return nil }
        return hour * 3600 + minute * 60 + second
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// ``CivilDate`` against glibc's `gmtime_r` and `timegm`, across leap years, century rules and the epoch.
@Suite("Civil dates from day counts and back")
struct CivilDateTests {
    /// Days from -1970-01-01 to 6000-01-01, every 13th, and the days around the rules' edges.
    static let days: [Int] = Array(stride(from: -1_450_000, through: 1_500_000, by: 13))
        + [-1, 0, 1, 59, 60, 789, 10_957, 11_016, 11_017, 47_540, 47_541, -25_509, -25_508, 2_932_896]

    @Test("every day maps to the date gmtime_r gives, and back")
    func matchesGlibc() {
        var mismatches: [Int] = []
        for day in Self.days {
            var seconds = time_t(day) * 86_400
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let date = CivilDate.date(daysSinceEpoch: day)
            if date.year != Int(parts.tm_year) + 1900 || date.month != Int(parts.tm_mon) + 1 || date.day != Int(parts.tm_mday)
                || CivilDate.daysSinceEpoch(year: date.year, month: date.month, day: date.day) != day {
                mismatches.append(day)
            }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }

    @Test("known dates", arguments: [(0, 1970, 1, 1), (59, 1970, 3, 1), (11_016, 2000, 2, 29), (-1, 1969, 12, 31),
                                     (20_790, 2026, 12, 3), (47_541, 2100, 3, 1)])
    func knownDates(day: Int, year: Int, month: Int, dayOfMonth: Int) {
        let date = CivilDate.date(daysSinceEpoch: day)
        #expect(date.year == year && date.month == month && date.day == dayOfMonth)
    }
}

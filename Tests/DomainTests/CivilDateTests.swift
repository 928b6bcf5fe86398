import Testing
@testable import Domain

@Suite("Civil dates")
struct CivilDateTests {
    @Test("parsing refuses malformed and non-existent dates")
    func parsing() {
        #expect(CivilDate(iso: "2020-01-01") == CivilDate(year: 2020, month: 1, day: 1))
        #expect(CivilDate(iso: "2019-02-29") == nil)
        #expect(CivilDate(iso: "2020-1-01") == nil)
        #expect(CivilDate(iso: "2020-01-01T00") == nil)
        #expect(CivilDate(iso: "") == nil)
        // Only ASCII digits: a sign, a space or a full-width digit is not a date.
        #expect(CivilDate(iso: "2020-+1-01") == nil)
        #expect(CivilDate(iso: "+020-01-01") == nil)
        #expect(CivilDate(iso: "2020-01- 1") == nil)
        #expect(CivilDate(iso: "2020/01/01") == nil)
        #expect(CivilDate(iso: "２０２０-01-01") == nil)
        #expect(CivilDate(iso: String("x2020-12-31".dropFirst())) == CivilDate(year: 2020, month: 12, day: 31))
    }

    @Test("ISO text has a four-digit year and two-digit month and day, and parses back to the same date")
    func isoText() {
        #expect(CivilDate(year: 7, month: 3, day: 9)!.iso == "0007-03-09")
        #expect(CivilDate(year: 9999, month: 12, day: 31)!.iso == "9999-12-31")
        for days in stride(from: -20_000, through: 30_000, by: 113) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(CivilDate(iso: date.iso) == date)
        }
    }

    @Test("days since the epoch round-trip across centuries and leap days")
    func epochRoundTrip() {
        #expect(CivilDate(iso: "1970-01-01")!.daysSinceEpoch == 0)
        #expect(CivilDate(iso: "2000-03-01")!.daysSinceEpoch - CivilDate(iso: "2000-02-28")!.daysSinceEpoch == 2)
        for days in stride(from: -30_000, through: 40_000, by: 37) {
            #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CivilDate(iso: "2026-11-25")!.adding(days: 30).iso == "2026-12-25")
    }

    @Test("age counts completed years; a 29 February birthday turns over on 1 March")
    func age() {
        let born = CivilDate(iso: "2004-02-29")!
        #expect(born.age(on: CivilDate(iso: "2017-02-28")!) == 12)
        #expect(born.age(on: CivilDate(iso: "2017-03-01")!) == 13)
        #expect(CivilDate(iso: "2002-03-15")!.age(on: CivilDate(iso: "2015-03-15")!) == 13)
        #expect(CivilDate(iso: "2002-03-15")!.age(on: CivilDate(iso: "2015-03-14")!) == 12)
    }
}

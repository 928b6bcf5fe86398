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

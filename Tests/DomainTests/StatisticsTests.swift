import Domain
import Testing

@Suite("Statistics (STA-1, ARC-9)")
struct StatisticsTests {
    @Test("STA-1: a member turns 18 on their birthday: born 2008-11-25 is 18 on 2026-11-25, born a day later still 17")
    func ageBandEdges() {
        let today = CivilDate(year: 2026, month: 11, day: 25)!
        let bounds = StatisticsRules.ageBandBounds(today: today)
        func band(_ born: CivilDate) -> String? {
            bounds.first { b in born <= b.latest && (b.earliest.map { born > $0 } ?? true) }?.label
        }
        #expect(band(CivilDate(year: 2008, month: 11, day: 25)!) == "18—22岁")
        #expect(band(CivilDate(year: 2008, month: 11, day: 26)!) == "14—17岁")
        #expect(band(CivilDate(year: 1998, month: 11, day: 26)!) == "26—28岁")
        #expect(band(CivilDate(year: 1997, month: 11, day: 25)!) == "28岁以上")
    }

    @Test("STA-1, ARC-9: new members by year count only the verified; members who joined before 2020 are not new members")
    func newMembers() {
        let tallies = [
            MemberTally(joinedOn: CivilDate(year: 2021, month: 5, day: 4)!, identityVerified: true, archiveUploaded: true, members: 2),
            MemberTally(joinedOn: CivilDate(year: 2021, month: 6, day: 1)!, identityVerified: false, archiveUploaded: true, members: 3),
            MemberTally(joinedOn: CivilDate(year: 2022, month: 5, day: 4)!, identityVerified: false, archiveUploaded: false, members: 1),
            MemberTally(joinedOn: CivilDate(year: 2019, month: 5, day: 4)!, identityVerified: true, archiveUploaded: false, members: 9),
        ]
        let byYear = StatisticsRules.newMembersByYear(tallies)
        #expect(byYear.map(\.year) == [2021, 2022])
        #expect(byYear.map(\.counted) == [2, 0])
        #expect(byYear.map(\.all) == [5, 1])
    }
}

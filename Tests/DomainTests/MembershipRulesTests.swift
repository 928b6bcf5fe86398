import Testing
@testable import Domain

@Suite("Membership rules (MEM-3, MEM-4, ORG-7, ARC-1)")
struct MembershipRulesTests {
    let today = date("2026-11-25")

    func validate(
        _ id: IDNumber, joined: String, number: String?, category: OrgCategory = .branch
    ) throws(MembershipRules.Violation) {
        try MembershipRules.validate(
            name: "张三", idNumber: id, joinedOn: date(joined), developmentNumber: number.flatMap(DevelopmentNumber.init),
            branchCategory: category, today: today)
    }

    @Test("MEM-3: from 2017-01-01 a member must be 13 on the join date")
    func ageFrom2017() {
        let id = idNumber(born: "20040610")
        #expect(throws: MembershipRules.Violation.tooYoungToJoin(minimumAge: 13, ageAtJoining: 12)) {
            try validate(id, joined: "2017-06-09", number: "2017370200001")
        }
        #expect(throws: Never.self) { try validate(id, joined: "2017-06-10", number: "2017370200001") }
    }

    @Test("MEM-3: before 2017 the minimum age is 12")
    func ageBefore2017() {
        let id = idNumber(born: "20040610")
        #expect(throws: Never.self) { try validate(id, joined: "2016-06-10", number: nil) }
        #expect(throws: MembershipRules.Violation.tooYoungToJoin(minimumAge: 12, ageAtJoining: 11)) {
            try validate(id, joined: "2016-06-09", number: nil)
        }
    }

    @Test("MEM-3: in Xinjiang the minimum age is 13 always")
    func xinjiangAge() {
        let id = idNumber("650102", born: "20030610")
        #expect(throws: MembershipRules.Violation.tooYoungToJoin(minimumAge: 13, ageAtJoining: 12)) {
            try validate(id, joined: "2016-01-10", number: "2016650100001")
        }
    }

    @Test("MEM-4: a development number is required from 2017 (Xinjiang from 2016)")
    func developmentNumberRequired() {
        let id = idNumber(born: "20000101")
        #expect(throws: MembershipRules.Violation.developmentNumberRequired) { try validate(id, joined: "2017-01-01", number: nil) }
        #expect(throws: Never.self) { try validate(id, joined: "2016-12-31", number: nil) }
        let xj = idNumber("650102", born: "20000101")
        #expect(throws: MembershipRules.Violation.developmentNumberRequired) { try validate(xj, joined: "2016-05-04", number: nil) }
        #expect(throws: Never.self) { try validate(xj, joined: "2015-12-31", number: nil) }
    }

    @Test("MEM-4: the first four digits of the development number are the join year")
    func developmentNumberYear() {
        let id = idNumber(born: "20000101")
        #expect(throws: MembershipRules.Violation.developmentNumberYearMismatch(joinYear: 2020, numberYear: 2019)) {
            try validate(id, joined: "2020-05-04", number: "2019370200001")
        }
        #expect(throws: Never.self) { try validate(id, joined: "2020-05-04", number: "2020370200001") }
    }

    @Test("MEM-4: development numbers are digits only, 8 to 20 of them")
    func developmentNumberFormat() {
        #expect(DevelopmentNumber("2020370200001") != nil)
        #expect(DevelopmentNumber("2020") == nil)
        #expect(DevelopmentNumber("2020-37020001") == nil)
        #expect(DevelopmentNumber("202037020000100000001") == nil)
        #expect(DevelopmentNumber(" 2020370200001 ")?.value == "2020370200001")
    }

    @Test("ORG-7: members are entered only into branches")
    func onlyBranches() {
        let id = idNumber(born: "20000101")
        for category in OrgCategory.allCases {
            if category.holdsMembers {
                #expect(throws: Never.self) { try validate(id, joined: "2020-05-04", number: "2020370200001", category: category) }
            } else {
                #expect(throws: MembershipRules.Violation.notABranch(category)) {
                    try validate(id, joined: "2020-05-04", number: "2020370200001", category: category)
                }
            }
        }
    }

    @Test("join dates in the future or before birth are refused")
    func joinDates() {
        let id = idNumber(born: "20000101")
        #expect(throws: MembershipRules.Violation.joinDateInFuture) { try validate(id, joined: "2026-11-26", number: "2026370200001") }
        #expect(throws: MembershipRules.Violation.joinDateBeforeBirth) { try validate(id, joined: "1999-12-31", number: nil) }
    }

    @Test("ARC-1: an archive is required for joins on or after 2020-01-01")
    func archiveRequired() {
        func member(_ joined: String) -> Member {
            Member(
                personID: PersonID(rawValue: "p")!, name: "张三", idNumber: idNumber(born: "20000101"),
                branchID: OrgID(rawValue: "b")!, joinedOn: date(joined), developmentNumber: nil)
        }
        #expect(!member("2019-12-31").needsArchive)
        #expect(member("2020-01-01").needsArchive)
    }
}

@Suite("New-member figures")
struct NewMemberCountsTests {
    static let day2019 = CivilDate(year: 2019, month: 5, day: 4)!
    static let day2021 = CivilDate(year: 2021, month: 5, day: 4)!

    @Test("ARC-9, STA-1: only verified new members are counted, by the gate's rule; members from before 2020 are not new")
    func countedByTheGate() {
        let counts = NewMemberCounts([
            MemberTally(joinedOn: Self.day2019, identityVerified: false, archiveUploaded: false, members: 7),
            MemberTally(joinedOn: Self.day2021, identityVerified: true, archiveUploaded: true, members: 3),
            MemberTally(joinedOn: Self.day2021, identityVerified: false, archiveUploaded: true, members: 2),
            MemberTally(joinedOn: Self.day2021, identityVerified: false, archiveUploaded: false, members: 4),
        ])
        #expect(counts.newMembers == 9)
        #expect(counts.verified == 3)
        #expect(counts.unverified == 6)
        #expect(counts.withoutArchive == 4)
        #expect(counts.counted == 3)
        #expect(NewMemberGate.admits(joinedOn: Self.day2021, identityVerified: false) == false)
    }
}

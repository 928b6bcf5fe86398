import Testing
@testable import Domain

/// MEM-1: 18 characters, GB 11643 check digit, birth date taken from the number.
@Suite("ID numbers (MEM-1)")
struct IDNumberTests {
    let today = CivilDate(year: 2026, month: 11, day: 25)!

    @Test("the published GB 11643 example validates and yields its birth date and gender")
    func publishedExample() throws {
        // The standard's worked example: 11010519491231002X.
        let n = try IDNumber("11010519491231002X", today: today)
        #expect(n.birthDate == CivilDate(year: 1949, month: 12, day: 31))
        #expect(n.gender == .female)
        #expect(n.value == "11010519491231002X")
    }

    @Test("a lower-case x is accepted and normalised")
    func lowercaseX() throws {
        #expect(try IDNumber("11010519491231002x", today: today).value == "11010519491231002X")
    }

    @Test("every wrong check character is refused")
    func wrongCheckDigit() {
        let valid = IDNumber.completing("37021120020315123")
        for c in "0123456789X" where String(c) != String(valid.last!) {
            let tampered = String(valid.dropLast()) + String(c)
            #expect(throws: IDNumber.Invalid.checkDigitMismatch) { try IDNumber(tampered, today: today) }
        }
    }

    @Test("impossible and future birth dates are refused")
    func birthDates() {
        #expect(throws: IDNumber.Invalid.impossibleBirthDate) {
            try IDNumber(IDNumber.completing("37021120020229123"), today: today)  // 2002 is not a leap year
        }
        #expect(throws: IDNumber.Invalid.impossibleBirthDate) {
            try IDNumber(IDNumber.completing("37021120021301123"), today: today)
        }
        #expect(throws: IDNumber.Invalid.birthDateInFuture) {
            try IDNumber(IDNumber.completing("37021120270101123"), today: today)
        }
        #expect(throws: Never.self) { try IDNumber(IDNumber.completing("37021120040229123"), today: today) }
    }

    @Test("length, characters and region are checked")
    func shape() {
        #expect(throws: IDNumber.Invalid.wrongLength) { try IDNumber("3702112002031512", today: today) }
        #expect(throws: IDNumber.Invalid.badCharacters) { try IDNumber("3702112002031512A4", today: today) }
        #expect(throws: IDNumber.Invalid.badCharacters) { try IDNumber("X70211200203151234", today: today) }
        #expect(throws: IDNumber.Invalid.unknownRegion) {
            try IDNumber(IDNumber.completing("99021120020315123"), today: today)
        }
    }

    @Test("the gender comes from the parity of the 17th digit")
    func gender() {
        #expect(idNumber(born: "20020315", seq: "121").gender == .male)
        #expect(idNumber(born: "20020315", seq: "122").gender == .female)
    }

    @Test("masking keeps 3 leading and 4 trailing characters, and description never shows the full number")
    func masking() {
        let n = idNumber(born: "20020315", seq: "123")
        #expect(n.masked.count == 18)
        #expect(n.masked.hasPrefix("370***********"))
        #expect(n.masked.hasSuffix(String(n.value.suffix(4))))
        #expect("\(n)" == n.masked)
        // Text that is not a valid number (as a log line might carry) masks by characters.
        #expect(IDNumber.mask("1234567") == "*******")
        #expect(IDNumber.mask("12345678") == "123*5678")
        #expect(IDNumber.mask("团员身份证号码长文本") == "团员身***码长文本")
        #expect(!"\(n)".contains("20020315"))
    }

    @Test("ADM-6: the initial password is the last eight characters")
    func initialPassword() {
        let n = idNumber(born: "20020315", seq: "123")
        #expect(n.initialPassword == String(n.value.suffix(8)))
    }

    @Test("Xinjiang numbers start with 65")
    func xinjiang() {
        #expect(idNumber("650102", born: "20020315").isXinjiang)
        #expect(!idNumber(born: "20020315").isXinjiang)
    }
}

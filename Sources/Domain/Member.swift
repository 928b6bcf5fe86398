/// A league member (团员): a person whose organisational relationship sits in one branch
/// (MEM-5, ORG-7).
public struct Member: Hashable, Sendable {
    public let personID: PersonID
    public let name: String
    public let idNumber: IDNumber
    public let branchID: OrgID
    /// The day the upper committee approved the joining (入团时间). ARC-1 and ARC-8 count from it.
    public let joinedOn: CivilDate
    public let developmentNumber: DevelopmentNumber?

    public var gender: Gender { idNumber.gender }

    public init(
        personID: PersonID, name: String, idNumber: IDNumber, branchID: OrgID, joinedOn: CivilDate,
        developmentNumber: DevelopmentNumber?
    ) {
        self.personID = personID
        self.name = name
        self.idNumber = idNumber
        self.branchID = branchID
        self.joinedOn = joinedOn
        self.developmentNumber = developmentNumber
    }

    /// ARC-1: members who joined on or after 2020-01-01 must have an e-archive.
    public static let archiveRequiredFrom = CivilDate(year: 2020, month: 1, day: 1)!

    public var needsArchive: Bool { joinedOn >= Member.archiveRequiredFrom }
}

/// 发展团员编号: digits whose first four are the join year (MEM-4).
public struct DevelopmentNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public var year: Int { Int(value.prefix(4))! }
    public var description: String { value }

    /// Accepts 8 to 20 ASCII digits starting with a plausible year. **(decided)** the manual
    /// gives no length; 8–20 covers every format seen in practice without admitting junk.
    public init?(_ raw: String) {
        let edges = (raw.utf8.first, raw.utf8.last)
        let isDigit = { (b: UInt8?) in b.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
        // Trimming walks characters: skipped when the text already starts and ends with a digit.
        let v = isDigit(edges.0) && isDigit(edges.1) ? raw : raw.trimmingWhitespace()
        guard (8...20).contains(v.utf8.count),
            v.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let year = Int(v.prefix(4)), (1922...9999).contains(year)
        else { return nil }
        value = v
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let n = DevelopmentNumber(raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid development number"))
        }
        self = n
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// The rules a new member's record must satisfy before it can be entered.
public enum MembershipRules {
    public enum Violation: Error, Equatable, Sendable {
        case emptyName
        /// MEM-3: too young on the join date.
        case tooYoungToJoin(minimumAge: Int, ageAtJoining: Int)
        case joinDateInFuture
        case joinDateBeforeBirth
        /// MEM-4: required for joins from 2017-01-01 (Xinjiang from 2016-01-01).
        case developmentNumberRequired
        /// MEM-4: the first four digits must be the join year.
        case developmentNumberYearMismatch(joinYear: Int, numberYear: Int)
        /// ORG-7: members sit only in branches.
        case notABranch(OrgCategory)
    }

    /// MEM-3: at least 13 for joins from 2017-01-01, 12 before; Xinjiang at least 13 always.
    public static func minimumJoinAge(joinedOn: CivilDate, xinjiang: Bool) -> Int {
        if xinjiang { return 13 }
        return joinedOn >= CivilDate(year: 2017, month: 1, day: 1)! ? 13 : 12
    }

    /// MEM-4: from when a development number is required.
    public static func developmentNumberRequiredFrom(xinjiang: Bool) -> CivilDate {
        CivilDate(year: xinjiang ? 2016 : 2017, month: 1, day: 1)!
    }

    /// Every check on a new member's record; uniqueness of the development number is the
    /// schema's job (a unique index), since only the database sees all members at once.
    public static func validate(
        name: String, idNumber: IDNumber, joinedOn: CivilDate, developmentNumber: DevelopmentNumber?,
        branchCategory: OrgCategory, today: CivilDate
    ) throws(Violation) {
        if name.trimmingWhitespace().isEmpty { throw .emptyName }
        guard branchCategory.holdsMembers else { throw .notABranch(branchCategory) }
        if joinedOn > today { throw .joinDateInFuture }
        if joinedOn < idNumber.birthDate { throw .joinDateBeforeBirth }
        let minimum = minimumJoinAge(joinedOn: joinedOn, xinjiang: idNumber.isXinjiang)
        let age = idNumber.birthDate.age(on: joinedOn)
        if age < minimum { throw .tooYoungToJoin(minimumAge: minimum, ageAtJoining: age) }
        if let number = developmentNumber {
            if number.year != joinedOn.year {
                throw .developmentNumberYearMismatch(joinYear: joinedOn.year, numberYear: number.year)
            }
        } else if joinedOn >= developmentNumberRequiredFrom(xinjiang: idNumber.isXinjiang) {
            throw .developmentNumberRequired
        }
    }
}

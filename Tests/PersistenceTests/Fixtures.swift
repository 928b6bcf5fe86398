import Domain
import Persistence

let t0 = Timestamp(text: "2026-11-25T02:00:00.000Z")!

func idNumber(_ region: String = "370211", born: String, seq: String) -> IDNumber {
    try! IDNumber(IDNumber.completing(region + born + seq), today: CivilDate(year: 2026, month: 11, day: 25)!)
}

/// A small tree in the database: root → province → school committee → 团总支 → two branches,
/// plus another school.
struct SeededTree {
    let root, province, school, zongzhi, class1, class2, otherSchool, otherBranch: Org

    init(in database: Database) async throws {
        root = try Org.root(id: OrgID(rawValue: "tzy")!, name: "团中央")
        province = try root.child(id: OrgID(rawValue: "sd")!, name: "团山东省委", category: .leadingOrgan)
        school = try province.child(id: OrgID(rawValue: "upc")!, name: "某大学团委", category: .committee)
        zongzhi = try school.child(id: OrgID(rawValue: "upc-z")!, name: "2020级团总支", category: .generalBranch)
        class1 = try zongzhi.child(id: OrgID(rawValue: "upc-z-1")!, name: "2020级1班团支部", category: .branch)
        class2 = try zongzhi.child(id: OrgID(rawValue: "upc-z-2")!, name: "2020级2班团支部", category: .branch)
        otherSchool = try province.child(id: OrgID(rawValue: "qdu")!, name: "另一大学团委", category: .committee)
        otherBranch = try otherSchool.child(id: OrgID(rawValue: "qdu-1")!, name: "1班团支部", category: .branch)
        let orgs = SQLOrgRepository(database.sql)
        for org in [root, province, school, zongzhi, class1, class2, otherSchool, otherBranch] {
            try await orgs.insert(org, at: t0)
        }
    }

    /// Inserts a person and makes them a member of `branch`.
    @discardableResult
    func addMember(
        _ database: Database, id: String, born: String = "20020315", seq: String, branch: Org, joined: String = "2020-05-04",
        number: String?
    ) async throws -> Member {
        let person = PersonRecord(id: PersonID(rawValue: id)!, name: "成员\(id)", idNumber: idNumber(born: born, seq: seq))
        try await SQLPersonRepository(database.sql).insert(person, at: t0)
        let member = Member(
            personID: person.id, name: person.name, idNumber: person.idNumber, branchID: branch.id,
            joinedOn: CivilDate(iso: joined)!, developmentNumber: number.flatMap(DevelopmentNumber.init))
        try await SQLMemberRepository(database.sql).insert(member, at: t0)
        return member
    }
}

/// Runs `body` and returns the constraint violation it raised, or nil when it succeeded or
/// failed otherwise.
func violation(_ body: () async throws -> Void) async -> ConstraintViolation? {
    do {
        try await body()
        return nil
    } catch {
        return ConstraintViolation(error)
    }
}

import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// The rules the schema itself enforces, so that no code path can bypass them.
@Suite("Schema constraints")
struct SchemaConstraintTests {
    @Test("ORG-1: one tree, so a second root is refused")
    func singleRoot() async throws {
        try await TestDatabase.withMigrated { database in
            _ = try await SeededTree(in: database)
            let second = try Org.root(id: OrgID(rawValue: "other-root")!, name: "另一个根")
            let v = await violation { try await SQLOrgRepository(database.sql).insert(second, at: t0) }
            #expect(v == .unique(detail: v?.detail ?? ""))
            #expect(v != nil)
        }
    }

    @Test("two children of one parent cannot share a short name")
    func siblingNames() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let twin = try tree.zongzhi.child(id: OrgID(rawValue: "twin")!, name: tree.class1.name, category: .branch)
            let v = await violation { try await SQLOrgRepository(database.sql).insert(twin, at: t0) }
            guard case .unique = v else { Issue.record("expected a unique violation, got \(String(describing: v))"); return }
        }
    }

    @Test("ORG-7: a member cannot be placed in a 团总支 or 团委, even by raw SQL")
    func membersOnlyInBranches() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let v = await violation {
                try await tree.addMember(database, id: "p1", seq: "101", branch: tree.zongzhi, number: "2020370200001")
            }
            guard case .foreignKey = v else { Issue.record("expected a foreign-key violation, got \(String(describing: v))"); return }
            // The flag column cannot be turned off to sneak past the composite key.
            let raw = await violation {
                try await database.sql.raw("""
                    INSERT INTO members (person_id, branch_id, branch_holds_members, joined_on, created_at)
                    VALUES ('p1', 'upc-z', FALSE, '2020-05-04', 'x')
                    """).run()
            }
            #expect(raw != nil)
        }
    }

    @Test("MEM-5: a person is a member of exactly one branch")
    func oneBranch() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let member = try await tree.addMember(database, id: "p1", seq: "101", branch: tree.class1, number: "2020370200001")
            let again = Member(
                personID: member.personID, name: member.name, idNumber: member.idNumber, branchID: tree.class2.id,
                joinedOn: member.joinedOn, developmentNumber: nil)
            let v = await violation { try await SQLMemberRepository(database.sql).insert(again, at: t0) }
            guard case .unique = v else { Issue.record("expected a unique violation, got \(String(describing: v))"); return }
        }
    }

    @Test("MEM-4: a development number is unique, and its first four digits are the join year")
    func developmentNumbers() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            try await tree.addMember(database, id: "p1", seq: "101", branch: tree.class1, number: "2020370200001")
            let taken = await violation {
                try await tree.addMember(database, id: "p2", seq: "103", branch: tree.class2, number: "2020370200001")
            }
            guard case .unique = taken else { Issue.record("expected a unique violation, got \(String(describing: taken))"); return }
            let holder = try await SQLMemberRepository(database.sql).holder(ofDevelopmentNumber: DevelopmentNumber("2020370200001")!)
            #expect(holder?.member.personID == PersonID(rawValue: "p1"))
            let wrongYear = await violation {
                try await tree.addMember(database, id: "p3", seq: "105", branch: tree.class2, joined: "2021-05-04", number: "2020370200003")
            }
            guard case .check = wrongYear else { Issue.record("expected a check violation, got \(String(describing: wrongYear))"); return }
        }
    }

    @Test("MEM-1: one person per ID number")
    func uniqueIDNumber() async throws {
        try await TestDatabase.withMigrated { database in
            let people = SQLPersonRepository(database.sql)
            let id = idNumber(born: "20020315", seq: "101")
            try await people.insert(PersonRecord(id: PersonID(rawValue: "p1")!, name: "甲", idNumber: id), at: t0)
            let v = await violation { try await people.insert(PersonRecord(id: PersonID(rawValue: "p2")!, name: "乙", idNumber: id), at: t0) }
            guard case .unique = v else { Issue.record("expected a unique violation, got \(String(describing: v))"); return }
        }
    }

    @Test("ADM-3: at most two admins per org, each holding a post in it")
    func admins() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let people = SQLPersonRepository(database.sql)
            let cadres = SQLCadreRepository(database.sql)
            for (i, id) in ["c1", "c2", "c3", "c4"].enumerated() {
                try await people.insert(
                    PersonRecord(id: PersonID(rawValue: id)!, name: "干部\(i)", idNumber: idNumber(born: "19900101", seq: "1\(i)1")), at: t0)
            }
            for id in ["c1", "c2", "c3"] {
                try await cadres.insert(CadrePost(personID: PersonID(rawValue: id)!, orgID: tree.school.id, title: "副书记"), at: t0)
            }
            try await cadres.appointAdmin(PersonID(rawValue: "c1")!, of: tree.school.id, slot: 1, at: t0)
            try await cadres.appointAdmin(PersonID(rawValue: "c2")!, of: tree.school.id, slot: 2, at: t0)
            let third = await violation { try await cadres.appointAdmin(PersonID(rawValue: "c3")!, of: tree.school.id, slot: 3, at: t0) }
            guard case .check = third else { Issue.record("expected a check violation, got \(String(describing: third))"); return }
            let taken = await violation { try await cadres.appointAdmin(PersonID(rawValue: "c3")!, of: tree.school.id, slot: 1, at: t0) }
            guard case .unique = taken else { Issue.record("expected a unique violation, got \(String(describing: taken))"); return }
            let notCadre = await violation { try await cadres.appointAdmin(PersonID(rawValue: "c4")!, of: tree.class1.id, slot: 1, at: t0) }
            guard case .foreignKey = notCadre else { Issue.record("expected a foreign-key violation, got \(String(describing: notCadre))"); return }
            #expect(try await cadres.admins(of: tree.school.id).map(\.rawValue) == ["c1", "c2"])
            #expect(try await cadres.administeredOrgs(by: PersonID(rawValue: "c1")!).map(\.id) == [tree.school.id])
        }
    }
}

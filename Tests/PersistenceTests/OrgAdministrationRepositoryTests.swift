import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// The org tree's administration in the schema: ORG-4's fixed fields, ORG-10's marks, the
/// information row and the progress query.
@Suite("Org administration repository")
struct OrgAdministrationRepositoryTests {
    @Test("ORG-10: a deleted org keeps its row, disappears from live reads, gets no members or sub-orgs; the mark stays")
    func deletion() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let repo = database.repositories.orgAdministration
            let person = PersonRecord(id: PersonID(rawValue: "p1")!, name: "管理员", idNumber: idNumber(born: "19900101", seq: "111"))
            try await database.repositories.people.insert(person, at: t0)
            try await repo.markDeleted(tree.class2.id, by: person.id, at: t0)
            #expect(try await database.repositories.orgs.find(tree.class2.id) == nil)
            #expect(try await database.repositories.orgs.children(of: tree.zongzhi.id).map(\.id) == [tree.class1.id])
            #expect(try await database.repositories.orgs.find([tree.class2.id]).count == 1)  // history still names it
            await #expect(throws: ConcurrentChange.self) { try await repo.markDeleted(tree.class2.id, by: person.id, at: t0) }
            await #expect(throws: (any Error).self) {
                try await tree.addMember(database, id: "m1", seq: "221", branch: tree.class2, number: "2020370200999")
            }
            // Built by hand: the domain would refuse a branch below a branch before the schema could.
            let child = Org(
                id: OrgID(rawValue: "x")!, parentID: tree.class2.id, name: "x团支部", fullName: "x团支部", category: .branch,
                path: tree.class2.path.appending(OrgID(rawValue: "x")!), upperCommitteeID: tree.school.id)
            await #expect(throws: (any Error).self) { try await database.repositories.orgs.insert(child, at: t0) }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM orgs WHERE id = 'upc-z-2'").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE orgs SET deleted_at = NULL WHERE id = 'upc-z-2'").run() }
            // The name is free again under the same parent.
            let again = try tree.zongzhi.child(id: OrgID(rawValue: "upc-z-2b")!, name: tree.class2.name, category: .branch)
            try await repo.insert(again, industryCategory: .university, at: t0)
        }
    }

    @Test("ORG-4: names, category and path never change; the industry category is set once")
    func fixedFields() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let repo = database.repositories.orgAdministration
            for statement in [
                "UPDATE orgs SET name = '改名团支部' WHERE id = 'upc-z-1'", "UPDATE orgs SET full_name = '改名' WHERE id = 'upc-z-1'",
                "UPDATE orgs SET category = 'special_pool' WHERE id = 'upc-z-1'", "UPDATE orgs SET path = '/x/' WHERE id = 'upc-z-1'",
            ] {
                await #expect(throws: (any Error).self, "\(statement)") { try await database.sql.raw(SQLQueryString(statement)).run() }
            }
            try await repo.setIndustryCategory(.university, of: tree.class1.id)
            await #expect(throws: ConcurrentChange.self) { try await repo.setIndustryCategory(.rural, of: tree.class1.id) }
            await #expect(throws: (any Error).self) {
                try await database.sql.raw("UPDATE orgs SET industry_category = '农村' WHERE id = 'upc-z-1'").run()
            }
            #expect(try await repo.details(tree.class1.id)?.industryCategory == .university)
        }
    }

    @Test("ORG-5: the information is saved by revision; the schema keeps the bounds")
    func profile() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let repo = database.repositories.orgAdministration
            let profile = OrgProfile(secretaryName: "王强", secretaryMobile: "13800000000", youthCount: 40)
            try await repo.saveProfile(profile, of: tree.class1.id, expectedRevision: 0, by: nil, at: t0)
            await #expect(throws: ConcurrentChange.self) { try await repo.saveProfile(profile, of: tree.class1.id, expectedRevision: 0, by: nil, at: t0) }
            var next = profile
            next.youthCount = 41
            try await repo.saveProfile(next, of: tree.class1.id, expectedRevision: 1, by: nil, at: t0)
            await #expect(throws: ConcurrentChange.self) { try await repo.saveProfile(next, of: tree.class1.id, expectedRevision: 1, by: nil, at: t0) }
            let details = try #require(try await repo.details(tree.class1.id))
            #expect(details.profile == next)
            #expect(details.profileRevision == 2)
            next.youthCount = 10001
            await #expect(throws: (any Error).self) { try await repo.saveProfile(next, of: tree.class1.id, expectedRevision: 2, by: nil, at: t0) }
        }
    }

    @Test("ORG-9: progress rows of a level in one query, with admins and the sub-org count")
    func progress() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let repo = database.repositories.orgAdministration
            let counts = try await repo.depthCounts(below: tree.school.path)
            #expect(counts.map(\.depth) == [3, 4])
            #expect(counts.map(\.count) == [1, 2])
            let zongzhi = try await repo.progressRows(below: tree.school.path, depth: 3)
            #expect(zongzhi.map(\.details.org.id) == [tree.zongzhi.id])
            #expect(zongzhi[0].details.subOrgCount == 2)
            #expect(zongzhi[0].parentName == tree.school.name)
            #expect(zongzhi[0].loggedIn == false)
            #expect(zongzhi[0].adminNames.isEmpty)
        }
    }
}

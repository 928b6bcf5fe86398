import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// Migration 0009's constraints (ADM-1, ADM-3, ADM-4), on whichever backend the run selects.
@Suite("Admin onboarding schema")
struct AdminSchemaTests {
    static func cadre(_ database: Database, _ tree: SeededTree, id: String, seq: String, org: Org) async throws -> PersonID {
        let person = PersonRecord(id: PersonID(rawValue: id)!, name: "干部\(id)", idNumber: idNumber(born: "19900101", seq: seq))
        try await SQLPersonRepository(database.sql).insert(person, at: t0)
        try await SQLCadreRepository(database.sql).insert(CadrePost(personID: person.id, orgID: org.id, title: "书记"), at: t0)
        return person.id
    }

    @Test("ADM-3: two active slots per org and cadres only; a revoked appointment stays and frees its slot; org_admins shows the active ones")
    func appointments() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let a = try await Self.cadre(database, tree, id: "p-a", seq: "101", org: tree.class1)
            let b = try await Self.cadre(database, tree, id: "p-b", seq: "103", org: tree.class1)
            let c = try await Self.cadre(database, tree, id: "p-c", seq: "105", org: tree.class1)
            let outsider = try await Self.cadre(database, tree, id: "p-d", seq: "107", org: tree.class2)
            let admins = SQLAdminRepository(database.sql)
            try await admins.appoint(a, of: tree.class1.id, slot: 1, by: nil, at: t0)
            try await admins.appoint(b, of: tree.class1.id, slot: 2, by: nil, at: t0)
            #expect(await violation { try await admins.appoint(c, of: tree.class1.id, slot: 2, by: nil, at: t0) } != nil, "a taken slot")
            #expect(await violation { try await admins.appoint(c, of: tree.class1.id, slot: 3, by: nil, at: t0) } != nil, "no third slot")
            #expect(await violation { try await admins.appoint(outsider, of: tree.class1.id, slot: 1, by: nil, at: t0) } != nil, "not a cadre")
            try await admins.revoke(a, of: tree.class1.id, by: b, at: t0)
            try await admins.appoint(c, of: tree.class1.id, slot: 1, by: b, at: t0)
            #expect(try await admins.activeAdmins(of: tree.class1.id).slots == [1: c, 2: b])
            #expect(try await SQLCadreRepository(database.sql).admins(of: tree.class1.id) == [c, b])
            let all = try await database.sql.raw("SELECT COUNT(*) AS n FROM admin_appointments").first()
            #expect(try all?.decode(column: "n", as: Int.self) == 3, "the revoked row is kept")
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM admin_appointments").run() }
        }
    }

    @Test("ADM-1: one current code per org; a new one supersedes it; a used code cannot be used again; rows are never deleted")
    func codes() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let issuer = try await Self.cadre(database, tree, id: "p-z", seq: "111", org: tree.zongzhi)
            let admins = SQLAdminRepository(database.sql)
            let later = t0.adding(seconds: 20 * 24 * 3600)
            let h1 = String(repeating: "1", count: 64), h2 = String(repeating: "2", count: 64)
            try await admins.issueRegistrationCode(id: "c1", org: tree.class1.id, codeHash: h1, issuedBy: issuer, at: t0, expiresAt: later)
            try await admins.issueRegistrationCode(id: "c2", org: tree.class1.id, codeHash: h2, issuedBy: issuer, at: t0.adding(seconds: 1), expiresAt: later)
            #expect(try await admins.registrationCode(org: tree.class1.id, codeHash: h1)?.supersededAt != nil)
            #expect(try await admins.currentRegistrationCodes(of: [tree.class1.id, tree.class2.id]).mapValues(\.id) == [tree.class1.id: "c2"])
            #expect(try await admins.registrationCode(org: tree.class2.id, codeHash: h2) == nil, "another org's code is not found")
            #expect(try await admins.consumeRegistrationCode(id: "c1", by: issuer, at: t0) == false, "a superseded code")
            #expect(try await admins.consumeRegistrationCode(id: "c2", by: issuer, at: t0) == true)
            #expect(try await admins.consumeRegistrationCode(id: "c2", by: issuer, at: t0) == false, "used once")
            #expect(await violation {
                try await database.sql.raw("UPDATE registration_codes SET superseded_at = NULL WHERE id = 'c1'").run()
            } != nil, "two current codes for one org")
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM registration_codes").run() }
        }
    }
}

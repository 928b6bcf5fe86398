import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// Migration 18's materialised ancestry, on both backends.
@Suite("Org ancestry")
struct OrgAncestryTests {
    @Test("every org has a row for itself and each org on its path, written when it is inserted, and never changed")
    func ancestry() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let extra: Org? = try tree.zongzhi.child(id: OrgID(rawValue: "upc-z-3")!, name: "2020级3班团支部", category: .branch)
            try await SQLOrgRepository(database.sql).insert(extra!, at: t0)
            for org in [tree.root, tree.school, tree.class1, extra!] {
                let rows = try await database.sql.raw("SELECT ancestor_id FROM org_ancestry WHERE descendant_id = \(bind: org.id.rawValue) ORDER BY ancestor_id")
                    .all().map { try $0.decode(column: "ancestor_id", as: String.self) }
                #expect(rows == org.path.ids.map(\.rawValue).sorted(), "\(org.id)")
            }
            let below = try await database.sql.raw("SELECT COUNT(*) AS n FROM org_ancestry WHERE ancestor_id = 'upc-z'").first()!.decode(column: "n", as: Int.self)
            #expect(below == 4, "the 团总支 itself and its three branches")
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM org_ancestry").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE org_ancestry SET ancestor_id = 'qdu'").run() }
        }
    }
}

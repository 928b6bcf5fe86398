import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// The rectification tables of migration 17 on both backends.
@Suite("Rectification store")
struct RectificationStoreTests {
    @Test("RCT-1: the year's items are data; entries are append-only and numbered, a second writer of a number loses; the form's ratings come back in order")
    func store() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let admin = try await tree.addMember(database, id: "p1", seq: "101", branch: tree.class1, number: "2020370200001")
            let store = SQLRectificationRepository(database.sql)
            #expect(try await store.items(year: 2026).count == 10)
            #expect(try await store.items(year: 2019).isEmpty)
            let ratings = [CheckRating.poor, .good, .fairlyGood, .average, .good, .good, .good, .good, .good, .good]
            try await store.append(
                "r1", org: tree.class1.id, year: 2026, seq: 1, entry: .submit(poor: 1, month: 11, byParent: false), ratings: ratings,
                actingOrg: tree.class1.id, person: admin.personID, at: t0)
            await #expect(throws: ConcurrentChange(table: "rectification_entries")) {
                try await store.append("r2", org: tree.class1.id, year: 2026, seq: 1, entry: .approve, ratings: nil, actingOrg: tree.zongzhi.id, person: admin.personID, at: t0)
            }
            try await store.append("r3", org: tree.class1.id, year: 2026, seq: 2, entry: .approve, ratings: nil, actingOrg: tree.zongzhi.id, person: admin.personID, at: t0)
            let year = try #require(try await store.year(2026, of: tree.class1.id))
            #expect(year.record.entries == [.submit(poor: 1, month: 11, byParent: false), .approve])
            #expect(year.latestRatings == ratings)
            #expect(year.record.state.status == .basicallyQualified)
            #expect(try await store.children(of: tree.zongzhi.id, year: 2026).map(\.org.id) == [tree.class1.id, tree.class2.id])
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE rectification_entries SET poor_count = 0").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM rectification_entries").run() }
            // A submission carries its month, count and ratings; nothing else does.
            await #expect(throws: (any Error).self) {
                try await database.sql.raw("""
                    INSERT INTO rectification_entries (id, org_id, year, seq, kind, by_parent, acting_org_id, person_id, recorded_at)
                    VALUES ('r4', 'upc-z-1', 2026, 3, 'submit', false, 'upc-z-1', 'p1', 'x')
                    """).run()
            }
        }
    }
}

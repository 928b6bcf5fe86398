import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// The grading tables of migration 14 on both backends (GRA-1 … GRA-5).
@Suite("Grading store")
struct GradingStoreTests {
    @Test("GRA-1: a year's criteria are the latest set published for it, as data; entries are append-only and numbered, a second writer of the same number loses; the year locks once")
    func store() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let admin = try await tree.addMember(database, id: "p1", seq: "101", branch: tree.class1, number: "2020370200001")
            let grading = SQLGradingRepository(database.sql)

            #expect(try await grading.criteria(year: 2026).count == 8)
            #expect(try await grading.criteria(year: 2019).isEmpty)
            // Next year's table is rows inserted, not code changed.
            try await database.sql.raw("""
                INSERT INTO grading_criteria (first_year, position, dimension, weight, content, indicator)
                VALUES (2027, 1, '班子建设', '25% 左右', '1. 班子配备齐整', '新一年的指标。')
                """).run()
            #expect(try await grading.criteria(year: 2026).count == 8)
            #expect(try await grading.criteria(year: 2028).map(\.weight) == ["25% 左右"])

            // Without a founding record, the org was founded the day it was created.
            let empty = try #require(try await grading.year(2026, of: tree.class1.id))
            #expect(empty.foundedOn == t0.chinaDate)
            #expect(empty.record.entries.isEmpty)
            try await grading.recordFounding(of: tree.class1.id, on: CivilDate(year: 2020, month: 9, day: 1)!)
            #expect(try await grading.year(2026, of: tree.class1.id)?.foundedOn == CivilDate(year: 2020, month: 9, day: 1)!)

            try await grading.append("g1", org: tree.class1.id, year: 2026, seq: 1, entry: .selfGrade(.threeStars), actingOrg: tree.class1.id, person: admin.personID, at: t0)
            await #expect(throws: ConcurrentChange(table: "grading_entries")) {
                try await grading.append("g2", org: tree.class1.id, year: 2026, seq: 1, entry: .selfGrade(.fiveStars), actingOrg: tree.class1.id, person: admin.personID, at: t0)
            }
            try await grading.append("g3", org: tree.class1.id, year: 2026, seq: 2, entry: .review(.notGraded), actingOrg: tree.school.id, person: admin.personID, at: t0.adding(seconds: 5))
            let year = try #require(try await grading.year(2026, of: tree.class1.id))
            #expect(year.record.entries == [.selfGrade(.threeStars), .review(.notGraded)])
            #expect(year.reviewedAt == t0.adding(seconds: 5))
            #expect(try await grading.year(2025, of: tree.class1.id)?.record.entries.isEmpty == true)

            let listed = try await grading.subordinates(ofCommittee: tree.school.id, year: 2026)
            #expect(listed.map(\.org.id) == [tree.zongzhi.id, tree.class1.id, tree.class2.id])
            #expect(listed[1].record.isUnderKeyRectification)

            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE grading_entries SET grade = 'five_stars' WHERE id = 'g1'").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM grading_entries WHERE id = 'g3'").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM grading_criteria").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE org_foundings SET founded_on = '2026-01-01'").run() }
            await #expect(throws: (any Error).self) {
                try await grading.append("g4", org: tree.class1.id, year: 2026, seq: 3, entry: .selfGrade(.threeStars), actingOrg: tree.class1.id, person: admin.personID, at: t0)
                try await database.sql.raw("INSERT INTO grading_entries (id, org_id, year, seq, kind, grade, acting_org_id, person_id, recorded_at) VALUES ('g5', 'upc-z-1', 2026, 4, 'self', 'six_stars', 'upc-z-1', 'p1', 'x')").run()
            }

            #expect(try await grading.lock(year: 2026, at: t0))
            #expect(try await grading.lock(year: 2026, at: t0.adding(seconds: 60)) == false)
            #expect(try await grading.lockedAt(year: 2026) == t0)
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM grading_year_locks").run() }
        }
    }
}

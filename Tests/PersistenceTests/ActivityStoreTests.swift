import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// The activity tables of migration 16 on both backends (ACT-1).
@Suite("Activity store")
struct ActivityStoreTests {
    @Test("ACT-1: an entry is its versions; the latest one counts; a version number is taken once; withdrawal is marked once and nothing is rewritten")
    func store() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let a = try await tree.addMember(database, id: "p1", seq: "101", branch: tree.class1, number: "2020370200001")
            let b = try await tree.addMember(database, id: "p2", seq: "102", branch: tree.class1, number: "2020370200002")
            let store = SQLActivityRepository(database.sql)
            let day = CivilDate(year: 2026, month: 11, day: 20)!
            let first = ActivityDraft(kind: .lesson, heldOn: day, topic: "团课", place: "", record: "", attendees: [a.personID, b.personID])
            try await store.insert("x1", branch: tree.class1.id, first, by: a.personID, at: t0)
            #expect(try await store.find("x1")?.draft == first)
            #expect(try await store.participation(of: b.personID, limit: 10).map(\.id) == ["x1"])

            let second = ActivityDraft(kind: .lesson, heldOn: day, topic: "团课（更正）", place: "", record: "", attendees: [a.personID])
            try await store.appendVersion("x1", revision: 2, second, by: b.personID, at: t0.adding(seconds: 60))
            await #expect(throws: ConcurrentChange(table: "activity_versions")) {
                try await store.appendVersion("x1", revision: 2, first, by: b.personID, at: t0.adding(seconds: 61))
            }
            let current = try #require(try await store.find("x1"))
            #expect(current.revision == 2 && current.draft == second && current.editedBy == b.personID)
            #expect(try await store.participation(of: b.personID, limit: 10).isEmpty)
            #expect(try await store.list(branch: tree.class1.id, limit: 10).map(\.id) == ["x1"])

            try await store.withdraw("x1", by: a.personID, at: t0.adding(seconds: 120))
            await #expect(throws: ConcurrentChange(table: "activities")) { try await store.withdraw("x1", by: a.personID, at: t0) }
            #expect(try await store.list(branch: tree.class1.id, limit: 10).isEmpty)
            #expect(try await store.find("x1")?.withdrawnAt == t0.adding(seconds: 120))
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE activity_versions SET topic = 'x'").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM activity_attendees").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE activities SET withdrawn_at = NULL, withdrawn_by = NULL").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM activities").run() }
        }
    }
}

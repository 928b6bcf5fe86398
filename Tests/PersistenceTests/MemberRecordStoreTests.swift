import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// The member-record tables of migration 10 on both backends: histories append-only, removal
/// as a mark, over-age and removed members out of the counts (MEM-6, MEM-7, MEM-9).
@Suite("Member record store")
struct MemberRecordStoreTests {
    @Test("MEM-6, MEM-9: removal, real-name checks, post changes and the member audit are append-only; the removed leave lists and counts")
    func appendOnlyAndRemoval() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let a = try await tree.addMember(database, id: "p1", seq: "101", branch: tree.class1, number: "2020370200001")
            try await tree.addMember(database, id: "p2", seq: "103", branch: tree.class1, number: "2020370200002")
            let records = SQLMemberRecordRepository(database.sql)
            let members = SQLMemberRepository(database.sql)
            try await records.markRemoved(
                MemberRemovalRecord(personID: a.personID, branchID: tree.class1.id, reason: "重复录入", removedBy: a.personID, removedAt: t0))
            #expect(try await members.count(inSubtreeOf: tree.class1.path) == 1)
            #expect(try await members.page(ofSubtree: tree.class1.id, after: nil, limit: 10)?.members.map(\.member.personID.rawValue) == ["p2"])
            #expect(try await members.find(a.personID)?.removed == true)
            #expect(try await records.removal(of: a.personID)?.reason == "重复录入")

            try await records.recordIdentityCheck(
                IdentityCheckRecord(
                    id: "c1", personID: a.personID, status: .passed, checkedName: a.name, checkedIDNumber: a.idNumber.value,
                    source: .answerFile, note: nil, recordedBy: a.personID, recordedAt: t0))
            #expect(try await members.find(a.personID)?.identityStatus == .passed)
            try await records.appendAudit(
                MemberAuditEvent(id: "e1", at: t0, action: .remove, actorID: a.personID, personID: a.personID, orgPath: tree.class1.path, detail: "{}"))
            try await SQLCadrePostRepository(database.sql).appendChange(
                CadrePostChange(id: "x1", personID: a.personID, orgID: tree.class1.id, fromTitle: nil, toTitle: "书记", changedBy: a.personID, changedAt: t0))
            for statement in [
                "UPDATE member_removals SET reason = 'x'", "DELETE FROM member_removals", "UPDATE identity_checks SET status = 'failed'",
                "DELETE FROM identity_checks", "UPDATE member_audit SET detail = 'x'", "DELETE FROM member_audit",
                "UPDATE cadre_post_changes SET to_title = 'x'", "DELETE FROM cadre_post_changes",
            ] {
                await #expect(throws: (any Error).self, "\(statement)") { try await database.sql.raw(SQLQueryString(statement)).run() }
            }
        }
    }

    @Test("MEM-7: a member 28 or older without a post leaves the count; with a post stays")
    func overAgeCount() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let old = try await tree.addMember(database, id: "p1", born: "19980101", seq: "101", branch: tree.class1, joined: "2012-05-04", number: nil)
            try await tree.addMember(database, id: "p2", born: "20020101", seq: "103", branch: tree.class1, number: "2020370200002")
            let members = SQLMemberRepository(database.sql)
            let today = CivilDate(iso: "2026-11-25")!
            #expect(try await members.count(inSubtreeOf: tree.class1.path, today: today) == 1)
            #expect(try await members.count(inSubtreeOf: tree.class1.path) == 2)
            try await SQLCadreRepository(database.sql).insert(CadrePost(personID: old.personID, orgID: tree.class1.id, title: "书记"), at: t0)
            #expect(try await members.count(inSubtreeOf: tree.class1.path, today: today) == 2)
            #expect(try await members.find(old.personID)?.holdsLeaguePost == true)
        }
    }
}

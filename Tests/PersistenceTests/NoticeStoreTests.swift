import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// The notice tables of migration 15 on both backends.
@Suite("Notice store")
struct NoticeStoreTests {
    @Test("a notice is kept as published and a read once; the readers are the admins below, unread first")
    func store() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let person = try await tree.addMember(database, id: "p1", seq: "101", branch: tree.class1, number: "2020370200001")
            let notices = SQLNoticeRepository(database.sql)
            let notice = NoticeRecord(id: "n1", org: tree.school, title: "通知", text: "正文", publishedBy: person.personID, publishedAt: t0)
            try await notices.insert(notice)
            #expect(try await notices.find("n1") == notice)
            #expect(try await notices.received(from: [tree.school.id], by: person.personID, unreadOnly: true, limit: 10).map(\.notice.id) == ["n1"])
            #expect(try await notices.received(from: [tree.province.id], by: person.personID, unreadOnly: false, limit: 10).isEmpty)
            #expect(try await notices.markRead("n1", by: person.personID, at: t0.adding(seconds: 60)))
            #expect(try await notices.markRead("n1", by: person.personID, at: t0.adding(seconds: 120)) == false)
            #expect(try await notices.readAt("n1", by: person.personID) == t0.adding(seconds: 60))
            #expect(try await notices.received(from: [tree.school.id], by: person.personID, unreadOnly: true, limit: 10).isEmpty)
            let (readers, total, read) = try await notices.readers(of: "n1", below: tree.school.path, limit: 10)
            #expect(readers.isEmpty && total == 0 && read == 0, "no admins below in this tree")
            #expect(try await notices.published(by: tree.school.id, limit: 10).map(\.reads) == [1])
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE notices SET title = 'x'").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM notice_reads").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM notices").run() }
        }
    }
}

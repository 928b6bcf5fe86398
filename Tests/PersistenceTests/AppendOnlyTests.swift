import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// "Nothing recorded is ever overwritten or deleted": the schema refuses it.
@Suite("Append-only history")
struct AppendOnlyTests {
    @Test("UPDATE and DELETE on the audit log are refused by the database")
    func auditLog() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let member = try await tree.addMember(database, id: "p1", seq: "101", branch: tree.class1, number: "2020370200001")
            let archive = ArchiveRecord(
                id: ArchiveID(rawValue: "a1")!, memberID: member.personID, state: .notUploaded, pendingSince: nil,
                reviewerOrgID: tree.school.id, revision: 1)
            try await SQLArchiveRepository(database.sql).insert(archive, at: t0)
            let audit = SQLAuditRepository(database.sql)
            for action in [AuditAction.upload, .approve] {
                try await audit.append(
                    AuditEvent(
                        at: t0, action: action, actorID: member.personID, memberID: member.personID, branchPath: tree.class1.path,
                        archiveID: archive.id, version: 1, sha256: String(repeating: "a", count: 64), detail: nil))
            }
            let entries = try await audit.all()
            #expect(entries.map(\.seq) == [1, 2])
            #expect(entries[1].prevHash == entries[0].hash)
            #expect(AuditChain.verify(entries).isEmpty)
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE audit_log SET detail = 'x' WHERE seq = 1").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM audit_log WHERE seq = 2").run() }
            #expect(try await audit.all() == entries)
        }
    }

    @Test("a deleted or reordered entry breaks the chain")
    func chainBreaks() {
        let path = OrgPath([OrgID(rawValue: "a")!])
        func event(_ detail: String) -> AuditEvent {
            AuditEvent(
                at: t0, action: .download, actorID: PersonID(rawValue: "p")!, memberID: PersonID(rawValue: "p")!, branchPath: path,
                archiveID: ArchiveID(rawValue: "x")!, version: 1, sha256: nil, detail: detail)
        }
        var entries: [AuditEntry] = []
        var prev = AuditChain.genesis
        for (i, d) in ["a", "b", "c"].enumerated() {
            let hash = AuditChain.hash(seq: i + 1, event: event(d), prevHash: prev)
            entries.append(AuditEntry(seq: i + 1, event: event(d), prevHash: prev, hash: hash))
            prev = hash
        }
        #expect(AuditChain.verify(entries).isEmpty)
        #expect(AuditChain.verify([entries[0], entries[2]]) == [.gap(expected: 2, found: 3), .prevHashMismatch(seq: 3)])
        let edited = AuditEntry(seq: 2, event: event("B"), prevHash: entries[1].prevHash, hash: entries[1].hash)
        #expect(AuditChain.verify([entries[0], edited, entries[2]]) == [.hashMismatch(seq: 2)])
    }

    @Test("archive versions and decisions cannot be rewritten either")
    func versionsAndDecisions() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let member = try await tree.addMember(database, id: "p1", seq: "101", branch: tree.class1, number: "2020370200001")
            let archives = SQLArchiveRepository(database.sql)
            let id = ArchiveID(rawValue: "a1")!
            try await archives.insert(
                ArchiveRecord(id: id, memberID: member.personID, state: .verified(version: 1), pendingSince: nil, reviewerOrgID: tree.school.id, revision: 1),
                at: t0)
            try await archives.insertVersion(
                ArchiveVersionRecord(
                    archiveID: id, version: 1, sha256: String(repeating: "b", count: 64), bytes: 10, pages: 12, uploadedBy: member.personID,
                    uploadedByOrg: tree.class1.id, uploadedAt: t0, inspection: "{}"))
            try await archives.insertDecision(
                ArchiveDecisionRecord(
                    id: "d1", archiveID: id, version: 1, kind: .reject, reason: "不清晰", actorID: member.personID, actorOrgID: nil, decidedAt: t0))
            try await archives.insertDecision(
                ArchiveDecisionRecord(
                    id: "d2", archiveID: id, version: 1, kind: .approve, reason: nil, actorID: member.personID, actorOrgID: nil, decidedAt: t0))
            #expect(try await archives.decisions(id).map(\.id) == ["d1", "d2"])  // ordered by ordinal, not by the equal clocks
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM archive_versions").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE archive_versions SET sha256 = sha256").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE archive_decisions SET reason = 'x'").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM archive_decisions").run() }
            #expect(try await archives.versions(id).count == 1)
        }
    }
}

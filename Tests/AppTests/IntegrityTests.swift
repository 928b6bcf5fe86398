import App
import BlobStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import SQLKit
import TestSupport
import Testing

/// `zhtj verify`'s check: a flipped byte, a missing blob, an orphan and an edited audit entry
/// are each found and named.
@Suite("Integrity check (zhtj verify)")
struct IntegrityTests {
    @Test("finds corrupted, missing and orphaned blobs by SHA-256 with the members concerned, and a broken audit chain")
    func findsEveryProblem() async throws {
        try await TestDatabase.withLocation { location in
            let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-verify-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dataDirectory) }
            let config = AppConfig(
                dataDirectory: dataDirectory.path, database: location, port: 0, bcryptCost: 4,
                inspectorExecutable: zhtjExecutable?.path ?? "/nonexistent/zhtj")
            let setup = try await openDatabase(config: config, logger: TestDatabase.logger)
            try await Migrator(database: setup, logger: TestDatabase.logger).migrate()
            _ = try await DemoLoader(database: setup, passwords: PasswordHasher(cost: 4), clock: FixedTimeSource(testNow)).load()
            try await setup.close()

            let accounts = try DemoAccounts.load()
            let app = try await buildApplication(config: config, clock: FixedTimeSource(testNow), logger: TestDatabase.logger)
            let first = makePDF(pages: 12, salt: "a")
            let second = makePDF(pages: 12, salt: "b")
            try await app.test(.router) { client in
                let token = try await client.login(accounts["branch_admin"])
                #expect(try await client.upload("/api/v1/members/\(accounts["member_new"].memberId!)/archive", first, token: token).status == .created)
                #expect(try await client.upload("/api/v1/members/\(accounts["member_new_2"].memberId!)/archive", second, token: token).status == .created)
            }

            let database = try await openDatabase(config: config, logger: TestDatabase.logger)
            let blobs = try FileBlobStore(root: dataDirectory.path)
            let check = IntegrityCheck(database: database, blobs: blobs)
            let clean = try await check.run()
            #expect(clean.problems.isEmpty, "\(clean.problems)")
            #expect(clean.versionsChecked == 2)
            #expect(clean.auditEntriesChecked == 2)

            let firstSHA = sha256Hex(first)
            let secondSHA = sha256Hex(second)
            func blobPath(_ sha: String) -> String {
                dataDirectory.appendingPathComponent("blobs/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)").path
            }
            // Flip one byte of the first blob; delete the second; add an orphan.
            chmod(blobPath(firstSHA), 0o644)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: blobPath(firstSHA)))
            bytes[100] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: blobPath(firstSHA)))
            try FileManager.default.removeItem(atPath: blobPath(secondSHA))
            let orphan = try await blobs.put(Array("not referenced".utf8))
            // Edit an audit entry behind the triggers' back, as someone with database access could.
            switch database.flavor {
            case .sqlite:
                try await database.sql.raw("DROP TRIGGER audit_log_no_update").run()
            case .postgres:
                try await database.sql.raw("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only").run()
            }
            try await database.sql.raw("UPDATE audit_log SET detail = 'edited' WHERE seq = 1").run()

            let found = try await check.run()
            let problems = found.problems
            let corrupted = problems.first { $0.kind == .corrupted }
            #expect(corrupted?.sha256 == firstSHA)
            #expect(corrupted?.concerns.first?.contains("马晓东") == true)
            let missing = problems.first { $0.kind == .missing }
            #expect(missing?.sha256 == secondSHA)
            #expect(missing?.concerns.first?.contains("胡雪") == true)
            #expect(problems.contains { $0.kind == .orphaned && $0.sha256 == orphan.sha256 })
            #expect(problems.contains { $0.kind == .auditChain && $0.detail.contains("entry 1") })
            try await database.close()
        }
    }
}

func sha256Hex(_ bytes: [UInt8]) -> String {
    var hasher = SHA256Hasher()
    hasher.update(bytes)
    return hasher.hex
}

import Crypto

struct SHA256Hasher {
    var inner = SHA256()
    mutating func update(_ bytes: [UInt8]) { inner.update(data: bytes) }
    var hex: String { inner.finalize().map { String(format: "%02x", $0) }.joined() }
}

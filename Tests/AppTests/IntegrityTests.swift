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
/// are each found and named; orphans alone exit 2, any other problem 1.
@Suite("Integrity check (zhtj verify)")
struct IntegrityTests {
    @Test("finds corrupted, missing and orphaned blobs by SHA-256 with the members concerned, and a broken audit chain; orphans alone exit 2")
    func findsEveryProblem() async throws {
        let first = makePDF(pages: 12, salt: "a")
        let second = makePDF(pages: 12, salt: "b")
        try await withDemoApp(setup: nil) { environment, client in
            let accounts = try DemoAccounts.load()
            let token = try await client.login(accounts["branch_admin"])
            #expect(try await client.upload("/api/v1/members/\(accounts["member_new"].memberId!)/archive", first, token: token).status == .created)
            #expect(try await client.upload("/api/v1/members/\(accounts["member_new_2"].memberId!)/archive", second, token: token).status == .created)
            let config = environment.config
            let dataDirectory = environment.dataDirectory
            let location = config.database
            let database = try await openDatabase(config: config, logger: TestDatabase.logger)
            let blobs = try FileBlobStore(root: dataDirectory.path)
            let databaseURL: String = switch location {
            case .sqlite(let path): "sqlite:\(path)"
            case .postgres(let url): url
            }
            let clean = try verify(dataDirectory: dataDirectory.path, databaseURL: databaseURL)
            #expect(clean.status == 0, "\(clean.output)")
            #expect(clean.output.contains("checked 2 archive versions, 2 stored blobs, 2 audit entries"))

            let firstSHA = sha256Hex(first)
            let secondSHA = sha256Hex(second)
            func blobPath(_ sha: String) -> String {
                dataDirectory.appendingPathComponent("blobs/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)").path
            }
            // An orphan alone (a crash between storing a blob and recording it): its own exit code.
            let orphan = try await blobs.put(Array("not referenced".utf8))
            let orphansOnly = try verify(dataDirectory: dataDirectory.path, databaseURL: databaseURL)
            #expect(orphansOnly.status == 2, "\(orphansOnly.output)")
            #expect(orphansOnly.output.contains("orphaned blob \(orphan.sha256)"), "\(orphansOnly.output)")
            #expect(orphansOnly.output.contains("1 orphaned blob(s)"), "\(orphansOnly.output)")
            #expect(!orphansOnly.output.contains("problem(s) found"), "\(orphansOnly.output)")

            // Flip one byte of the first blob; delete the second; the orphan stays.
            chmod(blobPath(firstSHA), 0o644)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: blobPath(firstSHA)))
            bytes[100] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: blobPath(firstSHA)))
            try FileManager.default.removeItem(atPath: blobPath(secondSHA))
            // Edit an audit entry behind the triggers' back, as someone with database access could.
            switch database.flavor {
            case .sqlite:
                try await database.sql.raw("DROP TRIGGER audit_log_no_update").run()
            case .postgres:
                try await database.sql.raw("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only").run()
            }
            try await database.sql.raw("UPDATE audit_log SET detail = 'edited' WHERE seq = 1").run()
            try await database.close()

            let found = try verify(dataDirectory: dataDirectory.path, databaseURL: databaseURL)
            #expect(found.status == 1)
            #expect(found.output.contains("3 problem(s) found"), "\(found.output)")
            let lines = found.output.split(separator: "\n").map(String.init)
            #expect(lines.contains { $0.hasPrefix("corrupted blob \(firstSHA)") && $0.contains("马晓东") }, "\(found.output)")
            #expect(lines.contains { $0.hasPrefix("missing blob \(secondSHA)") && $0.contains("胡雪") }, "\(found.output)")
            #expect(lines.contains { $0.hasPrefix("orphaned blob \(orphan.sha256)") }, "\(found.output)")
            #expect(lines.contains { $0.hasPrefix("audit_chain") && $0.contains("entry 1") }, "\(found.output)")
        }
    }

    @Test("zhtj inspect and zhtj verify --help document their exit codes")
    func helpDocumentsExitCodes() throws {
        let executable = try #require(zhtjExecutable, "zhtj must be built")
        let (inspectStatus, inspect) = try run(executable.path, ["inspect", "--help"])
        #expect(inspectStatus == 0)
        for phrase in ["0 accepted", "1 refused", "64 a usage error", "3 the resource limits", "reports as damaged"] {
            #expect(inspect.contains(phrase), "zhtj inspect --help lacks '\(phrase)'")
        }
        let (verifyStatus, verify) = try run(executable.path, ["verify", "--help"])
        #expect(verifyStatus == 0)
        for phrase in ["0 everything intact", "2 only orphaned blobs", "1 a missing, corrupted"] {
            #expect(verify.contains(phrase), "zhtj verify --help lacks '\(phrase)'")
        }
    }

    /// Runs `zhtj verify` as an operator would.
    func verify(dataDirectory: String, databaseURL: String) throws -> (status: Int32, output: String) {
        let executable = try #require(zhtjExecutable, "zhtj must be built")
        return try run(executable.path, ["verify", "--data-dir", dataDirectory, "--database-url", databaseURL, "--log-level", "error"])
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

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
            // A subtree count changed without its rows (STA-1's figures would be wrong).
            try await database.sql.raw("UPDATE subtree_tallies SET members = members + 1 WHERE ancestor_id = 'upc' AND facet = 'ethnicity'").run()
            try await database.close()

            let found = try verify(dataDirectory: dataDirectory.path, databaseURL: databaseURL)
            #expect(found.status == 1)
            #expect(found.output.contains("4 problem(s) found"), "\(found.output)")
            let lines = found.output.split(separator: "\n").map(String.init)
            #expect(lines.contains { $0.hasPrefix("corrupted blob \(firstSHA)") && $0.contains("马晓东") }, "\(found.output)")
            #expect(lines.contains { $0.hasPrefix("missing blob \(secondSHA)") && $0.contains("胡雪") }, "\(found.output)")
            #expect(lines.contains { $0.hasPrefix("orphaned blob \(orphan.sha256)") }, "\(found.output)")
            #expect(lines.contains { $0.hasPrefix("audit_chain") && $0.contains("entry 1") }, "\(found.output)")
            #expect(lines.contains { $0.hasPrefix("tallies: subtree_tallies upc ethnicity") && $0.contains("未填写: counted 22, stored 23") }, "\(found.output)")
        }
    }

    @Test("zhtj verify --collect-orphans removes orphans stored before the grace period and keeps younger ones and every referenced blob; the archives still download byte-identical")
    func collectsOrphans() async throws {
        let archive = makePDF(pages: 12, salt: "collect")
        try await withDemoApp(setup: nil) { environment, client in
            let accounts = try DemoAccounts.load()
            let token = try await client.login(accounts["branch_admin"])
            let member = accounts["member_new"].memberId!
            #expect(try await client.upload("/api/v1/members/\(member)/archive", archive, token: token).status == .created)
            let dataDirectory = environment.dataDirectory
            let databaseURL: String = switch environment.config.database {
            case .sqlite(let path): "sqlite:\(path)"
            case .postgres(let url): url
            }
            let blobs = try FileBlobStore(root: dataDirectory.path)
            let old = try await blobs.put(Array("an orphan of a crash two hours ago".utf8))
            let young = try await blobs.put(Array("an orphan an upload may still be recording".utf8))
            let oldPath = dataDirectory.appendingPathComponent("blobs/\(old.sha256.prefix(2))/\(old.sha256.dropFirst(2).prefix(2))/\(old.sha256)").path
            var times = [timespec(tv_sec: time(nil) - 7_200, tv_nsec: 0), timespec(tv_sec: time(nil) - 7_200, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, oldPath, &times, 0) == 0)

            // The default grace period (60 minutes): the old orphan goes, the young one stays (exit 2).
            let first = try verify(dataDirectory: dataDirectory.path, databaseURL: databaseURL, ["--collect-orphans"])
            #expect(first.status == 2, "\(first.output)")
            #expect(first.output.contains("collected orphaned blob \(old.sha256)"), "\(first.output)")
            #expect(first.output.contains("1 orphaned blob(s) collected"), "\(first.output)")
            #expect(first.output.contains("orphaned blob \(young.sha256)"), "\(first.output)")
            #expect(!FileManager.default.fileExists(atPath: oldPath))

            // No grace: the young one goes too; the referenced archive never does.
            let second = try verify(dataDirectory: dataDirectory.path, databaseURL: databaseURL, ["--collect-orphans", "--grace-minutes", "0"])
            #expect(second.status == 0, "\(second.output)")
            #expect(second.output.contains("collected orphaned blob \(young.sha256)"), "\(second.output)")
            let clean = try verify(dataDirectory: dataDirectory.path, databaseURL: databaseURL)
            #expect(clean.status == 0, "\(clean.output)")
            let download = try await client.get("/api/v1/members/\(member)/archive/pdf", token: token)
            #expect(download.status == .ok)
            #expect(Array(download.body.readableBytesView) == archive)
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
    func verify(dataDirectory: String, databaseURL: String, _ extra: [String] = []) throws -> (status: Int32, output: String) {
        let executable = try #require(zhtjExecutable, "zhtj must be built")
        return try run(executable.path, ["verify", "--data-dir", dataDirectory, "--database-url", databaseURL, "--log-level", "error"] + extra)
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

import BlobStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Persistence
import Synchronization
import TestSupport
import Testing

/// `zhtj backup` and `zhtj restore` (issue 12 item 5) on the real executable, on the backend
/// the run selects: a backup taken while uploads run restores into an empty data folder that
/// `zhtj verify` finds clean, with the archives byte for byte; a damaged backup is refused,
/// naming its file, and restores nothing.
@Suite("Backup and restore", .serialized)
struct BackupTests {
    static let accounts = try! DemoAccounts.load()

    struct Run { let status: Int32; let output: String }

    static func zhtj(_ arguments: [String], _ environment: [String: String]) async throws -> Run {
        let binary = try #require(ServeProcessTests.binary, "the zhtj executable is built beside the tests")
        let (status, output) = try await runProgram(binary, arguments, environment: environment)
        return Run(status: status, output: output)
    }

    static func environment(_ location: DatabaseLocation, dataDir: URL) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "ZHTJ_DATABASE_URL")
        environment["ZHTJ_DATA_DIR"] = dataDir.path
        environment["ZHTJ_BCRYPT_COST"] = "4"
        environment["ZHTJ_LOG_LEVEL"] = "warning"
        if case .postgres(let url) = location { environment["ZHTJ_DATABASE_URL"] = url }
        return environment
    }

    static func request(_ method: String, _ url: String, token: String? = nil, type: String? = nil, body: Data? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let type { request.setValue(type, forHTTPHeaderField: "Content-Type") }
        let (data, response): (Data, URLResponse)
        if let body {
            (data, response) = try await URLSession.shared.upload(for: request, from: body)
        } else {
            (data, response) = try await URLSession.shared.data(for: request)
        }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    @Test("a backup taken during uploads restores into an empty data folder: verify is clean and the archive is byte-identical; a damaged or a partial backup and a non-empty target are refused")
    func backupRestore() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try await TestDatabase.withLocation { source in
            try await TestDatabase.withLocation { target in
                let sourceDir = Self.dataDir(source, default: scratch.appendingPathComponent("source"))
                let targetDir = Self.dataDir(target, default: scratch.appendingPathComponent("target"))
                let sourceEnv = Self.environment(source, dataDir: sourceDir), targetEnv = Self.environment(target, dataDir: targetDir)
                #expect(try await Self.zhtj(["demo"], sourceEnv).status == 0)

                let port = try freeLoopbackPort()
                var serveEnv = sourceEnv
                serveEnv["ZHTJ_PORT"] = String(port)
                let server = Process()
                server.executableURL = try #require(ServeProcessTests.binary)
                server.arguments = ["serve"]
                server.environment = serveEnv
                server.standardOutput = FileHandle.nullDevice
                server.standardError = FileHandle.nullDevice
                try server.run()
                defer { if server.isRunning { server.terminate() } }
                let base = "http://127.0.0.1:\(port)"
                var up = false
                for _ in 0..<300 where !up {
                    try await Task.sleep(for: .milliseconds(100))
                    up = (try? await Self.request("GET", base + "/healthz"))?.0 == 200
                }
                #expect(up)
                let admin = Self.accounts["branch_admin"]
                let login = try await Self.request(
                    "POST", base + "/api/v1/login", type: "application/json",
                    body: try JSONSerialization.data(withJSONObject: ["account": admin.account, "password": admin.password]))
                let token = try #require((try JSONSerialization.jsonObject(with: login.1) as? [String: Any])?["token"] as? String)
                let archive = makePDF(pages: 12, salt: "backup")
                let first = try await Self.request(
                    "PUT", base + "/api/v1/members/\(Self.accounts["member_new"].memberId!)/archive", token: token, type: "application/pdf",
                    body: Data(archive))
                #expect(first.0 == 201)
                let sha = try #require((try JSONSerialization.jsonObject(with: first.1) as? [String: Any])?["sha256"] as? String)

                // Uploads go on while the backup is taken: it starts once the first of them has
                // been answered (a loaded machine takes longer than a fixed pause), so the next
                // ones overlap it.
                let answered = Mutex(0)
                let busy = Task {
                    var n = 0
                    while !Task.isCancelled {
                        n += 1
                        _ = try? await Self.request(
                            "PUT", base + "/api/v1/members/\(Self.accounts["member_new_2"].memberId!)/archive", token: token,
                            type: "application/pdf", body: Data(makePDF(pages: 12, salt: "busy-\(n)")))
                        answered.withLock { $0 += 1 }
                    }
                    return n
                }
                for _ in 0..<600 where answered.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(50)) }
                let backupDir = scratch.appendingPathComponent("backup").path
                let backup = try await Self.zhtj(["backup", backupDir], sourceEnv)
                busy.cancel()
                let uploadsDuring = await busy.value
                #expect(backup.status == 0, "\(backup.output)")
                #expect(uploadsDuring > 1)
                server.terminate()
                for _ in 0..<100 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }

                let restore = try await Self.zhtj(["restore", backupDir], targetEnv)
                #expect(restore.status == 0, "\(restore.output)")
                let verify = try await Self.zhtj(["verify"], targetEnv)
                #expect(verify.status == 0, "\(verify.output)")
                #expect(verify.output.contains("ok"))
                let restored = try await FileBlobStore(root: targetDir.path).read(sha)
                #expect(restored == archive, "the archive comes back byte for byte")

                // Into a data folder that already holds data: refused.
                let again = try await Self.zhtj(["restore", backupDir], targetEnv)
                #expect(again.status == 1)
                #expect(again.output.contains("not empty") || again.output.contains("already there"), "\(again.output)")

                // A damaged copy: refused, naming the file, and nothing restored.
                let damagedDir = scratch.appendingPathComponent("damaged").path
                try FileManager.default.copyItem(atPath: backupDir, toPath: damagedDir)
                let blobFile = damagedDir + "/blobs/" + sha
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: blobFile)))
                bytes[bytes.count / 2] ^= 0x01
                try Data(bytes).write(to: URL(fileURLWithPath: blobFile))
                let emptyDir = scratch.appendingPathComponent("empty")
                let damaged = try await Self.zhtj(["restore", damagedDir], Self.environment(.sqlite(path: emptyDir.appendingPathComponent("zhtj.sqlite").path), dataDir: emptyDir))
                #expect(damaged.status == 1)
                #expect(damaged.output.contains("blobs/\(sha)"), "\(damaged.output)")
                #expect(!FileManager.default.fileExists(atPath: emptyDir.appendingPathComponent("zhtj.sqlite").path))
                // Without its manifest (an interrupted backup): refused.
                try FileManager.default.removeItem(atPath: damagedDir + "/MANIFEST")
                let partial = try await Self.zhtj(["restore", damagedDir], Self.environment(.sqlite(path: emptyDir.appendingPathComponent("zhtj.sqlite").path), dataDir: emptyDir))
                #expect(partial.status == 1)
                #expect(partial.output.contains("no manifest"))
            }
        }
    }

    /// The SQLite file's folder is the data folder; PostgreSQL's data folder is a fresh one.
    static func dataDir(_ location: DatabaseLocation, default folder: URL) -> URL {
        if case .sqlite(let path) = location { return URL(fileURLWithPath: (path as NSString).deletingLastPathComponent) }
        return folder
    }
}

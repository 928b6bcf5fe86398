import BlobStore
import Foundation
import Hummingbird
import HummingbirdTesting
import PDFInspection
import Testing

@testable import App

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What happens to an upload besides its file: a client that goes away, a full inspection
/// queue, two files in one form, and temp files left by a crash.
@Suite("Upload lifecycle")
struct UploadLifecycleTests {
    static let memberNew = "p-c1-03"
    static let memberNew2 = "p-c1-04"

    /// A stand-in for `zhtj-inspect` that records its pid and then sleeps 30 s: a slow child the
    /// tests can watch being killed.
    struct SlowInspector {
        let folder: URL
        var executable: String { folder.appendingPathComponent("slow-inspect").path }
        var pidFile: String { folder.appendingPathComponent("children").path }

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-slow-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try "#!/bin/sh\necho $$ >> '\(pidFile)'\nexec sleep 30\n".write(toFile: executable, atomically: true, encoding: .utf8)
            chmod(executable, 0o755)
        }

        var pids: [pid_t] {
            ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }

        /// The app's configuration with this inspector, `queue`, and limits that let it sleep.
        func configure(_ queue: InspectionQueue.Limits) -> @Sendable (inout AppConfig) throws -> Void {
            let executable = executable
            return { config in
                config.inspectorExecutable = executable
                config.inspectorLimits = .init(cpuSeconds: 60, wallSeconds: 60)
                config.inspectionQueue = queue
            }
        }
    }

    /// The uploads' temp files in the data folder.
    static func tempFiles(_ environment: TestAppEnvironment) -> [String] {
        let tmp = environment.dataDirectory.appendingPathComponent("tmp").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [])
            .filter { $0.hasPrefix("upload-") && $0.hasSuffix(".part") }
            .map { tmp + "/" + $0 }
    }

    /// Temp files received in full (sealed read-only): their upload is being inspected or waits.
    static func sealedTempFiles(_ environment: TestAppEnvironment) -> Int {
        tempFiles(environment).filter { path in
            var info = stat()
            return stat(path, &info) == 0 && info.st_mode & 0o222 == 0
        }.count
    }

    /// Waits, at most 20 s (well before a 30 s child would end by itself), until `condition`.
    static func eventually(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<2000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("not within 20 s: \(what)")
    }

    static func blobs(_ environment: TestAppEnvironment) async throws -> [String] {
        try await FileBlobStore(root: environment.dataDirectory.path).allBlobs()
    }

    @Test("a client that goes while its upload waits in the queue or is being inspected: child killed, nothing stored, temp file gone")
    func clientGoneCancels() async throws {
        let slow = try SlowInspector()
        defer { slow.remove() }
        try await withDemoApp(
            mode: .live, configure: slow.configure(.init(concurrency: 1, maximumWaiting: 4, maximumWaitingPerLane: 4))
        ) { environment, client in
            let accounts = try DemoAccounts.load()
            let token = try await client.login(accounts["branch_admin"])
            let port = try #require(client.port)
            let first = makePDF(pages: 12, salt: "first")
            let second = makePDF(pages: 12, salt: "second")

            // The first upload gets the only child slot; the second waits behind it.
            let running = try RawConnection(port: port)
            try running.sendUpload(member: Self.memberNew, token: token, length: first.count, body: first)
            try await Self.eventually("the first upload's child runs") { slow.pids.count == 1 }
            let waiting = try RawConnection(port: port)
            try waiting.sendUpload(member: Self.memberNew2, token: token, length: second.count, body: second)
            try await Self.eventually("the second upload is received and waits") { Self.sealedTempFiles(environment) == 2 }

            waiting.close()
            try await Self.eventually("the waiting upload's temp file is removed") { Self.tempFiles(environment).count == 1 }
            #expect(slow.pids.count == 1, "the upload that left the queue never started a child")

            running.close()
            try await Self.eventually("the running upload's temp file is removed") { Self.tempFiles(environment).isEmpty }
            let child = try #require(slow.pids.first)
            try await Self.eventually("the child is killed") { kill(child, 0) != 0 }

            // Nothing was committed for either: no blob, no archive.
            #expect(try await Self.blobs(environment).isEmpty)
            for member in [Self.memberNew, Self.memberNew2] {
                let pdf = try await client.get("/api/v1/members/\(member)/archive/pdf", token: token)
                #expect(pdf.status == .notFound && pdf.errorCode == "archive_not_found", "\(member): \(pdf.status)")
            }
        }
    }

    @Test("a client that sends half its body and closes leaves no temp file and nothing stored")
    func halfBodyRemovesTempFile() async throws {
        try await withDemoApp(mode: .live) { environment, client in
            let accounts = try DemoAccounts.load()
            let token = try await client.login(accounts["branch_admin"])
            let pdf = makePDF(pages: 12, salt: "half")
            let dropped = try RawConnection(port: try #require(client.port))
            try dropped.sendUpload(member: Self.memberNew, token: token, length: pdf.count + 100_000, body: pdf)
            try await Self.eventually("the upload's temp file exists") { Self.tempFiles(environment).count == 1 }
            dropped.close()
            try await Self.eventually("the temp file is removed") { Self.tempFiles(environment).isEmpty }
            #expect(try await Self.blobs(environment).isEmpty)
            let archive = try await client.get("/api/v1/members/\(Self.memberNew)/archive/pdf", token: token)
            #expect(archive.errorCode == "archive_not_found")
        }
    }

    @Test("an org past its share of the inspection queue is answered 503 with Retry-After at once")
    func queueFull() async throws {
        let slow = try SlowInspector()
        defer { slow.remove() }
        try await withDemoApp(
            mode: .live, configure: slow.configure(.init(concurrency: 1, maximumWaiting: 4, maximumWaitingPerLane: 1))
        ) { environment, client in
            let accounts = try DemoAccounts.load()
            let token = try await client.login(accounts["branch_admin"])
            let port = try #require(client.port)
            let running = try RawConnection(port: port)
            let first = makePDF(pages: 12, salt: "1")
            try running.sendUpload(member: Self.memberNew, token: token, length: first.count, body: first)
            try await Self.eventually("the first upload's child runs") { slow.pids.count == 1 }
            let waiting = try RawConnection(port: port)
            let second = makePDF(pages: 12, salt: "2")
            try waiting.sendUpload(member: Self.memberNew2, token: token, length: second.count, body: second)
            try await Self.eventually("the second upload waits") { Self.sealedTempFiles(environment) == 2 }

            // The same org's third file: its one waiting place is taken.
            let refused = try await client.upload(
                "/api/v1/members/\(Self.memberNew)/archive", makePDF(pages: 12, salt: "3"), token: token)
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.errorCode == "inspection_queue_full")
            #expect(refused.errorMessage == "文件检查排队已满，请稍后重试")
            #expect(refused.headers[.retryAfter] == "60")
            #expect(Self.tempFiles(environment).count == 2, "the refused upload's temp file is gone")

            waiting.close()
            running.close()
            try await Self.eventually("both temp files are removed") { Self.tempFiles(environment).isEmpty }
            #expect(try await Self.blobs(environment).isEmpty)
        }
    }

    @Test("ARC-2: two file parts in one multipart upload are refused with 400 (an archive is exactly one PDF), and nothing is stored")
    func twoFileParts() async throws {
        try await withDemoApp { environment, client in
            let accounts = try DemoAccounts.load()
            let token = try await client.login(accounts["branch_admin"])
            let boundary = "----zhtjBoundaryTwoFiles"
            var body: [UInt8] = []
            for salt in ["a", "b"] {
                body += Array(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(salt).pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                        .utf8)
                body += makePDF(pages: 12, salt: salt) + Array("\r\n".utf8)
            }
            body += Array("--\(boundary)--\r\n".utf8)
            let response = try await client.upload(
                "/api/v1/members/\(Self.memberNew)/archive", body, token: token, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "duplicate_file")
            #expect(try await Self.blobs(environment).isEmpty)
            #expect(Self.tempFiles(environment).isEmpty)
        }
    }

    @Test("ARC-2: an archive sent as a raw image/png or image/jpeg body is refused by its type (415) before a byte is read; only attachments take images")
    func imageBodyOnArchive() async throws {
        try await withDemoApp { environment, client in
            let accounts = try DemoAccounts.load()
            let token = try await client.login(accounts["branch_admin"])
            for type in ["image/png", "image/jpeg"] {
                let response = try await client.upload(
                    "/api/v1/members/\(Self.memberNew)/archive", makePDF(pages: 12, salt: type), token: token, contentType: type)
                #expect(response.status == .unsupportedMediaType, "\(type)")
                #expect(response.errorCode == "unsupported_media_type", "\(type)")
            }
            #expect(try await Self.blobs(environment).isEmpty)
        }
    }

    /// What the test prepares before the boot: a live upload of "another instance", and the
    /// leftovers of a crash.
    final class Prepared: @unchecked Sendable {
        var upload: BlobUpload?
        var leftovers: [String] = []
    }

    @Test("start-up removes every temp file a crash left, however recent, and keeps a live upload of another instance")
    func startUpSweep() async throws {
        let prepared = Prepared()
        try await withDemoApp(
            configure: { config in
                let store = try FileBlobStore(root: config.dataDirectory)
                for _ in 0..<3 {
                    let path = store.root + "/tmp/upload-\(UUID().uuidString.lowercased()).part"
                    try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: path))
                    prepared.leftovers.append(path)
                }
                let upload = try store.makeUpload()
                try upload.write([1, 2, 3])
                prepared.upload = upload
            },
            setup: nil
        ) { environment, _ in
            let kept = try #require(prepared.upload)
            #expect(Self.tempFiles(environment) == [kept.path])
            for path in prepared.leftovers { #expect(!FileManager.default.fileExists(atPath: path)) }
            kept.discard()
        }
    }
}

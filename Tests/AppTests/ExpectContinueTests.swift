import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `Expect: 100-continue` against the real executable, driven by curl as users' clients do.
@Suite("100-continue", .serialized)
struct ExpectContinueTests {
    @Test("answered at once with 100 for an acceptable upload, with 413 (no 100) for an oversized one, and a closing client reads its 413")
    func expectContinue() async throws {
        let binary = try #require(zhtjExecutable)
        let curl = try #require(["/usr/bin/curl", "/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }, "curl is installed")
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-expect-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        let port = try freeLoopbackPort()
        let (demoStatus, demoOutput) = try run(binary.path, ["demo", "--data-dir", dataDir.path, "--bcrypt-cost", "4"])
        #expect(demoStatus == 0, "\(demoOutput)")

        let server = Process()
        server.executableURL = binary
        server.arguments = ["serve", "--data-dir", dataDir.path, "--port", String(port), "--log-level", "warning"]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ZHTJ_DATABASE_URL")
        // urllib below sends all of a 40 MiB body before it reads anything; the server reads it
        // only when an operator allows that much draining (the default stops after 1 MiB, which
        // `ConnectionTests` proves).
        env["ZHTJ_DRAIN_BYTES"] = String(64 << 20)
        server.environment = env
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<300 where !up {
            try await Task.sleep(for: .milliseconds(100))
            up = (try? run(curl, ["-fs", "\(base)/healthz"]).0) == 0
        }
        try #require(up)

        let admin = try DemoAccounts.load()["branch_admin"]
        let (_, loginBody) = try run(curl, [
            "-s", "-X", "POST", "\(base)/api/v1/login", "-H", "Content-Type: application/json",
            "-d", "{\"account\":\"\(admin.account)\",\"password\":\"\(admin.password)\"}",
        ])
        let token = try JSONDecoder().decode(LoginBody.self, from: Data(loginBody.utf8)).token
        let file = dataDir.appendingPathComponent("form.pdf")
        try Data(makePDF(pages: 12)).write(to: file)
        let member = try DemoAccounts.load()["member_new"].memberId!

        let (_, accepted) = try run(curl, [
            "-sv", "-X", "PUT", "\(base)/api/v1/members/\(member)/archive", "-H", "Authorization: Bearer \(token)",
            "-H", "Content-Type: application/pdf", "-H", "Expect: 100-continue", "--expect100-timeout", "30",
            "--data-binary", "@\(file.path)",
        ])
        #expect(accepted.contains("< HTTP/1.1 100 Continue"), "\(accepted)")
        #expect(accepted.contains("< HTTP/1.1 201 Created"), "\(accepted)")

        // A declared size over the limit: the refusal comes instead of 100, and no body is sent.
        let big = dataDir.appendingPathComponent("big.pdf")
        FileManager.default.createFile(atPath: big.path, contents: nil)
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: UInt64(21 * 1024 * 1024))
        try handle.close()
        let (_, refused) = try run(curl, [
            "-sv", "-X", "PUT", "\(base)/api/v1/members/\(try DemoAccounts.load()["member_new_2"].memberId!)/archive",
            "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/pdf", "-H", "Expect: 100-continue",
            "--expect100-timeout", "30", "--data-binary", "@\(big.path)",
        ])
        #expect(!refused.contains("100 Continue"), "\(refused)")
        #expect(refused.contains("< HTTP/1.1 413"), "\(refused)")
        #expect(refused.contains("too_large"))

        // A chunked body declares no size: it is cut off as soon as it passes the limit.
        let (_, chunked) = try run(curl, [
            "-sv", "-X", "PUT", "\(base)/api/v1/members/\(try DemoAccounts.load()["member_new_2"].memberId!)/archive",
            "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/pdf", "-H", "Transfer-Encoding: chunked",
            "--data-binary", "@\(big.path)",
        ])
        #expect(chunked.contains("< HTTP/1.1 413"), "\(chunked.suffix(2000))")
        // Python's urllib sends `Connection: close` and the whole 40 MiB body without waiting: it
        // must read the 413 at once rather than a reset (lingering close).
        let python = try #require(["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let script = """
            import sys, time, urllib.request, urllib.error
            req = urllib.request.Request(sys.argv[1], data=b"%PDF" + b"0" * (40 * 1024 * 1024), method="PUT",
                headers={"Authorization": "Bearer " + sys.argv[2], "Content-Type": "application/pdf"})
            started = time.monotonic()
            try:
                urllib.request.urlopen(req, timeout=20)
                print("unexpected success")
            except urllib.error.HTTPError as e:
                print("status", e.code, e.read().decode(), "after %.1f s" % (time.monotonic() - started))
            except Exception as e:
                print("failed", type(e).__name__, e)
            """
        let (_, urllibOutput) = try run(
            python, ["-c", script, "\(base)/api/v1/members/\(try DemoAccounts.load()["member_new_2"].memberId!)/archive", token])
        #expect(urllibOutput.hasPrefix("status 413"), "\(urllibOutput)")
        #expect(urllibOutput.contains("too_large"), "\(urllibOutput)")
        // The server is still serving.
        #expect(try run(curl, ["-fs", "\(base)/healthz"]).0 == 0)
    }
}

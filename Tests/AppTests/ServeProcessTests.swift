import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The real executable: `zhtj serve` starts, answers, and exits 0 on SIGTERM after draining.
@Suite("zhtj serve process", .serialized)
struct ServeProcessTests {
    static var binary: URL? {
        // swift test runs from the package root's build products folder; `swift build --build-tests`
        // builds the executable beside the test bundle.
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zhtj"),
            repositoryRoot.appendingPathComponent(".build/debug/zhtj"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    func freePort() -> Int { (try? freeLoopbackPort()) ?? Int.random(in: 20_000...60_000) }

    @Test("SIGTERM stops the server cleanly with exit status 0")
    func sigterm() async throws {
        let binary = try #require(Self.binary, "the zhtj executable is built beside the tests")
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        let port = freePort()
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--data-dir", dataDir.path, "--port", String(port), "--bcrypt-cost", "4"]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "ZHTJ_DATABASE_URL")
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()

        var healthy = false
        for _ in 0..<100 where !healthy {
            try await Task.sleep(for: .milliseconds(100))
            if let (data, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                healthy = String(decoding: data, as: UTF8.self).contains("ok")
            }
        }
        #expect(healthy, "server answered /healthz")
        process.terminate()  // SIGTERM
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "server exited within 10 s of SIGTERM")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        // The SQLite file was created in the configured data folder.
        #expect(FileManager.default.fileExists(atPath: dataDir.appendingPathComponent("zhtj.sqlite").path))
    }
}

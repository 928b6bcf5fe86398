import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Collects log lines (message and metadata) for inspection.
final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

struct CapturingLogHandler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        sink.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}

@Suite("Request logs")
struct LoggingTests {
    @Test("one line per request with status and duration; never a password, token or full ID number")
    func noSecrets() async throws {
        let sink = CapturedLogs()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(sink: sink) }
        let accounts = try DemoAccounts.load()
        let admin = accounts["committee_admin"]
        let member = accounts["member_new"]
        try await withDemoApp(logger: logger) { client in
            let token = try await client.login(admin)
            _ = try await client.get("/api/v1/members/\(member.memberId!)", token: token)
            _ = try await client.get("/api/v1/orgs/upc-cs/members?q=\(member.account)", token: token)
            _ = try await client.get("/api/v1/members/\(member.account)", token: token)
            _ = try await client.postJSON("/api/v1/login", ["account": member.account, "password": "Wrong-Pass-99"])
            let logs = sink.all.joined(separator: "\n")
            for secret in [admin.password, token, member.account, admin.account, "Wrong-Pass-99"] {
                #expect(!logs.contains(secret), "log contains a secret")
            }
            let requestLines = sink.all.filter { $0.contains(" request ") }
            #expect(requestLines.count == 5)
            #expect(requestLines.allSatisfy { $0.contains("status=") && $0.contains("duration_ms=") && $0.contains("path=") })
            #expect(requestLines.contains { $0.contains("status=401") })
        }
    }

    @Test("redaction masks runs of 15 or more digits, with or without a trailing X")
    func redaction() {
        #expect(RequestLogRedaction.redact("/api/v1/members/37021120020315123X") == "/api/v1/members/******************")
        #expect(RequestLogRedaction.redact("/api/v1/orgs/upc-cs-2020-1") == "/api/v1/orgs/upc-cs-2020-1")
        #expect(RequestLogRedaction.redact("/a/2020370200103/b") == "/a/2020370200103/b")  // 13 digits: a development number
    }
}

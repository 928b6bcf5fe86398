import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// What an operator watches (issue 12 item 7), on a real `zhtj serve`: `/metrics` on its own
/// address only, with requests, uploads and inspection time; `/readyz` beside `/healthz`.
@Suite("Metrics and readiness")
struct MetricsTests {
    static let accounts = try! DemoAccounts.load()

    func get(_ url: String, token: String? = nil) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url)!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("/metrics answers on ZHTJ_METRICS_ADDRESS only, in the Prometheus text format, with requests by route and status, uploads by outcome and inspection time; /readyz checks the blob store")
    func metrics() async throws {
        let binary = try #require(ServeProcessTests.binary, "the zhtj executable is built beside the tests")
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-metrics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        let port = try freeLoopbackPort(), metricsPort = try freeLoopbackPort()
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "ZHTJ_DATABASE_URL")
        environment["ZHTJ_DATA_DIR"] = dataDir.path
        environment["ZHTJ_BCRYPT_COST"] = "4"
        #expect(try await runProgram(binary, ["demo"], environment: environment).status == 0)

        environment["ZHTJ_PORT"] = String(port)
        environment["ZHTJ_METRICS_ADDRESS"] = "127.0.0.1:\(metricsPort)"
        let server = Process()
        server.executableURL = binary
        server.arguments = ["serve"]
        server.environment = environment
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate() }
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<300 where !up {
            try await Task.sleep(for: .milliseconds(100))
            up = (try? await get(base + "/healthz"))?.status == 200
        }
        #expect(up)
        let ready = try await get(base + "/readyz")
        #expect(ready.status == 200)
        #expect(ready.body.contains("\"blobStore\":\"ok\""))
        #expect(try await get(base + "/metrics").status == 404, "never on the service's own address")

        // A refused upload, through the API.
        let login = try await URLSession.shared.upload(
            for: {
                var r = URLRequest(url: URL(string: base + "/api/v1/login")!)
                r.httpMethod = "POST"
                r.setValue("application/json", forHTTPHeaderField: "Content-Type")
                return r
            }(),
            from: try JSONSerialization.data(withJSONObject: ["account": Self.accounts["branch_admin"].account, "password": Self.accounts["branch_admin"].password]))
        let token = try #require((try JSONSerialization.jsonObject(with: login.0) as? [String: Any])?["token"] as? String)
        var upload = URLRequest(url: URL(string: base + "/api/v1/members/\(Self.accounts["member_new"].memberId!)/archive")!)
        upload.httpMethod = "PUT"
        upload.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        upload.setValue("application/pdf", forHTTPHeaderField: "Content-Type")
        let (_, answer) = try await URLSession.shared.upload(for: upload, from: Data(makePDF(pages: 9)))
        #expect((answer as? HTTPURLResponse)?.statusCode == 422)

        let scraped = try await get("http://127.0.0.1:\(metricsPort)/metrics")
        #expect(scraped.status == 200)
        let text = scraped.body
        #expect(text.contains("# TYPE hb_requests counter"))
        #expect(text.contains("hb_requests{") && text.contains("http_route=\"/readyz\""), "requests by route pattern")
        #expect(text.contains("http_request_duration_bucket") || text.contains("http_server_request_duration_bucket"), "latency histograms")
        #expect(text.contains("zhtj_uploads_total{kind=\"archive\",outcome=\"refused\",code=\"wrong_page_count\"} 1"), "\(text.split(separator: "\n").filter { $0.contains("zhtj_") })")
        #expect(text.contains("zhtj_inspection_seconds_bucket"))
        // The pool's use: nothing in flight between requests, beside the pool's size, and how
        // long transactions held their connection (the login wrote one).
        #expect(text.contains("zhtj_database_in_use{backend=\"sqlite\"} 0"), "\(text.split(separator: "\n").filter { $0.contains("zhtj_database") })")
        let poolSize = text.split(separator: "\n").first { $0.hasPrefix("zhtj_database_pool_connections{backend=\"sqlite\"} ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }
        #expect((poolSize ?? 0) >= 2, "two connections per event loop")
        #expect(text.contains("zhtj_database_session_seconds_count{backend=\"sqlite\"}"))
        #expect(!text.contains(Self.accounts["branch_admin"].account), "no login or ID number in the figures")
    }
}

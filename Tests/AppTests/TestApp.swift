import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Persistence
import TestSupport
import Testing

/// The repository root, for reading committed fixtures.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct DemoAccounts: Decodable {
    let roles: [String: DemoDataSet.RoleAccount]

    static func load() throws -> DemoAccounts {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("fixtures/demo-accounts.json"))
        return try JSONDecoder().decode(DemoAccounts.self, from: data)
    }

    subscript(_ role: String) -> DemoDataSet.RoleAccount { roles[role]! }
}

/// The fixed "now" of app tests: 2026-11-25 10:00 China time.
let testNow = Timestamp(text: "2026-11-25T02:00:00.000Z")!

/// Runs `body` against the real application (router-level) on a fresh database holding the
/// demo data.
func withDemoApp(
    clock: FixedTimeSource = FixedTimeSource(testNow), limits: LoginThrottle.Limits = .init(), logger: Logger? = nil,
    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    try await TestDatabase.withLocation { location in
        let config = AppConfig(dataDirectory: NSTemporaryDirectory(), database: location, port: 0, bcryptCost: 4)
        let database = try await openDatabase(config: config, logger: TestDatabase.logger)
        do {
            try await Migrator(database: database, logger: TestDatabase.logger).migrate()
            _ = try await DemoLoader(database: database, passwords: PasswordHasher(cost: 4), clock: clock).load()
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
        let app = try await buildApplication(config: config, clock: clock, throttleLimits: limits, logger: logger ?? TestDatabase.logger)
        try await app.test(.router) { client in try await body(client) }
    }
}

struct LoginBody: Decodable {
    let token: String
    let mustChangePassword: Bool
}

struct ErrorBody: Decodable {
    struct Inner: Decodable { let code: String; let message: String }
    let error: Inner
}

extension TestClientProtocol {
    func postJSON(_ path: String, _ json: [String: String], token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(
            uri: path, method: .post, headers: headers,
            body: ByteBuffer(string: String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)))
    }

    func get(_ path: String, token: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: path, method: .get, headers: headers)
    }

    /// Logs a demo role in and returns its bearer token.
    func login(_ account: DemoDataSet.RoleAccount) async throws -> String {
        let response = try await postJSON("/api/v1/login", ["account": account.account, "password": account.password])
        #expect(response.status == .ok, "login of \(account.account) answered \(response.status)")
        return try JSONDecoder().decode(LoginBody.self, from: Data(String(buffer: response.body).utf8)).token
    }
}

extension TestResponse {
    var errorCode: String? { try? JSONDecoder().decode(ErrorBody.self, from: Data(String(buffer: body).utf8)).error.code }
    var errorMessage: String? { try? JSONDecoder().decode(ErrorBody.self, from: Data(String(buffer: body).utf8)).error.message }
    func json() throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as! [String: Any] }
}

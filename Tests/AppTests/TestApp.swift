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

/// Where a test app keeps its data.
struct TestAppEnvironment: Sendable {
    let config: AppConfig
    let dataDirectory: URL
}

/// The one boot of the test app: a fresh database on the backend `scripts/test` selects, the
/// demo data, `setup` on the database, then the real application (router-level) over it.
///
/// `configure` may change the configuration (the login throttle's bounds, the connection
/// limits) before the boot; `mode: .live` serves on a real loopback socket (the client's
/// `port`), for tests that need a real connection.
func withDemoApp(
    clock: FixedTimeSource = FixedTimeSource(testNow), logger: Logger? = nil, mode: TestingSetup = .router,
    configure: (@Sendable (inout AppConfig) throws -> Void)? = nil,
    setup: (@Sendable (Database) async throws -> Void)? = nil,
    _ body: @escaping @Sendable (TestAppEnvironment, any TestClientProtocol) async throws -> Void
) async throws {
    try await TestDatabase.withLocation { location in
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-app-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        var config = AppConfig(
            dataDirectory: dataDirectory.path, database: location, port: 0, bcryptCost: 4,
            inspectorExecutable: inspectorExecutable?.path ?? "/nonexistent/zhtj-inspect")
        try configure?(&config)
        let database = try await openDatabase(config: config, logger: TestDatabase.logger)
        do {
            try await Migrator(database: database, logger: TestDatabase.logger).migrate()
            _ = try await DemoLoader(database: database, passwords: PasswordHasher(cost: 4), clock: clock).load()
            try await setup?(database)
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
        let app = try await buildApplication(config: config, clock: clock, logger: logger ?? TestDatabase.logger)
        let environment = TestAppEnvironment(config: config, dataDirectory: dataDirectory)
        try await app.test(mode) { client in try await body(environment, client) }
    }
}

/// The application booted again on the data of `environment`, as after a restart or as a
/// second instance behind the same balancer.
func withRestartedApp(
    _ environment: TestAppEnvironment, clock: FixedTimeSource, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let app = try await buildApplication(config: environment.config, clock: clock, logger: TestDatabase.logger)
    try await app.test(.router) { client in try await body(client) }
}

/// `withDemoApp` for tests that need only the client.
func withDemoApp(
    clock: FixedTimeSource = FixedTimeSource(testNow), logger: Logger? = nil,
    configure: (@Sendable (inout AppConfig) throws -> Void)? = nil,
    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    try await withDemoApp(clock: clock, logger: logger, configure: configure, setup: nil) { _, client in try await body(client) }
}

/// Runs a program to its end, as an operator or a client would, with the database URL of the
/// test environment removed (each test names its own); returns its exit status and output.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "ZHTJ_DATABASE_URL")
    env.merge(environment) { $1 }
    process.environment = env
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The small inspecting child the server runs, built beside `zhtj`.
let inspectorExecutable: URL? = {
    guard let zhtj = zhtjExecutable else { return nil }
    let inspector = zhtj.deletingLastPathComponent().appendingPathComponent("zhtj-inspect")
    return FileManager.default.isExecutableFile(atPath: inspector.path) ? inspector : nil
}()

/// The built `zhtj` binary (the upload path runs `zhtj inspect` in a child process).
let zhtjExecutable: URL? = {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zhtj"),
        repositoryRoot.appendingPathComponent(".build/debug/zhtj"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// A small valid PDF with `pages` pages, each carrying its number as text, built byte by
/// byte with a correct cross-reference table.
func makePDF(pages: Int, salt: String = "") -> [UInt8] {
    var objects: [String] = []
    let pageIDs = (0..<pages).map { 3 + 2 * $0 }
    objects.append("<< /Type /Catalog /Pages 2 0 R >>")
    objects.append("<< /Type /Pages /Kids [\(pageIDs.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(pages) >>")
    for i in 0..<pages {
        let content = "BT /F1 24 Tf 72 720 Td (Page \(i + 1) \(salt)) Tj ET"
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents \(pageIDs[i] + 1) 0 R "
                + "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>")
        objects.append("<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream")
    }
    var out = Array("%PDF-1.4\n%\u{00E2}\u{00E3}\n".utf8)
    var offsets: [Int] = []
    for (index, body) in objects.enumerated() {
        offsets.append(out.count)
        out += Array("\(index + 1) 0 obj\n\(body)\nendobj\n".utf8)
    }
    let xref = out.count
    var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
    for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
    table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
    return out + Array(table.utf8)
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
    /// Any JSON body (numbers, nulls), with any method.
    func sendJSON(_ method: HTTPRequest.Method, _ path: String, _ json: [String: Any], token: String) async throws -> TestResponse {
        let data = try JSONSerialization.data(withJSONObject: json)
        return try await execute(
            uri: path, method: method, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
            body: ByteBuffer(bytes: Array(data)))
    }

    func postJSON(_ path: String, _ json: [String: String], token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(
            uri: path, method: .post, headers: headers,
            body: ByteBuffer(string: String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)))
    }

    func upload(_ path: String, _ bytes: [UInt8], token: String, contentType: String = "application/pdf") async throws -> TestResponse {
        try await execute(
            uri: path, method: .put, headers: [.authorization: "Bearer \(token)", .contentType: contentType],
            body: ByteBuffer(bytes: bytes))
    }

    func post(_ path: String, token: String, json: [String: String]? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(string: String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self))
        }
        return try await execute(uri: path, method: .post, headers: headers, body: body)
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

/// Runs a program to its end without holding one of the few threads that run tests: its output
/// (stdout and stderr) goes to a temp file, read once it has exited. A pipe read to its end
/// would block a thread, and waits for every process that inherited the pipe's write end.
func runProgram(_ executable: URL, _ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-run-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    let handle = try FileHandle(forWritingTo: log)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    process.standardOutput = handle
    process.standardError = handle
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    try handle.close()
    return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
}

/// A loopback port nobody listens on now, chosen by the kernel: a random number may be one a
/// server of another test (or of scripts/chaos) holds.
func freeLoopbackPort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
    }
    try #require(bound)
    return Int(UInt16(bigEndian: address.sin_port))
}

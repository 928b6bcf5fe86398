import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Persistence
import TestSupport
import Testing

/// Issue 12 item 6: two `zhtj serve` on one database and one blob folder, behind nginx (Debian's
/// package, on loopback), on the backend the run selects. Uploads, approvals, a transfer and
/// failed logins are spread over both: the lockout is shared, a decision sent to both at once is
/// taken once, no write is lost, and nothing answers 5xx.
@Suite("Several instances behind nginx", .serialized)
struct SeveralInstancesTests {
    static let accounts = try! DemoAccounts.load()
    static let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Answer {
        let status: Int
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    }

    /// No cookie jar: the shared session would send the first login's cookie with every later
    /// call, and a cookie-authenticated write without a CSRF token is refused, as it should be.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration)
    }()

    static func request(
        _ method: String, _ url: String, token: String? = nil, json: [String: String]? = nil, pdf: [UInt8]? = nil,
        forwardedFor: String? = nil
    ) async throws -> Answer {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let forwardedFor { request.setValue(forwardedFor, forHTTPHeaderField: "X-Forwarded-For") }
        var body: Data?
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            body = try JSONSerialization.data(withJSONObject: json)
        } else if let pdf {
            request.setValue("application/pdf", forHTTPHeaderField: "Content-Type")
            body = Data(pdf)
        }
        let (data, response) =
            if let body { try await session.upload(for: request, from: body) } else { try await session.data(for: request) }
        return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    struct LoginFailed: Error { let role: String; let status: Int; let body: String }

    static func freePort() throws -> Int { try freeLoopbackPort() }

    static func waitUntilUp(_ base: String) async throws {
        for _ in 0..<150 {
            if (try? await request("GET", base + "/healthz"))?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(base) never answered /healthz")
    }

    static func start(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, log: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    static func nginxConfiguration(port: Int, upstreams: [Int], prefix: URL) -> String {
        """
        worker_processes 1;
        pid \(prefix.path)/nginx.pid;
        error_log \(prefix.path)/error.log warn;
        events { worker_connections 256; }
        http {
            client_body_temp_path \(prefix.path)/body;
            proxy_temp_path \(prefix.path)/proxy;
            fastcgi_temp_path \(prefix.path)/fastcgi;
            uwsgi_temp_path \(prefix.path)/uwsgi;
            scgi_temp_path \(prefix.path)/scgi;
            log_format upstreams '$upstream_addr $status $request_method $uri';
            access_log \(prefix.path)/access.log upstreams;
            client_max_body_size 64m;
            upstream zhtj { \(upstreams.map { "server 127.0.0.1:\($0);" }.joined(separator: " ")) }
            server {
                listen 127.0.0.1:\(port);
                location / {
                    proxy_pass http://zhtj;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    # A refused or failed answer is the answer: never replay a write on the other instance.
                    proxy_next_upstream off;
                }
            }
        }
        """
    }

    @Test("two instances behind nginx on one database and one blob folder: one shared lockout, a decision sent to both at once taken once, every acknowledged write present on both, no 5xx")
    func twoInstancesBehindNginx() async throws {
        let nginx = try #require(Self.nginx, "nginx (Debian's package, installed by scripts/test)")
        let binary = try #require(ServeProcessTests.binary, "the zhtj executable is built beside the tests")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-instances-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        try await TestDatabase.withLocation { location in
            let dataDir = BackupTests.dataDir(location, default: scratch.appendingPathComponent("data"))
            var environment = BackupTests.environment(location, dataDir: dataDir)
            #expect(try await BackupTests.zhtj(["demo"], environment).status == 0)
            environment["ZHTJ_TRUSTED_PROXIES"] = "127.0.0.1"
            environment["ZHTJ_SESSION_CACHE_SECONDS"] = "1"
            environment["ZHTJ_RULES_INTERVAL_SECONDS"] = "1"

            let ports = [try Self.freePort(), try Self.freePort()]
            var servers: [Process] = []
            for (n, port) in ports.enumerated() {
                var serveEnvironment = environment
                serveEnvironment["ZHTJ_PORT"] = String(port)
                servers.append(try Self.start(binary.path, ["serve"], environment: serveEnvironment, log: scratch.appendingPathComponent("serve-\(n).log")))
            }
            let balancerPort = try Self.freePort()
            let prefix = scratch.appendingPathComponent("nginx")
            try FileManager.default.createDirectory(at: prefix, withIntermediateDirectories: true)
            let configuration = prefix.appendingPathComponent("nginx.conf")
            try Self.nginxConfiguration(port: balancerPort, upstreams: ports, prefix: prefix).write(to: configuration, atomically: true, encoding: .utf8)
            let balancer = try Self.start(
                nginx, ["-p", prefix.path, "-c", configuration.path, "-g", "daemon off;"], log: scratch.appendingPathComponent("nginx.out"))
            defer {
                for process in servers + [balancer] where process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            let direct = ports.map { "http://127.0.0.1:\($0)" }
            for base in direct { try await Self.waitUntilUp(base) }
            let base = "http://127.0.0.1:\(balancerPort)"
            try await Self.waitUntilUp(base)

            func login(_ role: String, via url: String = base, forwardedFor: String? = nil) async throws -> Answer {
                let account = Self.accounts[role]
                return try await Self.request(
                    "POST", url + "/api/v1/login", json: ["account": account.account, "password": account.password], forwardedFor: forwardedFor)
            }
            func token(_ role: String) async throws -> String {
                let answer = try await login(role)
                guard let token = answer.json["token"] as? String else { throw LoginFailed(role: role, status: answer.status, body: String(decoding: answer.body, as: UTF8.self)) }
                return token
            }
            let branch = try await token("branch_admin")
            let committee = try await token("committee_admin")
            let zongzhi = try await token("zongzhi_admin")

            // Failed logins spread over both instances count together (ACC throttling): after the
            // pair's five failures, both instances refuse the sixth, directly or through nginx.
            let victim = Self.accounts["sibling_branch_admin"]
            let attacker = "203.0.113.9"
            var failures: [Int] = []
            for _ in 0..<5 {
                failures.append(
                    try await Self.request(
                        "POST", base + "/api/v1/login", json: ["account": victim.account, "password": "wrong-\(UUID().uuidString)"],
                        forwardedFor: attacker
                    ).status)
            }
            #expect(failures == [401, 401, 401, 401, 401])
            for url in direct + [base] {
                let refused = try await login("sibling_branch_admin", via: url, forwardedFor: attacker)
                #expect(refused.status == 429, "\(url): \(refused.status)")
                #expect(refused.errorCode == "too_many_attempts")
            }
            // The owner, from an address of their own, is not locked out by somebody else's guesses.
            #expect(try await login("sibling_branch_admin", forwardedFor: "198.51.100.4").status == 200)

            // Uploads through nginx, each decided once though the decision is sent to both instances at once.
            let members = [Self.accounts["member_new"].memberId!, Self.accounts["member_new_2"].memberId!]
            var acknowledged: [String: String] = [:]  // member id → the sha256 of the approved version
            for (n, member) in members.enumerated() {
                let rejectedUpload = try await Self.request(
                    "PUT", base + "/api/v1/members/\(member)/archive", token: branch, pdf: makePDF(pages: 12, salt: "instances-\(n)-a"))
                #expect(rejectedUpload.status == 201, "\(String(decoding: rejectedUpload.body, as: UTF8.self))")
                let archive = try #require(rejectedUpload.json["archiveId"] as? String)
                async let viaFirst = Self.request("POST", direct[0] + "/api/v1/archives/\(archive)/reject", token: committee, json: ["reason": "第\(n + 2)页不清晰"])
                async let viaSecond = Self.request("POST", direct[1] + "/api/v1/archives/\(archive)/reject", token: committee, json: ["reason": "第\(n + 2)页不清晰"])
                let rejections = try await [viaFirst.status, viaSecond.status].sorted()
                #expect(rejections == [200, 409], "one rejection taken, the other refused: \(rejections)")

                let replacement = makePDF(pages: 12, salt: "instances-\(n)-b")
                let replaced = try await Self.request("PUT", base + "/api/v1/members/\(member)/archive", token: branch, pdf: replacement)
                #expect(replaced.status == 201)
                acknowledged[member] = try #require(replaced.json["sha256"] as? String)
                async let approveFirst = Self.request("POST", direct[0] + "/api/v1/archives/\(archive)/approve", token: committee)
                async let approveSecond = Self.request("POST", direct[1] + "/api/v1/archives/\(archive)/approve", token: committee)
                let approvals = try await [approveFirst.status, approveSecond.status].sorted()
                #expect(approvals == [200, 409], "one approval taken, the other refused: \(approvals)")
            }

            // A transfer started through nginx and approved at both instances at once: the member moves once.
            let oldMember = Self.accounts["member_old"].memberId!
            let started = try await Self.request(
                "POST", base + "/api/v1/transfers", token: branch,
                json: ["kind": "out", "memberId": oldMember, "toOrgId": "upc-cs-2020-2", "reason": "调整班级"])
            #expect(started.status == 201, "\(String(decoding: started.body, as: UTF8.self))")
            let transfer = try #require(started.json["id"] as? String)
            async let transferFirst = Self.request("POST", direct[0] + "/api/v1/transfers/\(transfer)/approve", token: zongzhi)
            async let transferSecond = Self.request("POST", direct[1] + "/api/v1/transfers/\(transfer)/approve", token: zongzhi)
            let transferApprovals = try await [transferFirst.status, transferSecond.status].sorted()
            #expect(transferApprovals == [200, 409], "one step taken, the other refused: \(transferApprovals)")

            // Every acknowledged write is there, the same on both instances.
            for url in direct {
                for (member, sha) in acknowledged {
                    let history = try await Self.request("GET", url + "/api/v1/members/\(member)/archive", token: committee)
                    #expect(history.status == 200)
                    let decisions = (history.json["decisions"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
                    #expect(decisions == ["reject", "approve"], "\(url) \(member): \(decisions ?? [])")
                    let versions = (history.json["versions"] as? [[String: Any]]) ?? []
                    #expect(versions.count == 2)
                    #expect(versions.last?["sha256"] as? String == sha)
                    #expect(history.json["identityVerified"] as? Bool == true)
                }
                let transfers = try await Self.request("GET", url + "/api/v1/members/\(oldMember)/transfers", token: zongzhi)
                let items = (transfers.json["items"] as? [[String: Any]]) ?? []
                #expect(items.count == 1, "\(url): \(items.count) transfers")
                #expect(items.first?["status"] as? String == "completed")
            }

            // A logout at one instance is honoured at the other once its session cache (1 s here) lapses.
            let leaving = try await token("province_admin")
            #expect(try await Self.request("POST", direct[0] + "/api/v1/logout", token: leaving).status < 300)
            try await Task.sleep(for: .milliseconds(1_200))
            #expect(try await Self.request("GET", direct[1] + "/api/v1/me", token: leaving).status == 401)

            // nginx spread the work over both instances, and nothing answered 5xx.
            await Self.stop(balancer)
            let log = (try? String(contentsOf: prefix.appendingPathComponent("access.log"), encoding: .utf8)) ?? ""
            let lines = log.split(separator: "\n")
            for port in ports {
                #expect(lines.contains { $0.hasPrefix("127.0.0.1:\(port) ") }, "nginx sent requests to 127.0.0.1:\(port)")
            }
            #expect(!lines.isEmpty)
            let serverErrors = lines.filter { line in line.split(separator: " ").dropFirst().first?.hasPrefix("5") == true }
            #expect(serverErrors.isEmpty, "\(serverErrors)")
            for server in servers {
                #expect(server.isRunning, "neither instance restarted or died")
                await Self.stop(server)
            }
            let verify = try await BackupTests.zhtj(["verify"], environment)
            #expect(verify.status == 0, "\(verify.output)")
        }
    }
}

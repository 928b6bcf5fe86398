import Foundation
import Logging
import PDFInspection
import Persistence

/// The service's configuration: one typed value, resolved once at start-up from flags, then
/// `ZHTJ_*` environment variables, then defaults, and injected everywhere it is needed.
public struct AppConfig: Sendable, Equatable {
    /// Holds `zhtj.sqlite` and the blob store.
    public var dataDirectory: String
    public var database: DatabaseLocation
    public var host: String
    public var port: Int
    /// bcrypt work factor; tests lower it to keep hashing cheap.
    public var bcryptCost: Int
    /// How long a login session lasts, in seconds.
    public var sessionLifetime: Int
    /// Set when the service is reached over HTTPS, so cookies are marked `Secure`.
    public var secureCookies: Bool
    public var logLevel: Logger.Level
    /// ARC-2: size limit and the form's page count (ZHTJ_ARCHIVE_PAGES: `12` or `10-14`).
    public var archivePolicy: InspectionPolicy
    /// The size limit of one attachment of a meeting record or work notice
    /// (ZHTJ_ATTACHMENT_MAX_BYTES; default 10 MiB: a few scanned pages or photos).
    public var attachmentMaximumBytes = 10 * 1024 * 1024
    /// The binary that parses uploads in a child process: `zhtj-inspect`, or a `zhtj` (whose
    /// `inspect` subcommand takes the same arguments). Defaults to the `zhtj-inspect` beside the
    /// running executable.
    public var inspectorExecutable: String
    /// How long a connection may take to send its headers, to pause inside a body, and how
    /// many one client address may hold open (slow and half-sent requests, issue 8).
    public var connections: ConnectionLimits

    /// Bounds on what one connection may cost the server. Every value has a `ZHTJ_*` variable.
    public struct ConnectionLimits: Sendable, Equatable {
        /// A request's headers must be complete this long after the connection opens or the
        /// previous answer went out (`ZHTJ_HEADER_TIMEOUT_SECONDS`); slower clients get 408.
        public var headerReadSeconds: Double
        /// The longest pause inside a request body (`ZHTJ_BODY_IDLE_TIMEOUT_SECONDS`). A slow
        /// school line still sends something every few seconds; a body that stops is dropped.
        public var bodyIdleSeconds: Double
        /// Open connections per client address (`ZHTJ_MAX_CONNECTIONS_PER_ADDRESS`). A school
        /// behind one NAT address has dozens of admins, so this is generous; it stops one host
        /// from holding every connection.
        public var perAddress: Int
        /// After an early refusal (413, 409 before the body is read), at most this many more
        /// bytes are read and discarded before the connection is closed (`ZHTJ_DRAIN_BYTES`).
        public var drainBytes: Int
        /// …and for at most this long (`ZHTJ_DRAIN_SECONDS`).
        public var drainSeconds: Double

        public init(
            headerReadSeconds: Double = 10, bodyIdleSeconds: Double = 30, perAddress: Int = 64, drainBytes: Int = 1 << 20,
            drainSeconds: Double = 2
        ) {
            self.headerReadSeconds = headerReadSeconds
            self.bodyIdleSeconds = bodyIdleSeconds
            self.perAddress = perAddress
            self.drainBytes = drainBytes
            self.drainSeconds = drainSeconds
        }
    }
    /// How long a resolved session is reused before it is looked up again
    /// (`ZHTJ_SESSION_CACHE_SECONDS`, 0 off); see `SessionCache`.
    public var sessionCacheSeconds: Double = 2
    /// Login throttling: per account and address, per address, and the account-wide delays
    /// (ZHTJ_LOGIN_*).
    public var loginThrottle: LoginThrottle.Limits
    /// Peers whose `X-Forwarded-For` names the client (the balancer's addresses,
    /// ZHTJ_TRUSTED_PROXIES); empty means the peer is the client.
    public var trustedProxies: [String]
    /// What one inspecting child may spend (ZHTJ_INSPECT_CPU_SECONDS, ZHTJ_INSPECT_WALL_SECONDS);
    /// the defaults are a margin above the worst real file measured (`scripts/measure-inspector`).
    public var inspectorLimits: IsolatedInspector.Limits
    /// Children at once, and how many uploads may wait, in all and per org
    /// (ZHTJ_INSPECT_CONCURRENCY, ZHTJ_INSPECT_QUEUE, ZHTJ_INSPECT_QUEUE_PER_ORG); past those an
    /// upload is answered 503 with `Retry-After`.
    public var inspectionQueue: InspectionQueue.Limits
    /// How often the server runs the calendar rules (TRF-6, TRF-7; `ZHTJ_RULES_INTERVAL_SECONDS`,
    /// 0 off: then only `zhtj rules run` does).
    public var rulesIntervalSeconds: Int = 300
    /// `ZHTJ_METRICS_ADDRESS` (`127.0.0.1:9464`): where `/metrics` is served, apart from the
    /// service; nil (the default) serves no metrics at all.
    public var metricsAddress: ListenAddress?

    /// A host and port to listen on.
    public struct ListenAddress: Equatable, Sendable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }
    /// `ZHTJ_NOW`: the server's clock starts at this instant (a test clock), accepted only with
    /// `ZHTJ_ALLOW_TEST_CLOCK=1` and logged as a warning at start-up.
    public var testClockStart: Timestamp?

    /// `zhtj-inspect` beside the running executable (it starts far faster than the whole
    /// server binary); when it is absent, the running executable if it is `zhtj`, otherwise a
    /// `zhtj` beside it (tests).
    public static var defaultInspectorExecutable: String {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        let small = me.deletingLastPathComponent().appendingPathComponent("zhtj-inspect").path
        if FileManager.default.isExecutableFile(atPath: small) { return small }
        if me.lastPathComponent == "zhtj" { return me.path }
        return me.deletingLastPathComponent().appendingPathComponent("zhtj").path
    }

    public init(
        dataDirectory: String = "storage", database: DatabaseLocation? = nil, host: String = "127.0.0.1",
        port: Int = 8080, bcryptCost: Int = 10, sessionLifetime: Int = 12 * 3600, secureCookies: Bool = false,
        logLevel: Logger.Level = .info, archivePolicy: InspectionPolicy = InspectionPolicy(),
        inspectorExecutable: String = AppConfig.defaultInspectorExecutable, connections: ConnectionLimits = ConnectionLimits(),
        loginThrottle: LoginThrottle.Limits = .init(), trustedProxies: [String] = [],
        inspectorLimits: IsolatedInspector.Limits = .init(), inspectionQueue: InspectionQueue.Limits = .init()
    ) {
        self.dataDirectory = dataDirectory
        self.database = database ?? .sqlite(path: (dataDirectory as NSString).appendingPathComponent("zhtj.sqlite"))
        self.host = host
        self.port = port
        self.bcryptCost = bcryptCost
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
        self.logLevel = logLevel
        self.archivePolicy = archivePolicy
        self.inspectorExecutable = inspectorExecutable
        self.connections = connections
        self.loginThrottle = loginThrottle
        self.trustedProxies = trustedProxies
        self.inspectorLimits = inspectorLimits
        self.inspectionQueue = inspectionQueue
    }

    /// A configuration value that could not be used; the message names the variable.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let variable: String
        public let value: String
        public let reason: String
        public var description: String { "invalid \(variable)=\"\(value)\": \(reason)" }
    }

    /// Values given on the command line; nil means "not given".
    public struct Flags: Sendable, Equatable {
        public var dataDirectory: String?
        public var databaseURL: String?
        public var host: String?
        public var port: String?
        public var bcryptCost: String?
        public var logLevel: String?

        public init(
            dataDirectory: String? = nil, databaseURL: String? = nil, host: String? = nil, port: String? = nil,
            bcryptCost: String? = nil, logLevel: String? = nil
        ) {
            self.dataDirectory = dataDirectory
            self.databaseURL = databaseURL
            self.host = host
            self.port = port
            self.bcryptCost = bcryptCost
            self.logLevel = logLevel
        }
    }

    /// Flags win over the environment, which wins over defaults.
    public static func resolve(flags: Flags, environment: [String: String]) throws(Invalid) -> AppConfig {
        func value(_ flag: String?, _ variable: String) -> (String, String)? {
            if let flag { return (flag, "--" + variable.dropFirst(5).lowercased().replacingOccurrences(of: "_", with: "-")) }
            if let env = environment[variable], !env.isEmpty { return (env, variable) }
            return nil
        }
        var config = AppConfig()
        if let (dir, name) = value(flags.dataDirectory, "ZHTJ_DATA_DIR") {
            guard !dir.isEmpty else { throw Invalid(variable: name, value: dir, reason: "must not be empty") }
            config = AppConfig(dataDirectory: dir)
        }
        if let (url, name) = value(flags.databaseURL, "ZHTJ_DATABASE_URL") {
            do {
                config.database = try DatabaseLocation(url: url)
            } catch {
                // The URL may carry a password: name the variable, not the value.
                throw Invalid(variable: name, value: "(hidden)", reason: "expected postgres://… or sqlite:PATH")
            }
        }
        if let (host, name) = value(flags.host, "ZHTJ_HOST") {
            guard !host.isEmpty, !host.contains(" ") else { throw Invalid(variable: name, value: host, reason: "not a host name or address") }
            config.host = host
        }
        if let (port, name) = value(flags.port, "ZHTJ_PORT") {
            guard let p = Int(port), (0...65535).contains(p) else {
                throw Invalid(variable: name, value: port, reason: "expected a port number 0–65535")
            }
            config.port = p
        }
        if let (cost, name) = value(flags.bcryptCost, "ZHTJ_BCRYPT_COST") {
            guard let c = Int(cost), (4...16).contains(c) else {
                throw Invalid(variable: name, value: cost, reason: "expected a bcrypt cost 4–16")
            }
            config.bcryptCost = c
        }
        if let raw = environment["ZHTJ_SESSION_HOURS"], !raw.isEmpty {
            guard let h = Int(raw), (1...720).contains(h) else {
                throw Invalid(variable: "ZHTJ_SESSION_HOURS", value: raw, reason: "expected hours 1–720")
            }
            config.sessionLifetime = h * 3600
        }
        if let raw = environment["ZHTJ_SECURE_COOKIES"], !raw.isEmpty {
            guard let b = ["1": true, "true": true, "0": false, "false": false][raw.lowercased()] else {
                throw Invalid(variable: "ZHTJ_SECURE_COOKIES", value: raw, reason: "expected true or false")
            }
            config.secureCookies = b
        }
        if let raw = environment["ZHTJ_ARCHIVE_PAGES"], !raw.isEmpty {
            let parts = raw.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil, 1 <= low, low <= high,
                high <= 1000
            else {
                throw Invalid(variable: "ZHTJ_ARCHIVE_PAGES", value: raw, reason: "expected a page count like 12 or a range like 10-14")
            }
            config.archivePolicy.pageRange = low...high
        }
        if let raw = environment["ZHTJ_ATTACHMENT_MAX_BYTES"], !raw.isEmpty {
            guard let bytes = Int(raw), (1...(100 * 1024 * 1024)).contains(bytes) else {
                throw Invalid(variable: "ZHTJ_ATTACHMENT_MAX_BYTES", value: raw, reason: "expected bytes from 1 to 104857600")
            }
            config.attachmentMaximumBytes = bytes
        }
        if let raw = environment["ZHTJ_INSPECTOR"], !raw.isEmpty {
            config.inspectorExecutable = raw
        }
        func seconds(_ variable: String, _ range: ClosedRange<Double>) throws(Invalid) -> Double? {
            guard let raw = environment[variable], !raw.isEmpty else { return nil }
            guard let v = Double(raw), range.contains(v) else {
                throw Invalid(variable: variable, value: raw, reason: "expected seconds \(range.lowerBound)–\(range.upperBound)")
            }
            return v
        }
        func number(_ variable: String, _ range: ClosedRange<Int>, _ what: String) throws(Invalid) -> Int? {
            guard let raw = environment[variable], !raw.isEmpty else { return nil }
            guard let n = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(n) else {
                throw Invalid(variable: variable, value: raw, reason: "expected \(what) \(range.lowerBound)–\(range.upperBound)")
            }
            return n
        }
        if let v = try seconds("ZHTJ_SESSION_CACHE_SECONDS", 0...60) { config.sessionCacheSeconds = v }
        if let v = try seconds("ZHTJ_HEADER_TIMEOUT_SECONDS", 0.1...600) { config.connections.headerReadSeconds = v }
        if let v = try seconds("ZHTJ_BODY_IDLE_TIMEOUT_SECONDS", 0.1...600) { config.connections.bodyIdleSeconds = v }
        if let v = try number("ZHTJ_MAX_CONNECTIONS_PER_ADDRESS", 1...100_000, "connections") { config.connections.perAddress = v }
        if let v = try number("ZHTJ_DRAIN_BYTES", 0...(1 << 30), "bytes") { config.connections.drainBytes = v }
        if let v = try seconds("ZHTJ_DRAIN_SECONDS", 0...60) { config.connections.drainSeconds = v }
        if let n = try number("ZHTJ_LOGIN_PAIR_LIMIT", 1...1000, "failures of one account from one address") {
            config.loginThrottle.perPair = n
        }
        if let n = try number("ZHTJ_LOGIN_ADDRESS_LIMIT", 1...100_000, "failures from one address") {
            config.loginThrottle.perAddress = n
        }
        if let n = try number("ZHTJ_LOGIN_WINDOW_MINUTES", 1...1440, "minutes") {
            config.loginThrottle.windowSeconds = Int64(n) * 60
        }
        if let n = try number("ZHTJ_LOGIN_ACCOUNT_LIMIT", 1...1_000_000, "failures of one account from all addresses") {
            config.loginThrottle.perAccount = n
        }
        if let n = try number("ZHTJ_LOGIN_ACCOUNT_WINDOW_MINUTES", 1...10080, "minutes") {
            config.loginThrottle.accountWindowSeconds = Int64(n) * 60
        }
        if let n = try number("ZHTJ_LOGIN_DELAY_CAP_SECONDS", 1...86400, "seconds") {
            config.loginThrottle.accountDelayCapSeconds = Int64(n)
        }
        // The account-wide bound must stay far above the pair's, or one address locks the owner out again.
        if config.loginThrottle.perAccount <= config.loginThrottle.perPair {
            throw Invalid(
                variable: "ZHTJ_LOGIN_ACCOUNT_LIMIT", value: String(config.loginThrottle.perAccount),
                reason: "must be greater than the per-address account limit (\(config.loginThrottle.perPair))")
        }
        if let raw = environment["ZHTJ_TRUSTED_PROXIES"], !raw.isEmpty {
            let proxies = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard proxies.allSatisfy(ClientAddressSyntax.isAddress) else {
                throw Invalid(variable: "ZHTJ_TRUSTED_PROXIES", value: raw, reason: "expected IP addresses separated by commas")
            }
            config.trustedProxies = proxies
        }
        if let cpu = try number("ZHTJ_INSPECT_CPU_SECONDS", 1...600, "whole CPU seconds") {
            config.inspectorLimits.cpuSeconds = cpu
        }
        if let raw = environment["ZHTJ_INSPECT_WALL_SECONDS"], !raw.isEmpty {
            guard let wall = Double(raw.trimmingCharacters(in: .whitespaces)), wall.isFinite, (0.5...600).contains(wall) else {
                throw Invalid(variable: "ZHTJ_INSPECT_WALL_SECONDS", value: raw, reason: "expected seconds 0.5–600 (e.g. 8 or 7.5)")
            }
            config.inspectorLimits.wallSeconds = wall
        }
        // A CPU limit above the wall clock could never be reached: the child is killed first,
        // and the log would say `timeout` for what is a CPU-bound file.
        if Double(config.inspectorLimits.cpuSeconds) > config.inspectorLimits.wallSeconds {
            throw Invalid(
                variable: "ZHTJ_INSPECT_CPU_SECONDS", value: String(config.inspectorLimits.cpuSeconds),
                reason: "must not exceed ZHTJ_INSPECT_WALL_SECONDS (\(config.inspectorLimits.wallSeconds))")
        }
        if let n = try number("ZHTJ_INSPECT_CONCURRENCY", 1...64, "a number of children") { config.inspectionQueue.concurrency = n }
        if let n = try number("ZHTJ_INSPECT_QUEUE", 0...10_000, "a number of waiting uploads") { config.inspectionQueue.maximumWaiting = n }
        if let n = try number("ZHTJ_INSPECT_QUEUE_PER_ORG", 1...10_000, "a number of waiting uploads per org") {
            config.inspectionQueue.maximumWaitingPerLane = n
        }
        if let raw = environment["ZHTJ_NOW"], !raw.isEmpty {
            guard environment["ZHTJ_ALLOW_TEST_CLOCK"] == "1" else {
                throw Invalid(variable: "ZHTJ_NOW", value: raw, reason: "a test clock; set ZHTJ_ALLOW_TEST_CLOCK=1 to accept it")
            }
            guard let start = parseInstant(raw) else {
                throw Invalid(variable: "ZHTJ_NOW", value: raw, reason: "expected an ISO-8601 instant, e.g. 2027-06-01T00:00:00+08:00")
            }
            config.testClockStart = start
        }
        if let raw = environment["ZHTJ_METRICS_ADDRESS"], !raw.isEmpty {
            let parts = raw.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 2, let port = Int(parts.last!), (0...65535).contains(port) else {
                throw Invalid(variable: "ZHTJ_METRICS_ADDRESS", value: raw, reason: "expected host:port, such as 127.0.0.1:9464")
            }
            let host = parts.dropLast().joined(separator: ":").trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            guard !host.isEmpty, !host.contains(" ") else {
                throw Invalid(variable: "ZHTJ_METRICS_ADDRESS", value: raw, reason: "expected host:port, such as 127.0.0.1:9464")
            }
            config.metricsAddress = ListenAddress(host: host, port: port)
        }
        if let n = try number("ZHTJ_RULES_INTERVAL_SECONDS", 0...86_400, "seconds between calendar sweeps (0 off)") {
            config.rulesIntervalSeconds = n
        }
        if let (level, name) = value(flags.logLevel, "ZHTJ_LOG_LEVEL") {
            guard let l = Logger.Level(rawValue: level.lowercased()) else {
                throw Invalid(variable: name, value: level, reason: "expected trace, debug, info, notice, warning, error or critical")
            }
            config.logLevel = l
        }
        return config
    }
}

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
    /// The binary that parses uploads in a child process: `zhtj-inspect`, or a `zhtj` (whose
    /// `inspect` subcommand takes the same arguments). Defaults to the `zhtj-inspect` beside the
    /// running executable.
    public var inspectorExecutable: String
    /// What one inspecting child may spend (ZHTJ_INSPECT_CPU_SECONDS, ZHTJ_INSPECT_WALL_SECONDS);
    /// the defaults are a margin above the worst real file measured (`scripts/measure-inspector`).
    public var inspectorLimits: IsolatedInspector.Limits
    /// Children at once, and how many uploads may wait, in all and per org
    /// (ZHTJ_INSPECT_CONCURRENCY, ZHTJ_INSPECT_QUEUE, ZHTJ_INSPECT_QUEUE_PER_ORG); past those an
    /// upload is answered 503 with `Retry-After`.
    public var inspectionQueue: InspectionQueue.Limits

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
        inspectorExecutable: String = AppConfig.defaultInspectorExecutable,
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
        if let raw = environment["ZHTJ_INSPECTOR"], !raw.isEmpty {
            config.inspectorExecutable = raw
        }
        func whole(_ variable: String, _ range: ClosedRange<Int>, _ what: String) throws(Invalid) -> Int? {
            guard let raw = environment[variable], !raw.isEmpty else { return nil }
            guard let n = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(n) else {
                throw Invalid(variable: variable, value: raw, reason: "expected \(what) \(range.lowerBound)–\(range.upperBound)")
            }
            return n
        }
        if let cpu = try whole("ZHTJ_INSPECT_CPU_SECONDS", 1...600, "whole CPU seconds") {
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
        if let n = try whole("ZHTJ_INSPECT_CONCURRENCY", 1...64, "a number of children") { config.inspectionQueue.concurrency = n }
        if let n = try whole("ZHTJ_INSPECT_QUEUE", 0...10_000, "a number of waiting uploads") { config.inspectionQueue.maximumWaiting = n }
        if let n = try whole("ZHTJ_INSPECT_QUEUE_PER_ORG", 1...10_000, "a number of waiting uploads per org") {
            config.inspectionQueue.maximumWaitingPerLane = n
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

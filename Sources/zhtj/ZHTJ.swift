import App
import BlobStore
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Persistence

/// Options every subcommand shares; each is also a `ZHTJ_*` environment variable.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data folder: zhtj.sqlite and the blob store (ZHTJ_DATA_DIR, default storage).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "postgres://… for PostgreSQL; default the SQLite file in the data folder (ZHTJ_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Address to listen on (ZHTJ_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (ZHTJ_PORT, default 8080).")
    var port: String?

    @Option(name: .customLong("bcrypt-cost"), help: "bcrypt work factor 4–16 (ZHTJ_BCRYPT_COST, default 10).")
    var bcryptCost: String?

    @Option(name: .customLong("log-level"), help: "trace … critical (ZHTJ_LOG_LEVEL, default info).")
    var logLevel: String?

    /// Resolves flags, then the environment, then defaults; a bad value stops here with a
    /// message naming the variable.
    func resolve() throws -> AppConfig {
        let flags = AppConfig.Flags(
            dataDirectory: dataDirectory, databaseURL: databaseURL, host: host, port: port, bcryptCost: bcryptCost,
            logLevel: logLevel)
        do {
            return try AppConfig.resolve(flags: flags, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("配置错误 (configuration error): \(error)")
        }
    }

    func logger(_ config: AppConfig) -> Logger {
        var logger = Logger(label: "zhtj")
        logger.logLevel = config.logLevel
        return logger
    }
}

@main
struct ZHTJ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhtj",
        abstract: "智慧团建 e-archive service.",
        subcommands: [Serve.self, Migrate.self, Demo.self, Inspect.self, Verify.self, Backup.self, Restore.self, Rules.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate the database, then serve HTTP until SIGTERM/SIGINT.")
    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.resolve()
        let logger = options.logger(config)
        logger.info("starting", metadata: ["database": "\(config.database)", "host": "\(config.host)", "port": "\(config.port)"])
        var clock: any TimeSource = SystemTimeSource()
        if let start = config.testClockStart {
            logger.warning("test clock: the server's time starts at ZHTJ_NOW, not the real time", metadata: ["now": "\(start.text)"])
            clock = ShiftedTimeSource(startingAt: start)
        }
        let app = try await buildApplication(config: config, clock: clock, logger: logger)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations.")
    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.resolve()
        let logger = options.logger(config)
        let database = try await openDatabase(config: config, logger: logger)
        do {
            let applied = try await Migrator(database: database, logger: logger).migrate()
            print(applied.isEmpty ? "schema up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load the demo data set into an empty database (does nothing when it is already there).")
    @OptionGroup var options: ConfigOptions

    @Flag(name: .customLong("print-accounts"), help: "Print the demo logins as fixtures/demo-accounts.json holds them, and exit.")
    var printAccounts = false

    func run() async throws {
        if printAccounts {
            print(try DemoDataSet.make().accountsJSON())
            return
        }
        let config = try options.resolve()
        let logger = options.logger(config)
        let database = try await openDatabase(config: config, logger: logger)
        let outcome: DemoLoader.Outcome
        do {
            try await Migrator(database: database, logger: logger).migrate()
            outcome = try await DemoLoader(
                database: database, passwords: PasswordHasher(cost: config.bcryptCost), clock: SystemTimeSource()
            ).load()
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
        switch outcome {
        case .loaded(let orgs, let people): print("demo data loaded: \(orgs) orgs, \(people) people")
        case .alreadyLoaded: print("demo data already present; nothing to do")
        case .refusedNonEmpty:
            print("the database holds other data; demo data not loaded")
            throw ExitCode(3)
        }
    }
}

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-hash every archive blob, check every database reference and the audit chain.",
        discussion: """
            Exit status: 0 everything intact; 2 only orphaned blobs (stored files no archive \
            version refers to — the permitted leftover of a crash between storing a file and \
            recording it; nothing is lost); 1 a missing, corrupted or unreadable blob or a broken \
            audit chain (orphans may be listed too). Each finding is one line naming the blob by \
            SHA-256 and the members concerned. With --collect-orphans, orphaned blobs last stored \
            more than --grace-minutes ago are removed (each one only after the database, asked \
            again, still has no record of it); the exit status then counts the orphans kept.
            """)
    @OptionGroup var options: ConfigOptions
    @Flag(name: .customLong("collect-orphans"), help: "Remove orphaned blobs older than the grace period.")
    var collectOrphans = false
    @Option(name: .customLong("grace-minutes"), help: "Orphans stored more recently than this are kept (an upload may be recording them).")
    var graceMinutes: Int = 60

    func run() async throws {
        let config = try options.resolve()
        let logger = options.logger(config)
        let database = try await openDatabase(config: config, logger: logger)
        guard graceMinutes >= 0 else { throw ValidationError("--grace-minutes must not be negative") }
        var summary: IntegrityCheck.Summary
        var collected: [String] = []
        do {
            try await Migrator(database: database, logger: logger).migrate()
            let blobs = try FileBlobStore(root: config.dataDirectory)
            let check = IntegrityCheck(database: database, blobs: blobs)
            summary = try await check.run()
            if collectOrphans {
                (summary, collected) = try await check.collectOrphans(of: summary, olderThan: .seconds(graceMinutes * 60))
            }
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
        print("checked \(summary.versionsChecked) archive versions, \(summary.blobsChecked) stored blobs, \(summary.auditEntriesChecked) audit entries")
        for problem in summary.problems { print(problem) }
        for sha in collected { print("collected orphaned blob \(sha)") }
        for orphan in summary.orphans { print(orphan) }
        if !summary.problems.isEmpty { print("\(summary.problems.count) problem(s) found") }
        if collectOrphans { print("\(collected.count) orphaned blob(s) collected") }
        if !summary.orphans.isEmpty {
            print("\(summary.orphans.count) orphaned blob(s): no archive version refers to them (leftovers of an interrupted upload; no data lost)")
        }
        if summary.problems.isEmpty, summary.orphans.isEmpty { print("ok") }
        let status = summary.exitStatus
        if status != IntegrityCheck.Summary.Status.clean { throw ExitCode(status) }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database (a consistent snapshot, also of a running service) and the blob store into a new folder.",
        discussion: """
            DEST must not exist. It receives zhtj.sqlite (SQLite's VACUUM INTO) or database.pgdump \
            (pg_dump --format=custom), every blob under blobs/, and MANIFEST, written last, with \
            each file's SHA-256. A blob that no longer matches its hash stops the backup (exit 1).
            """)
    @OptionGroup var options: ConfigOptions
    @Argument(help: "The folder to create.") var destination: String

    func run() async throws {
        let config = try options.resolve()
        let logger = options.logger(config)
        let database = try await openDatabase(config: config, logger: logger)
        let written: (files: Int, bytes: Int)
        do {
            try await Migrator(database: database, logger: logger).migrate()
            written = try await BackupFolder(path: destination)
                .write(database: database, location: config.database, blobs: try FileBlobStore(root: config.dataDirectory))
        } catch {
            try? await database.close()
            print("backup failed: \(error)")
            throw ExitCode(1)
        }
        try await database.close()
        print("backup written to \(destination): \(written.files) files, \(written.bytes) bytes of blobs")
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild an empty data folder (and database) from a backup made by zhtj backup.",
        discussion: """
            Every file is hashed against MANIFEST first; one that is missing or differs is named \
            and nothing is restored (exit 1). The target database and blob store must be empty. \
            Blobs that no restored row names (stored while the backup ran) are left out.
            """)
    @OptionGroup var options: ConfigOptions
    @Argument(help: "The backup folder.") var source: String

    func run() async throws {
        let config = try options.resolve()
        let logger = options.logger(config)
        let backup = BackupFolder(path: source)
        do {
            let entries = try backup.verified()
            try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
            let restored = try await backup.restore(
                entries, into: config.database, openDatabase: { try await openDatabase(config: config, logger: logger) },
                blobs: try FileBlobStore(root: config.dataDirectory))
            print("restored from \(source): the database and \(restored.blobs) blobs (\(restored.leftOut) stored after the snapshot left out); run zhtj verify")
        } catch {
            print("restore failed: \(error)")
            throw ExitCode(1)
        }
    }
}

struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The calendar rules (TRF-6, TRF-7, GRD-4): what the server sweeps on its own.", subcommands: [RulesRun.self])
}

struct RulesRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the calendar rules once, as of --at (default: now), and print what they decided.")
    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("at"), help: "An ISO-8601 instant, e.g. 2027-06-01T00:00:00+08:00.")
    var at: String?

    func run() async throws {
        let config = try options.resolve()
        let logger = options.logger(config)
        let instant: Timestamp
        if let at {
            guard let parsed = parseInstant(at) else { throw ValidationError("--at: expected an ISO-8601 instant, e.g. 2027-06-01T00:00:00+08:00") }
            instant = parsed
        } else {
            instant = Timestamp.now()
        }
        let outcome = try await runCalendarRules(config: config, at: instant, logger: logger)
        if outcome.skipped {
            print("calendar rules: another instance has been sweeping for 30 s; nothing was done, run again later")
            throw ExitCode(75)
        }
        print(
            "calendar rules as of \(instant.text): \(outcome.autoApproved) approved by default (TRF-7), \(outcome.returned) returned (TRF-6), "
                + "\(outcome.branchesGraduated) branches and \(outcome.membersGraduated) members graduated (GRD-4), "
                + "\(outcome.gradingYearsLocked) grading years locked (GRA-4)")
    }
}

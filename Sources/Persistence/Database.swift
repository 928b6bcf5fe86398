@preconcurrency import AsyncKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// Where the data lives: the embedded SQLite file (default) or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public enum Invalid: Error, Equatable { case unsupportedScheme(String), malformed }

    /// `postgres://…`/`postgresql://…` selects PostgreSQL; `sqlite:PATH` or `sqlite://PATH`
    /// selects a SQLite file.
    public init(url: String) throws(Invalid) {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard URL(string: url)?.host != nil else { throw .malformed }
            self = .postgres(url: url)
        } else if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw .malformed }
            self = .sqlite(path: path)
        } else if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw .malformed }
            self = .sqlite(path: path)
        } else {
            throw .unsupportedScheme(String(url.prefix(while: { $0 != ":" })))
        }
    }

    /// Never prints a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres://(unparsable)" }
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres://…"
        }
    }
}

/// The SQL dialects the schema is written for. Differences are confined to connection
/// plumbing (`BEGIN IMMEDIATE` versus `BEGIN`, error classification); queries are shared.
public enum SQLFlavor: Sendable { case sqlite, postgres }

/// An open database: the shared `SQLDatabase` for single statements and `transaction` for
/// anything that writes more than one row.
public final class Database: Sendable {
    public let flavor: SQLFlavor
    /// Pool-backed: consecutive calls may use different connections. Use `transaction` when
    /// statements must see each other or commit together.
    public let sql: any SQLDatabase
    private let closePool: @Sendable () async throws -> Void

    init(flavor: SQLFlavor, sql: any SQLDatabase, close: @escaping @Sendable () async throws -> Void) {
        self.flavor = flavor
        self.sql = sql
        self.closePool = close
    }

    /// Opens a pool on `location`. For SQLite the parent folder must exist.
    /// With `metered`, the pool's use is recorded through swift-metrics (`MeteredSQLDatabase`).
    public static func open(
        _ location: DatabaseLocation, logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, metered: Bool = false
    ) async throws -> Database {
        let loops = eventLoopGroup.makeIterator().reduce(0) { count, _ in count + 1 }
        switch location {
        case .sqlite(let path):
            // SQLite blocks a thread for every statement, and a writer waiting out busy_timeout
            // blocks its thread for up to 10 s. On a thread pool shared with anything else
            // (bcrypt ran on NIO's singleton, 2 threads here) the connection holding the lock
            // could wait behind its own waiters until the pool timed out: 500s under load.
            // So the database gets threads of its own, one per pooled connection.
            let connectionsPerLoop = 2
            let threads = NIOThreadPool(numberOfThreads: max(1, loops) * connectionsPerLoop)
            threads.start()
            let source = SQLiteTunedSource(path: path, threads: threads)
            // WAL lets readers proceed during a write; two connections per loop keep write
            // contention to what busy_timeout absorbs.
            let pool = EventLoopGroupConnectionPool(
                source: source, maxConnectionsPerEventLoop: connectionsPerLoop, pruneInterval: nil, logger: logger,
                on: eventLoopGroup)
            let box = PoolBox(pool)
            let database = PooledSQLiteDatabase(box: box, logger: logger)
            let sql = database.sql(queryLogLevel: .trace)
            // Fail now, not on the first request, when the file cannot be opened; a pool
            // released without its shutdown traps, so it is shut down before the error goes up.
            do {
                _ = try await sql.raw("SELECT 1 AS ok").all()
            } catch {
                try? await box.pool.shutdownAsync()
                try? await source.stopThreadsWhenDrained(logger: logger)
                throw error
            }
            let used = metered ? MeteredSQLDatabase(sql, flavor: .sqlite, poolSize: max(1, loops) * connectionsPerLoop) : sql
            return Database(flavor: .sqlite, sql: used, close: {
                try await box.pool.shutdownAsync()
                try await source.stopThreadsWhenDrained(logger: logger)
            })
        case .postgres(let url):
            var configuration = try SQLPostgresConfiguration(url: url)
            if !url.contains("tlsmode=") && !url.contains("sslmode=") && !url.contains("tls=") && !url.contains("ssl=") {
                // Loopback and private deployments rarely have certificates; a URL that wants TLS says so.
                configuration.coreConfiguration.tls = .disable
            }
            let connectionsPerLoop = 8
            let pool = EventLoopGroupConnectionPool(
                source: PostgresConnectionSource(sqlConfiguration: configuration),
                maxConnectionsPerEventLoop: connectionsPerLoop, pruneInterval: .seconds(60), logger: logger,
                on: eventLoopGroup)
            let box = PoolBox(pool)
            let sql = pool.database(logger: logger).sql(queryLogLevel: .trace)
            do {
                _ = try await sql.raw("SELECT 1 AS ok").all()
            } catch {
                try? await box.pool.shutdownAsync()
                throw error
            }
            let used = metered ? MeteredSQLDatabase(sql, flavor: .postgres, poolSize: max(1, loops) * connectionsPerLoop) : sql
            return Database(flavor: .postgres, sql: used, close: { try await box.pool.shutdownAsync() })
        }
    }

    public func close() async throws { try await closePool() }

    /// Reads outside a transaction: each call may use another pooled connection.
    public var repositories: Repositories { Repositories(sql) }

    /// Answers when the database does (the health check).
    public func ping() async throws { _ = try await sql.raw("SELECT 1 AS ok").all() }

    /// Runs `body` in one transaction with the repositories bound to it: committed when it
    /// returns, rolled back when it throws, so nothing half-written is ever visible.
    ///
    /// Two transactions appending to the audit chain at once collide on its sequence number
    /// (PostgreSQL; SQLite serialises writers): the loser runs again from the start, a few
    /// times. A lost race on a record itself (a stale revision, a second first archive) is
    /// not retried but thrown as `ConcurrentChange`, because the caller's decision was made
    /// on what it read.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Repositories) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await transaction { sql in try await body(Repositories(sql)) }
            } catch let stale as StaleRevision {
                switch stale { case .archive: throw ConcurrentChange(table: "archives") }
            } catch {
                guard let violation = ConstraintViolation(error) else { throw error }
                if violation.concerns("audit_log"), attempt < 8 {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
                    continue
                }
                if case .unique = violation, violation.concerns("archives") { throw ConcurrentChange(table: "archives") }
                throw error
            }
        }
    }

    /// Runs `body` for each item in one transaction, each item inside its own savepoint: an
    /// item whose body throws is rolled back alone (nothing of it stays) and its error takes its
    /// place in the answer; the others commit together, with one durable commit for all of them.
    /// Bulk imports use this: a row exists completely or not at all, and 10,000 rows cost one
    /// `fsync` instead of 10,000.
    public func writeEach<Item: Sendable, T: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Repositories, Item) async throws -> T
    ) async throws -> [Result<T, any Error>] {
        try await transaction { sql in
            let repositories = Repositories(sql)
            var results: [Result<T, any Error>] = []
            results.reserveCapacity(items.count)
            for item in items {
                try await sql.raw("SAVEPOINT zhtj_item").run()
                do {
                    let value = try await body(repositories, item)
                    try await sql.raw("RELEASE SAVEPOINT zhtj_item").run()
                    results.append(.success(value))
                } catch {
                    // PostgreSQL refuses every statement after an error until this rollback.
                    try await sql.raw("ROLLBACK TO SAVEPOINT zhtj_item").run()
                    try await sql.raw("RELEASE SAVEPOINT zhtj_item").run()
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    /// Runs `body` on one connection inside a transaction: committed when it returns,
    /// rolled back when it throws. Nothing half-written is ever visible to other readers.
    func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let begin = flavor == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        return try await sql.withSession { connection in
            try await connection.raw(SQLQueryString(begin)).run()
            do {
                let result = try await body(connection)
                try await connection.raw("COMMIT").run()
                return result
            } catch {
                try? await connection.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}

/// Opens SQLite files with the settings an official record needs: foreign keys enforced,
/// WAL for concurrent readers, `synchronous=FULL` so a commit survives power loss, and a
/// busy timeout instead of immediate SQLITE_BUSY errors under concurrent writers.
struct SQLiteTunedSource: ConnectionPoolSource {
    let path: String
    let threads: NIOThreadPool
    /// Connections being opened, and those opened: a connection closes on `threads`, so the
    /// threads must outlive every one of them. The pool's shutdown does not wait for a
    /// connection still opening or still lent out (it closes those later, without waiting), and
    /// a connection that cannot close traps in its deinit.
    let live = Live()

    final class Live: Sendable {
        private let state = NIOLockedValueBox<(opening: Int, opened: [SQLiteConnection])>((0, []))

        func opening() { state.withLockedValue { $0.opening += 1 } }

        func opened(_ connection: SQLiteConnection?) {
            state.withLockedValue { state in
                state.opening -= 1
                if let connection { state.opened.append(connection) }
            }
        }

        /// Nothing is opening and every connection opened has closed.
        var drained: Bool {
            state.withLockedValue { state in
                state.opened.removeAll { $0.isClosed }
                return state.opening == 0 && state.opened.isEmpty
            }
        }
    }

    /// After the pool's shutdown: the pool closes a lent-out or late-opened connection only after
    /// its shutdown has returned, so the threads stay until the last has closed (or, should one
    /// never close, stay for good: idle threads are harmless, a trap is not).
    func stopThreadsWhenDrained(logger: Logger) async throws {
        for _ in 0..<1500 where !live.drained { try? await Task.sleep(for: .milliseconds(10)) }
        guard live.drained else {
            logger.warning("sqlite connections still open at close; their threads are kept")
            return
        }
        try await threads.shutdownGracefully()
    }

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        let live = self.live
        live.opening()
        let made = SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger, on: eventLoop)
        made.whenComplete { result in live.opened(try? result.get()) }
        return made
            .flatMap { connection in
                let pragmas = [
                    "PRAGMA busy_timeout = 10000", "PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL",
                    "PRAGMA synchronous = FULL",
                ]
                return pragmas.reduce(eventLoop.makeSucceededVoidFuture()) { chain, pragma in
                    chain.flatMap { connection.query(pragma).map { _ in } }
                }
                .flatMapError { error in connection.close().flatMapThrowing { throw error } }
                .map { connection }
            }
    }
}

/// A `SQLiteDatabase` that borrows a pooled connection for each query (sqlite-kit ships the
/// connection, fluent-sqlite-driver the pool adapter; we need only this much of the latter).
struct PooledSQLiteDatabase: SQLiteDatabase {
    let box: PoolBox<SQLiteTunedSource>
    let logger: Logger
    var pool: EventLoopGroupConnectionPool<SQLiteTunedSource> { box.pool }
    var eventLoop: any EventLoop { pool.eventLoopGroup.any() }

    func query(
        _ query: String, _ binds: [SQLiteData], logger: Logger,
        _ onRow: @escaping @Sendable (SQLiteRow) -> Void
    ) -> EventLoopFuture<Void> {
        pool.withConnection(logger: logger) { $0.query(query, binds, logger: logger, onRow) }
    }

    func query(_ query: String, _ binds: [SQLiteData], _ onRow: @escaping @Sendable (SQLiteRow) -> Void) async throws {
        try await self.query(query, binds, logger: logger, onRow).get()
    }

    func withConnection<T>(_ closure: @escaping @Sendable (SQLiteConnection) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        pool.withConnection(logger: logger, closure)
    }
}

/// AsyncKit's pool guards its state with a lock but predates `Sendable`; this box states that.
final class PoolBox<Source: ConnectionPoolSource>: @unchecked Sendable {
    let pool: EventLoopGroupConnectionPool<Source>
    init(_ pool: EventLoopGroupConnectionPool<Source>) { self.pool = pool }
}

/// The database could not take the statement in time: the pool had no connection within its
/// wait, or SQLite's lock outlasted busy_timeout. Nothing was written, so the client may try
/// again; App answers 503 with `Retry-After` instead of a bare 500.
public enum DatabaseOverload {
    public static func matches(_ error: any Error) -> Bool {
        switch error {
        case is ConnectionPoolTimeoutError: return true
        case let error as SQLiteError:
            switch error.reason {
            case .busy, .locked, .busyTimeout, .busyInRecovery, .busyInSnapshot, .lockedBySharedCache: return true
            default: return false
            }
        default: return false
        }
    }
}

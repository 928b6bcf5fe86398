@preconcurrency import AsyncKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit

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
    /// Reads outside a transaction: each call may use another pooled connection. Built once:
    /// building it boxes 25 repositories, and every request asks for it several times.
    public let repositories: Repositories

    init(flavor: SQLFlavor, sql: any SQLDatabase, close: @escaping @Sendable () async throws -> Void) {
        self.flavor = flavor
        self.sql = sql
        self.closePool = close
        repositories = Repositories(sql, committedOrgs: CommittedOrgs())
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
            // Two connections per loop, as many threads: WAL lets readers proceed during a
            // write, and write contention stays within what busy_timeout absorbs.
            let size = max(1, loops) * 2
            let pool = try await SQLitePool.open(path: path, size: size)
            let sql = SQLitePoolDatabase(pool: pool, logger: logger, eventLoop: eventLoopGroup.any())
            do {
                _ = try await sql.raw("SELECT 1 AS ok").all()
            } catch {
                try? await pool.close(logger: logger)
                throw error
            }
            let used: any SQLDatabase = metered ? MeteredSQLDatabase(sql, flavor: .sqlite, poolSize: size) : sql
            return Database(flavor: .sqlite, sql: used, close: { try await pool.close(logger: logger) })
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

    /// Answers when the database does (the health check).
    public func ping() async throws { _ = try await sql.raw("SELECT 1 AS ok").all() }

    /// Runs `body` in one transaction with the repositories bound to it: committed when it
    /// returns, rolled back when it throws, so nothing half-written is ever visible.
    ///
    /// Two transactions appending to the audit chain at once collide on its sequence number
    /// (PostgreSQL; SQLite serialises writers): the loser runs again from the start, a few
    /// times. A lost race on a record itself (a stale revision, a second first archive) is
    /// not retried but thrown as `ConcurrentChange`, because the caller's decision was made
    /// on what it read. A transaction PostgreSQL chose as a deadlock's victim (two writers
    /// changing the subtree counts of migrations 21 and 23 in opposite orders) runs again too:
    /// nothing of it was committed.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Repositories) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await transaction { sql in try await body(Repositories(sql)) }
            } catch let stale as StaleRevision {
                switch stale { case .archive: throw ConcurrentChange(table: "archives") }
            } catch {
                if Deadlock.matches(error), attempt < 8 {
                    attempt += 1
                    continue
                }
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
        var attempt = 0
        while true {
            do {
                return try await eachInOneTransaction(items, body)
            } catch where Deadlock.matches(error) && attempt < 8 {
                attempt += 1
            }
        }
    }

    private func eachInOneTransaction<Item: Sendable, T: Sendable>(
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
                } catch where Deadlock.matches(error) {
                    // Not this item's fault: the whole transaction runs again.
                    throw error
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
        case is SQLitePoolTimeout: return true
        case let error as SQLiteFailure: return error.isBusy
        default: return false
        }
    }
}

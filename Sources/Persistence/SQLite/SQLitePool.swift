import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLKit

/// No pooled SQLite connection came free within the pool's wait: nothing was run, and the
/// client may try again (App answers 503 with `Retry-After`).
public struct SQLitePoolTimeout: Error, CustomStringConvertible {
    public var description: String { "no sqlite connection became free in time" }
}

/// The embedded database's connections and the threads that run them.
///
/// **(decided)** sqlite-nio ran every statement by preparing it anew on a thread of its pool and
/// handing each row back to an event loop as a task of its own, then to the caller: a list page of
/// 20 rows cost 21 event-loop tasks and two thread hops besides the compile. Here a statement
/// runs on a database thread against a connection's compiled copy, its rows come back as one
/// array, and the caller resumes straight from that thread.
///
/// SQLite blocks a thread for every statement, and a writer waiting out busy_timeout blocks its
/// thread for up to 10 s, so the database has threads of its own, one per connection: a
/// connection holding the write lock never waits behind its own waiters for a thread.
final class SQLitePool: Sendable {
    let threads: NIOThreadPool
    let size: Int
    /// How long a statement or transaction waits for a free connection before `SQLitePoolTimeout`.
    let wait: Duration
    private let state: NIOLockedValueBox<State>

    private struct State {
        var idle: [SQLiteConnection]
        var lent = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<SQLiteConnection, any Error>)] = []
        var nextWaiter = 0
        var closed = false
    }

    /// Opens `size` connections on `path` (the first creates the file), each with the settings
    /// `SQLiteConnection` applies.
    static func open(path: String, size: Int, wait: Duration = .seconds(10)) async throws -> SQLitePool {
        let threads = NIOThreadPool(numberOfThreads: size)
        threads.start()
        do {
            let connections = try await onThread(threads) { try (0..<size).map { _ in try SQLiteConnection(path: path) } }
            return SQLitePool(threads: threads, connections: connections, wait: wait)
        } catch {
            try? await threads.shutdownGracefully()
            throw error
        }
    }

    private init(threads: NIOThreadPool, connections: [SQLiteConnection], wait: Duration) {
        self.threads = threads
        self.size = connections.count
        self.wait = wait
        state = NIOLockedValueBox(State(idle: connections))
    }

    /// Runs `body` with one connection for its whole duration (a transaction). A connection
    /// given back with a transaction still open (a ROLLBACK that failed) is rolled back first,
    /// so the next lessee never inherits one.
    func session<R>(_ body: (SQLiteConnection) async throws -> R) async throws -> R {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            await settle(connection)
            return result
        } catch {
            await settle(connection)
            throw error
        }
    }

    /// Runs one statement outside a transaction. **(decided)** A plain read runs on the caller's
    /// own thread: in WAL mode it never waits for a writer, and handing it to a database thread
    /// and back cost more than the statement itself (two thread wake-ups per request; with them
    /// removed a member-list page costs the CPU its SQL needs). Anything that writes, or may wait
    /// for a lock, goes to the database's threads.
    func statement(_ sql: String, _ binds: [SQLiteValue]) async throws -> (columns: SQLiteColumns, rows: [[SQLiteValue]]) {
        let connection = try await lease()
        let result = Result { try connection.runIfPlainRead(sql, binds) }
        if case .success(.none) = result {
            defer { giveBack(connection) }
            return try await Self.onThread(threads) { try connection.run(sql, binds) }
        }
        giveBack(connection)
        // The other requests waiting for this thread go first, as they did when the statement
        // left it: without this, requests already under way kept the thread and the slowest
        // 1 % waited twice as long.
        await Task.yield()
        return try result.get()!
    }

    func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await Self.onThread(threads, body)
    }

    private func settle(_ connection: SQLiteConnection) async {
        if !connection.isIdle {
            _ = try? await Self.onThread(threads) { try connection.run("ROLLBACK", []) }
        }
        giveBack(connection)
    }

    /// Submitted work always runs (no cancellation between a statement and its thread): a
    /// COMMIT or ROLLBACK a cancelled request asked for still happens.
    private static func onThread<T: Sendable>(_ threads: NIOThreadPool, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            threads.submit { state in
                guard case .active = state else {
                    return continuation.resume(throwing: SQLiteFailure(code: 21, message: "database threads have stopped"))
                }
                continuation.resume(with: Result(catching: body))
            }
        }
    }

    private func lease() async throws -> SQLiteConnection {
        enum Next { case take(SQLiteConnection), wait(Int), closed }
        let next: Next = state.withLockedValue { state in
            if state.closed { return .closed }
            if let connection = state.idle.popLast() {
                state.lent += 1
                return .take(connection)
            }
            state.nextWaiter += 1
            return .wait(state.nextWaiter)
        }
        switch next {
        case .take(let connection): return connection
        case .closed: throw SQLiteFailure(code: 21, message: "database is closed")
        case .wait(let id):
            // The timer fails the waiter unless a connection reached it first; whoever removes
            // the waiter from the list resumes it, exactly once.
            let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
            defer { timer.withLockedValue { $0?.cancel() } }
            return try await withCheckedThrowingContinuation { continuation in
                let handed: SQLiteConnection? = state.withLockedValue { state in
                    // A connection may have come back between the two locks.
                    if let connection = state.idle.popLast() {
                        state.lent += 1
                        return connection
                    }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let handed { return continuation.resume(returning: handed) }
                let wait = self.wait
                timer.withLockedValue {
                    $0 = Task {
                        do { try await Task.sleep(for: wait) } catch { return }
                        self.failWaiter(id, with: SQLitePoolTimeout())
                    }
                }
            }
        }
    }

    private func failWaiter(_ id: Int, with error: any Error) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<SQLiteConnection, any Error>? in
            guard let i = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: i).continuation
        }
        waiter?.resume(throwing: error)
    }

    private func giveBack(_ connection: SQLiteConnection) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<SQLiteConnection, any Error>? in
            if !state.waiters.isEmpty, !state.closed { return state.waiters.removeFirst().continuation }
            state.lent -= 1
            state.idle.append(connection)
            return nil
        }
        waiter?.resume(returning: connection)
    }

    /// Refuses new work, waits (up to 15 s) for lent connections to come back, closes every
    /// connection on its thread and stops the threads. A connection that never comes back keeps
    /// its thread: idle threads are harmless, closing a connection in use is not.
    func close(logger: Logger) async throws {
        let waiters = state.withLockedValue { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters.map(\.continuation)
        }
        for waiter in waiters { waiter.resume(throwing: SQLiteFailure(code: 21, message: "database is closed")) }
        for _ in 0..<1500 where state.withLockedValue({ $0.lent > 0 }) { try? await Task.sleep(for: .milliseconds(10)) }
        let (idle, lent) = state.withLockedValue { state in
            defer { state.idle.removeAll() }
            return (state.idle, state.lent)
        }
        _ = try? await onThread { for connection in idle { connection.close() } }
        guard lent == 0 else {
            logger.warning("sqlite connections still lent out at close; their threads are kept")
            return
        }
        try await threads.shutdownGracefully()
    }
}

/// The pool as SQLKit's `SQLDatabase`: each statement outside a transaction borrows a
/// connection for itself; `withSession` lends one for the whole closure, and the database it
/// passes runs every statement on that connection.
struct SQLitePoolDatabase: SQLDatabase {
    let pool: SQLitePool
    let logger: Logger
    let eventLoop: any EventLoop
    /// The connection of a session (a transaction); nil outside one.
    var session: SQLiteConnection? = nil
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { .trace }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (text, binds) = try SQLiteStatementText.serialize(query, for: self)
        let result: (columns: SQLiteColumns, rows: [[SQLiteValue]])
        if let connection = session {
            result = try await pool.onThread { try connection.run(text, binds) }
        } else {
            result = try await pool.statement(text, binds)
        }
        for values in result.rows { onRow(SQLiteResultRow(columns: result.columns, values: values)) }
    }

    /// Inside a session, nested calls stay on its connection.
    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        if session != nil { return try await closure(self) }
        return try await pool.session { connection in
            var bound = self
            bound.session = connection
            return try await closure(bound)
        }
    }
}

enum SQLiteStatementText {
    /// The SQL text and its binds as SQLite values. The text is logged at trace level, never
    /// the binds: they may hold ID numbers.
    static func serialize(_ query: any SQLExpression, for database: some SQLDatabase) throws -> (String, [SQLiteValue]) {
        var serializer = SQLSerializer(database: database)
        query.serialize(to: &serializer)
        database.logger.trace("sql", metadata: ["sql": .string(serializer.sql)])
        return (serializer.sql, try serializer.binds.map { try SQLiteValue(binding: $0) })
    }
}

/// SQLite's SQL as SQLKit writes it (the same as sqlite-kit's dialect, for SQLite 3.35 and later).
struct SQLiteDialect: SQLDialect {
    var name: String { "sqlite" }
    var identifierQuote: any SQLExpression { SQLRaw("\"") }
    var literalStringQuote: any SQLExpression { SQLRaw("'") }
    func bindPlaceholder(at position: Int) -> any SQLExpression { SQLRaw("?\(position)") }
    func literalBoolean(_ value: Bool) -> any SQLExpression { SQLRaw(value ? "TRUE" : "FALSE") }
    var literalDefault: any SQLExpression { SQLLiteral.null }
    var supportsIfExists: Bool { true }
    var supportsDropBehavior: Bool { false }
    var supportsAutoIncrement: Bool { false }
    var autoIncrementClause: any SQLExpression { SQLRaw("AUTOINCREMENT") }
    var enumSyntax: SQLEnumSyntax { .unsupported }
    var triggerSyntax: SQLTriggerSyntax {
        .init(create: [.supportsBody, .supportsCondition, .supportsUpdateColumns], drop: [])
    }
    var alterTableSyntax: SQLAlterTableSyntax { .init(allowsBatch: false) }
    var upsertSyntax: SQLUpsertSyntax { .standard }
    var supportsReturning: Bool { true }
    var unionFeatures: SQLUnionFeatures { [.union, .unionAll, .intersect, .except] }
    func customDataType(for dataType: SQLDataType) -> (any SQLExpression)? {
        if case .bigint = dataType { return SQLDataType.int }
        return nil
    }
}

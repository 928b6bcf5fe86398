import Logging
import Metrics
import NIOCore
import SQLKit

/// The database pool's use, for the operator (issue 12 item 7): `zhtj_database_in_use` counts the
/// statements outside a transaction and the transactions in progress, each holding or waiting for
/// one pooled connection, beside `zhtj_database_pool_connections`, the pool's size; a figure that
/// stays at the size means requests queue for connections. `zhtj_database_session_seconds` is
/// how long transactions hold theirs.
///
/// Only wrapped in when metrics are on, so a server without them pays nothing; statements
/// inside a transaction go to the session's own connection and are not counted twice.
struct MeteredSQLDatabase: SQLDatabase {
    let base: any SQLDatabase
    let inUse: Meter
    let sessionTime: Timer

    init(_ base: any SQLDatabase, flavor: SQLFlavor, poolSize: Int) {
        self.base = base
        let backend = [("backend", flavor == .sqlite ? "sqlite" : "postgres")]
        inUse = Meter(label: "zhtj_database_in_use", dimensions: backend)
        sessionTime = Timer(label: "zhtj_database_session_seconds", dimensions: backend)
        Gauge(label: "zhtj_database_pool_connections", dimensions: backend).record(poolSize)
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        inUse.increment()
        let inUse = inUse
        return base.execute(sql: query, onRow).always { _ in inUse.decrement() }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        inUse.increment()
        defer { inUse.decrement() }
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        inUse.increment()
        let started = ContinuousClock.now
        defer {
            inUse.decrement()
            sessionTime.record(duration: ContinuousClock.now - started)
        }
        return try await base.withSession(closure)
    }
}

@testable import Persistence
import SQLKit
import TestSupport
import Testing

@Suite("Database overload")
struct OverloadTests {
    @Test("a write that outlasts SQLite's busy_timeout behind another writer is an overload (503 in App), and nothing of it is written")
    func busyIsOverload() async throws {
        try await TestDatabase.withLocation { location in
            guard case .sqlite = location else { return }  // PostgreSQL waits on row locks instead
            let holder = try await Database.open(location, logger: TestDatabase.logger)
            let waiter = try await Database.open(location, logger: TestDatabase.logger)
            try await holder.sql.raw("CREATE TABLE probe (n INTEGER NOT NULL)").run()
            // The holder keeps its write lock until the waiter has given up, whatever the
            // machine's load: signals, not sleeps, order the two (a fixed hold raced CI's load).
            let (locked, lockTaken) = AsyncStream<Void>.makeStream()
            let (release, releaseNow) = AsyncStream<Void>.makeStream()
            let held = Task {
                defer { lockTaken.finish() }
                try await holder.transaction { sql in
                    try await sql.raw("INSERT INTO probe (n) VALUES (1)").run()
                    lockTaken.yield()
                    for await _ in release {}
                }
            }
            for await _ in locked { break }
            var caught: (any Error)?
            do {
                try await waiter.transaction { sql in try await sql.raw("INSERT INTO probe (n) VALUES (2)").run() }
            } catch {
                caught = error
            }
            releaseNow.finish()
            try await held.value
            #expect(caught.map(DatabaseOverload.matches) == true)
            let rows = try await waiter.sql.raw("SELECT n FROM probe").all().map { try $0.decode(column: "n", as: Int.self) }
            #expect(rows == [1])
            #expect(!DatabaseOverload.matches(CancellationError()))
            try await waiter.close()
            try await holder.close()
        }
    }

    /// Closing while a query still holds a connection and more are being opened: the pool
    /// closes those only after its own shutdown returned, so the database's threads must wait
    /// for them. Before, the threads went first and the unclosable connection trapped the
    /// whole process in its deinit (stop 18's SQLite CI run).
    @Test("closing the database while a query holds a connection and others are opening traps nothing, and every connection closes")
    func closeWhileBusy() async throws {
        try await TestDatabase.withLocation { location in
            guard case .sqlite = location else { return }
            for _ in 0..<5 {
                let database = try await Database.open(location, logger: TestDatabase.logger)
                let slow = Task {
                    try? await database.sql.raw(
                        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) AS n FROM c"
                    ).all()
                }
                let quick = (0..<8).map { _ in Task { try? await database.sql.raw("SELECT 1 AS ok").all() } }
                try await Task.sleep(for: .milliseconds(30))
                try await database.close()
                _ = await slow.value
                for task in quick { _ = await task.value }
                // After close nothing is served, and asking is an error, not a trap.
                await #expect(throws: (any Error).self) { try await database.sql.raw("SELECT 1 AS ok").all() }
            }
        }
    }
}

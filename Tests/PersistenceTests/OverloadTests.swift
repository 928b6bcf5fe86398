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
}

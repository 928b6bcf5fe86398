import Foundation
@testable import Persistence
import SQLKit
import TestSupport
import Testing

/// The embedded database's own driver (`Persistence/SQLite`): values as SQLite stores them,
/// compiled statements that hold nothing between calls, and the pool's lending rules.
@Suite("SQLite driver")
struct SQLiteDriverTests {
    /// Runs `body` on a fresh SQLite file; on the PostgreSQL run there is nothing to test here.
    func withSQLite(_ body: (String) async throws -> Void) async throws {
        try await TestDatabase.withLocation { location in
            guard case .sqlite(let path) = location else { return }
            try await body(path)
        }
    }

    @Test("values come back as they were bound: empty, Chinese and NUL-bearing text, 64-bit integers, booleans, reals and NULL")
    func valuesRoundTrip() async throws {
        try await withSQLite { path in
            let database = try await Database.open(.sqlite(path: path), logger: TestDatabase.logger)
            try await database.sql.raw("CREATE TABLE v (t TEXT, n INTEGER, b INTEGER, r REAL, o TEXT)").run()
            let texts = ["", "计算机学院2020级1班团支部", "a\u{0}b", String(repeating: "团", count: 10_000)]
            for (i, text) in texts.enumerated() {
                let none: String? = nil
                try await database.sql.raw("""
                    INSERT INTO v (t, n, b, r, o) VALUES (\(bind: text), \(bind: i == 0 ? Int.max : -i), \(bind: i % 2 == 0), \(bind: 0.5), \(bind: none))
                    """).run()
            }
            let rows = try await database.sql.raw("SELECT t, n, b, r, o FROM v ORDER BY rowid").all()
            #expect(try rows.map { try $0.decode(column: "t", as: String.self) } == texts)
            #expect(try rows.map { try $0.decode(column: "n", as: Int.self) } == [Int.max, -1, -2, -3])
            #expect(try rows.map { try $0.decode(column: "b", as: Bool.self) } == [true, false, true, false])
            #expect(try rows.map { try $0.decode(column: "r", as: Double.self) } == [0.5, 0.5, 0.5, 0.5])
            #expect(try rows.allSatisfy { try $0.decodeNil(column: "o") })
            #expect(try rows[0].decode(column: "o", as: String?.self) == nil)
            // A number reads as text, as every SQLKit driver allows; text never reads as a number.
            #expect(try rows[1].decode(column: "n", as: String.self) == "-1")
            #expect(throws: DecodingError.self) { try rows[1].decode(column: "t", as: Int.self) }
            #expect(throws: DecodingError.self) { try rows[1].decode(column: "missing", as: String.self) }
            try await database.close()
        }
    }

    @Test("a compiled statement keeps no snapshot between calls: a read after another connection's commit sees it, and a full checkpoint is not blocked")
    func cachedStatementsHoldNothing() async throws {
        try await withSQLite { path in
            let pool = try await SQLitePool.open(path: path, size: 2)
            let (a, b) = try await pool.session { a in try await pool.session { b in (a, b) } }
            _ = try await pool.onThread { try a.run("CREATE TABLE t (n INTEGER)", []) }
            let count = "SELECT count(*) AS n FROM t"
            let before = try await pool.onThread { try a.run(count, []) }
            #expect(before.rows == [[.integer(0)]])
            _ = try await pool.onThread { try b.run("INSERT INTO t (n) VALUES (1)", []) }
            let after = try await pool.onThread { try a.run(count, []) }
            #expect(after.rows == [[.integer(1)]])
            // busy = 0: no reader held the log, so it was checkpointed and truncated completely.
            let checkpoint = try await pool.onThread { try b.run("PRAGMA wal_checkpoint(TRUNCATE)", []) }
            #expect(checkpoint.rows.first?.first == .integer(0))
            try await pool.close(logger: TestDatabase.logger)
        }
    }

    @Test("two statements in one call are refused and neither runs")
    func oneStatementPerCall() async throws {
        try await withSQLite { path in
            let database = try await Database.open(.sqlite(path: path), logger: TestDatabase.logger)
            try await database.sql.raw("CREATE TABLE t (n INTEGER)").run()
            await #expect(throws: SQLiteFailure.self) {
                try await database.sql.raw("INSERT INTO t (n) VALUES (1); INSERT INTO t (n) VALUES (2)").run()
            }
            // A trailing semicolon is one statement.
            try await database.sql.raw("INSERT INTO t (n) VALUES (3);").run()
            let rows = try await database.sql.raw("SELECT n FROM t").all().map { try $0.decode(column: "n", as: Int.self) }
            #expect(rows == [3])
            try await database.close()
        }
    }

    @Test("only a read-only SELECT outside a transaction runs on the caller's thread; writes, pragmas and statements in a transaction go to the database's threads")
    func plainReads() async throws {
        try await withSQLite { path in
            let connection = try SQLiteConnection(path: path)
            _ = try connection.run("CREATE TABLE t (n INTEGER)", [])
            #expect(try connection.isPlainRead("SELECT n FROM t"))
            #expect(try connection.isPlainRead("\n  with x AS (SELECT 1 AS n) SELECT n FROM x"))
            #expect(try !connection.isPlainRead("WITH x AS (SELECT 1 AS n) INSERT INTO t (n) SELECT n FROM x"))
            #expect(try !connection.isPlainRead("INSERT INTO t (n) VALUES (1) RETURNING n"))
            #expect(try !connection.isPlainRead("PRAGMA wal_checkpoint(TRUNCATE)"))
            #expect(try !connection.isPlainRead("BEGIN IMMEDIATE"))
            _ = try connection.run("BEGIN", [])
            #expect(try !connection.isPlainRead("SELECT n FROM t"))
            _ = try connection.run("ROLLBACK", [])
            connection.close()
        }
    }

    @Test("a connection given back inside a transaction is rolled back before anyone else gets it")
    func openTransactionRolledBack() async throws {
        try await withSQLite { path in
            let database = try await Database.open(.sqlite(path: path), logger: TestDatabase.logger)
            try await database.sql.raw("CREATE TABLE t (n INTEGER)").run()
            try await database.sql.withSession { sql in
                try await sql.raw("BEGIN IMMEDIATE").run()
                try await sql.raw("INSERT INTO t (n) VALUES (1)").run()
            }
            // Had the lock stayed with the returned connection, this write would wait out busy_timeout.
            try await database.transaction { sql in try await sql.raw("INSERT INTO t (n) VALUES (2)").run() }
            let rows = try await database.sql.raw("SELECT n FROM t").all().map { try $0.decode(column: "n", as: Int.self) }
            #expect(rows == [2])
            try await database.close()
        }
    }

    @Test("a statement that finds no free connection within the pool's wait is an overload (503 in App), and runs once one is free")
    func poolWaitIsOverload() async throws {
        try await withSQLite { path in
            let pool = try await SQLitePool.open(path: path, size: 1, wait: .milliseconds(200))
            let (held, holding) = AsyncStream<Void>.makeStream()
            let (release, releaseNow) = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await pool.session { _ in
                    holding.yield()
                    for await _ in release {}
                }
            }
            for await _ in held { break }
            var caught: (any Error)?
            do { _ = try await pool.statement("SELECT 1 AS ok", []) } catch { caught = error }
            #expect(caught is SQLitePoolTimeout)
            #expect(caught.map(DatabaseOverload.matches) == true)
            releaseNow.finish()
            try await holder.value
            let answer = try await pool.statement("SELECT 1 AS ok", [])
            #expect(answer.rows == [[.integer(1)]])
            try await pool.close(logger: TestDatabase.logger)
        }
    }

    @Test("more distinct statements than the cache holds all run, and a statement after the cache restarts still answers")
    func statementCacheBound() async throws {
        try await withSQLite { path in
            let connection = try SQLiteConnection(path: path)
            for n in 0..<(SQLiteConnection.statementCapacity + 10) {
                #expect(try connection.run("SELECT \(n) AS n", []).rows == [[.integer(Int64(n))]])
            }
            #expect(try connection.run("SELECT 0 AS n", []).rows == [[.integer(0)]])
            connection.close()
        }
    }

    @Test("a kept statement over `*` names the columns the table has now, after another connection changes the table")
    func columnsAfterSchemaChange() async throws {
        try await withSQLite { path in
            let reader = try SQLiteConnection(path: path), writer = try SQLiteConnection(path: path)
            _ = try writer.run("CREATE TABLE t (a INTEGER)", [])
            _ = try writer.run("INSERT INTO t (a) VALUES (1)", [])
            #expect(try reader.runIfPlainRead("SELECT * FROM t", [])?.columns.names == ["a"])
            _ = try writer.run("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'", [])
            let after = try #require(try reader.runIfPlainRead("SELECT * FROM t", []))
            #expect(after.columns.names == ["a", "b"])
            #expect(after.rows == [[.integer(1), .text("x")]])
            #expect(try reader.runIfPlainRead("INSERT INTO t (a) VALUES (2)", []) == nil)
            #expect(try reader.run("SELECT count(*) AS n FROM t", []).rows == [[.integer(1)]])
            reader.close()
            writer.close()
        }
    }
}

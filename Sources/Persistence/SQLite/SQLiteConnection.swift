import CSQLite3
import Foundation

/// A value as SQLite stores it: the five storage classes.
enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case float(Double)
    case text(String)
    case blob([UInt8])
}

/// An error SQLite returned, with its extended result code (`SQLITE_CONSTRAINT_UNIQUE`, …) and
/// its message. The message may quote a row's values, so logs carry `codeName` only.
public struct SQLiteFailure: Error, CustomStringConvertible, Sendable {
    /// The extended result code; `code & 0xff` is the primary one.
    public let code: Int32
    public let message: String

    public var primaryCode: Int32 { code & 0xff }

    // The extended codes are C macros of expressions, which Swift does not import.
    public static let constraintCheck = SQLITE_CONSTRAINT | (1 << 8)
    public static let constraintForeignKey = SQLITE_CONSTRAINT | (3 << 8)
    public static let constraintNotNull = SQLITE_CONSTRAINT | (5 << 8)
    public static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)
    public static let constraintTrigger = SQLITE_CONSTRAINT | (7 << 8)
    public static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)

    /// SQLite's own name of the code, "SQLITE_CONSTRAINT_UNIQUE" and the like: `sqlite3_errstr`
    /// gives prose, so the names the service classifies are spelt out here.
    public var codeName: String {
        switch code {
        case Self.constraintUnique: "constraint_unique"
        case Self.constraintPrimaryKey: "constraint_primary_key"
        case Self.constraintForeignKey: "constraint_foreign_key"
        case Self.constraintCheck: "constraint_check"
        case Self.constraintNotNull: "constraint_not_null"
        case Self.constraintTrigger: "constraint_trigger"
        default:
            switch primaryCode {
            case SQLITE_BUSY: "busy"
            case SQLITE_LOCKED: "locked"
            case SQLITE_CONSTRAINT: "constraint"
            case SQLITE_IOERR: "io_error"
            case SQLITE_FULL: "full"
            case SQLITE_CORRUPT: "corrupt"
            case SQLITE_READONLY: "read_only"
            case SQLITE_CANTOPEN: "cant_open"
            case SQLITE_MISUSE: "misuse"
            case SQLITE_ERROR: "error"
            default: "code_\(code)"
            }
        }
    }

    /// The writer's lock outlasted busy_timeout, or a table was locked: nothing was written.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    public var description: String { "sqlite \(codeName): \(message)" }
}

/// The names of a statement's result columns, shared by all its rows; `index` answers a
/// column by name without comparing strings row by row.
final class SQLiteColumns: Sendable {
    let names: [String]
    let index: [String: Int]

    init(names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        // The first column of a name wins, as in SQLite's own lookup by name.
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }
}

/// One SQLite connection and its prepared statements.
///
/// **(decided)** Every statement is compiled once per connection and kept: re-compiling a
/// statement was 46 % of the time SQLite spent on a member-list page (sqlite-nio prepares
/// each call anew). A compiled statement is reset and its bindings cleared as soon as its rows
/// are read, so none holds a read transaction open between calls.
///
/// Not thread-safe: `SQLitePool` lends it to one task at a time and runs its calls on the
/// database's own threads.
final class SQLiteConnection: @unchecked Sendable {
    // @unchecked: used by one lessee at a time (the pool's lease), never concurrently.
    private var handle: OpaquePointer?
    private var statements: [String: Prepared] = [:]

    /// A compiled statement with what is asked of it on every call: its column names (a result's
    /// `SQLiteColumns`, built once instead of per call) and whether it only reads.
    final class Prepared {
        let statement: OpaquePointer
        private(set) var columns: SQLiteColumns
        let isReadOnly: Bool
        /// SQLite recompiles a statement by itself after a schema change, and a `*` may then
        /// stand for other columns: the names are read again when this count moves.
        private var reprepared: Int32

        init(_ statement: OpaquePointer) {
            self.statement = statement
            columns = Self.names(statement)
            isReadOnly = sqlite3_stmt_readonly(statement) != 0
            reprepared = sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0)
        }

        /// The columns as the statement now stands (call after stepping, before the reset).
        func currentColumns() -> SQLiteColumns {
            let now = sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0)
            if now != reprepared {
                reprepared = now
                columns = Self.names(statement)
            }
            return columns
        }

        private static func names(_ statement: OpaquePointer) -> SQLiteColumns {
            let count = sqlite3_column_count(statement)
            return SQLiteColumns(names: (0..<count).map { sqlite3_column_name(statement, $0).map { String(cString: $0) } ?? "" })
        }
    }
    /// Beyond this many compiled statements the cache starts again: statements whose text varies
    /// (`IN (?1, …, ?n)` lists) must not grow it without bound.
    static let statementCapacity = 512

    /// Opens (creating if needed) the file at `path` with the settings an official record needs:
    /// foreign keys enforced, WAL for concurrent readers, `synchronous=FULL` so a commit survives
    /// power loss, and a busy timeout instead of an immediate SQLITE_BUSY under concurrent writers.
    init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let opened = sqlite3_open_v2(path, &db, flags, nil)
        guard opened == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteFailure(code: opened, message: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        do {
            for pragma in [
                "PRAGMA busy_timeout = 10000", "PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
            ] {
                _ = try run(pragma, [])
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    var isClosed: Bool { handle == nil }

    /// False while a transaction is open on this connection.
    var isIdle: Bool { handle.map { sqlite3_get_autocommit($0) != 0 } ?? true }

    /// Runs one statement and returns all its rows.
    func run(_ sql: String, _ binds: [SQLiteValue]) throws -> (columns: SQLiteColumns, rows: [[SQLiteValue]]) {
        guard let db = handle else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "connection is closed") }
        return try run(try compiled(sql, db), binds, db)
    }

    private func run(_ prepared: Prepared, _ binds: [SQLiteValue], _ db: OpaquePointer) throws -> (columns: SQLiteColumns, rows: [[SQLiteValue]]) {
        let statement = prepared.statement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(binds, to: statement, db)
        var rows: [[SQLiteValue]] = []
        var count: Int32 = 0
        while true {
            let stepped = sqlite3_step(statement)
            if stepped == SQLITE_DONE { break }
            guard stepped == SQLITE_ROW else { throw failure(stepped, db) }
            if rows.isEmpty { count = sqlite3_column_count(statement) }
            var row: [SQLiteValue] = []
            row.reserveCapacity(Int(count))
            for i in 0..<count { row.append(value(statement, i)) }
            rows.append(row)
        }
        return (prepared.currentColumns(), rows)
    }

    /// True when `sql` only reads and takes no lock a writer holds: a SELECT (or WITH … SELECT)
    /// that SQLite itself calls read-only, outside a transaction. In WAL mode such a statement
    /// never waits for the write lock, so it may run on the caller's own thread.
    func isPlainRead(_ sql: String) throws -> Bool {
        try plainRead(sql) != nil
    }

    /// Runs `sql` when it is a plain read (see `isPlainRead`); nil, running nothing, when not.
    /// One cache lookup for both the question and the run.
    func runIfPlainRead(_ sql: String, _ binds: [SQLiteValue]) throws -> (columns: SQLiteColumns, rows: [[SQLiteValue]])? {
        guard let db = handle, let prepared = try plainRead(sql) else { return nil }
        return try run(prepared, binds, db)
    }

    private func plainRead(_ sql: String) throws -> Prepared? {
        guard let db = handle, sqlite3_get_autocommit(db) != 0 else { return nil }
        // ASCII case-insensitive "SELECT" or "WITH" first, without allocating.
        let head = sql.utf8.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D })
        func starts(_ word: StaticString) -> Bool {
            word.withUTF8Buffer { word in
                head.prefix(word.count).count == word.count && zip(head, word).allSatisfy { $0 | 0x20 == $1 }
            }
        }
        guard starts("select") || starts("with") else { return nil }
        let prepared = try compiled(sql, db)
        return prepared.isReadOnly ? prepared : nil
    }

    /// Finalises every statement and closes the handle; later calls fail with SQLITE_MISUSE.
    func close() {
        for prepared in statements.values { sqlite3_finalize(prepared.statement) }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    private func compiled(_ sql: String, _ db: OpaquePointer) throws -> Prepared {
        if let prepared = statements[sql] { return prepared }
        if statements.count >= Self.statementCapacity {
            for prepared in statements.values { sqlite3_finalize(prepared.statement) }
            statements.removeAll(keepingCapacity: true)
        }
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let prepared = sql.withCString { text in
            let result = sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            // A second statement in the same text would be silently skipped: refuse it instead.
            if result == SQLITE_OK, let tail, tail.pointee != 0,
               !String(cString: tail).allSatisfy({ $0.isWhitespace || $0 == ";" }) {
                return SQLITE_MISUSE
            }
            return result
        }
        guard prepared == SQLITE_OK, let statement else {
            let error = prepared == SQLITE_MISUSE
                ? SQLiteFailure(code: SQLITE_MISUSE, message: "one statement per call") : failure(prepared, db)
            sqlite3_finalize(statement)
            throw error
        }
        let entry = Prepared(statement)
        statements[sql] = entry
        return entry
    }

    private func bind(_ binds: [SQLiteValue], to statement: OpaquePointer, _ db: OpaquePointer) throws {
        for (offset, value) in binds.enumerated() {
            let i = Int32(offset + 1)
            let result: Int32
            switch value {
            case .null: result = sqlite3_bind_null(statement, i)
            case .integer(let n): result = sqlite3_bind_int64(statement, i, n)
            case .float(let x): result = sqlite3_bind_double(statement, i, x)
            case .text(let s):
                // An empty buffer may have no address; SQLite needs one for a zero-length text.
                if s.isEmpty {
                    result = sqlite3_bind_text64(statement, i, "", 0, zhtj_sqlite_transient(), UInt8(SQLITE_UTF8))
                    guard result == SQLITE_OK else { throw failure(result, db) }
                    continue
                }
                var s = s
                result = s.withUTF8 { bytes in
                    sqlite3_bind_text64(statement, i, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self), sqlite3_uint64(bytes.count), zhtj_sqlite_transient(), UInt8(SQLITE_UTF8))
                }
            case .blob(let bytes):
                result = bytes.withUnsafeBytes { raw in
                    sqlite3_bind_blob64(statement, i, raw.baseAddress, sqlite3_uint64(raw.count), zhtj_sqlite_transient())
                }
            }
            guard result == SQLITE_OK else { throw failure(result, db) }
        }
    }

    private func value(_ statement: OpaquePointer, _ i: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, i))
        case SQLITE_FLOAT: return .float(sqlite3_column_double(statement, i))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(statement, i) else { return .text("") }
            let count = Int(sqlite3_column_bytes(statement, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, i))
            guard count > 0, let bytes = sqlite3_column_blob(statement, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }

    private func failure(_ code: Int32, _ db: OpaquePointer) -> SQLiteFailure {
        // The extended code of the last failure; `code` itself may be the primary one.
        let extended = sqlite3_extended_errcode(db)
        return SQLiteFailure(code: extended & 0xff == code & 0xff ? extended : code, message: String(cString: sqlite3_errmsg(db)))
    }
}

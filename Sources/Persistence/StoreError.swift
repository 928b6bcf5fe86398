import PostgresNIO
import CSQLite3

/// A write the schema refused, classified the same way for SQLite and PostgreSQL so callers
/// map it to one HTTP answer.
public enum ConstraintViolation: Error, Equatable, Sendable {
    /// A unique index or primary key; `detail` names the table/column or constraint.
    case unique(detail: String)
    case foreignKey(detail: String)
    case check(detail: String)
    case notNull(detail: String)

    public var detail: String {
        switch self {
        case .unique(let d), .foreignKey(let d), .check(let d), .notNull(let d): d
        }
    }

    /// Returns nil for errors that are not constraint violations.
    public init?(_ error: any Error) {
        if let error = error as? SQLiteFailure {
            let message = error.message
            switch error.code {
            case SQLiteFailure.constraintUnique, SQLiteFailure.constraintPrimaryKey: self = .unique(detail: message)
            case SQLiteFailure.constraintForeignKey: self = .foreignKey(detail: message)
            case SQLiteFailure.constraintCheck: self = .check(detail: message)
            case SQLiteFailure.constraintNotNull: self = .notNull(detail: message)
            case SQLITE_CONSTRAINT:
                // Older SQLite builds report only the primary code; the message still says which.
                if message.contains("UNIQUE") { self = .unique(detail: message) }
                else if message.contains("FOREIGN KEY") { self = .foreignKey(detail: message) }
                else if message.contains("CHECK") { self = .check(detail: message) }
                else if message.contains("NOT NULL") { self = .notNull(detail: message) }
                else { return nil }
            default: return nil
            }
            return
        }
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] {
            let detail = [error.serverInfo?[.tableName], error.serverInfo?[.constraintName]]
                .compactMap { $0 }.joined(separator: ".")
            switch state {
            case "23505": self = .unique(detail: detail)
            case "23503": self = .foreignKey(detail: detail)
            case "23514": self = .check(detail: detail)
            case "23502": self = .notNull(detail: detail)
            default: return nil
            }
            return
        }
        return nil
    }

    /// True when the violated constraint mentions `fragment` (a column or constraint name).
    public func concerns(_ fragment: String) -> Bool { detail.contains(fragment) }
}

/// PostgreSQL ended the transaction to break a deadlock (SQLSTATE 40P01); nothing of it stays.
enum Deadlock {
    static func matches(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "40P01"
    }
}

/// A database error's result code alone (SQLite's reason, PostgreSQL's SQLSTATE and client code),
/// for the log: never its message, which may quote the values of a row.
public struct DatabaseResultCode: CustomStringConvertible, Sendable {
    public let description: String

    /// Returns nil for errors that do not come from either database driver.
    public init?(_ error: any Error) {
        if let error = error as? SQLiteFailure {
            description = "sqlite \(error.codeName)"
        } else if let error = error as? PSQLError {
            description = "postgres \(error.serverInfo?[.sqlState] ?? "-") \(error.code)"
        } else {
            return nil
        }
    }
}

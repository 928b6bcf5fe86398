import SQLKit

extension SQLQueryString {
    /// A page size written into the statement as a literal. SQLite re-prepares a statement
    /// whose `LIMIT` is a bound parameter once the value is bound (it plans with the value), so
    /// a bound limit cost every list query a second parse — a fifth of the member list's time
    /// under load. The value is an `Int`, so nothing from a client reaches the SQL text.
    mutating func appendInterpolation(limit: Int) {
        appendInterpolation(unsafeRaw: String(limit))
    }
}

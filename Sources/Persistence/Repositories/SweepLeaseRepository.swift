import SQLKit

/// The lease that lets one instance at a time run a sweep (`sweep_leases`).
public protocol SweepLeaseRepository: Sendable {
    /// Takes the lease `name` until `until` (milliseconds since the epoch) when it has expired
    /// by `now` or is already `holder`'s; true when `holder` now holds it. One statement, so two
    /// instances asking at the same moment cannot both get it.
    func acquire(_ name: String, holder: String, now: Int64, until: Int64) async throws -> Bool
    /// Gives the lease back early, if `holder` still holds it.
    func release(_ name: String, holder: String) async throws
}

public struct SQLSweepLeaseRepository: SweepLeaseRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func acquire(_ name: String, holder: String, now: Int64, until: Int64) async throws -> Bool {
        let taken = try await sql.raw("""
            UPDATE sweep_leases SET holder = \(bind: holder), expires_ms = \(bind: until)
            WHERE name = \(bind: name) AND (expires_ms <= \(bind: now) OR holder = \(bind: holder))
            RETURNING name
            """).all()
        return !taken.isEmpty
    }

    public func release(_ name: String, holder: String) async throws {
        try await sql.raw("UPDATE sweep_leases SET expires_ms = 0 WHERE name = \(bind: name) AND holder = \(bind: holder)").run()
    }
}

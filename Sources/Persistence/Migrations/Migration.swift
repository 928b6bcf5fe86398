import Logging
import SQLKit

/// One schema step. Shipped migrations are never edited: a change is a new, higher-numbered
/// migration. Statements are plain SQL understood by both SQLite and PostgreSQL.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: [String]
    /// Statements only one dialect understands (triggers); run after the shared ones.
    public let sqliteStatements: [String]
    public let postgresStatements: [String]
    /// Rows the domain's rules derive from rows already stored (a fold SQL would have to
    /// repeat), written after the statements in the same transaction.
    let derive: (@Sendable (any SQLDatabase) async throws -> Void)?

    public init(
        version: Int, name: String, statements: [String], sqliteStatements: [String] = [], postgresStatements: [String] = [],
        derive: (@Sendable (any SQLDatabase) async throws -> Void)? = nil
    ) {
        self.version = version
        self.name = name
        self.statements = statements
        self.sqliteStatements = sqliteStatements
        self.postgresStatements = postgresStatements
        self.derive = derive
    }

    func statements(for flavor: SQLFlavor) -> [String] {
        statements + (flavor == .sqlite ? sqliteStatements : postgresStatements)
    }
}

/// Every migration, in order. Append only.
public enum Migrations {
    public static let all: [Migration] = [
        m0001CreateOrgs,
        m0002CreatePeopleAndMembers,
        m0003CreateCadresAndAdmins,
        m0004CreateAccountsAndSessions,
        m0005CreateArchives,
        m0006CreateAuditLog,
        m0007CreateLoginAttempts,
        m0008OrgTreeAdministration,
        m0009CreateAdminOnboarding,
        m0010CreateMemberRecords,
        m0011CreateTransfers,
        m0012CreateGraduation,
        m0013CreateSweepLeases,
        m0014CreateGrading,
        m0015CreateNotices,
        m0016CreateActivities,
        m0017CreateRectification,
        m0018CreateOrgAncestry,
        m0019CreateAnnualRegistrations,
        m0020CreateAttachments,
        m0021CreateSubtreeTallies,
        m0022CreateRectificationStates,
        m0023CreateSubtreeOrgTallies,
    ]
}

public struct MigrationError: Error, CustomStringConvertible {
    public let description: String
}

/// Applies pending migrations, each in its own transaction together with its bookkeeping
/// row, so a failed step leaves the schema at the previous version.
public struct Migrator: Sendable {
    let database: Database
    let migrations: [Migration]
    let logger: Logger

    public init(database: Database, migrations: [Migration] = Migrations.all, logger: Logger) {
        self.database = database
        self.migrations = migrations
        self.logger = logger
    }

    /// The versions already applied.
    public func appliedVersions() async throws -> [Int] {
        try await ensureBookkeeping()
        return try await database.sql.raw("SELECT version FROM schema_migrations ORDER BY version")
            .all().map { try $0.decode(column: "version", as: Int.self) }
    }

    /// Returns the versions applied by this call.
    ///
    /// Several instances may start at once on one database: each migration runs in a
    /// transaction that first takes the migration lock (PostgreSQL's transaction-scoped advisory
    /// lock; SQLite's `BEGIN IMMEDIATE` write lock) and then looks again whether another
    /// instance applied it meanwhile, so every migration is applied exactly once.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await ensureBookkeeping()
        let applied = Set(try await appliedVersions())
        let known = Set(migrations.map(\.version))
        if let unknown = applied.subtracting(known).max() {
            throw MigrationError(description: "database schema version \(unknown) is newer than this build knows; refusing to run")
        }
        var done: [Int] = []
        let flavor = database.flavor
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
            let statements = migration.statements(for: flavor)
            let logger = logger
            let ran = try await Self.waitingOutOthers { try await database.transaction { sql in
                try await Self.lock(sql, flavor)
                let already = try await sql.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)").first()
                if already != nil { return false }
                logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                for statement in statements {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                try await migration.derive?(sql)
                try await sql.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Timestamp.now().text))
                    """).run()
                return true
            } }
            if ran { done.append(migration.version) }
        }
        return done
    }

    /// SQLite's busy timeout bounds one wait for the write lock, and with several instances
    /// migrating (and a loaded machine) one of them can lose the race for it for longer: that
    /// instance tries again, up to six timeouts in all, rather than failing its start.
    static func waitingOutOthers<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as SQLiteFailure where error.isBusy && attempt < 6 {
                attempt += 1
            }
        }
    }

    /// The key of the migration lock (any fixed number; this one spells "zhtj").
    static let lockKey = 0x7A68_746A

    static func lock(_ sql: any SQLDatabase, _ flavor: SQLFlavor) async throws {
        if flavor == .postgres { try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: lockKey))").run() }
    }

    /// Under the lock too: PostgreSQL's `CREATE TABLE IF NOT EXISTS` run by two sessions at once
    /// can fail in the second on the catalogue's unique index.
    private func ensureBookkeeping() async throws {
        let flavor = database.flavor
        try await Self.waitingOutOthers { try await database.transaction { sql in
            try await Self.lock(sql, flavor)
            try await sql.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                )
                """).run()
        } }
    }
}

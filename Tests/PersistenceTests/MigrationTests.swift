import Persistence
import SQLKit
import TestSupport
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("every migration applies once, in order; a second run applies nothing")
    func appliesOnce() async throws {
        try await TestDatabase.withLocation { location in
            let database = try await Database.open(location, logger: TestDatabase.logger)
            let migrator = Migrator(database: database, logger: TestDatabase.logger)
            let first = try await migrator.migrate()
            #expect(first == Migrations.all.map(\.version))
            #expect(first == first.sorted())
            #expect(try await migrator.migrate().isEmpty)
            #expect(try await migrator.appliedVersions() == Migrations.all.map(\.version))
            try await database.close()
        }
    }

    @Test("six instances starting at once on one empty database: every migration is applied exactly once, and none of them fails")
    func concurrentInstances() async throws {
        try await TestDatabase.withLocation { location in
            let instances = try await withThrowingTaskGroup(of: Database.self) { group in
                for _ in 0..<6 { group.addTask { try await Database.open(location, logger: TestDatabase.logger) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for database in instances {
                    group.addTask { try await Migrator(database: database, logger: TestDatabase.logger).migrate() }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(applied.sorted() == Migrations.all.map(\.version), "each version applied by one instance")
            #expect(try await Migrator(database: instances[0], logger: TestDatabase.logger).appliedVersions() == Migrations.all.map(\.version))
            for database in instances { try await database.close() }
        }
    }

    @Test("a database migrated by a newer build is refused rather than used")
    func refusesNewerSchema() async throws {
        try await TestDatabase.withMigrated { database in
            try await database.sql.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 'x')").run()
            await #expect(throws: MigrationError.self) { try await Migrator(database: database, logger: TestDatabase.logger).migrate() }
        }
    }

    @Test("a failing migration leaves the schema at the previous version")
    func failingMigrationRollsBack() async throws {
        try await TestDatabase.withMigrated { database in
            let broken = Migration(version: 1000, name: "broken", statements: ["CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL"])
            let migrator = Migrator(database: database, migrations: Migrations.all + [broken], logger: TestDatabase.logger)
            await #expect(throws: (any Error).self) { try await migrator.migrate() }
            let applied = try await migrator.appliedVersions()
            #expect(applied == Migrations.all.map(\.version))
            // The table created by the first statement was rolled back with the failure.
            await #expect(throws: (any Error).self) { try await database.sql.raw("SELECT * FROM half_done").all() }
        }
    }

    @Test("migration versions run 1, 2, 3, … with no gap and no repeat")
    func versions() {
        let versions = Migrations.all.map(\.version)
        #expect(versions == Array(1...versions.count))
    }
}

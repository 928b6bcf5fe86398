import Foundation
import Logging
import Persistence
import SQLKit

/// A fresh, empty database for one test, on the backend `scripts/test` selects with
/// `ZHTJ_TEST_DATABASE` (`sqlite`, the default, or `postgres`). PostgreSQL databases are
/// created through `ZHTJ_TEST_ADMIN_DATABASE_URL` and dropped afterwards.
public enum TestDatabase {
    public enum Backend: String, Sendable { case sqlite, postgres }

    public static var backend: Backend {
        Backend(rawValue: ProcessInfo.processInfo.environment["ZHTJ_TEST_DATABASE"] ?? "sqlite") ?? .sqlite
    }

    public static let logger: Logger = {
        var l = Logger(label: "zhtj.test")
        l.logLevel = .warning
        return l
    }()

    struct TestSetupError: Error, CustomStringConvertible {
        let description: String
    }

    struct MissingAdminURL: Error, CustomStringConvertible {
        var description: String { "ZHTJ_TEST_DATABASE=postgres needs ZHTJ_TEST_ADMIN_DATABASE_URL (scripts/test sets it)" }
    }

    /// Runs `body` with the location of a new empty database, then removes it.
    public static func withLocation<T>(_ body: (DatabaseLocation) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            return try await body(.sqlite(path: folder.appendingPathComponent("zhtj.sqlite").path))
        case .postgres:
            guard let adminURL = ProcessInfo.processInfo.environment["ZHTJ_TEST_ADMIN_DATABASE_URL"] else {
                throw MissingAdminURL()
            }
            let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try await Database.open(.postgres(url: adminURL), logger: logger)
            // Concurrent CREATE DATABASE calls copy template1 and can collide ("source database
            // is being accessed by other users"); tests run in parallel, so retry with backoff.
            var attempt = 0
            while true {
                do {
                    try await admin.sql.raw("CREATE DATABASE \(unsafeRaw: name)").run()
                    break
                } catch {
                    attempt += 1
                    if attempt >= 20 {
                        try? await admin.close()
                        throw TestSetupError(description: "CREATE DATABASE failed: \(String(reflecting: error))")
                    }
                    try await Task.sleep(for: .milliseconds(50 * attempt + Int.random(in: 0...50)))
                }
            }
            var components = URLComponents(string: adminURL)!
            components.path = "/" + name
            do {
                let result = try await body(.postgres(url: components.string!))
                try await admin.sql.raw("DROP DATABASE \(unsafeRaw: name) WITH (FORCE)").run()
                try await admin.close()
                return result
            } catch {
                try? await admin.sql.raw("DROP DATABASE \(unsafeRaw: name) WITH (FORCE)").run()
                try? await admin.close()
                // PSQLError hides its details from `description`; tests need them.
                if String(describing: type(of: error)).contains("PSQLError") {
                    throw TestSetupError(description: String(reflecting: error))
                }
                throw error
            }
        }
    }

    /// Runs `body` with an open, migrated database.
    public static func withMigrated<T>(_ body: (Database) async throws -> T) async throws -> T {
        try await withLocation { location in
            let database = try await Database.open(location, logger: logger)
            do {
                try await Migrator(database: database, logger: logger).migrate()
                let result = try await body(database)
                try await database.close()
                return result
            } catch {
                try? await database.close()
                throw error
            }
        }
    }
}

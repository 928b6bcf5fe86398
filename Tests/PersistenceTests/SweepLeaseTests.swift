import Persistence
import TestSupport
import Testing

/// TRF-6, TRF-7, GRD-4: one instance sweeps at a time (issue 10, item 5), on SQLite and PostgreSQL alike.
@Suite("Sweep lease")
struct SweepLeaseTests {
    @Test("TRF-7: the lease goes to one holder at a time; its holder renews it; it frees on expiry or release, and only its holder releases it")
    func oneHolder() async throws {
        try await TestDatabase.withMigrated { database in
            let leases = database.repositories.sweepLeases
            let name = "calendar_rules"
            #expect(try await leases.acquire(name, holder: "a", now: 1_000, until: 61_000))
            #expect(try await !leases.acquire(name, holder: "b", now: 2_000, until: 62_000))
            #expect(try await leases.acquire(name, holder: "a", now: 3_000, until: 63_000), "the holder renews")
            try await leases.release(name, holder: "b")
            #expect(try await !leases.acquire(name, holder: "b", now: 4_000, until: 64_000), "only the holder releases")
            #expect(try await leases.acquire(name, holder: "b", now: 63_000, until: 123_000), "expired: the next one takes it")
            try await leases.release(name, holder: "b")
            #expect(try await leases.acquire(name, holder: "c", now: 64_000, until: 124_000), "released: free at once")
            #expect(try await !leases.acquire("no_such_sweep", holder: "c", now: 0, until: 1), "only the migrated leases exist")
        }
    }

    @Test("TRF-7: twenty instances asking at the same moment: exactly one gets the lease")
    func concurrent() async throws {
        try await TestDatabase.withMigrated { database in
            let leases = database.repositories.sweepLeases
            let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<20 {
                    group.addTask { try await leases.acquire("calendar_rules", holder: "instance-\(i)", now: 10_000, until: 70_000) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(granted == 1)
        }
    }
}

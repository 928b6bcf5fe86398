import App
import Foundation
import Logging
import Persistence
import TestSupport
import PDFInspection
import Testing

@Suite("Configuration")
struct ConfigTests {
    @Test("defaults: storage/, the SQLite file in it, 127.0.0.1:8080")
    func defaults() throws {
        let config = try AppConfig.resolve(flags: .init(), environment: [:])
        #expect(config.dataDirectory == "storage")
        #expect(config.database == .sqlite(path: "storage/zhtj.sqlite"))
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 8080)
    }

    @Test("flags win over the environment, which wins over defaults")
    func precedence() throws {
        let env = ["ZHTJ_PORT": "9000", "ZHTJ_HOST": "0.0.0.0", "ZHTJ_DATA_DIR": "/srv/zhtj"]
        let fromEnv = try AppConfig.resolve(flags: .init(), environment: env)
        #expect(fromEnv.port == 9000)
        #expect(fromEnv.host == "0.0.0.0")
        #expect(fromEnv.database == .sqlite(path: "/srv/zhtj/zhtj.sqlite"))
        let fromFlags = try AppConfig.resolve(flags: .init(port: "9100"), environment: env)
        #expect(fromFlags.port == 9100)
        let pg = try AppConfig.resolve(flags: .init(), environment: ["ZHTJ_DATABASE_URL": "postgres://u:p@db/zhtj"])
        #expect(pg.database == .postgres(url: "postgres://u:p@db/zhtj"))
    }

    @Test("ZHTJ_NOW starts the clock at an instant only with ZHTJ_ALLOW_TEST_CLOCK=1; the calendar sweep's interval is configured, 0 off")
    func testClockAndSweep() throws {
        #expect(try AppConfig.resolve(flags: .init(), environment: [:]).testClockStart == nil)
        #expect(try AppConfig.resolve(flags: .init(), environment: [:]).rulesIntervalSeconds == 300)
        do {
            _ = try AppConfig.resolve(flags: .init(), environment: ["ZHTJ_NOW": "2027-06-01T00:00:00+08:00"])
            Issue.record("a test clock without ZHTJ_ALLOW_TEST_CLOCK=1 must be refused")
        } catch {
            #expect(error.variable == "ZHTJ_NOW")
        }
        let allowed = try AppConfig.resolve(
            flags: .init(), environment: ["ZHTJ_NOW": "2027-06-01T00:00:00+08:00", "ZHTJ_ALLOW_TEST_CLOCK": "1", "ZHTJ_RULES_INTERVAL_SECONDS": "0"])
        #expect(allowed.testClockStart == Timestamp(text: "2027-05-31T16:00:00.000Z"))
        #expect(allowed.testClockStart?.chinaDate == CivilDate(year: 2027, month: 6, day: 1))
        #expect(allowed.rulesIntervalSeconds == 0)
        #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.resolve(flags: .init(), environment: ["ZHTJ_NOW": "next june", "ZHTJ_ALLOW_TEST_CLOCK": "1"])
        }
        // The test clock runs at the real rate from its start.
        let shifted = ShiftedTimeSource(startingAt: allowed.testClockStart!)
        let first = shifted.now()
        #expect(first >= allowed.testClockStart! && first < allowed.testClockStart!.adding(seconds: 60))
    }

    @Test("a bad value names the variable (and never echoes a database password)")
    func badValues() {
        #expect(throws: AppConfig.Invalid.self) { try AppConfig.resolve(flags: .init(), environment: ["ZHTJ_PORT": "eighty"]) }
        do {
            _ = try AppConfig.resolve(flags: .init(), environment: ["ZHTJ_PORT": "70000"])
            Issue.record("expected a refusal")
        } catch {
            #expect(error.variable == "ZHTJ_PORT")
            #expect("\(error)".contains("ZHTJ_PORT"))
        }
        do {
            _ = try AppConfig.resolve(flags: .init(), environment: ["ZHTJ_DATABASE_URL": "mysql://u:hunter2@db/x"])
            Issue.record("expected a refusal")
        } catch {
            #expect(error.variable == "ZHTJ_DATABASE_URL")
            #expect(!"\(error)".contains("hunter2"))
        }
        do {
            _ = try AppConfig.resolve(flags: .init(port: "x"), environment: [:])
            Issue.record("expected a refusal")
        } catch {
            #expect(error.variable == "--port")
        }
        #expect(throws: AppConfig.Invalid.self) { try AppConfig.resolve(flags: .init(), environment: ["ZHTJ_BCRYPT_COST": "40"]) }
        #expect(throws: AppConfig.Invalid.self) { try AppConfig.resolve(flags: .init(), environment: ["ZHTJ_LOG_LEVEL": "loud"]) }
    }

    @Test("login throttling: defaults, ZHTJ_LOGIN_* and ZHTJ_TRUSTED_PROXIES overrides, and refusals naming the variable")
    func loginThrottle() throws {
        let defaults = try AppConfig.resolve(flags: .init(), environment: [:])
        #expect(defaults.loginThrottle == LoginThrottle.Limits(
            perPair: 5, perAddress: 30, windowSeconds: 900, perAccount: 50, accountWindowSeconds: 3600,
            accountDelayBaseSeconds: 1, accountDelayCapSeconds: 300))
        #expect(defaults.trustedProxies.isEmpty)
        let env = [
            "ZHTJ_LOGIN_PAIR_LIMIT": "3", "ZHTJ_LOGIN_ADDRESS_LIMIT": "20", "ZHTJ_LOGIN_WINDOW_MINUTES": "10",
            "ZHTJ_LOGIN_ACCOUNT_LIMIT": "100", "ZHTJ_LOGIN_ACCOUNT_WINDOW_MINUTES": "120", "ZHTJ_LOGIN_DELAY_CAP_SECONDS": "60",
            "ZHTJ_TRUSTED_PROXIES": "10.0.0.2, ::1",
        ]
        let custom = try AppConfig.resolve(flags: .init(), environment: env)
        #expect(custom.loginThrottle == LoginThrottle.Limits(
            perPair: 3, perAddress: 20, windowSeconds: 600, perAccount: 100, accountWindowSeconds: 7200,
            accountDelayBaseSeconds: 1, accountDelayCapSeconds: 60))
        #expect(custom.trustedProxies == ["10.0.0.2", "::1"])
        for (variable, value) in [
            ("ZHTJ_LOGIN_PAIR_LIMIT", "0"), ("ZHTJ_LOGIN_ADDRESS_LIMIT", "many"), ("ZHTJ_LOGIN_WINDOW_MINUTES", "99999"),
            ("ZHTJ_LOGIN_ACCOUNT_LIMIT", "5"), ("ZHTJ_LOGIN_DELAY_CAP_SECONDS", "-1"), ("ZHTJ_TRUSTED_PROXIES", "balancer.local"),
        ] {
            do {
                _ = try AppConfig.resolve(flags: .init(), environment: [variable: value])
                Issue.record("\(variable)=\(value) was accepted")
            } catch {
                #expect(error.variable == variable)
            }
        }
    }

    @Test("inspector limits and queue: measured defaults, ZHTJ_INSPECT_* override them, nonsense is refused by name")
    func inspectorSettings() throws {
        let defaults = try AppConfig.resolve(flags: .init(), environment: [:])
        #expect(defaults.inspectorLimits == IsolatedInspector.Limits())
        #expect(defaults.inspectorLimits.cpuSeconds == IsolatedInspector.Limits.defaultCPUSeconds)
        #expect(Double(defaults.inspectorLimits.cpuSeconds) <= defaults.inspectorLimits.wallSeconds)
        // Above the worst real file measured, and far below the old 20 s / 30 s.
        let worst = IsolatedInspector.Limits.measuredWorstCase
        #expect(defaults.inspectorLimits.wallSeconds >= 3 * worst.wallSeconds && defaults.inspectorLimits.wallSeconds < 20)
        #expect(Double(defaults.inspectorLimits.cpuSeconds) >= 3 * worst.cpuSeconds && defaults.inspectorLimits.cpuSeconds < 20)
        #expect(defaults.inspectionQueue == InspectionQueue.Limits())

        let set = try AppConfig.resolve(
            flags: .init(),
            environment: [
                "ZHTJ_INSPECT_CPU_SECONDS": "4", "ZHTJ_INSPECT_WALL_SECONDS": "6.5", "ZHTJ_INSPECT_CONCURRENCY": "3",
                "ZHTJ_INSPECT_QUEUE": "0", "ZHTJ_INSPECT_QUEUE_PER_ORG": "2",
            ])
        #expect(set.inspectorLimits.cpuSeconds == 4 && set.inspectorLimits.wallSeconds == 6.5)
        #expect(set.inspectionQueue == InspectionQueue.Limits(concurrency: 3, maximumWaiting: 0, maximumWaitingPerLane: 2))

        for (variable, value) in [
            ("ZHTJ_INSPECT_CPU_SECONDS", "0"), ("ZHTJ_INSPECT_CPU_SECONDS", "fast"), ("ZHTJ_INSPECT_WALL_SECONDS", "0"),
            ("ZHTJ_INSPECT_WALL_SECONDS", "nan"), ("ZHTJ_INSPECT_CONCURRENCY", "0"), ("ZHTJ_INSPECT_QUEUE", "-1"),
            ("ZHTJ_INSPECT_QUEUE_PER_ORG", "0"),
        ] {
            do {
                _ = try AppConfig.resolve(flags: .init(), environment: [variable: value])
                Issue.record("\(variable)=\(value) was accepted")
            } catch {
                #expect(error.variable == variable)
            }
        }
        // A CPU limit the wall clock would always cut short.
        do {
            _ = try AppConfig.resolve(flags: .init(), environment: ["ZHTJ_INSPECT_CPU_SECONDS": "9", "ZHTJ_INSPECT_WALL_SECONDS": "5"])
            Issue.record("a CPU limit above the wall clock was accepted")
        } catch {
            #expect(error.variable == "ZHTJ_INSPECT_CPU_SECONDS")
        }
    }
}

@Suite("Demo data")
struct DemoDataTests {
    @Test("fixtures/demo-accounts.json matches the demo data set exactly")
    func fixtureMatches() throws {
        let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("fixtures/demo-accounts.json"), encoding: .utf8)
        #expect(committed.trimmingCharacters(in: .whitespacesAndNewlines) == (try DemoDataSet.make().accountsJSON()))
        let roles = Set(try DemoAccounts.load().roles.keys)
        #expect(roles == ["branch_admin", "zongzhi_admin", "committee_admin", "other_school_admin", "member_new", "member_new_2", "member_old", "member_initial", "province_admin",
            "sibling_branch_admin", "other_branch_admin"])
    }

    @Test("the demo tree, members and join dates are as the README describes")
    func shape() throws {
        let demo = DemoDataSet.make()
        let members = demo.people.compactMap { p in p.membership.map { (p, $0) } }
        #expect(members.count >= 36 && members.count <= 44)
        #expect(members.contains { $0.1.joinedOn < CivilDateBoundary.arc1 })
        #expect(members.contains { $0.1.joinedOn >= CivilDateBoundary.arc1 })
        let accounts = try DemoAccounts.load()
        let byID = Dictionary(uniqueKeysWithValues: demo.people.map { ($0.id.rawValue, $0) })
        #expect(byID[accounts["member_new"].memberId!]!.membership!.joinedOn >= CivilDateBoundary.arc1)
        #expect(byID[accounts["member_new_2"].memberId!]!.membership!.joinedOn >= CivilDateBoundary.arc1)
        #expect(byID[accounts["member_old"].memberId!]!.membership!.joinedOn < CivilDateBoundary.arc1)
        // Every org has at least one admin.
        let administered = Set(demo.people.flatMap { $0.posts.filter(\.admin).map(\.org) })
        #expect(administered == Set(demo.orgs.map(\.id)))
    }

    @Test("every demo member satisfies the membership rules (MEM-1, MEM-3, MEM-4, ORG-7)")
    func rulesHold() throws {
        let demo = DemoDataSet.make()
        let orgs = Dictionary(uniqueKeysWithValues: demo.orgs.map { ($0.id, $0) })
        for person in demo.people {
            guard let m = person.membership else { continue }
            #expect(throws: Never.self) {
                try MembershipRules.validate(
                    name: person.name, idNumber: person.idNumber, joinedOn: m.joinedOn, developmentNumber: m.developmentNumber,
                    branchCategory: orgs[m.branch]!.category, today: CivilDateBoundary.today)
            }
        }
    }

    @Test("loading twice is idempotent; a database with other data is left alone")
    func idempotent() async throws {
        try await TestDatabase.withMigrated { database in
            let loader = DemoLoader(database: database, passwords: PasswordHasher(cost: 4), clock: FixedTimeSource(testNow))
            let first = try await loader.load()
            let second = try await loader.load()
            #expect(first == .loaded(orgs: 15, people: 46))
            #expect(second == .alreadyLoaded)
        }
        try await TestDatabase.withMigrated { database in
            try await SQLOrgRepository(database.sql).insert(try Org.root(id: OrgID(rawValue: "real-root")!, name: "团中央"), at: testNow)
            let loader = DemoLoader(database: database, passwords: PasswordHasher(cost: 4), clock: FixedTimeSource(testNow))
            let outcome = try await loader.load()
            #expect(outcome == .refusedNonEmpty)
        }
    }
}

import Domain

enum CivilDateBoundary {
    static let arc1 = CivilDate(year: 2020, month: 1, day: 1)!
    static let today = CivilDate(year: 2026, month: 11, day: 25)!
}

import Domain
import Logging
import Persistence

/// Everything handlers need, built once in `buildApplication` and passed to controllers.
public struct AppServices: Sendable {
    public let config: AppConfig
    public let database: Database
    public let clock: any TimeSource
    public let passwords: PasswordHasher
    public let throttle: LoginThrottle

    public init(config: AppConfig, database: Database, clock: any TimeSource, throttleLimits: LoginThrottle.Limits = .init()) {
        self.config = config
        self.database = database
        self.clock = clock
        self.passwords = PasswordHasher(cost: config.bcryptCost)
        self.throttle = LoginThrottle(limits: throttleLimits, clock: clock)
    }

    public var orgs: any OrgRepository { SQLOrgRepository(database.sql) }
    public var people: any PersonRepository { SQLPersonRepository(database.sql) }
    public var members: any MemberRepository { SQLMemberRepository(database.sql) }
    public var cadres: any CadreRepository { SQLCadreRepository(database.sql) }
    public var accounts: any AccountRepository { SQLAccountRepository(database.sql) }
    public var sessions: any SessionRepository { SQLSessionRepository(database.sql) }

    /// Today in China Standard Time, for date rules.
    public var today: CivilDate { clock.now().chinaDate }

    /// Builds the actor for an account: its member placement and admin appointments.
    func actor(for account: AccountRecord) async throws -> Actor {
        async let member = members.find(account.personID)
        async let adminOrgs = cadres.administeredOrgs(by: account.personID)
        return Actor(
            accountID: account.id, personID: account.personID, memberBranch: try await member?.branch,
            administeredOrgs: try await adminOrgs.map(OrgPlacement.init), mustChangePassword: account.mustChangePassword)
    }
}

import BlobStore
import Domain
import Foundation
import PDFInspection
import Logging
import Persistence

/// Everything handlers need, built once in `buildApplication` and passed to controllers.
public struct AppServices: Sendable {
    public let config: AppConfig
    public let database: Database
    public let clock: any TimeSource
    public let passwords: PasswordHasher
    public let throttle: LoginThrottle
    public let blobs: any BlobStore
    /// Parses uploads in a child process with CPU, memory and wall-clock limits.
    public let inspector: any ArchiveInspector

    public init(
        config: AppConfig, database: Database, clock: any TimeSource, blobs: any BlobStore, inspector: any ArchiveInspector,
        throttleLimits: LoginThrottle.Limits = .init()
    ) {
        self.config = config
        self.database = database
        self.clock = clock
        self.passwords = PasswordHasher(cost: config.bcryptCost)
        self.throttle = LoginThrottle(limits: throttleLimits, clock: clock)
        self.blobs = blobs
        self.inspector = inspector
    }

    public var archives: any ArchiveRepository { SQLArchiveRepository(database.sql) }
    public var audit: any AuditRepository { SQLAuditRepository(database.sql) }

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

/// What the upload path and the page images need from the inspector; `IsolatedInspector` in production.
public protocol ArchiveInspector: Sendable {
    /// `sha256` is the hash the upload computed while streaming, so the child need not hash again.
    func inspect(fileAt path: String, policy: InspectionPolicy, sha256: String?) async -> InspectionReport
    /// Page `page` (1-based) of the PDF as a PNG at most `maxWidth` pixels wide.
    func render(fileAt path: String, page: Int, maxWidth: Int, maximumBytes: Int) async throws -> Data
}

extension IsolatedInspector: ArchiveInspector {}

import BlobStore
import Domain
import Foundation
import Logging
import PDFInspection
import Persistence

/// The workflows, built once in `buildApplication` from the configuration and the parts it
/// opened, and handed to the controllers. Controllers see workflows, never repositories.
public struct AppServices: Sendable {
    public let config: AppConfig
    let database: Database
    let clock: any TimeSource
    let blobs: any BlobStore
    /// Parses uploads in a child process with CPU, memory and wall-clock limits.
    let inspector: any ArchiveInspector

    let accounts: AccountWorkflow
    let archives: ArchiveWorkflow
    let operations: OperationCentreWorkflow
    let transfers: TransferWorkflow
    let graduation: GraduationWorkflow
    let grading: GradingWorkflow
    let notices: NoticeWorkflow
    let activities: ActivityWorkflow
    let registrations: RegistrationWorkflow
    let attachments: AttachmentWorkflow
    let rectification: RectificationWorkflow
    let statistics: StatisticsWorkflow
    let orgs: OrgWorkflow
    let memberRecords: MemberRecordWorkflow
    let identityChecks: IdentityCheckWorkflow
    let cadres: CadreWorkflow
    let subOrgs: SubOrgWorkflow
    let orgProfiles: OrgProfileWorkflow
    let entryProgress: EntryProgressWorkflow
    let admins: AdminWorkflow
    let exports: ExportWorkflow

    public init(
        config: AppConfig, database: Database, clock: any TimeSource, blobs: any BlobStore, inspector: any ArchiveInspector
    ) {
        self.config = config
        self.database = database
        self.clock = clock
        self.blobs = blobs
        self.inspector = inspector
        accounts = AccountWorkflow(
            database: database, clock: clock, passwords: PasswordHasher(cost: config.bcryptCost),
            throttle: LoginThrottle(limits: config.loginThrottle, clock: clock), sessionLifetime: config.sessionLifetime,
            cache: SessionCache(lifetime: .milliseconds(Int64(config.sessionCacheSeconds * 1000))))
        archives = ArchiveWorkflow(database: database, clock: clock, blobs: blobs, inspector: inspector, policy: config.archivePolicy)
        operations = OperationCentreWorkflow(database: database, clock: clock)
        transfers = TransferWorkflow(database: database, clock: clock)
        graduation = GraduationWorkflow(database: database, clock: clock)
        grading = GradingWorkflow(database: database, clock: clock)
        notices = NoticeWorkflow(database: database, clock: clock)
        activities = ActivityWorkflow(database: database, clock: clock)
        registrations = RegistrationWorkflow(database: database, clock: clock)
        attachments = AttachmentWorkflow(
            database: database, clock: clock, blobs: blobs, inspector: inspector, maximumBytes: config.attachmentMaximumBytes)
        rectification = RectificationWorkflow(database: database, clock: clock)
        statistics = StatisticsWorkflow(database: database, clock: clock)
        orgs = OrgWorkflow(database: database)
        memberRecords = MemberRecordWorkflow(database: database, clock: clock, passwords: PasswordHasher(cost: config.bcryptCost))
        identityChecks = IdentityCheckWorkflow(database: database, clock: clock)
        cadres = CadreWorkflow(database: database, clock: clock)
        subOrgs = SubOrgWorkflow(database: database, clock: clock)
        orgProfiles = OrgProfileWorkflow(database: database, clock: clock)
        entryProgress = EntryProgressWorkflow(database: database)
        admins = AdminWorkflow(
            database: database, clock: clock, passwords: accounts.passwords, cache: accounts.cache, throttle: CodeThrottle(clock: clock))
        exports = ExportWorkflow(
            orgs: orgs, subOrgs: subOrgs, cadres: cadres, progress: entryProgress, admins: admins, statistics: statistics, clock: clock)
    }

    /// Today in China Standard Time, for date rules.
    var today: CivilDate { clock.now().chinaDate }
}

/// What the upload path and the page images need from the inspector; `IsolatedInspector` in production.
public protocol ArchiveInspector: Sendable {
    /// `sha256` is the hash the upload computed while streaming, so the child need not hash again.
    /// `lane` names the uploading org: inspections wait for a child slot in turns by lane.
    /// Throws `InspectionQueueFull` when no more may wait; never for the file itself.
    func inspect(fileAt path: String, policy: InspectionPolicy, sha256: String?, lane: String) async throws -> InspectionReport
    /// Page `page` (1-based) of the PDF as a PNG at most `maxWidth` pixels wide.
    func render(fileAt path: String, page: Int, maxWidth: Int, maximumBytes: Int) async throws -> Data
    /// True when nothing the inspector runs can change the file it reads, so the upload's hash
    /// taken while receiving still holds after inspection (the blob store then need not hash
    /// the file again). False unless the inspector can promise it.
    var leavesFilesUnchanged: Bool { get }
}

extension ArchiveInspector {
    public var leavesFilesUnchanged: Bool { false }
}

extension IsolatedInspector: ArchiveInspector {
    /// The child bans itself from changing any file before it reads the upload (and exits,
    /// reading nothing, when it cannot), wherever the ban exists.
    public var leavesFilesUnchanged: Bool { WriteBan.isSupported }
}

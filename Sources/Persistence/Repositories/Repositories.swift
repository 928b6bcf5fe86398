import SQLKit

/// The repositories over one connection: the pool outside a transaction, the transaction's
/// own connection inside `Database.write`. Callers see only the protocols.
public struct Repositories: Sendable {
    public let orgs: any OrgRepository
    public let people: any PersonRepository
    public let members: any MemberRepository
    public let cadres: any CadreRepository
    public let accounts: any AccountRepository
    public let sessions: any SessionRepository
    public let archives: any ArchiveRepository
    public let audit: any AuditRepository
    public let loginAttempts: any LoginAttemptRepository
    public let memberRecords: any MemberRecordRepository
    public let cadrePosts: any CadrePostRepository
    public let orgAdministration: any OrgAdministrationRepository
    public let orgAudit: any OrgAuditRepository
    public let admins: any AdminRepository
    public let enrolments: any MemberEnrolmentRepository
    public let transfers: any TransferRepository
    public let graduation: any GraduationRepository
    public let sweepLeases: any SweepLeaseRepository
    public let grading: any GradingRepository
    public let notices: any NoticeRepository
    public let activities: any ActivityRepository
    public let rectification: any RectificationRepository
    public let statistics: any StatisticsRepository
    public let registrations: any RegistrationRepository
    public let attachments: any AttachmentRepository

    /// `committedOrgs`: only for the pool, never inside a transaction (see `CommittedOrgs`).
    init(_ sql: any SQLDatabase, committedOrgs: CommittedOrgs? = nil) {
        orgs = SQLOrgRepository(sql)
        people = SQLPersonRepository(sql)
        members = SQLMemberRepository(sql, committedOrgs: committedOrgs)
        cadres = SQLCadreRepository(sql)
        accounts = SQLAccountRepository(sql)
        sessions = SQLSessionRepository(sql)
        archives = SQLArchiveRepository(sql)
        audit = SQLAuditRepository(sql)
        loginAttempts = SQLLoginAttemptRepository(sql)
        memberRecords = SQLMemberRecordRepository(sql)
        cadrePosts = SQLCadrePostRepository(sql)
        orgAdministration = SQLOrgAdministrationRepository(sql)
        orgAudit = SQLOrgAuditRepository(sql)
        admins = SQLAdminRepository(sql)
        enrolments = SQLMemberEnrolmentRepository(sql)
        transfers = SQLTransferRepository(sql)
        graduation = SQLGraduationRepository(sql)
        sweepLeases = SQLSweepLeaseRepository(sql)
        grading = SQLGradingRepository(sql)
        notices = SQLNoticeRepository(sql)
        activities = SQLActivityRepository(sql)
        rectification = SQLRectificationRepository(sql)
        statistics = SQLStatisticsRepository(sql)
        registrations = SQLRegistrationRepository(sql)
        attachments = SQLAttachmentRepository(sql)
    }
}

/// A write lost a race with another writer: the row it read has changed since (a stale
/// revision), or another transaction created the same record first. Nothing was written;
/// the caller reads again and decides anew.
public struct ConcurrentChange: Error, Equatable, Sendable {
    /// The table the race was lost on.
    public let table: String

    public init(table: String) { self.table = table }
}

import BlobStore
import Domain
import Foundation
import Logging
import Persistence
import SQLKit

/// Performs archive transitions: runs the domain state machine, then carries out its effects
/// in one transaction together with the audit entry, so nothing half-written is ever visible.
struct ArchiveService {
    let services: AppServices

    /// Maps the domain's refusals to HTTP.
    static func error(_ refusal: ArchiveRefusal) -> AppError {
        switch refusal {
        case .reasonRequired: AppError(.unprocessableContent, "reason_required", refusal.message)
        case .alreadyPending: AppError(.conflict, "archive_pending", refusal.message)
        case .verifiedNeedsChangeRequest: AppError(.conflict, "archive_verified", refusal.message)
        case .changeRequestPending: AppError(.conflict, "change_request_pending", refusal.message)
        case .notPending: AppError(.conflict, "archive_not_pending", refusal.message)
        case .noChangeRequest: AppError(.conflict, "no_change_request", refusal.message)
        case .changeRequestNotAllowed: AppError(.conflict, "archive_not_verified", refusal.message)
        }
    }

    static let raced = AppError(.conflict, "archive_changed", "该档案刚刚已被他人处理，请刷新后查看最新状态")

    /// Checks an upload would be accepted in the current state, before 20 MiB are received.
    func precheckUpload(member: PersonID) async throws {
        guard let archive = try await services.archives.find(member: member) else { return }
        do {
            _ = try archive.state.apply(.upload(.branch, version: Int.max))
        } catch {
            throw Self.error(error)
        }
    }

    struct Outcome: Sendable {
        let archive: ArchiveRecord
        let version: ArchiveVersionRecord?
    }

    /// Records a stored, inspected upload as the member's next version.
    func recordUpload(
        member: MemberRecord, actor: PersonID, actingOrg: Org, digest: BlobDigest, pages: Int, inspection: String
    ) async throws -> Outcome {
        try await withAuditRetry {
            try await services.database.transaction { sql in
                let archives = SQLArchiveRepository(sql)
                let now = services.clock.now()
                var existing = try await archives.find(member: member.member.personID)
                let isNew = existing == nil
                if existing == nil {
                    existing = ArchiveRecord(
                        id: ArchiveID(unchecked: newIdentifier()), memberID: member.member.personID, state: .notUploaded,
                        pendingSince: nil, reviewerOrgID: member.branch.upperCommitteeID, revision: 1)
                }
                let archive = existing!
                let version = try await archives.nextVersionNumber(archive.id)
                let (next, effects) = try Self.apply(archive.state, .upload(UploaderLevel(actingOrg.category), version: version))
                let updated = ArchiveRecord(
                    id: archive.id, memberID: archive.memberID, state: next,
                    pendingSince: next.status == .pending ? now : nil, reviewerOrgID: member.branch.upperCommitteeID,
                    revision: archive.revision + (isNew ? 0 : 1))
                if isNew {
                    try await archives.insert(updated, at: now)
                } else {
                    try await archives.update(updated, expectedRevision: archive.revision, at: now)
                }
                let record = ArchiveVersionRecord(
                    archiveID: archive.id, version: version, sha256: digest.sha256, bytes: digest.byteCount, pages: pages,
                    uploadedBy: actor, uploadedByOrg: actingOrg.id, uploadedAt: now, inspection: inspection)
                try await archives.insertVersion(record)
                _ = try await SQLAuditRepository(sql).append(
                    AuditEvent(
                        at: now, action: .upload, actorID: actor, memberID: member.member.personID, branchPath: member.branch.path,
                        archiveID: archive.id, version: version, sha256: digest.sha256, detail: "uploaded by \(actingOrg.id)"))
                try await perform(effects, archive: archive.id, member: member, actor: actor, actorOrg: actingOrg.id, sha256: digest.sha256, sql: sql, now: now)
                return Outcome(archive: updated, version: record)
            }
        }
    }

    /// Applies a decision (approve, reject, withdraw, change request and its decisions).
    func decide(
        _ event: ArchiveEvent, archive archiveID: ArchiveID, member: MemberRecord, actor: PersonID, actorOrg: OrgID?,
        expectedRevision: Int?
    ) async throws -> ArchiveRecord {
        try await withAuditRetry {
            try await services.database.transaction { sql in
                let archives = SQLArchiveRepository(sql)
                let now = services.clock.now()
                guard let archive = try await archives.find(archiveID) else { throw AppError.notFound }
                if let expectedRevision, expectedRevision != archive.revision { throw Self.raced }
                let (next, effects) = try Self.apply(archive.state, event)
                let updated = ArchiveRecord(
                    id: archive.id, memberID: archive.memberID, state: next,
                    pendingSince: next.status == .pending ? archive.pendingSince : nil, reviewerOrgID: archive.reviewerOrgID,
                    revision: archive.revision + 1)
                try await archives.update(updated, expectedRevision: archive.revision, at: now)
                let sha = try await archives.versions(archive.id).first { $0.version == archive.state.latestVersion }?.sha256
                try await perform(effects, archive: archive.id, member: member, actor: actor, actorOrg: actorOrg, sha256: sha, sql: sql, now: now)
                return updated
            }
        }
    }

    static func apply(_ state: ArchiveState, _ event: ArchiveEvent) throws -> (ArchiveState, [ArchiveEffect]) {
        do {
            return try state.apply(event)
        } catch {
            throw Self.error(error)
        }
    }

    /// Carries out the state machine's effects. Storing the file happened before the
    /// transaction (the blob is durable before any row points at it).
    private func perform(
        _ effects: [ArchiveEffect], archive: ArchiveID, member: MemberRecord, actor: PersonID, actorOrg: OrgID?, sha256: String?,
        sql: any SQLDatabase, now: Timestamp
    ) async throws {
        let archives = SQLArchiveRepository(sql)
        let audit = SQLAuditRepository(sql)
        for effect in effects {
            switch effect {
            case .storeVersion, .queueForUpperCommittee, .notifyUploaderOfRejection:
                // The version row is written by the caller; the queue and the notice are
                // read from the archive's state and decisions (the operation centre).
                continue
            case .recordDecision(let kind, let version, let reason):
                try await archives.insertDecision(
                    ArchiveDecisionRecord(
                        id: newIdentifier(), archiveID: archive, version: version, kind: kind, reason: reason, actorID: actor,
                        actorOrgID: actorOrg, decidedAt: now))
                let action: AuditAction = switch kind {
                case .approve, .autoApprove: .approve
                case .reject: .reject
                case .withdraw: .withdraw
                case .changeRequest: .changeRequest
                case .changeApprove: .changeApprove
                case .changeReject: .changeReject
                }
                _ = try await audit.append(
                    AuditEvent(
                        at: now, action: action, actorID: actor, memberID: member.member.personID, branchPath: member.branch.path,
                        archiveID: archive, version: version, sha256: sha256,
                        detail: kind == .autoApprove ? "verified at once (ARC-4)" : reason))
            }
        }
    }

    /// Appends a download to the audit log.
    func recordDownload(member: MemberRecord, archive: ArchiveID, version: ArchiveVersionRecord, actor: PersonID, detail: String?) async throws {
        try await withAuditRetry {
            try await services.database.transaction { sql in
                _ = try await SQLAuditRepository(sql).append(
                    AuditEvent(
                        at: services.clock.now(), action: .download, actorID: actor, memberID: member.member.personID,
                        branchPath: member.branch.path, archiveID: archive, version: version.version, sha256: version.sha256,
                        detail: detail))
            }
        }
    }

    /// Two transactions appending to the audit chain at once collide on its sequence number
    /// (PostgreSQL; SQLite serialises writers); the loser retries from the start. Archive
    /// races (a stale revision, a second first upload) are answered with 409 instead.
    func withAuditRetry<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch is StaleRevision {
                throw Self.raced
            } catch {
                if let violation = ConstraintViolation(error) {
                    if violation.concerns("audit_log"), attempt < 8 {
                        attempt += 1
                        try await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
                        continue
                    }
                    if case .unique = violation, violation.concerns("archives") { throw Self.raced }
                }
                throw error
            }
        }
    }
}

/// New record ids: UUIDs, lower-case (fits the id alphabet).
func newIdentifier() -> String { UUID().uuidString.lowercased() }

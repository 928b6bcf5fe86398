import BlobStore
import Domain
import Foundation
import Logging
import PDFInspection
import Persistence

/// A change request (ARC-10): a decision of kind change_request, answered by the next
/// change_approve or change_reject.
struct ChangeRequest: Sendable, Equatable {
    enum Status: String, Sendable { case pending, approved, rejected }
    let id: String
    let reason: String
    let requestedAt: Timestamp
    let requestedBy: PersonID
    let status: Status
    let decisionReason: String?

    static func all(in decisions: [ArchiveDecisionRecord]) -> [ChangeRequest] {
        decisions.enumerated().compactMap { index, d in
            guard d.kind == .changeRequest else { return nil }
            let answer = decisions[(index + 1)...].first { $0.kind == .changeApprove || $0.kind == .changeReject }
            return ChangeRequest(
                id: d.id, reason: d.reason ?? "", requestedAt: d.decidedAt, requestedBy: d.actorID,
                status: answer.map { $0.kind == .changeApprove ? .approved : .rejected } ?? .pending, decisionReason: answer?.reason)
        }
    }
}

/// Everything recorded about one member's archive, never trimmed (ARC-10).
struct ArchiveHistory: Sendable {
    let member: MemberRecord
    let archive: ArchiveRecord?
    let versions: [ArchiveVersionRecord]
    let decisions: [ArchiveDecisionRecord]
    /// Names of the people and orgs the versions and decisions mention.
    let personNames: [PersonID: String]
    let orgNames: [OrgID: String]
    let today: CivilDate

    var state: ArchiveState { archive?.state ?? .notUploaded }
    var changeRequests: [ChangeRequest] { ChangeRequest.all(in: decisions) }
    var openChangeRequest: ChangeRequest? { changeRequests.last.flatMap { $0.status == .pending ? $0 : nil } }
    var dueDate: CivilDate? { member.member.needsArchive ? ArchiveDeadline.due(joinedOn: member.member.joinedOn) : nil }
    var overdue: Bool { ArchiveDeadline.isOverdue(joinedOn: member.member.joinedOn, status: state.status, today: today) }
    /// ARC-6: what the uploading org reads after a rejection.
    var rejectionReason: String? {
        state.status == .rejected ? decisions.last(where: { $0.kind == .reject })?.reason : nil
    }
    var notice: String? { rejectionReason.map(ArchiveState.rejectionNotice(reason:)) }
    /// The version the review shows: the one in force or waiting.
    var currentVersion: ArchiveVersionRecord? {
        versions.first { $0.version == state.latestVersion } ?? versions.last
    }
}

/// The inspector refused an upload; `failure` is the parser's detail for the log.
struct InspectionRefused: Error {
    let refusal: Refusal
    let failure: String?
}

/// A stored version ready to be served, with the names a download carries.
struct ArchiveFile: Sendable {
    let member: MemberRecord
    let archiveID: ArchiveID
    let version: ArchiveVersionRecord
    /// Verified against its hash just now.
    let path: String
    /// `入团志愿书-姓名-发展团员编号.pdf`
    var filename: String { "入团志愿书-\(member.member.name)-\(number).pdf" }
    var asciiFilename: String { "rutuanzhiyuanshu-\(number)-v\(version.version).pdf" }
    private var number: String { member.member.developmentNumber?.value ?? member.member.personID.rawValue }
}

/// The e-archive (RULES ARC-1 … ARC-14): upload, history, decisions, change requests and
/// downloads. It authorises every call with `Domain.authorize`, runs the archive state
/// machine, and performs its effects in one transaction with the audit entry.
struct ArchiveWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource
    let blobs: any BlobStore
    let inspector: any ArchiveInspector
    let policy: InspectionPolicy

    var repositories: Repositories { database.repositories }
    var today: CivilDate { clock.now().chinaDate }

    func member(_ id: PersonID) async throws -> MemberRecord {
        guard let record = try await repositories.members.find(id) else { throw ServiceRefusal.notFound }
        return record
    }

    // MARK: Upload

    /// Who may upload for whom, decided before a byte of the body is read.
    struct UploadPermit: Sendable {
        let actor: Actor
        let member: MemberRecord
        /// ARC-3: the branch, or its direct parent.
        let actingOrg: Org
    }

    /// Checks the actor may upload for the member and that the archive's state takes an upload
    /// (ARC-2a: not while one is pending), so 20 MiB are never received for nothing.
    func permitUpload(_ actor: Actor, member id: PersonID) async throws -> UploadPermit {
        let member = try await member(id)
        try require(actor, .manageArchive, .member(id, branch: member.branch))
        guard member.member.needsArchive else { throw ServiceRefusal.archiveNotRequired }
        guard let actingID = actor.archiveActingOrg(forBranch: member.branch),
            let actingOrg = try await repositories.orgs.find(actingID)
        else { throw ServiceRefusal.forbidden }
        if let archive = try await repositories.archives.find(member: id) {
            _ = try archive.state.apply(.upload(.branch, version: Int.max))
        }
        return UploadPermit(actor: actor, member: member, actingOrg: actingOrg)
    }

    struct UploadOutcome: Sendable {
        let archive: ArchiveRecord
        let version: ArchiveVersionRecord
        let report: InspectionReport
        let timings: [String: Duration]
    }

    /// Inspects a received upload in the isolated child, stores it durably, and records it as
    /// the member's next version. A refused file is never stored.
    ///
    /// The inspection waits in the inspector's queue in the lane of the uploading org, so one
    /// org's burst does not delay another's; a full queue throws `InspectionQueueFull` (503).
    /// A cancelled task (the client went away) throws `CancellationError` before anything is
    /// stored; once the commit has begun, the blob and its row are written together.
    func upload(_ permit: UploadPermit, received upload: BlobUpload, digest: BlobDigest) async throws -> UploadOutcome {
        if digest.byteCount == 0 { throw ServiceRefusal.emptyUpload }
        let clock = ContinuousClock()
        let started = clock.now
        let report = try await inspectWhileSyncing(
            upload, digest: digest, inspector: inspector, policy: policy, lane: permit.actingOrg.id.rawValue)
        let inspected = clock.now
        try Task.checkCancellation()
        guard report.accepted else { throw InspectionRefused(refusal: report.refusal ?? .damaged, failure: report.failure) }
        // Not cancelled from here on (an unstructured task does not inherit cancellation): a
        // blob committed without its row would be an orphan.
        let blobs = blobs
        // Under the child's write ban the file is still what was hashed while receiving.
        let staged: StagedContent = inspector.leavesFilesUnchanged ? .unchangedSinceSeal : .rehash
        let (committed, archive, version) = try await Task {
            let stored = try await blobs.commit(upload, staged: staged)
            let committed = clock.now
            let inspection = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
            let (archive, version) = try await record(permit, digest: stored, pages: report.pages ?? 0, inspection: inspection)
            return (committed, archive, version)
        }.value
        return UploadOutcome(
            archive: archive, version: version, report: report,
            timings: ["inspect_and_sync": inspected - started, "store": committed - inspected, "record": clock.now - committed])
    }

    private func record(
        _ permit: UploadPermit, digest: BlobDigest, pages: Int, inspection: String
    ) async throws -> (ArchiveRecord, ArchiveVersionRecord) {
        let now = clock.now()
        let member = permit.member
        let branch = member.branch
        return try await database.write { repositories in
            let existing = try await repositories.archives.find(member: member.member.personID)
            let archive =
                existing
                ?? ArchiveRecord(
                    id: ArchiveID(unchecked: newIdentifier()), memberID: member.member.personID, state: .notUploaded,
                    pendingSince: nil, reviewerOrgID: branch.upperCommitteeID, revision: 1)
            let number = try await repositories.archives.nextVersionNumber(archive.id)
            let (next, effects) = try archive.state.apply(.upload(UploaderLevel(permit.actingOrg.category), version: number))
            let updated = ArchiveRecord(
                id: archive.id, memberID: archive.memberID, state: next, pendingSince: next.status == .pending ? now : nil,
                reviewerOrgID: branch.upperCommitteeID, revision: archive.revision + (existing == nil ? 0 : 1))
            if existing == nil {
                try await repositories.archives.insert(updated, at: now)
            } else {
                try await repositories.archives.update(updated, expectedRevision: archive.revision, at: now)
            }
            var stored: ArchiveVersionRecord?
            for effect in effects {
                switch effect {
                case .storeVersion(let version):
                    let record = ArchiveVersionRecord(
                        archiveID: archive.id, version: version, sha256: digest.sha256, bytes: digest.byteCount, pages: pages,
                        uploadedBy: permit.actor.personID, uploadedByOrg: permit.actingOrg.id, uploadedAt: now, inspection: inspection)
                    try await repositories.archives.insertVersion(record)
                    _ = try await repositories.audit.append(
                        AuditEvent(
                            at: now, action: .upload, actorID: permit.actor.personID, memberID: member.member.personID,
                            branchPath: branch.path, archiveID: archive.id, version: version, sha256: digest.sha256,
                            detail: "uploaded by \(permit.actingOrg.id)"))
                    stored = record
                case .recordDecision(let kind, let version, let reason):
                    try await Self.recordDecision(
                        kind, version: version, reason: reason, archive: archive.id, member: member, actor: permit.actor.personID,
                        actorOrg: permit.actingOrg.id, sha256: digest.sha256, now: now, in: repositories)
                }
            }
            guard let stored else { throw ServiceRefusal.internalError }
            return (updated, stored)
        }
    }

    // MARK: History

    func history(_ actor: Actor, member id: PersonID) async throws -> ArchiveHistory {
        let member = try await member(id)
        try require(actor, .viewArchive, .member(id, branch: member.branch))
        return try await history(of: member)
    }

    /// ARC-11: a member's own archive.
    func ownHistory(_ actor: Actor) async throws -> ArchiveHistory {
        try await history(actor, member: actor.personID)
    }

    func history(of member: MemberRecord) async throws -> ArchiveHistory {
        let archive = try await repositories.archives.find(member: member.member.personID)
        var versions: [ArchiveVersionRecord] = []
        var decisions: [ArchiveDecisionRecord] = []
        if let archive {
            async let v = repositories.archives.versions(archive.id)
            async let d = repositories.archives.decisions(archive.id)
            (versions, decisions) = try await (v, d)
        }
        let people = Set(versions.map(\.uploadedBy) + decisions.map(\.actorID))
        let orgs = Set(versions.map(\.uploadedByOrg) + decisions.compactMap(\.actorOrgID))
        async let personRecords = repositories.people.find(Array(people))
        async let orgRecords = repositories.orgs.find(Array(orgs))
        return ArchiveHistory(
            member: member, archive: archive, versions: versions, decisions: decisions,
            personNames: Dictionary(try await personRecords.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }),
            orgNames: Dictionary(try await orgRecords.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }), today: today)
    }

    /// The archive and its member, for calls that name the archive.
    func archive(_ id: ArchiveID) async throws -> (ArchiveRecord, MemberRecord) {
        guard let archive = try await repositories.archives.find(id) else { throw ServiceRefusal.notFound }
        return (archive, try await member(archive.memberID))
    }

    /// The history of the archive `id`, for its reviewer's page.
    func history(_ actor: Actor, archive id: ArchiveID) async throws -> ArchiveHistory {
        let (_, member) = try await archive(id)
        try require(actor, .viewArchive, .member(member.member.personID, branch: member.branch))
        return try await history(of: member)
    }

    // MARK: Decisions

    enum Verdict: Sendable { case approve, reject(reason: String), withdraw }

    /// ARC-6 (approve, reject: the upper committee) and ARC-2a (withdraw: the uploader's org).
    @discardableResult
    func decide(_ actor: Actor, archive id: ArchiveID, _ verdict: Verdict) async throws -> MemberRecord {
        let (_, member) = try await archive(id)
        let target = AccessTarget.member(member.member.personID, branch: member.branch)
        let event: ArchiveEvent
        let actorOrg: OrgID?
        switch verdict {
        case .approve:
            try require(actor, .reviewArchive, target)
            (event, actorOrg) = (.approve, member.branch.upperCommitteeID)
        case .reject(let reason):
            try require(actor, .reviewArchive, target)
            (event, actorOrg) = (.reject(reason: reason), member.branch.upperCommitteeID)
        case .withdraw:
            try require(actor, .manageArchive, target)
            (event, actorOrg) = (.withdraw, actor.archiveActingOrg(forBranch: member.branch))
        }
        try await apply(event, archive: id, member: member, actor: actor.personID, actorOrg: actorOrg, expectedRevision: nil)
        return member
    }

    /// Withdraws the member's pending upload (ARC-2a), for callers that name the member.
    func withdraw(_ actor: Actor, member id: PersonID) async throws {
        guard let archive = try await repositories.archives.find(member: id) else { throw ArchiveRefusal.notPending }
        try await decide(actor, archive: archive.id, .withdraw)
    }

    /// ARC-10: the member's org asks to change a verified archive.
    func requestChange(_ actor: Actor, member id: PersonID, reason: String) async throws -> ChangeRequest {
        let member = try await member(id)
        try require(actor, .manageArchive, .member(id, branch: member.branch))
        guard let archive = try await repositories.archives.find(member: id) else { throw ArchiveRefusal.changeRequestNotAllowed }
        try await apply(
            .requestChange(reason: reason), archive: archive.id, member: member, actor: actor.personID,
            actorOrg: actor.archiveActingOrg(forBranch: member.branch), expectedRevision: nil)
        guard let created = ChangeRequest.all(in: try await repositories.archives.decisions(archive.id)).last else {
            throw ServiceRefusal.internalError
        }
        return created
    }

    func changeRequests(_ actor: Actor, member id: PersonID) async throws -> [ChangeRequest] {
        let member = try await member(id)
        try require(actor, .viewArchive, .member(id, branch: member.branch))
        guard let archive = try await repositories.archives.find(member: id) else { return [] }
        return ChangeRequest.all(in: try await repositories.archives.decisions(archive.id))
    }

    /// ARC-10: the upper committee decides the open change request. `requestID` nil means
    /// "the open one" (the review page), otherwise it must name it.
    func decideChange(_ actor: Actor, member id: PersonID, requestID: String?, approve: Bool, reason: String?) async throws {
        let member = try await member(id)
        try require(actor, .reviewArchive, .member(id, branch: member.branch))
        guard let archive = try await repositories.archives.find(member: id) else { throw ServiceRefusal.notFound }
        let last = ChangeRequest.all(in: try await repositories.archives.decisions(archive.id)).last
        if let requestID, last?.id != requestID { throw ServiceRefusal.notFound }
        guard let last, last.status == .pending else { throw ArchiveRefusal.noChangeRequest }
        try await apply(
            approve ? .approveChange : .rejectChange(reason: reason ?? ""), archive: archive.id, member: member,
            actor: actor.personID, actorOrg: member.branch.upperCommitteeID, expectedRevision: archive.revision)
    }

    /// Runs one event on the archive and performs its effects, with optimistic concurrency: a
    /// stale revision is a `ConcurrentChange` (409), never a silent overwrite.
    private func apply(
        _ event: ArchiveEvent, archive id: ArchiveID, member: MemberRecord, actor: PersonID, actorOrg: OrgID?,
        expectedRevision: Int?
    ) async throws {
        let now = clock.now()
        try await database.write { repositories in
            guard let archive = try await repositories.archives.find(id) else { throw ServiceRefusal.notFound }
            if let expectedRevision, expectedRevision != archive.revision { throw ConcurrentChange(table: "archives") }
            let (next, effects) = try archive.state.apply(event)
            let updated = ArchiveRecord(
                id: archive.id, memberID: archive.memberID, state: next,
                pendingSince: next.status == .pending ? archive.pendingSince : nil, reviewerOrgID: archive.reviewerOrgID,
                revision: archive.revision + 1)
            try await repositories.archives.update(updated, expectedRevision: archive.revision, at: now)
            let sha = try await repositories.archives.versions(archive.id).first { $0.version == archive.state.latestVersion }?.sha256
            for effect in effects {
                switch effect {
                case .storeVersion:
                    // Only uploads store versions, and they go through `record`.
                    throw ServiceRefusal.internalError
                case .recordDecision(let kind, let version, let reason):
                    try await Self.recordDecision(
                        kind, version: version, reason: reason, archive: archive.id, member: member, actor: actor, actorOrg: actorOrg,
                        sha256: sha, now: now, in: repositories)
                }
            }
        }
    }

    private static func recordDecision(
        _ kind: ArchiveDecisionKind, version: Int?, reason: String?, archive: ArchiveID, member: MemberRecord, actor: PersonID,
        actorOrg: OrgID?, sha256: String?, now: Timestamp, in repositories: Repositories
    ) async throws {
        try await repositories.archives.insertDecision(
            ArchiveDecisionRecord(
                id: newIdentifier(), archiveID: archive, version: version, kind: kind, reason: reason, actorID: actor,
                actorOrgID: actorOrg, decidedAt: now))
        let action: AuditAction =
            switch kind {
            case .approve, .autoApprove: .approve
            case .reject: .reject
            case .withdraw: .withdraw
            case .changeRequest: .changeRequest
            case .changeApprove: .changeApprove
            case .changeReject: .changeReject
            }
        _ = try await repositories.audit.append(
            AuditEvent(
                at: now, action: action, actorID: actor, memberID: member.member.personID, branchPath: member.branch.path,
                archiveID: archive, version: version, sha256: sha256, detail: kind == .autoApprove ? "verified at once (ARC-4)" : reason))
    }

    // MARK: Downloads

    /// The version to serve (the latest when `version` is nil), checked against its hash.
    func file(_ actor: Actor, member id: PersonID, version wanted: Int?, logger: Logger) async throws -> ArchiveFile {
        let member = try await member(id)
        try require(actor, .viewArchive, .member(id, branch: member.branch))
        guard let archive = try await repositories.archives.find(member: id) else { throw ServiceRefusal.archiveNotFound }
        let versions = try await repositories.archives.versions(archive.id)
        let number = wanted ?? archive.state.latestVersion ?? versions.last?.version
        guard let version = versions.first(where: { $0.version == number }) else { throw ServiceRefusal.archiveVersionNotFound }
        do {
            return ArchiveFile(member: member, archiveID: archive.id, version: version, path: try await blobs.verifiedPath(version.sha256))
        } catch {
            // Never serve a file that does not match its recorded hash.
            logger.critical("archive blob failed verification", metadata: ["sha256": .string(version.sha256), "error": "\(error)"])
            throw ServiceRefusal.archiveUnavailable
        }
    }

    /// Appends a download (whole or ranged) to the audit log.
    func recordDownload(_ actor: Actor, _ file: ArchiveFile, detail: String?) async throws {
        let now = clock.now()
        try await database.write { repositories in
            _ = try await repositories.audit.append(
                AuditEvent(
                    at: now, action: .download, actorID: actor.personID, memberID: file.member.member.personID,
                    branchPath: file.member.branch.path, archiveID: file.archiveID, version: file.version.version,
                    sha256: file.version.sha256, detail: detail))
        }
    }

    /// A version's page for the review page's thumbnails, from the stored, verified file.
    func pageVersion(_ actor: Actor, archive id: ArchiveID, version number: Int, page: Int) async throws -> ArchiveVersionRecord {
        let (archive, member) = try await archive(id)
        try require(actor, .viewArchive, .member(member.member.personID, branch: member.branch))
        guard let version = try await repositories.archives.versions(archive.id).first(where: { $0.version == number }),
            (1...max(1, version.pages)).contains(page)
        else { throw ServiceRefusal.notFound }
        return version
    }
}

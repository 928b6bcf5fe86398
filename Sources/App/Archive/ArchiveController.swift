import BlobStore
import Domain
import Foundation
import Hummingbird
import Logging
import PDFInspection
import Persistence

/// The e-archive API (RULES ARC-1 … ARC-14): upload, history, download, decisions and
/// change requests.
struct ArchiveController {
    let services: AppServices
    var archives: ArchiveService { ArchiveService(services: services) }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.put(SiteRoute.memberArchive(nil).pattern, use: upload)
        group.get(SiteRoute.memberArchive(nil).pattern, use: show)
        group.get(SiteRoute.memberArchivePDF(nil).pattern, use: download)
        group.get(SiteRoute.myArchive.pattern, use: showMine)
        group.get(SiteRoute.myArchivePDF.pattern, use: downloadMine)
        group.post(SiteRoute.archiveDecision(nil, .approve).pattern) { try await decide($0, $1, .approve) }
        group.post(SiteRoute.archiveDecision(nil, .reject).pattern) { try await decide($0, $1, .reject) }
        group.post(SiteRoute.archiveDecision(nil, .withdraw).pattern) { try await decide($0, $1, .withdraw) }
        group.post(SiteRoute.changeRequests(nil).pattern, use: requestChange)
        group.get(SiteRoute.changeRequests(nil).pattern, use: listChangeRequests)
        group.post(SiteRoute.changeRequestDecision(nil, nil, approve: true).pattern) { try await decideChange($0, $1, approve: true) }
        group.post(SiteRoute.changeRequestDecision(nil, nil, approve: false).pattern) { try await decideChange($0, $1, approve: false) }
    }

    /// The member, or 404.
    func member(_ id: PersonID) async throws -> MemberRecord {
        guard let record = try await services.members.find(id) else { throw AppError.notFound }
        return record
    }

    // MARK: Upload

    @Sendable func upload(request: Request, context: AppRequestContext) async throws -> Response {
        let member = try await member(try context.memberID())
        let actor = try context.authorize(.manageArchive, .member(member.member.personID, branch: member.branch))
        guard member.member.needsArchive else {
            throw AppError(.unprocessableContent, "archive_not_required", "该团员于2020年1月1日前入团，无需上传电子档案")
        }
        // ARC-3: acting as the branch when the actor administers it, else as its direct parent.
        let actingOrgID = actor.isAdmin(of: member.branch.id) ? member.branch.id : member.branch.parentID!
        guard let actingOrg = try await services.orgs.find(actingOrgID) else { throw AppError.notFound }
        // Refuse a second upload while one is pending before reading 20 MiB (ARC-2a).
        try await archives.precheckUpload(member: member.member.personID)

        let receiver = UploadReceiver(maximumBytes: services.config.archivePolicy.maximumBytes)
        let kind = try receiver.kind(of: request)
        let upload = try services.blobs.makeUpload()
        defer { upload.discard() }
        let clock = ContinuousClock()
        let started = clock.now
        try await receiver.receive(request, kind: kind, into: upload)
        let digest = try upload.finish()
        if digest.byteCount == 0 { throw UploadReceiver.empty }
        let received = clock.now

        let report = await services.inspector.inspect(
            fileAt: upload.path, policy: services.config.archivePolicy, sha256: digest.sha256)
        let inspected = clock.now
        if let refusal = report.refusal ?? (report.accepted ? nil : Refusal.damaged) {
            context.logger.info(
                "archive upload refused",
                metadata: ["code": .string(refusal.code.rawValue), "failure": .string(report.failure ?? "-"), "bytes": "\(digest.byteCount)"])
            throw AppError(.init(code: Self.status(for: refusal.code)), refusal.code.rawValue, refusal.message)
        }
        let stored = try await services.blobs.commit(upload)
        let committed = clock.now
        let inspection = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        let outcome = try await archives.recordUpload(
            member: member, actor: actor.personID, actingOrg: actingOrg, digest: stored, pages: report.pages ?? 0,
            inspection: inspection)
        let recorded = clock.now
        func ms(_ d: Duration) -> String { String(format: "%.1f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000) }
        context.logger.info(
            "archive uploaded",
            metadata: [
                "bytes": "\(stored.byteCount)", "receive_ms": .string(ms(received - started)), "inspect_ms": .string(ms(inspected - received)),
                "store_ms": .string(ms(committed - inspected)), "record_ms": .string(ms(recorded - committed)),
            ])
        let state = outcome.archive.state
        return try UploadResponse(
            archiveId: outcome.archive.id.rawValue, version: outcome.version?.version ?? 0, status: state.status.rawValue,
            statusName: state.status.chineseName, sha256: stored.sha256, bytes: stored.byteCount, pages: report.pages ?? 0
        ).response(from: request, context: context).withStatus(.created)
    }

    // MARK: History

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> ArchiveResponse {
        let member = try await member(try context.memberID())
        _ = try context.authorize(.viewArchive, .member(member.member.personID, branch: member.branch))
        return try await describe(member)
    }

    @Sendable func showMine(request: Request, context: AppRequestContext) async throws -> ArchiveResponse {
        let actor = try context.requireActor()
        let member = try await member(actor.personID)
        _ = try context.authorize(.viewArchive, .member(member.member.personID, branch: member.branch))
        return try await describe(member)
    }

    func describe(_ member: MemberRecord) async throws -> ArchiveResponse {
        let archive = try await services.archives.find(member: member.member.personID)
        var versions: [ArchiveVersionRecord] = []
        var decisions: [ArchiveDecisionRecord] = []
        if let archive {
            versions = try await services.archives.versions(archive.id)
            decisions = try await services.archives.decisions(archive.id)
        }
        let state = archive?.state ?? .notUploaded
        let m = member.member
        var notice: String?
        if state.status == .rejected, let reason = decisions.last(where: { $0.kind == .reject })?.reason {
            notice = ArchiveState.rejectionNotice(reason: reason)
        }
        let changeOpen: Bool = if case .changeRequested = state { true } else if case .changeApproved = state { true } else { false }
        return ArchiveResponse(
            memberId: m.personID.rawValue, archiveRequired: m.needsArchive, archiveId: archive?.id.rawValue,
            status: state.status.rawValue, statusName: state.status.chineseName, identityVerified: state.identityVerified,
            currentVersion: state.latestVersion, verifiedVersion: state.verifiedVersion, changeRequestOpen: changeOpen,
            dueDate: m.needsArchive ? ArchiveDeadline.due(joinedOn: m.joinedOn).iso : nil,
            overdue: ArchiveDeadline.isOverdue(joinedOn: m.joinedOn, status: state.status, today: services.today),
            notice: notice, versions: versions.map(VersionResponse.init), decisions: decisions.map(DecisionResponse.init),
            changeRequests: Self.changeRequests(decisions))
    }

    /// Change requests are decisions of kind change_request, each answered by the next
    /// change_approve/change_reject.
    static func changeRequests(_ decisions: [ArchiveDecisionRecord]) -> [ChangeRequestResponse] {
        var result: [ChangeRequestResponse] = []
        for (index, d) in decisions.enumerated() where d.kind == .changeRequest {
            let answer = decisions[(index + 1)...].first { $0.kind == .changeApprove || $0.kind == .changeReject }
            result.append(
                ChangeRequestResponse(
                    id: d.id, reason: d.reason ?? "", requestedAt: d.decidedAt.text, requestedBy: d.actorID.rawValue,
                    status: answer.map { $0.kind == .changeApprove ? "approved" : "rejected" } ?? "pending",
                    decisionReason: answer?.reason))
        }
        return result
    }

    // MARK: Download

    @Sendable func download(request: Request, context: AppRequestContext) async throws -> Response {
        let member = try await member(try context.memberID())
        let actor = try context.authorize(.viewArchive, .member(member.member.personID, branch: member.branch))
        return try await serve(member: member, actor: actor, request: request, context: context)
    }

    @Sendable func downloadMine(request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let member = try await member(actor.personID)
        _ = try context.authorize(.viewArchive, .member(member.member.personID, branch: member.branch))
        return try await serve(member: member, actor: actor, request: request, context: context)
    }

    func serve(member: MemberRecord, actor: Actor, request: Request, context: AppRequestContext) async throws -> Response {
        guard let archive = try await services.archives.find(member: member.member.personID) else {
            throw AppError(.notFound, "archive_not_found", "该团员尚未上传电子档案")
        }
        let versions = try await services.archives.versions(archive.id)
        let wanted: Int?
        if let raw = request.uri.queryParameters["version"] {
            guard let n = Int(String(raw)), n >= 1 else { throw AppError.badRequest("version 须为正整数") }
            wanted = n
        } else {
            wanted = archive.state.latestVersion ?? versions.last?.version
        }
        guard let version = versions.first(where: { $0.version == wanted }) else {
            throw AppError(.notFound, "archive_version_not_found", "该版本的档案不存在")
        }
        let number = member.member.developmentNumber?.value ?? member.member.personID.rawValue
        let filename = "入团志愿书-\(member.member.name)-\(number).pdf"
        let path: String
        do {
            path = try await services.blobs.verifiedPath(version.sha256)
        } catch {
            // Never serve a file that does not match its recorded hash.
            context.logger.critical("archive blob failed verification", metadata: ["sha256": .string(version.sha256), "error": "\(error)"])
            throw AppError(.internalServerError, "archive_unavailable", "档案文件校验失败，已通知管理员，请稍后再试")
        }
        let response = try await PDFDownload(path: path, bytes: version.bytes, sha256: version.sha256, filename: filename,
            asciiFilename: "rutuanzhiyuanshu-\(number)-v\(version.version).pdf")
            .response(for: request, context: context)
        if response.status == .ok || response.status == .partialContent {
            try await archives.recordDownload(
                member: member, archive: archive.id, version: version, actor: actor.personID,
                detail: response.status == .partialContent ? "range \(request.headers[.range] ?? "")" : nil)
        }
        return response
    }

    // MARK: Decisions

    enum Verdict { case approve, reject, withdraw }

    struct ReasonBody: Decodable { let reason: String? }

    func decide(_ request: Request, _ context: AppRequestContext, _ verdict: Verdict) async throws -> ArchiveResponse {
        guard let raw = context.parameters.get(SiteRoute.archiveParameter), let id = ArchiveID(rawValue: raw),
            let archive = try await services.archives.find(id)
        else { throw AppError.notFound }
        let member = try await member(archive.memberID)
        let target = AccessTarget.member(member.member.personID, branch: member.branch)
        let actor: Actor
        let event: ArchiveEvent
        let actorOrg: OrgID?
        switch verdict {
        case .approve:
            actor = try context.authorize(.reviewArchive, target)
            event = .approve
            actorOrg = member.branch.upperCommitteeID
        case .reject:
            actor = try context.authorize(.reviewArchive, target)
            let body = try? await request.decode(as: ReasonBody.self, context: context)
            event = .reject(reason: body?.reason ?? "")
            actorOrg = member.branch.upperCommitteeID
        case .withdraw:
            actor = try context.authorize(.manageArchive, target)
            event = .withdraw
            actorOrg = actor.isAdmin(of: member.branch.id) ? member.branch.id : member.branch.parentID
        }
        _ = try await archives.decide(event, archive: id, member: member, actor: actor.personID, actorOrg: actorOrg, expectedRevision: nil)
        return try await describe(member)
    }

    @Sendable func requestChange(request: Request, context: AppRequestContext) async throws -> Response {
        let member = try await member(try context.memberID())
        let actor = try context.authorize(.manageArchive, .member(member.member.personID, branch: member.branch))
        guard let archive = try await services.archives.find(member: member.member.personID) else {
            throw ArchiveService.error(.changeRequestNotAllowed)
        }
        let body = try? await request.decode(as: ReasonBody.self, context: context)
        let actorOrg = actor.isAdmin(of: member.branch.id) ? member.branch.id : member.branch.parentID
        _ = try await archives.decide(
            .requestChange(reason: body?.reason ?? ""), archive: archive.id, member: member, actor: actor.personID, actorOrg: actorOrg,
            expectedRevision: nil)
        let decisions = try await services.archives.decisions(archive.id)
        guard let created = Self.changeRequests(decisions).last else { throw AppError.internalError }
        return try created.response(from: request, context: context).withStatus(.created)
    }

    struct ChangeRequestList: ResponseEncodable { let items: [ChangeRequestResponse] }

    @Sendable func listChangeRequests(request: Request, context: AppRequestContext) async throws -> ChangeRequestList {
        let member = try await member(try context.memberID())
        _ = try context.authorize(.viewArchive, .member(member.member.personID, branch: member.branch))
        guard let archive = try await services.archives.find(member: member.member.personID) else { return ChangeRequestList(items: []) }
        return ChangeRequestList(items: Self.changeRequests(try await services.archives.decisions(archive.id)))
    }

    func decideChange(_ request: Request, _ context: AppRequestContext, approve: Bool) async throws -> ArchiveResponse {
        let member = try await member(try context.memberID())
        let actor = try context.authorize(.reviewArchive, .member(member.member.personID, branch: member.branch))
        guard let requestID = context.parameters.get(SiteRoute.changeRequestParameter),
            let archive = try await services.archives.find(member: member.member.personID)
        else { throw AppError.notFound }
        let open = Self.changeRequests(try await services.archives.decisions(archive.id)).last
        guard let open, open.id == requestID else { throw AppError.notFound }
        guard open.status == "pending" else { throw ArchiveService.error(.noChangeRequest) }
        let event: ArchiveEvent
        if approve {
            event = .approveChange
        } else {
            let body = try? await request.decode(as: ReasonBody.self, context: context)
            event = .rejectChange(reason: body?.reason ?? "")
        }
        _ = try await archives.decide(
            event, archive: archive.id, member: member, actor: actor.personID, actorOrg: member.branch.upperCommitteeID,
            expectedRevision: archive.revision)
        return try await describe(member)
    }
}

extension Response {
    func withStatus(_ status: HTTPResponse.Status) -> Response {
        var copy = self
        copy.status = status
        return copy
    }
}

extension ArchiveController {
    /// The status an upload refusal answers with: PDFInspection names the reason, the server
    /// chooses the status.
    static func status(for code: Refusal.Code) -> Int {
        switch code {
        case .empty: 400
        case .tooLarge: 413
        case .notPDF: 415
        case .encrypted, .damaged, .wrongPageCount: 422
        }
    }
}

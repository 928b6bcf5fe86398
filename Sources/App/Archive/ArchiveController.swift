import BlobStore
import Domain
import Foundation
import Hummingbird
import Logging
import PDFInspection
import Persistence

/// The e-archive API (RULES ARC-1 … ARC-14): decodes requests, calls `ArchiveWorkflow`,
/// encodes its answers.
struct ArchiveController {
    let archives: ArchiveWorkflow
    let uploadLimit: Int

    /// `uploads` takes the file route (its body is a PDF or multipart); the rest take JSON.
    func register(on group: RouterGroup<AppRequestContext>, uploads: RouterGroup<AppRequestContext>) {
        uploads.put(SiteRoute.memberArchive(nil).pattern, use: upload)
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

    // MARK: Upload

    @Sendable func upload(request: Request, context: AppRequestContext) async throws -> Response {
        let outcome = try await ArchiveUpload(archives: archives, maximumBytes: uploadLimit)
            .run(request, context: context, member: try context.memberID())
        let state = outcome.archive.state
        return try UploadResponse(
            archiveId: outcome.archive.id.rawValue, version: outcome.version.version, status: state.status.rawValue,
            statusName: state.status.chineseName, sha256: outcome.version.sha256, bytes: outcome.version.bytes,
            pages: outcome.version.pages
        ).response(from: request, context: context).withStatus(.created)
    }

    // MARK: History

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> ArchiveResponse {
        ArchiveResponse(try await archives.history(try context.requireActor(), member: try context.memberID()))
    }

    @Sendable func showMine(request: Request, context: AppRequestContext) async throws -> ArchiveResponse {
        ArchiveResponse(try await archives.ownHistory(try context.requireActor()))
    }

    // MARK: Download

    @Sendable func download(request: Request, context: AppRequestContext) async throws -> Response {
        try await serve(member: try context.memberID(), request: request, context: context)
    }

    @Sendable func downloadMine(request: Request, context: AppRequestContext) async throws -> Response {
        try await serve(member: try context.requireActor().personID, request: request, context: context)
    }

    func serve(member: PersonID, request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        var wanted: Int?
        if let raw = request.uri.queryParameters["version"] {
            guard let n = Int(String(raw)), n >= 1 else { throw ServiceRefusal.badRequest("version 须为正整数") }
            wanted = n
        }
        let file = try await archives.file(actor, member: member, version: wanted, logger: context.logger)
        let response = try await PDFDownload(
            path: file.path, bytes: file.version.bytes, sha256: file.version.sha256, filename: file.filename,
            asciiFilename: file.asciiFilename
        ).response(for: request, context: context)
        // A HEAD (answered by this GET handler) fetches no content, so it is no download.
        if request.method == .get, response.status == .ok || response.status == .partialContent {
            let detail = response.status == .partialContent ? "range \(request.headers[.range] ?? "")" : nil
            try await archives.recordDownload(actor, file, detail: detail)
        }
        return response
    }

    // MARK: Decisions

    struct ReasonBody: Decodable { let reason: String? }

    /// The body's `reason`; "" without a body (the domain then asks for one). A body that is
    /// too large or not JSON is refused as such, not read as "no reason".
    static func reason(_ request: Request, _ context: AppRequestContext) async throws -> String {
        guard request.hasBody else { return "" }
        return try await request.decode(as: ReasonBody.self, context: context).reason ?? ""
    }

    func decide(_ request: Request, _ context: AppRequestContext, _ verb: ArchiveDecisionVerb) async throws -> ArchiveResponse {
        let actor = try context.requireActor()
        let verdict: ArchiveWorkflow.Verdict =
            switch verb {
            case .approve: .approve
            case .reject: .reject(reason: try await Self.reason(request, context))
            case .withdraw: .withdraw
            }
        let member = try await archives.decide(actor, archive: try context.archiveID(), verdict)
        return ArchiveResponse(try await archives.history(of: member))
    }

    @Sendable func requestChange(request: Request, context: AppRequestContext) async throws -> Response {
        let created = try await archives.requestChange(
            try context.requireActor(), member: try context.memberID(), reason: try await Self.reason(request, context))
        return try ChangeRequestResponse(created).response(from: request, context: context).withStatus(.created)
    }

    struct ChangeRequestList: ResponseEncodable { let items: [ChangeRequestResponse] }

    @Sendable func listChangeRequests(request: Request, context: AppRequestContext) async throws -> ChangeRequestList {
        let items = try await archives.changeRequests(try context.requireActor(), member: try context.memberID())
        return ChangeRequestList(items: items.map(ChangeRequestResponse.init))
    }

    func decideChange(_ request: Request, _ context: AppRequestContext, approve: Bool) async throws -> ArchiveResponse {
        let actor = try context.requireActor()
        let member = try context.memberID()
        guard let requestID = context.parameters.get(SiteRoute.changeRequestParameter) else { throw ServiceRefusal.notFound }
        try await archives.decideChange(
            actor, member: member, requestID: requestID, approve: approve, reason: approve ? nil : try await Self.reason(request, context))
        return ArchiveResponse(try await archives.history(actor, member: member))
    }
}

/// Receiving an upload over HTTP, for the API and the no-JS page form alike: the permit first
/// (before a byte of the body is read), then the body streamed into the blob store's temp
/// file, then the workflow.
struct ArchiveUpload {
    let archives: ArchiveWorkflow
    let maximumBytes: Int

    /// Receives, inspects and records the upload in a task of its own that is cancelled when
    /// the client goes away: the inspection's child is killed (or it leaves the queue), the temp
    /// file is removed and nothing is committed.
    func run(_ request: Request, context: AppRequestContext, member: PersonID) async throws -> ArchiveWorkflow.UploadOutcome {
        do {
            return try await cancellingWhenClientGoes(context) {
                try await receiveAndRecord(request, context: context, member: member)
            }
        } catch ServiceRefusal.clientGone {
            context.logger.info("archive upload abandoned: the client went away", metadata: ["member": "\(member)"])
            throw ServiceRefusal.clientGone
        }
    }

    private func receiveAndRecord(
        _ request: Request, context: AppRequestContext, member: PersonID
    ) async throws -> ArchiveWorkflow.UploadOutcome {
        let permit = try await archives.permitUpload(try context.requireActor(), member: member)
        let receiver = UploadReceiver(maximumBytes: maximumBytes)
        let kind = try receiver.kind(of: request)
        let upload = try archives.blobs.makeUpload()
        defer { upload.discard() }
        let clock = ContinuousClock()
        let started = clock.now
        try await receiver.receive(request, kind: kind, into: upload)
        let digest = try upload.seal()
        let received = clock.now - started
        do {
            let outcome = try await archives.upload(permit, received: upload, digest: digest)
            func ms(_ d: Duration) -> String { String(format: "%.1f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000) }
            var metadata: Logger.Metadata = ["bytes": "\(digest.byteCount)", "receive_ms": .string(ms(received))]
            for (step, duration) in outcome.timings { metadata["\(step)_ms"] = .string(ms(duration)) }
            context.logger.info("archive uploaded", metadata: metadata)
            Telemetry.upload("archive", outcome: "accepted")
            Telemetry.blobBytes(digest.byteCount)
            return outcome
        } catch let refused as InspectionRefused {
            context.logger.info(
                "archive upload refused",
                metadata: [
                    "code": .string(refused.refusal.code.rawValue), "failure": .string(refused.failure ?? "-"),
                    "bytes": "\(digest.byteCount)",
                ])
            Telemetry.upload("archive", outcome: "refused", code: refused.refusal.code.rawValue)
            throw refused
        } catch let full as InspectionQueueFull {
            context.logger.notice(
                "archive upload refused: inspection queue full",
                metadata: ["bound": .string(full.bound.rawValue), "org": .string(permit.actingOrg.id.rawValue)])
            Telemetry.upload("archive", outcome: "refused", code: "inspection_queue_full")
            throw full
        }
    }
}

extension Response {
    func withStatus(_ status: HTTPResponse.Status) -> Response {
        var copy = self
        copy.status = status
        return copy
    }
}

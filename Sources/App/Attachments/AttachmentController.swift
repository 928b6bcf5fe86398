import Domain
import Foundation
import Hummingbird
import Persistence

/// Attachments over HTTP: the upload (multipart `file`, or a raw PDF, PNG or JPEG body with
/// `?name=`), the download, and the withdrawal.
struct AttachmentController {
    let attachments: AttachmentWorkflow

    func register(on group: RouterGroup<AppRequestContext>, uploads: RouterGroup<AppRequestContext>) {
        uploads.post(SiteRoute.activityAttachments(nil).pattern, use: attachToActivity)
        uploads.post(SiteRoute.noticeAttachments(nil).pattern, use: attachToNotice)
        group.get(SiteRoute.attachment(nil).pattern, use: download)
        group.delete(SiteRoute.attachment(nil).pattern, use: withdraw)
    }

    @Sendable func attachToActivity(request: Request, context: AppRequestContext) async throws -> Response {
        let record = try await AttachmentUpload(attachments: attachments).run(request, context: context, to: .activity(try context.activityID()))
        return try AttachmentResponse(record).response(from: request, context: context).withStatus(.created)
    }

    @Sendable func attachToNotice(request: Request, context: AppRequestContext) async throws -> Response {
        let record = try await AttachmentUpload(attachments: attachments).run(request, context: context, to: .notice(try context.noticeID()))
        return try AttachmentResponse(record).response(from: request, context: context).withStatus(.created)
    }

    @Sendable func download(request: Request, context: AppRequestContext) async throws -> Response {
        let (attachment, path) = try await attachments.file(try context.requireActor(), try context.attachmentID())
        let ascii = String(attachment.fileName.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        return try await PDFDownload(
            path: path, bytes: attachment.bytes, sha256: attachment.sha256, filename: attachment.fileName, asciiFilename: ascii,
            contentType: attachment.mediaType
        ).response(for: request, context: context)
    }

    @Sendable func withdraw(request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await attachments.withdraw(try context.requireActor(), try context.attachmentID())
        return Response(status: .noContent)
    }
}

/// Receives, inspects and records an attachment in a task of its own, cancelled when the
/// client goes away (the temp file is removed and nothing is committed), as archive uploads are.
struct AttachmentUpload {
    let attachments: AttachmentWorkflow

    func run(_ request: Request, context: AppRequestContext, to owner: AttachmentOwner) async throws -> AttachmentRecord {
        try await cancellingWhenClientGoes(context) {
            let actor = try context.requireActor()
            let lane = try await attachments.permit(actor, owner)
            let receiver = UploadReceiver(maximumBytes: attachments.maximumBytes, acceptsImages: true)
            let kind = try receiver.kind(of: request)
            let upload = try attachments.blobs.makeUpload()
            defer { upload.discard() }
            let typed = try await receiver.receive(request, kind: kind, into: upload) ?? request.uri.queryParameters["name"].map(String.init)
            let digest = try upload.seal()
            do {
                let record = try await attachments.attach(actor, to: owner, lane: lane, fileName: typed, received: upload, digest: digest)
                Telemetry.upload("attachment", outcome: "accepted")
                Telemetry.blobBytes(digest.byteCount)
                return record
            } catch let refused as InspectionRefused {
                Telemetry.upload("attachment", outcome: "refused", code: refused.refusal.code.rawValue)
                throw refused
            }
        }
    }
}

struct AttachmentResponse: ResponseEncodable {
    let id: String
    let fileName: String
    let mediaType: String
    let bytes: Int
    let sha256: String
    let uploadedAt: String
    /// Where to download it (the session's cookie or bearer token).
    let href: String

    init(_ a: AttachmentRecord) {
        id = a.id
        fileName = a.fileName
        mediaType = a.mediaType
        bytes = a.bytes
        sha256 = a.sha256
        uploadedAt = a.uploadedAt.text
        href = SiteRoute.attachment(a.id).path
    }
}

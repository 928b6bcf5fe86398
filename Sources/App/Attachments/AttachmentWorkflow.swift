import BlobStore
import Domain
import Foundation
import PDFInspection
import Persistence

/// Why an attachment is refused beyond its content (which the inspector judges).
enum AttachmentProblem: Error, Equatable {
    case tooMany(limit: Int)
    case withdrawn
}

/// Attachments of meeting records (ACT-1) and work notices (issue 11 items 3–4): received like an
/// archive, inspected in the isolated child (a PDF, or a PNG or JPEG image), kept in the
/// content-addressed store, recorded; withdrawn by marking. Who may attach is who may edit the
/// record or publish the notice; who may download is who may read it.
struct AttachmentWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource
    let blobs: any BlobStore
    let inspector: any ArchiveInspector
    let maximumBytes: Int

    /// Live attachments per record or notice at most.
    static let perOwner = 10

    var repositories: Repositories { database.repositories }
    var policy: InspectionPolicy { .attachment(maximumBytes: maximumBytes) }

    /// The actor may attach to `owner`: the lane (the org) its inspection waits in.
    func permit(_ actor: Actor, _ owner: AttachmentOwner) async throws -> String {
        let lane = try await mayChange(actor, owner, attaching: true)
        let live = try await repositories.attachments.live(of: [owner])[owner] ?? []
        if live.count >= Self.perOwner { throw AttachmentProblem.tooMany(limit: Self.perOwner) }
        return lane
    }

    /// Inspects the received file and, when accepted, stores and records it. Not cancelled once
    /// the commit begins: a blob without its row would be an orphan.
    func attach(
        _ actor: Actor, to owner: AttachmentOwner, lane: String, fileName typed: String?, received upload: BlobUpload, digest: BlobDigest
    ) async throws -> AttachmentRecord {
        if digest.byteCount == 0 { throw ServiceRefusal.emptyUpload }
        let report = try await inspectWhileSyncing(upload, digest: digest, inspector: inspector, policy: policy, lane: lane)
        try Task.checkCancellation()
        guard report.accepted else { throw InspectionRefused(refusal: report.refusal ?? .damaged, failure: report.failure) }
        let mediaType = ["image/png", "image/jpeg"].contains(report.detectedType) ? report.detectedType : "application/pdf"
        let record = AttachmentRecord(
            id: newIdentifier(), owner: owner, fileName: Self.cleanName(typed, mediaType: mediaType), mediaType: mediaType,
            bytes: digest.byteCount, sha256: digest.sha256, uploadedBy: actor.personID, uploadedAt: clock.now())
        let inspection = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        let (blobs, database) = (blobs, database)
        let staged: StagedContent = inspector.leavesFilesUnchanged ? .unchangedSinceSeal : .rehash
        try await Task {
            _ = try await blobs.commit(upload, staged: staged)
            try await database.write { w in try await w.attachments.insert(record, inspection: inspection) }
        }.value
        return record
    }

    /// The attachment's stored, verified file, for whoever may read what it is attached to.
    func file(_ actor: Actor, _ id: String) async throws -> (attachment: AttachmentRecord, path: String) {
        guard let attachment = try await repositories.attachments.find(id), attachment.withdrawnAt == nil else {
            throw ServiceRefusal.notFound
        }
        switch attachment.owner {
        case .activity(let activityID):
            guard let activity = try await repositories.activities.find(activityID) else { throw ServiceRefusal.notFound }
            if !activity.draft.attendees.contains(actor.personID) { try require(actor, .viewOrg, .org(OrgPlacement(activity.branch))) }
        case .notice(let noticeID):
            guard let notice = try await repositories.notices.find(noticeID) else { throw ServiceRefusal.notFound }
            try require(actor, .readNotice, .org(OrgPlacement(notice.org)))
        }
        do {
            return (attachment, try await blobs.verifiedPath(attachment.sha256))
        } catch {
            throw ServiceRefusal.archiveUnavailable
        }
    }

    func withdraw(_ actor: Actor, _ id: String) async throws -> AttachmentRecord {
        guard let attachment = try await repositories.attachments.find(id) else { throw ServiceRefusal.notFound }
        _ = try await mayChange(actor, attachment.owner, attaching: false)
        if attachment.withdrawnAt != nil { throw AttachmentProblem.withdrawn }
        let now = clock.now()
        try await database.write { w in try await w.attachments.withdraw(id, by: actor.personID, at: now) }
        return attachment
    }

    /// Who may change an owner's attachments: who may edit the record or publish the notice.
    /// Returns the owner's org, the lane its inspections wait in.
    private func mayChange(_ actor: Actor, _ owner: AttachmentOwner, attaching: Bool) async throws -> String {
        switch owner {
        case .activity(let id):
            guard let activity = try await repositories.activities.find(id) else { throw ServiceRefusal.notFound }
            try require(actor, .recordActivity, .org(OrgPlacement(activity.branch)))
            if attaching, activity.withdrawnAt != nil { throw ActivityProblem.withdrawn }
            return activity.branch.id.rawValue
        case .notice(let id):
            guard let notice = try await repositories.notices.find(id) else { throw ServiceRefusal.notFound }
            try require(actor, .publishNotice, .org(OrgPlacement(notice.org)))
            return notice.org.id.rawValue
        }
    }

    /// The name as the user's file had it, without folders, control or format characters (a
    /// right-to-left override can make `gnp.exe` read as an image), at most 100 characters; a
    /// name for the type when none came.
    static func cleanName(_ typed: String?, mediaType: String) -> String {
        let last = (typed ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(String.UnicodeScalarView(last.unicodeScalars.filter { !$0.properties.isWhitespace || $0 == " " }
            .filter { $0.value >= 0x20 && $0.value != 0x7F && $0 != "\"" && $0.properties.generalCategory != .format }))
            .trimmingCharacters(in: .whitespaces)
        if !clean.isEmpty { return String(clean.prefix(100)) }
        switch mediaType {
        case "image/png": return "附件.png"
        case "image/jpeg": return "附件.jpg"
        default: return "附件.pdf"
        }
    }
}

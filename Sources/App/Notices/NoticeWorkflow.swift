import Domain
import Foundation
import Persistence

/// A notice as its reader or sender sees it.
struct NoticeView: Sendable {
    let notice: NoticeRecord
    /// The visitor's read time; nil when unread or when the visitor is not a recipient.
    let readAt: Timestamp?
    /// The visitor is an admin of an org below the publisher: the notice is addressed to them.
    let isRecipient: Bool
    /// For the publisher's admins (and above): who of the admins below has read it.
    let readers: (list: [NoticeReader], total: Int, read: Int)?
    /// The notice's live attachments, in upload order.
    var attachments: [AttachmentRecord] = []
    /// The visitor may attach files (and withdraw them): an admin of the publishing org.
    var mayAttach = false
}

/// 工作通知 (issue 11 item 4): an org's admin publishes a notice to every org below; each admin
/// below sees it until they mark it read, and the sender sees who has.
struct NoticeWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }

    /// Readers listed at most (a province has thousands of admins below it); the counts cover all.
    static let readersShown = 2000

    func publish(_ actor: Actor, from orgID: OrgID, title: String, text: String) async throws -> NoticeRecord {
        guard let org = try await repositories.orgs.find(orgID) else { throw ServiceRefusal.notFound }
        try require(actor, .publishNotice, .org(OrgPlacement(org)))
        guard NoticeRules.mayPublish(from: org.category) else { throw NoticeProblem.nothingBelow }
        let (title, text) = try NoticeRules.checked(title: title, text: text)
        let notice = NoticeRecord(id: newIdentifier(), org: org, title: title, text: text, publishedBy: actor.personID, publishedAt: clock.now())
        try await database.write { w in try await w.notices.insert(notice) }
        return notice
    }

    /// The notices reaching the actor's orgs (from every org above them), unread first.
    func received(_ actor: Actor, unreadOnly: Bool, limit: Int) async throws -> [ReceivedNotice] {
        if actor.mustChangePassword { throw ServiceRefusal.passwordChangeRequired }
        var seen = Set<OrgID>()
        let senders = actor.administeredOrgs.flatMap { NoticeRules.senders(reaching: $0.path) }.filter { seen.insert($0).inserted }
        return try await repositories.notices.received(from: senders, by: actor.personID, unreadOnly: unreadOnly, limit: limit)
    }

    func view(_ actor: Actor, _ id: String) async throws -> NoticeView {
        guard let notice = try await repositories.notices.find(id) else { throw ServiceRefusal.notFound }
        let placement = OrgPlacement(notice.org)
        try require(actor, .readNotice, .org(placement))
        let recipient = actor.administeredOrgs.contains { $0.path.isWithin(notice.org.path) && $0.id != notice.org.id }
        let readAt = recipient ? try await repositories.notices.readAt(id, by: actor.personID) : nil
        let readers =
            Domain.authorize(actor, .viewNoticeReaders, .org(placement)).isAllowed
            ? try await repositories.notices.readers(of: id, below: notice.org.path, limit: Self.readersShown) : nil
        let attachments = try await repositories.attachments.live(of: [.notice(id)])[.notice(id)] ?? []
        return NoticeView(
            notice: notice, readAt: readAt, isRecipient: recipient, readers: readers.map { ($0.readers, $0.total, $0.read) },
            attachments: attachments, mayAttach: Domain.authorize(actor, .publishNotice, .org(placement)).isAllowed)
    }

    /// Marks the notice read by the actor (a recipient); reading it twice records nothing more.
    func markRead(_ actor: Actor, _ id: String) async throws {
        guard let notice = try await repositories.notices.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .readNotice, .org(OrgPlacement(notice.org)))
        let now = clock.now()
        _ = try await database.write { w in try await w.notices.markRead(id, by: actor.personID, at: now) }
    }

    /// Who of the admins below has read it: for the publisher's admins and those above.
    func readers(_ actor: Actor, _ id: String) async throws -> (notice: NoticeRecord, readers: [NoticeReader], total: Int, read: Int) {
        guard let notice = try await repositories.notices.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewNoticeReaders, .org(OrgPlacement(notice.org)))
        let (readers, total, read) = try await repositories.notices.readers(of: id, below: notice.org.path, limit: Self.readersShown)
        return (notice, readers, total, read)
    }

    /// The org's own notices with their read counts.
    func published(_ actor: Actor, by orgID: OrgID, limit: Int) async throws -> (org: Org, notices: [(notice: NoticeRecord, reads: Int)]) {
        guard let org = try await repositories.orgs.find(orgID) else { throw ServiceRefusal.notFound }
        try require(actor, .viewNoticeReaders, .org(OrgPlacement(org)))
        return (org, try await repositories.notices.published(by: orgID, limit: limit))
    }
}

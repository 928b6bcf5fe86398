import Domain
import Foundation
import Hummingbird
import Persistence

/// 工作通知 over JSON: decoding and encoding around `NoticeWorkflow`.
struct NoticeController {
    let notices: NoticeWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.orgNotices(nil).pattern, use: publish)
        group.get(SiteRoute.orgNotices(nil).pattern, use: published)
        group.get(SiteRoute.myNotices.pattern, use: mine)
        group.get(SiteRoute.notice(nil).pattern, use: show)
        group.post(SiteRoute.noticeRead(nil).pattern, use: read)
        group.get(SiteRoute.noticeReaders(nil).pattern, use: readers)
    }

    struct PublishBody: Decodable {
        let title: String
        let text: String
    }

    @Sendable func publish(request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try context.requireActor()
        let body = try await request.decode(as: PublishBody.self, context: context)
        let notice = try await notices.publish(actor, from: try context.orgID(), title: body.title, text: body.text)
        return try NoticeResponse(notice, readAt: nil).response(from: request, context: context).withStatus(.created)
    }

    struct PublishedList: ResponseEncodable {
        struct Item: Encodable, Sendable {
            let notice: NoticeResponse
            let reads: Int
        }
        let orgId: String
        let items: [Item]
    }

    @Sendable func published(request: Request, context: AppRequestContext) async throws -> PublishedList {
        let (org, items) = try await notices.published(try context.requireActor(), by: try context.orgID(), limit: try request.limit())
        return PublishedList(orgId: org.id.rawValue, items: items.map { .init(notice: NoticeResponse($0.notice, readAt: nil), reads: $0.reads) })
    }

    struct Received: ResponseEncodable {
        let items: [NoticeResponse]
        let unread: Int
    }

    @Sendable func mine(request: Request, context: AppRequestContext) async throws -> Received {
        let unreadOnly = request.uri.queryParameters["unread"] == "true"
        let items = try await notices.received(try context.requireActor(), unreadOnly: unreadOnly, limit: try request.limit())
        return Received(items: items.map { NoticeResponse($0.notice, readAt: $0.readAt) }, unread: items.filter { $0.readAt == nil }.count)
    }

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> NoticeResponse {
        let view = try await notices.view(try context.requireActor(), try context.noticeID())
        return NoticeResponse(view.notice, readAt: view.readAt, attachments: view.attachments)
    }

    @Sendable func read(request: Request, context: AppRequestContext) async throws -> Response {
        try await notices.markRead(try context.requireActor(), try context.noticeID())
        return Response(status: .noContent)
    }

    struct Readers: ResponseEncodable {
        struct Reader: Encodable, Sendable {
            let personId: String
            let name: String
            let orgId: String
            let orgName: String
            let readAt: String?
        }
        let noticeId: String
        let total: Int
        let read: Int
        let items: [Reader]
    }

    @Sendable func readers(request: Request, context: AppRequestContext) async throws -> Readers {
        let (notice, readers, total, read) = try await notices.readers(try context.requireActor(), try context.noticeID())
        return Readers(
            noticeId: notice.id, total: total, read: read,
            items: readers.map {
                .init(personId: $0.personID.rawValue, name: $0.name, orgId: $0.orgID.rawValue, orgName: $0.orgName, readAt: $0.readAt?.text)
            })
    }
}

struct NoticeResponse: ResponseEncodable {
    let id: String
    let orgId: String
    let orgName: String
    let title: String
    let text: String
    let publishedAt: String
    let read: Bool
    let readAt: String?
    /// Set on the single notice (`GET /api/v1/notices/{id}`); absent in lists.
    let attachments: [AttachmentResponse]?

    init(_ n: NoticeRecord, readAt: Timestamp?, attachments: [AttachmentRecord]? = nil) {
        id = n.id
        orgId = n.org.id.rawValue
        orgName = n.org.fullName
        title = n.title
        text = n.text
        publishedAt = n.publishedAt.text
        read = readAt != nil
        self.readAt = readAt?.text
        self.attachments = attachments?.map(AttachmentResponse.init)
    }
}

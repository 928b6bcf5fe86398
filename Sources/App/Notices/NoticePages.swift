import Domain
import Foundation
import Hummingbird
import Persistence

/// 工作通知 on the pages: publish from the org's notices page, read from the home page's list.
extension PagesController {
    func orgNoticesView(_ visitor: PageVisitor, _ orgID: OrgID, title: String = "", text: String = "", error: String? = nil)
        async throws -> OrgNoticesPage
    {
        let (org, notices) = try await services.notices.published(visitor.actor, by: orgID, limit: 100)
        let mayPublish = Domain.authorize(visitor.actor, .publishNotice, .org(OrgPlacement(org))).isAllowed
            && NoticeRules.mayPublish(from: org.category)
        return OrgNoticesPage(
            orgName: org.fullName,
            form: mayPublish ? .init(action: PageRoute.orgNoticePublish(orgID).href, csrf: visitor.csrf, title: title, text: text) : nil,
            error: error,
            rows: notices.map {
                .init(title: $0.notice.title, publishedAt: PageKit.chinaTime($0.notice.publishedAt), reads: $0.reads, href: PageRoute.notice($0.notice.id).href)
            })
    }

    @Sendable func orgNoticesPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let view = try await orgNoticesView(visitor, try pathOrg(context))
        return renderer.page(.orgNotices, view, title: "工作通知", visitor: visitor, active: .home, flash: PageFlash.of(request))
    }

    @Sendable func orgNoticePublish(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgID = try pathOrg(context)
        let form = try await PageForm.read(request)
        let (title, text) = (form["title"] ?? "", form["text"] ?? "")
        let notice: NoticeRecord
        do {
            notice = try await services.notices.publish(visitor.actor, from: orgID, title: title, text: text)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await orgNoticesView(visitor, orgID, title: title, text: text, error: entry.message)
            return renderer.page(.orgNotices, view, title: "工作通知", visitor: visitor, active: .home, status: entry.status)
        }
        return PageKit.redirect(.notice(notice.id, done: .noticePublished))
    }

    @Sendable func noticePage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let view = try await services.notices.view(visitor.actor, try context.noticeID())
        return renderer.page(.notice, NoticePage.make(view, csrf: visitor.csrf), title: view.notice.title, visitor: visitor, active: .home, flash: PageFlash.of(request))
    }

    @Sendable func noticeRead(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        _ = try await PageForm.read(request)
        try await services.notices.markRead(visitor.actor, try context.noticeID())
        return PageKit.redirect(.home(done: .noticeRead))
    }
}

/// `/orgs/{orgId}/notices`.
struct OrgNoticesPage {
    struct Form {
        let action: String
        let csrf: String
        let title: String
        let text: String
    }

    struct Row {
        let title: String
        let publishedAt: String
        let reads: Int
        let href: String
    }

    let orgName: String
    /// The org's own admin, of an org with orgs below it.
    let form: Form?
    let error: String?
    let rows: [Row]
}

/// `/notices/{noticeId}`.
struct NoticePage {
    struct Reader {
        let name: String
        let orgName: String
        let readAt: String
    }

    struct Readers {
        let summary: String
        let rows: [Reader]
    }

    let title: String
    let orgName: String
    let publishedAt: String
    let text: String
    /// 我已阅读: for a recipient who has not read it yet.
    let readAction: String?
    let csrf: String
    let readAt: String?
    let readers: Readers?
    let attachments: [AttachmentLink]
    /// The upload form's action (multipart, the token in the query), for the publisher's admins.
    let attachAction: String?
    let error: String?

    static func make(_ view: NoticeView, csrf: String, error: String? = nil) -> NoticePage {
        NoticePage(
            title: view.notice.title, orgName: view.notice.org.fullName, publishedAt: PageKit.chinaTime(view.notice.publishedAt),
            text: view.notice.text,
            readAction: view.isRecipient && view.readAt == nil ? PageRoute.noticeRead(view.notice.id).href : nil, csrf: csrf,
            readAt: view.readAt.map(PageKit.chinaTime),
            readers: view.readers.map { r in
                Readers(
                    summary: "下级组织管理员 \(r.total) 人，已读 \(r.read) 人，未读 \(r.total - r.read) 人",
                    rows: r.list.map { Reader(name: $0.name, orgName: $0.orgName, readAt: $0.readAt.map(PageKit.chinaTime) ?? "未读") })
            },
            attachments: view.attachments.map { AttachmentLink($0, mayWithdraw: view.mayAttach) },
            attachAction: view.mayAttach ? PageRoute.noticeAttach(view.notice.id, csrf: csrf).href : nil, error: error)
    }
}

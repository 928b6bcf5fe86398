import Domain
import Foundation
import Hummingbird
import Persistence

/// One attachment as the pages list it: its name and size, a download link, and 撤回 for
/// those who may change it.
struct AttachmentLink {
    let name: String
    let size: String
    let href: String
    let withdrawAction: String?

    init(name: String, size: String, href: String, withdrawAction: String?) {
        self.name = name
        self.size = size
        self.href = href
        self.withdrawAction = withdrawAction
    }

    init(_ a: AttachmentRecord, mayWithdraw: Bool) {
        name = a.fileName
        size = PageKit.sizeText(a.bytes)
        href = SiteRoute.attachment(a.id).path
        withdrawAction = mayWithdraw ? PageRoute.attachmentWithdraw(a.id).href : nil
    }
}

/// Attachments on the pages: uploaded from the 三会两制一课 list and from a notice's page; a
/// refused file is named on the page it came from.
extension PagesController {
    @Sendable func activityAttach(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let activity = try await services.activities.find(visitor.actor, try context.activityID())
        do {
            _ = try await AttachmentUpload(attachments: services.attachments).run(request, context: context, to: .activity(activity.id))
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await activitiesView(visitor, activity.branch.id, error: "附件未上传：" + entry.message)
            return renderer.page(.activities, view, title: "三会两制一课", visitor: visitor, active: .orgs, status: entry.status)
        }
        return PageKit.redirect(.activities(activity.branch.id, done: .attachmentAdded))
    }

    @Sendable func noticeAttach(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try context.noticeID()
        do {
            _ = try await AttachmentUpload(attachments: services.attachments).run(request, context: context, to: .notice(id))
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await services.notices.view(visitor.actor, id)
            return renderer.page(
                .notice, NoticePage.make(view, csrf: visitor.csrf, error: "附件未上传：" + entry.message), title: view.notice.title,
                visitor: visitor, active: .home, status: entry.status)
        }
        return PageKit.redirect(.notice(id, done: .attachmentAdded))
    }

    @Sendable func attachmentWithdraw(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        _ = try await PageForm.read(request)
        let attachment = try await services.attachments.withdraw(visitor.actor, try context.attachmentID())
        switch attachment.owner {
        case .activity(let id):
            let activity = try await services.activities.find(visitor.actor, id)
            return PageKit.redirect(.activities(activity.branch.id, done: .attachmentWithdrawn))
        case .notice(let id):
            return PageKit.redirect(.notice(id, done: .attachmentWithdrawn))
        }
    }
}

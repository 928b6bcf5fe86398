import Domain
import Foundation
import PDFInspection
import Persistence

// The view models the templates render. swift-mustache reads stored properties through
// `Mirror`: a nil Optional and `false` render a section as false, an empty array renders it
// not at all, and any other value (even "") renders it with that value in context. So an
// optional section is an Optional property, never an empty string. Each model names exactly the
// keys its template uses; `PageTemplateKeysTests` fails on a key the model does not have.

/// The shared frame around every page.
struct Layout {
    let title: String
    let stylesheet: String
    let script: String
    let homeHref: String
    let flash: String?
    let visitor: VisitorBar?
    /// The page body, already rendered (the only unescaped value of any template).
    let content: String
}

/// The top bar of a logged-in visitor.
struct VisitorBar {
    let name: String
    let csrf: String
    let nav: [NavItem]
    let passwordHref: String
    let passwordActive: Bool
    let logoutAction: String
}

struct NavItem {
    let href: String
    let label: String
    let active: Bool
}

/// Which top-bar entry a page belongs to.
enum NavSection: Sendable {
    case home, members, inbox, mine, password
    case cadres, profile
    case orgs
    case admins
    case transfers
    case grading
    case registration
}

extension Layout {
    /// The frame for `visitor` (nil when logged out); one still on the initial password sees no
    /// navigation, since every other page would send them back (ADM-6).
    static func make(
        title: String, content: String, visitor: PageVisitor?, active: NavSection?, flash: PageFlash?, assets: StaticAssets
    ) -> Layout {
        var bar: VisitorBar?
        if let visitor {
            var nav: [NavItem] = []
            func item(_ route: PageRoute, _ label: String, _ section: NavSection) {
                nav.append(NavItem(href: route.href, label: label, active: section == active))
            }
            if !visitor.actor.mustChangePassword {
                if visitor.isAdmin {
                    item(.home(), "工作台", .home)
                    item(.members(), "团员管理", .members)
                    item(.inbox(), "待办事项", .inbox)
                    if let org = visitor.actor.administeredOrgs.first { item(.cadres(org.id), "团干部", .cadres) }
                    item(.orgs(), "组织管理", .orgs)
                    if let org = visitor.actor.administeredOrgs.first { item(.orgTransfers(org.id), "组织关系转接", .transfers) }
                    if let org = visitor.actor.administeredOrgs.first, GradingPage.hasGrading(org.category) {
                        item(org.category.isUpperCommitteeKind ? .gradingReviews(org.id) : .grading(org.id), "对标定级", .grading)
                    }
                    if let org = visitor.actor.administeredOrgs.first {
                        item(.registrationCodes(org.id), "注册码与管理员", .admins)
                    }
                }
                if visitor.isMember { item(.mine(), "我的档案", .mine) }
                if visitor.isMember { item(.memberRecord(visitor.actor.personID), "个人资料", .profile) }
                if visitor.isMember && !visitor.isAdmin { item(.myTransfers(), "组织关系转接", .transfers) }
                if visitor.isMember { item(.myRegistrations(), "年度团籍注册", .registration) }
            }
            bar = VisitorBar(
                name: visitor.name, csrf: visitor.csrf, nav: nav, passwordHref: PageRoute.passwordForm.href,
                passwordActive: active == .password, logoutAction: PageRoute.logout.href)
        }
        return Layout(
            title: title, stylesheet: assets.css.href, script: assets.js.href, homeHref: visitor?.home.href ?? PageRoute.loginForm.href,
            flash: flash?.message, visitor: bar, content: content)
    }
}

// MARK: Errors

struct ErrorPage {
    let code: Int
    let title: String
    let message: String
    let home: String
}

import Domain
import Foundation
import Persistence

// View models of the admin-onboarding pages (ADM-1 … ADM-5). Each names exactly the keys of
// its template.

/// `/register`: find the org by name, then the form (ADM-2).
struct RegisterPage {
    let action: String
    let searchAction: String
    let csrf: String
    let q: String?
    let results: [Result]
    let hasResults: Bool
    /// A search that found nothing.
    let noResults: Bool
    let org: ChosenOrg?
    let error: String?
    /// Every reason the data failed, one per line.
    let reasons: [String]
    let values: Values
    let posts: [Choice]
    let genders: [Choice]
    let done: Done?
    let loginHref: String

    struct Result {
        let href: String
        let name: String
        let fullName: String
    }

    struct ChosenOrg {
        let id: String
        let fullName: String
        let changeHref: String
    }

    struct Values {
        let name: String
        let idNumber: String
        let joinedOn: String
        let mobile: String
        let code: String
    }

    struct Done {
        let orgName: String
        let existingAccount: Bool
    }

    /// The posts the form offers; the list follows the manual's cadre posts.
    static let postTitles = ["书记", "副书记", "组织委员", "宣传委员", "文体委员", "委员"]

    static func make(
        csrf: String, q: String?, results: [Org], org: Org?, error: String? = nil, reasons: [String] = [],
        form: [String: String] = [:], done: Done? = nil
    ) -> RegisterPage {
        let post = form["post"] ?? "书记"
        let gender = form["gender"] ?? ""
        return RegisterPage(
            action: PageRoute.register.href, searchAction: PageRoute.registerForm().path, csrf: csrf, q: q,
            results: results.map { Result(href: PageRoute.registerForm(org: $0.id).href, name: $0.name, fullName: $0.fullName) },
            hasResults: !results.isEmpty,
            noResults: (q.map { !$0.isEmpty } ?? false) && results.isEmpty,
            org: org.map { ChosenOrg(id: $0.id.rawValue, fullName: $0.fullName, changeHref: PageRoute.registerForm().href) },
            error: error, reasons: reasons,
            values: Values(
                name: form["name"] ?? "", idNumber: form["idNumber"] ?? "", joinedOn: form["joinedOn"] ?? "", mobile: form["mobile"] ?? "",
                code: form["code"] ?? ""),
            posts: postTitles.map { Choice(value: $0, label: $0, selected: $0 == post) },
            genders: [("male", "男"), ("female", "女")].map { Choice(value: $0.0, label: $0.1, selected: $0.0 == gender) },
            done: done, loginHref: PageRoute.loginForm.href)
    }
}

/// `/forgot-password` (ADM-5).
struct ForgotPage {
    let action: String
    let csrf: String
    let error: String?
    let account: String
    let done: Bool
    let loginHref: String
}

/// 注册码: the direct sub-orgs of an org with their current code's state (ADM-1).
struct RegistrationCodesPage {
    let orgName: String
    let csrf: String
    let issueAllAction: String?
    let adminsHref: String
    let rows: [Row]
    /// ADM-7: the other orgs the visitor administers.
    let switcher: [Choice]
    let showSwitcher: Bool
    /// POST form: every direct sub-org's fresh code as .xlsx (ADM-1, exports).
    var exportAction: String? = nil

    struct Row {
        let name: String
        let fullName: String
        let admins: String
        let state: String
        let expiresAt: String
        let action: String?
        let adminsHref: String
    }

    static func stateName(_ code: StoredCode?, now: Timestamp) -> String {
        switch AdminController.CodeStatus.state(code, now: now) {
        case "valid": "有效，未使用"
        case "used": "已使用"
        case "expired": "已过期"
        default: "未生成"
        }
    }
}

/// The codes just generated, shown this once.
struct IssuedCodesPage {
    let orgName: String
    let backHref: String
    let codes: [Code]

    struct Code {
        let orgName: String
        let code: String
        let expiresAt: String
    }
}

/// 管理员: an org's admins, its cadres, open requests (ADM-3, ADM-4).
struct OrgAdminsPage {
    let orgName: String
    let csrf: String
    let action: String
    let codesHref: String?
    let immediate: Bool
    let error: String?
    let admins: [Admin]
    let cadres: [Cadre]
    let pending: [Pending]
    let hasPending: Bool
    let full: Bool

    struct Admin {
        let name: String
        let slot: Int
        let personId: String
        let resetHref: String
    }

    struct Cadre {
        let name: String
        let post: String
        let personId: String
        let isAdmin: Bool
        let resetHref: String
        /// One replace choice per current admin.
        let replaces: [Replace]
    }

    struct Replace {
        /// The admin this cadre would replace.
        let replacesId: String
        let label: String
    }

    struct Pending {
        let summary: String
        let since: String
        let href: String
    }
}

/// The reset-code form of one person, and the code once generated (ADM-5).
struct ResetCodePage {
    let name: String
    let idNumber: String
    let action: String
    let csrf: String
    let code: String?
    let expiresAt: String?
    let forgotHref: String
}

/// One admin-change request and its decision forms (ADM-4).
struct AdminChangePage {
    let inboxHref: String
    let csrf: String
    let orgName: String
    let kind: String
    let appointee: String
    let replaces: String?
    let requestedBy: String
    let requestedAt: String
    let state: String
    let reason: String?
    let canDecide: Bool
    let approveAction: String
    let rejectAction: String
    let error: String?

    static func summary(_ item: AdminChangeItem) -> String {
        let name = item.appointee?.name ?? "—"
        switch item.request.change {
        case .add: return "\(item.org.name)：增设管理员 \(name)"
        case .replace: return "\(item.org.name)：将管理员 \(item.replaced?.name ?? "—") 更换为 \(name)"
        case .revoke: return "\(item.org.name)：撤销管理员 \(name)"
        }
    }

    static func stateName(_ state: AdminChangeRequestState) -> String {
        switch state {
        case .pending: "待审批"
        case .approved: "已同意"
        case .rejected: "已驳回"
        }
    }
}

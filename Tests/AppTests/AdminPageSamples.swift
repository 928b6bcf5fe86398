import Domain
import Foundation
import Persistence

@testable import App

/// Fully populated view models of the admin-onboarding pages (ADM-1 … ADM-5).
enum AdminPageSamples {
    static func model(for template: PageRenderer.Template) -> Any {
        switch template {
        case .register: register
        case .forgot: ForgotPage(action: "/forgot-password", csrf: "token", error: "重置码不正确", account: "370211", done: true, loginHref: "/")
        case .registrationCodes: codes
        case .issuedCodes:
            IssuedCodesPage(
                orgName: "计算机学院2020级团总支", backHref: "/orgs/upc-cs-2020/registration-codes",
                codes: [.init(orgName: "1班团支部", code: "aB3dE6gH", expiresAt: "2026-12-15 10:00")])
        case .orgAdmins: admins
        case .resetCode:
            ResetCodePage(
                name: "马晓东", idNumber: "370***********1278", action: "/members/p-c1-03/reset-code", csrf: "token", code: "aB3dE6gH",
                expiresAt: "2026-11-27 10:00", forgotHref: "/forgot-password")
        case .adminChange:
            AdminChangePage(
                inboxHref: "/inbox?type=admin_change", csrf: "token", orgName: "1班团支部", kind: "更换管理员", appointee: "徐晨（370***********1243）",
                replaces: "杨帆", requestedBy: "杨帆", requestedAt: "2026-11-25 10:00", state: "已驳回", reason: "理由", canDecide: true,
                approveAction: "/inbox/admin-changes/x/approve", rejectAction: "/inbox/admin-changes/x/reject", error: "出错了")
        default: fatalError("no sample for \(template)")
        }
    }

    static let register = RegisterPage(
        action: "/register", searchAction: "/register", csrf: "token", q: "1班",
        results: [.init(href: "/register?org=upc-cs-2020-1", name: "1班团支部", fullName: "共青团…1班支部")], hasResults: true, noResults: true,
        org: .init(id: "upc-cs-2020-1", fullName: "共青团…1班支部", changeHref: "/register"), error: "请修改以下内容", reasons: ["请填写姓名"],
        values: .init(name: "赵一鸣", idNumber: "370211", joinedOn: "2015-05-04", mobile: "13912345678", code: "aB3dE6gH"),
        posts: [Choice(value: "书记", label: "书记", selected: true)], genders: [Choice(value: "male", label: "男", selected: true)],
        done: .init(orgName: "1班团支部", existingAccount: true), loginHref: "/")

    static let codes = RegistrationCodesPage(
        orgName: "计算机学院2020级团总支", csrf: "token", issueAllAction: "/orgs/upc-cs-2020/registration-codes", adminsHref: "/orgs/upc-cs-2020/admins",
        rows: [
            .init(
                name: "1班团支部", fullName: "共青团…", admins: "1/2", state: "有效，未使用", expiresAt: "2026-12-15 10:00",
                action: "/orgs/upc-cs-2020-1/registration-code", adminsHref: "/orgs/upc-cs-2020-1/admins")
        ],
        switcher: [Choice(value: "/orgs/upc-cs-2020/registration-codes", label: "团总支", selected: true)], showSwitcher: true,
        exportAction: "/orgs/upc-cs-2020/registration-codes/export")

    static let admins = OrgAdminsPage(
        orgName: "1班团支部", csrf: "token", action: "/orgs/upc-cs-2020-1/admins", codesHref: "/orgs/upc-cs-2020/registration-codes", immediate: true,
        error: "出错了", admins: [.init(name: "杨帆", slot: 1, personId: "p-c1-01", resetHref: "/members/p-c1-01/reset-code")],
        cadres: [
            .init(
                name: "徐晨", post: "组织委员", personId: "p-c1-02", isAdmin: false, resetHref: "/members/p-c1-02/reset-code",
                replaces: [.init(replacesId: "p-c1-01", label: "替换 杨帆")])
        ],
        pending: [.init(summary: "增设管理员 徐晨", since: "2026-11-25 10:00", href: "/inbox/admin-changes/x")], hasPending: true, full: false)
}

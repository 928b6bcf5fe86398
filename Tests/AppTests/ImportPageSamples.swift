@testable import App

/// Fully populated view models of the two bulk-import pages (ORG-6, MEM-8, ARC-13).
enum ImportPageSamples {
    static let failed = [ImportFailedRowView(row: 5, reasons: ["身份证号校验位不正确", "发展团员编号前四位应为入团年份"])]

    static let children = ChildrenImportPage(
        orgName: "共青团中国石油大学（华东）计算机科学与技术学院委员会", backHref: "/orgs?org=upc-cs",
        templateHref: "/api/v1/orgs/upc-cs/children/template.xlsx", action: "/orgs/upc-cs/children/import?csrf=token",
        error: "上传的文件不是Excel表格", done: true, summary: "新创建 1 个，已存在 1 个，未创建 1 行。", failed: failed,
        created: [.init(name: "2021级1班团支部", fullName: "共青团…2021级1班支部", href: "/orgs/o1/profile")],
        existing: [.init(name: "2021级2班团支部", fullName: "共青团…2021级2班支部", href: "/orgs/o2/profile")],
        tabs: OrgSamples.tabs, anyFailed: true, anyCreated: true, anyExisting: true)

    static let members = MemberImportPage(
        orgName: "计算机学院2020级1班团支部", action: "/orgs/upc-cs-2020-1/members/import?csrf=token",
        templates: [.init(label: "下载“导入下级团支部团员团干部”模板", href: "/api/v1/orgs/upc-cs-2020-1/members/template.xlsx?kind=branch_members", id: "template-branch_members")],
        kinds: [Choice(value: "branch_members", label: "导入下级团支部团员团干部", selected: true)],
        error: "您上传的 excel 表格错误", done: true, summary: "新导入 1 人，已存在 1 人，未导入 1 行。", failed: failed,
        created: [.init(name: "王小明", idNumber: "370***********1278", branch: "2020级1班团支部", joinedOn: "2021-05-04", isNew: true, href: "/members/p1/record")],
        existing: [.init(name: "李华", idNumber: "370***********1243", branch: "2020级1班团支部", joinedOn: "2019-05-04", isNew: false, href: "/members/p2/record")],
        nextHref: "/members?org=upc-cs-2020-1&status=not_uploaded", newCount: 1, tabs: OrgSamples.tabs,
        anyFailed: true, anyCreated: true, anyExisting: true)
}

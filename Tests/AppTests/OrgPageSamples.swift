@testable import App

/// Fully populated view models of the org pages, for `PageSamples`.
enum OrgSamples {
    static let tabs = [OrgTab(href: "/orgs?org=upc-cs", label: "下级组织", active: true)]
    static let options = [Choice(value: "branch", label: "团支部", selected: true)]

    static let orgs = OrgsPage(
        switcher: .init(action: "/orgs", orgs: [OrgOption(id: "upc-cs", name: "计算机科学与技术学院团委", indent: "", selected: true)]),
        tabs: tabs, orgName: "计算机学院2020级团总支", orgFullName: "共青团…计算机学院2020级团总支", orgCategory: "团总支",
        summary: "直属下级组织 2 个",
        rows: [
            .init(
                shortName: "计算机学院2020级1班团支部", fullName: "…1班团支部", categoryName: "团支部", industry: "普通高等学校", admins: 1,
                members: 12, complete: true, profileHref: "/orgs/upc-cs-2020-1/profile",
                delete: .init(action: "/orgs/upc-cs-2020-1/delete", csrf: "token", name: "1班团支部"))
        ],
        error: "团支部简称应为…",
        create: .init(action: "/orgs/upc-cs-2020/children/preview", csrf: "token", shortName: "2020级3班团支部", categories: options,
                      industries: options, hint: "组织简称命名规则"),
        preview: .init(
            action: "/orgs/upc-cs-2020/children", csrf: "token", shortName: "2020级3班团支部", category: "branch", categoryName: "团支部",
            industry: "普通高等学校", industryName: "普通高等学校", generatedFullName: "…2020级3班团支部", fullName: "…2020级3班团支部",
            upperCommittee: "计算机科学与技术学院团委", backHref: "/orgs?org=upc-cs-2020"),
        noSubOrgs: "团支部不能再创建下级组织", exportHref: "/orgs/upc-cs/export/children")

    static let profile = OrgProfilePage(
        tabs: tabs, orgName: "计算机学院2020级1班团支部", action: "/orgs/upc-cs-2020-1/profile", csrf: "token", editable: true,
        error: "组织信息未保存：", reasons: ["书记手机号码应为11位手机号码"], complete: false, missing: ["书记手机号码"],
        entry: "已录入团员 12 名（至少 3 名）", fixed: [.init(label: "组织类别", value: "团支部")],
        industry: .init(required: true, value: "未选择", choosable: true, options: options, schoolDomain: true),
        fields: [
            .init(name: "secretaryMobile", label: "书记手机号码", value: "", required: true, missing: true, hint: "11位手机号码",
                  inputMode: "tel", maxLength: 18)
        ])

    static let progress = OrgProgressPage(
        tabs: tabs, orgName: "计算机科学与技术学院团委", levels: [OrgTab(href: "/orgs/upc-cs/progress?level=7", label: "七级组织录入情况", active: true)],
        summary: "截至…",
        rows: [
            .init(shortName: "1班团支部", parentName: "团总支", categoryName: "团支部", loggedIn: "是", complete: "否", subOrgs: "—",
                  admins: "杨帆", phone: "0532-1", missing: "书记手机号码")
        ],
        empty: "该级没有组织。", exportHref: "/orgs/upc-cs/export/progress")
}

@testable import App

/// Fully populated view models of the transfer pages (TRF-1 … TRF-11).
enum TransferPageSamples {
    static let steps = [TransferStepView(name: "转出团支部审批", state: "done", stateName: "已通过")]
    static let row = TransferRowView(
        kindName: "团员申请转接", memberName: "张伟", fromName: "计算机学院2020级1班团支部", toName: "文学院2021级1班团支部", status: "pending",
        statusName: "审批中", createdAt: "2026-11-25 10:00", href: "/transfers/t-1", steps: steps)
    static let search = DestinationSearch(
        searchAction: "/orgs/upc-cs-2020-1/transfers/new", keep: [Choice(value: "out", label: "kind", selected: true)], q: "文学院",
        results: [DestinationOption(value: "qdu-wx-2021-1", label: "文学院2021级1班团支部", fullName: "共青团青岛大学文学院2021级1班支部", checked: true)],
        none: true)
    static let choices = [Choice(value: "v", label: "选项", selected: true)]

    static let mine = MyTransfersPage(
        memberName: "张伟", branchName: "计算机学院2020级1班团支部", csrf: "token", action: "/me/transfers", search: search, reason: "工作调动",
        error: "团员身份尚未认证", open: row, history: [row])

    static let org = OrgTransfersPage(
        orgName: "共青团…2020级1班支部", tabs: [.init(href: "/orgs/upc-cs-2020-1/transfers?direction=out", label: "办理转出", active: true)],
        starts: [.init(href: "/orgs/upc-cs-2020-1/transfers/new?kind=out", label: "办理转出", id: "start-out")], directionName: "转出",
        items: [row])

    static let form = TransferFormPage(
        orgName: "共青团…2020级1班支部", kindName: "学社衔接", rule: "5月1日至8月31日提交", backHref: "/orgs/upc-cs-2020-1/transfers",
        csrf: "token", action: "/orgs/upc-cs-2020-1/transfers/new", kind: "graduate", error: "不能转接", member: .init(options: choices),
        identity: .init(name: "张伟", idNumber: "370211200211081278"),
        batch: .init(
            fromAction: "/orgs/upc-cs-2020/transfers/new", kind: "batch", fromId: "upc-cs-2020-1", sources: choices, members: [.init(value: "p-c1-01", label: "张伟", checked: true)],
            destinations: choices, limit: 30),
        search: search, graduate: .init(outcomes: choices, channels: choices, keptMonths: "6"), reason: "毕业")

    static let graduation = GraduationPage(
        orgName: "共青团…计算机科学与技术学院委员会", csrf: "token", action: "/orgs/upc-cs/graduation", transfersHref: "/orgs/upc-cs/transfers",
        corrects: true, error: "已标注的团支部不能再次标注", month: "2027-06", reason: "学制未定",
        branches: [.init(id: "upc-cs-2020-1", name: "2020级1班团支部", memberCount: 6, month: "2027-06", reason: "—", status: "已标注", markable: true, ticked: true)])

    static let transfer = TransferPage(
        backHref: "/inbox", csrf: "token", kindName: "团员申请转接", memberName: "张伟", fromName: "计算机学院2020级1班团支部",
        toName: "文学院2021级1班团支部", reason: "工作调动", outcome: "已就业，转入工作单位团组织", status: "rejected", statusName: "已退回",
        createdAt: "2026-11-25 10:00", rejectionReason: "材料不全", error: "该转接刚刚已由其他管理员处理", steps: steps,
        kept: [.init(at: "2026-11-25 10:00", stepName: "转出团支部审批", decisionName: "退回", actorName: "李明", reason: "材料不全")],
        decide: .init(approveAction: "/transfers/t-1/approve", rejectAction: "/transfers/t-1/reject"),
        assign: .init(action: "/transfers/t-1/assign", branches: choices), withdrawAction: "/transfers/t-1/withdraw")
}

import Domain
@testable import App

/// Filled view models of the grading and notice pages, for the template tests (every key present).
enum GradingPageSamples {
    static let registrations = RegistrationsPage(
        orgName: "共青团…计算机学院2020级1班团支部", action: "/orgs/upc-cs-2020-1/registrations", csrf: "token", name: "林",
        statuses: [Choice(value: "pending", label: "待审批", selected: true)], from: "2026-11-01", to: "2026-11-30",
        rows: [
            .init(
                memberName: "林子豪", year: 2026, revisionNote: "第2次提交", summary: "按时参加组织生活。", submittedAt: "2026-11-20 10:00",
                statusName: "未通过", pending: false, reason: "请补充", decidedAt: "2026-11-21 09:00", decideAction: "/registrations/x1/decision")
        ],
        next: "/orgs/upc-cs-2020-1/registrations?cursor=x", error: "结束日期不能早于开始日期")

    static let myRegistrations = MyRegistrationsPage(
        action: "/me/registrations", csrf: "token", years: [Choice(value: "2026", label: "2026年度", selected: true)], summary: "总结",
        rows: [.init(year: 2026, revision: 1, summary: "总结", submittedAt: "2026-11-20 10:00", statusName: "未通过", reason: "请补充")],
        error: "请填写年度个人总结")

    static let activities = ActivitiesPage(
        orgName: "共青团…计算机学院2020级1班团支部", csrf: "token",
        rows: [
            .init(
                date: "2026-11-20", kindName: "支部团员大会", topic: "学习贯彻团的十九大精神", place: "南堂201", attendees: "林子豪、胡雪",
                attendeeCount: 2, record: "到会团员逐一发言。", revision: 2, editHref: "/activities/x1/edit", withdrawAction: "/activities/x1/withdraw",
                attachments: [link], attachAction: "/activities/x1/attachments?csrf=token")
        ],
        form: .init(
            action: "/activities/x1/edit", csrf: "token", revision: 2, heading: "修改记录",
            kinds: [Choice(value: "members_meeting", label: "支部团员大会", selected: true)], date: "2026-11-20", maxDate: "2026-11-25",
            topic: "学习贯彻团的十九大精神", place: "南堂201", record: "到会团员逐一发言。",
            attendees: [.init(id: "p-c1-05", name: "林子豪", checked: true)], cancelHref: "/orgs/upc-cs-2020-1/activities"),
        error: "请填写主题")

    static let rectification = RectificationPage(
        orgName: "共青团…计算机学院2020级1班团支部", year: 2026, status: "基本合格", keyRectification: true, pending: "待上级审核（较差 1 项）",
        locked: false, months: [.init(label: "11月", poor: "较差 1 项")],
        items: [.init(position: 1, text: "团支部书记配备齐整", choices: [Choice(value: "较差", label: "较差", selected: true)])], csrf: "token",
        submitAction: "/orgs/upc-cs-2020-1/rectification", decideAction: "/orgs/upc-cs-2020-1/rectification/decision",
        note: "自检表在每年9月至12月提交。", error: "第2项未评定")

    static let rectificationBranches = RectificationBranchesPage(
        orgName: "共青团…计算机学院2020级团总支", year: 2026,
        rows: [
            .init(
                id: "upc-cs-2020-1", name: "计算机学院2020级1班团支部", status: "基本合格", keyRectification: true, pending: "待审核（较差 1 项）",
                months: ["—", "3", "1", "—"], markable: true, ticked: true, href: "/orgs/upc-cs-2020-1/rectification")
        ],
        csrf: "token", markAction: "/orgs/upc-cs-2020/rectification/branches", statisticsHref: "/orgs/upc-cs-2020/rectification/statistics",
        error: "请选择排名后20%的团支部")

    static let rectificationStatistics = RectificationStatisticsPage(
        orgName: "共青团…计算机学院2020级团总支", year: 2026, columns: ["团支部数", "未提交"],
        rows: [.init(label: "普通高等学校", cells: [2, 1])], total: .init(label: "合计", cells: [2, 1]), monthColumns: ["9月", "10月"],
        keyRows: [.init(name: "计算机学院2020级1班团支部", status: "已摘牌", months: ["未提交", "已通过（较差1项）"], href: "/orgs/upc-cs-2020-1/rectification")])

    static let statistics = StatisticsPage(
        orgName: "共青团…计算机科学与技术学院委员会", exportHref: "/orgs/upc-cs/export/stats",
        charts: [StatisticsPage.chart("chart-ages", "年龄分布", [StatisticsBar(label: "18—22岁", count: 5), StatisticsBar(label: "23—25岁", count: 2)])],
        archiveLine: "新团员 3 人", gradingLine: "对标定级：纳入范围的团(总)支部 3 个", keyLine: "列入重点整顿的团支部 0 个")

    static let orgNotices = OrgNoticesPage(
        orgName: "共青团…计算机科学与技术学院委员会",
        form: .init(action: "/orgs/upc-cs/notices", csrf: "token", title: "关于对标定级的通知", text: "请按时完成。"), error: "请填写通知标题",
        rows: [.init(title: "关于对标定级的通知", publishedAt: "2026-11-25 10:00", reads: 2, href: "/notices/n-1")])

    static let notice = NoticePage(
        title: "关于对标定级的通知", orgName: "共青团…计算机科学与技术学院委员会", publishedAt: "2026-11-25 10:00", text: "各团支部：\n请按时完成。",
        readAction: "/notices/n-1/read", csrf: "token", readAt: "2026-11-25 11:00",
        readers: .init(summary: "下级组织管理员 3 人，已读 1 人，未读 2 人", rows: [.init(name: "陈静", orgName: "计算机学院2020级团总支", readAt: "未读")]),
        attachments: [link], attachAction: "/notices/n-1/attachments?csrf=token", error: "附件未上传：文件已损坏，无法读取")

    static let link = AttachmentLink(name: "会议纪要.pdf", size: "1.2 MB", href: "/api/v1/attachments/x2", withdrawAction: "/attachments/x2/withdraw")

    static let grades = [Choice(value: "", label: "请选择", selected: false), Choice(value: "四星", label: "四星", selected: true)]

    static let grading = GradingPage(
        orgName: "共青团…计算机学院2020级1班团支部", year: 2026,
        criteria: [.init(dimension: "班子建设", weight: "15% 左右", content: "1. 班子配备齐整", indicator: "书记配备齐整，随缺随补，按期换届；支书称职。")],
        selfGrade: "四星", selfGradedAt: "2026-11-25 10:00", review: "不予定级", reviewedAt: "2026-11-26 09:00", keyRectification: true,
        closedReason: "上级团委已完成复核，自评结果不允许修改。",
        form: .init(action: "/orgs/upc-cs-2020-1/grading", csrf: "token", grades: grades, changesLeft: 3), error: "只能对本年度进行自评或复核",
        reviewsHref: "/orgs/upc-cs/grading/reviews")

    static let reviews = GradingReviewsPage(
        orgName: "共青团…计算机科学与技术学院委员会", year: 2026, summary: "下级团(总)支部 3 个，已自评 1 个，已复核 0 个",
        subtreeSummary: "全部下属各级纳入范围的团(总)支部 3 个：已自评 1 个，已复核 0 个，其中不予定级 0 个",
        rows: [
            .init(
                id: "upc-cs-2020-1", name: "计算机学院2020级1班团支部", category: "团支部", selfGrade: "二星", selfGradedAt: "2026-11-25 10:00",
                regraded: true, review: "不予定级", reviewedAt: "2026-11-24 09:00", awaitsReview: true, reviewable: true, ticked: true,
                href: "/orgs/upc-cs-2020-1/grading", outOfScope: "成立6个月以内，不纳入对标定级范围")
        ],
        csrf: "token", action: "/orgs/upc-cs/grading/reviews", grades: grades, mayReview: true, locked: true, error: "请勾选要复核的团(总)支部")
}

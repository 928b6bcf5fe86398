import Domain
import Foundation
import Persistence

@testable import App

/// Fully populated view models (every Optional set, every array non-empty), for checking that
/// each template's keys exist.
enum PageSamples {
    static func model(for template: PageRenderer.Template) -> Any {
        switch template {
        case .layout: layout
        case .login: LoginPage(action: "/login", csrf: "c5rf-login-token", error: "账号或密码错误", account: "370211199104261104")
        case .password: PasswordPage(action: "/password", csrf: "token", required: true, error: "密码太弱")
        case .home: home
        case .members: members
        case .member: member
        case .inbox: inbox
        case .review: review
        case .mine: mine
        case .error: ErrorPage(code: 404, title: "页面不存在", message: "找不到", home: "/home")
        case .memberEntry: memberEntry
        case .memberRecord: memberRecord
        case .cadres: cadres
        case .orgs: OrgSamples.orgs
        case .orgProfile: OrgSamples.profile
        case .orgProgress: OrgSamples.progress
        case .childrenImport: ImportPageSamples.children
        case .memberImport: ImportPageSamples.members
        case .myTransfers: TransferPageSamples.mine
        case .orgTransfers: TransferPageSamples.org
        case .transferForm: TransferPageSamples.form
        case .transfer: TransferPageSamples.transfer
        case .graduation: TransferPageSamples.graduation
        case .grading: GradingPageSamples.grading
        case .gradingReviews: GradingPageSamples.reviews
        case .orgNotices: GradingPageSamples.orgNotices
        case .notice: GradingPageSamples.notice
        case .activities: GradingPageSamples.activities
        case .rectification: GradingPageSamples.rectification
        case .rectificationBranches: GradingPageSamples.rectificationBranches
        case .rectificationStatistics: GradingPageSamples.rectificationStatistics
        case .statistics: GradingPageSamples.statistics
        case .registrations: GradingPageSamples.registrations
        case .myRegistrations: GradingPageSamples.myRegistrations
        default: AdminPageSamples.model(for: template)
        }
    }

    static let choices = [Choice(value: "汉族", label: "汉族", selected: true)]

    static let memberEntry = MemberEntryPage(
        orgName: "计算机学院2020级1班团支部", backHref: "/members", action: "/orgs/upc-cs-2020-1/members/new", csrf: "token",
        error: "无法录入", reasons: ["身份证号校验位不正确"], name: "马晓东", genders: choices, idNumber: "370211200211081278",
        ethnicities: choices, educations: choices, politicalStatuses: choices, joinedOn: "2020-10-15", developmentNumber: "2020370200103",
        mobile: "13800000000", email: "a@b.cn", address: "青岛", workplace: "中国石油大学", posts: choices)

    static let memberRecord = MemberRecordPage(
        backHref: "/members", archiveHref: "/members/p-c1-03", name: "马晓东", idNumber: "370211200211081278", gender: "男",
        branchName: "1班团支部", joinedOn: "2020-10-15", developmentNumber: "2020370200103", overAge: true, identityStatus: "passed",
        identityStatusName: "认证通过", removal: .init(reason: "重复录入", at: "2026-11-25 10:00"),
        facts: [.init(label: "民族", value: "汉族")], posts: "组织委员", error: "无法保存", reasons: ["手机号码应为11位数字"],
        edit: .init(
            action: "/members/p-c1-03/record", csrf: "token", identity: .init(name: "马晓东", idNumber: "370211200211081278"),
            developmentNumber: "2020370200103", ethnicities: choices, educations: choices, politicalStatuses: choices, mobile: "13800000000",
            email: "a@b.cn", address: "青岛", workplace: "学校"),
        remove: .init(action: "/members/p-c1-03/removal", csrf: "token"),
        history: [.init(at: "2026-11-25 10:00", text: "录入")], checks: [.init(at: "2026-11-25 10:00", text: "认证通过")],
        delay: .init(
            csrf: "token", branchMonth: "2027-06",
            current: .init(month: "2028-06", reason: "休学一年", markedAt: "2026-11-25 10:00", revokeAction: "/members/p-c1-03/delayed-graduation/revoke"),
            markAction: "/members/p-c1-03/delayed-graduation", month: "2028-06", reason: "休学一年"),
        participation: [.init(date: "2026-11-20", kindName: "团课", topic: "团史学习", branchName: "1班团支部")])

    static let cadres = CadresPage(
        orgName: "计算机学院2020级1班团支部", orgOptions: [OrgOption(id: "upc-cs", name: "计算机科学与技术学院团委", indent: "", selected: true)],
        switchAction: "/orgs/upc-cs-2020-1/cadres", csrf: "token", error: "出错了",
        rows: [
            .init(
                name: "杨帆", idNumber: "370***********123X", post: "书记", admin: true, mobile: "13800000000", branch: "1班团支部",
                action: "/orgs/upc-cs-2020-1/cadres", personId: "p-c1-01", choices: choices)
        ],
        addAction: "/orgs/upc-cs-2020-1/cadres", posts: choices,
        history: [.init(at: "2026-11-25 10:00", name: "徐晨", from: "组织委员", to: "宣传委员", by: "杨帆")],
        exportHref: "/orgs/upc-cs-2020-1/export/cadres")

    static let layout = Layout(
        title: "工作台", stylesheet: "/static/app.0123456789abcdef.css", script: "/static/app.0123456789abcdef.js", homeHref: "/home",
        flash: "密码已修改。",
        visitor: VisitorBar(
            name: "张老师", csrf: "token", nav: [NavItem(href: "/home", label: "工作台", active: true)], passwordHref: "/password",
            passwordActive: true, logoutAction: "/logout"),
        content: "<p>正文</p>")

    static let home = HomePage(
        switcher: .init(action: "/home", orgs: [OrgOption(id: "upc-cs", name: "计算机科学与技术学院团委", indent: "", selected: true)]),
        orgId: "upc-cs", orgName: "计算机科学与技术学院团委", orgCategory: "团委",
        alerts: [.init(message: "组织内有团员档案尚未上传：3 人", href: "/members?org=upc-cs&status=not_uploaded")],
        newMembers: 5, withoutArchive: 3, unverified: 4, waiting: "2", membersHref: "/members?org=upc-cs",
        notUploadedHref: "/members?org=upc-cs&status=not_uploaded", unverifiedHref: "/members?org=upc-cs&status=unverified",
        inboxHref: "/inbox", searchAction: "/members",
        notices: [.init(title: "关于对标定级的通知", orgName: "计算机科学与技术学院团委", publishedAt: "2026-11-25 10:00", href: "/notices/n-1")],
        publishNoticesHref: "/orgs/upc-cs/notices")

    static let members = MembersPage(
        action: "/members", orgOptions: [OrgOption(id: "upc-cs", name: "计算机科学与技术学院团委", indent: "　", selected: true)],
        statusOptions: MembersPage.statusOptions(selected: .pending), q: "马", summary: "1 名团员",
        rows: [
            .init(
                href: "/members/p-c1-03", name: "马晓东", idNumber: "370***********1278", developmentNumber: "2020370200103",
                joinedOn: "2020-10-15", branchName: "1班团支部", status: "pending", statusName: "待审批", dueDate: "2021-01-15", overdue: true,
                overAge: true, identityStatus: "passed", identityStatusName: "认证通过", recordHref: "/members/p-c1-03/record")
        ],
        next: "/members?cursor=upc-cs-2020-1.p-c1-03", entryHref: "/orgs/upc-cs-2020-1/members/new", cadresHref: "/orgs/upc-cs/cadres",
        exportHref: "/orgs/upc-cs/export/members")

    static let member = MemberPage(
        backHref: "/members", csrf: "token", name: "马晓东", idNumber: "370***********1278", developmentNumber: "2020370200103",
        joinedOn: "2020-10-15", branchName: "1班团支部", required: true, status: "rejected", statusName: "认证不通过",
        dueDate: "2021-01-15", overdue: true, notice: "认证不通过：第3页不清晰", changeOpen: true, verifiedVersion: 1, currentVersion: 2,
        error: "出错了", reviewHref: "/inbox/archives/a-1",
        upload: .init(
            action: "/members/p-c1-03/archive?csrf=token", api: "/api/v1/members/p-c1-03/archive", done: "/members/p-c1-03?done=uploaded",
            label: "替换档案", pagesRule: "12页", maxSize: "20MB", maxBytes: 20_971_520),
        withdrawAction: "/members/p-c1-03/archive/withdraw", changeAction: "/members/p-c1-03/archive/change-requests",
        hasChangeRequests: true,
        changeRequests: [.init(requestedAt: "2026-11-20 10:00", reason: "姓名写错", statusName: "已驳回", decisionReason: "无需修改")],
        versions: [
            .init(
                version: 1, verified: true, uploadedAt: "2026-11-20 10:00", orgName: "1班团支部", uploaderName: "李书记", pages: 12,
                size: "1.2 MB", sha256: String(repeating: "a", count: 64), shortHash: "aaaaaaaaaaaa…",
                downloadHref: "/api/v1/members/p-c1-03/archive/pdf?version=1")
        ],
        decisions: [.init(at: "2026-11-21 09:00", kindName: "认证不通过", version: 1, actorName: "张老师", orgName: "学院团委", reason: "不清晰")])

    static let inbox = InboxPage(
        tabs: [.init(href: "/inbox", label: "全部", active: true)],
        items: [
            .init(
                typeName: "团员电子档案审批", name: "马晓东", idNumber: "370***********1278", developmentNumber: "2020370200103",
                branchName: "1班团支部", since: "2026-11-20 10:00", href: "/inbox/archives/a-1")
        ],
        next: "/inbox?cursor=x")

    static let review = ReviewPage(
        inboxHref: "/inbox", csrf: "token", typeName: "团员电子档案修改申请", name: "马晓东", idNumber: "370***********1278",
        developmentNumber: "2020370200103", joinedOn: "2020-10-15", branchName: "1班团支部", status: "verified", statusName: "已认证",
        closed: true, error: "出错了", reason: "第3页不清晰",
        version: .init(
            version: 1, uploadedAt: "2026-11-20 10:00", orgName: "1班团支部", pages: 12, size: "1.2 MB",
            downloadHref: "/api/v1/members/p-c1-03/archive/pdf?version=1", memberHref: "/members/p-c1-03",
            repair: .init(notice: "该文件结构有损坏", detail: "offset 580: expected n n obj")),
        pages: 12, thumbnails: [.init(page: 1, src: "/archives/a-1/versions/1/pages/1.png?w=200", full: "/archives/a-1/versions/1/pages/1.png?w=1200")],
        changeRequest: .init(reason: "姓名写错", requestedAt: "2026-11-20 10:00"),
        decision: .init(approveAction: "/a", rejectAction: "/r", approveLabel: "同意修改", rejectLabel: "驳回申请"))

    static let mine = MyArchivePage(
        name: "马晓东", developmentNumber: "2020370200103", joinedOn: "2020-10-15", branchName: "1班团支部", required: true,
        status: "rejected", statusName: "认证不通过", identityVerified: true, dueDate: "2021-01-15", overdue: true,
        rejectionReason: "第3页不清晰", pendingNote: true, notUploadedNote: true, downloadHref: "/api/v1/me/archive/pdf")
}

/// Domain records for view-model builder tests.
enum PageFixtures {
    static let school = OrgID(rawValue: "upc-cs")!
    static let branchID = OrgID(rawValue: "upc-cs-2020-1")!
    static let fullIDNumber = "370211200211081278"

    static func record(joinedOn: CivilDate = CivilDate(year: 2020, month: 10, day: 15)!) -> MemberRecord {
        let member = Member(
            personID: PersonID(rawValue: "p-c1-03")!, name: "马晓东",
            idNumber: try! IDNumber(fullIDNumber, today: CivilDate(year: 2026, month: 11, day: 25)!), branchID: branchID,
            joinedOn: joinedOn, developmentNumber: DevelopmentNumber("2020370200103"))
        let placement = OrgPlacement(id: branchID, path: OrgPath([school, branchID]), category: .branch, upperCommitteeID: school)
        return MemberRecord(member: member, branch: placement, branchName: "计算机学院2020级1班团支部")
    }

    static func described(status: ArchiveStatus, archiveId: String? = "a-1") -> ArchiveResponse {
        ArchiveResponse(
            memberId: "p-c1-03", archiveRequired: true, archiveId: archiveId, status: status.rawValue, statusName: status.chineseName,
            identityVerified: status == .verified, currentVersion: nil, verifiedVersion: nil, changeRequestOpen: false, dueDate: nil,
            overdue: false, notice: nil, versions: [], decisions: [], changeRequests: [])
    }

    static func org(_ id: OrgID, _ name: String) -> Org {
        Org(id: id, parentID: nil, name: name, fullName: name, category: .committee, path: OrgPath([id]), upperCommitteeID: nil)
    }
}

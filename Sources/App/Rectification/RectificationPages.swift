import Domain
import Foundation
import Hummingbird
import Persistence

/// 组织整顿 on the pages (RCT-1 … RCT-4): the branch's self-check form (and its parent's
/// decision on it), and the parent's list with the bottom-20 % marks.
extension PagesController {
    func rectificationView(_ visitor: PageVisitor, _ id: OrgID, error: String? = nil) async throws -> RectificationPage {
        let today = services.today
        let (year, items) = try await services.rectification.view(visitor.actor, org: id, year: today.year)
        let placement = OrgPlacement(year.org)
        return RectificationPage.make(
            year, items: items, csrf: visitor.csrf,
            mayCheck: Domain.authorize(visitor.actor, .selfCheck, .org(placement)).isAllowed
                && (visitor.actor.isAdmin(of: id) || !year.record.state.selfChecked),
            mayDecide: Domain.authorize(visitor.actor, .decideRectification, .org(placement)).isAllowed,
            open: RectificationRules.campaignMonths.contains(today.month), error: error)
    }

    @Sendable func rectificationPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let view = try await rectificationView(visitor, try pathOrg(context))
        return renderer.page(.rectification, view, title: "组织整顿", visitor: visitor, active: .orgs, flash: PageFlash.of(request))
    }

    @Sendable func rectificationSubmit(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try pathOrg(context)
        let form = try await PageForm.read(request)
        var ratings: [String: String] = [:]
        for position in 1...100 { if let value = form["item\(position)"], !value.isEmpty { ratings[String(position)] = value } }
        do {
            _ = try await services.rectification.submit(visitor.actor, org: id, year: services.today.year, ratings: ratings)
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await rectificationView(visitor, id, error: entry.message)
            return renderer.page(.rectification, view, title: "组织整顿", visitor: visitor, active: .orgs, status: entry.status)
        }
        return PageKit.redirect(.rectification(id, done: .selfCheckSubmitted))
    }

    @Sendable func rectificationDecide(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try pathOrg(context)
        let form = try await PageForm.read(request)
        do {
            _ = try await services.rectification.decide(visitor.actor, org: id, year: services.today.year, approve: form["approve"] == "true")
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await rectificationView(visitor, id, error: entry.message)
            return renderer.page(.rectification, view, title: "组织整顿", visitor: visitor, active: .orgs, status: entry.status)
        }
        return PageKit.redirect(.rectification(id, done: .selfCheckDecided))
    }

    func rectificationBranchesView(_ visitor: PageVisitor, _ parent: OrgID, ticked: Set<String> = [], error: String? = nil)
        async throws -> RectificationBranchesPage
    {
        let (org, items) = try await services.rectification.children(visitor.actor, of: parent, year: services.today.year)
        return RectificationBranchesPage.make(
            parent: org, items: items, csrf: visitor.csrf, mayMark: visitor.actor.isAdmin(of: parent), today: services.today, ticked: ticked,
            error: error)
    }

    @Sendable func rectificationBranchesPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let view = try await rectificationBranchesView(visitor, try pathOrg(context))
        return renderer.page(.rectificationBranches, view, title: "组织整顿", visitor: visitor, active: .orgs, flash: PageFlash.of(request))
    }

    @Sendable func rectificationMark(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let parent = try pathOrg(context)
        let ticked = try await PageForm.read(request).all("branchId").filter { !$0.isEmpty }
        do {
            _ = try await services.rectification.markBottom20(
                visitor.actor, parent: parent, year: services.today.year, branches: ticked.compactMap { OrgID(rawValue: $0) })
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await rectificationBranchesView(visitor, parent, ticked: Set(ticked), error: entry.message)
            return renderer.page(.rectificationBranches, view, title: "组织整顿", visitor: visitor, active: .orgs, status: entry.status)
        }
        return PageKit.redirect(.rectificationBranches(parent, done: .bottom20Marked))
    }
}

/// `/orgs/{branchId}/rectification`.
struct RectificationPage {
    struct Item {
        let position: Int
        let text: String
        let choices: [Choice]
    }

    struct Month {
        let label: String
        let poor: String
    }

    let orgName: String
    let year: Int
    let status: String
    let keyRectification: Bool
    let pending: String?
    let locked: Bool
    let months: [Month]
    let items: [Item]
    let csrf: String
    /// The form, while it may be submitted (by the branch, or the parent before the branch checks itself).
    let submitAction: String?
    /// The direct parent's decision on a waiting form.
    let decideAction: String?
    let note: String?
    let error: String?

    static func make(
        _ y: RectificationYearRecord, items texts: [String], csrf: String, mayCheck: Bool, mayDecide: Bool, open: Bool, error: String?
    ) -> RectificationPage {
        let state = y.record.state
        let note: String? =
            state.locked ? "自检表“较差”项为0且已通过上级审核，不能再修改。"
            : !open ? "自检表在每年9月至12月提交。"
            : !mayCheck ? "自检表由本团支部管理员填写；团支部尚未自检时，直属上级可以代为填写。" : nil
        return RectificationPage(
            orgName: y.org.fullName, year: y.record.year, status: state.status?.chineseName ?? "未评定",
            keyRectification: state.underKeyRectification, pending: state.pendingPoor.map { "待上级审核（较差 \($0) 项）" },
            locked: state.locked,
            months: y.record.monthlyPoor.map { Month(label: "\($0.month)月", poor: $0.poor.map { "较差 \($0) 项" } ?? "未提交") },
            items: texts.enumerated().map { i, text in
                let current = i < y.latestRatings.count ? y.latestRatings[i] : nil
                return Item(
                    position: i + 1, text: text,
                    choices: CheckRating.allCases.map { Choice(value: $0.chineseName, label: $0.chineseName, selected: $0 == current) })
            },
            csrf: csrf, submitAction: note == nil ? PageRoute.rectificationSubmit(y.org.id).href : nil,
            decideAction: mayDecide && state.pendingPoor != nil ? PageRoute.rectificationDecide(y.org.id).href : nil, note: note, error: error)
    }
}

/// `/orgs/{parentId}/rectification/branches`.
struct RectificationBranchesPage {
    struct Row {
        let id: String
        let name: String
        let status: String
        let keyRectification: Bool
        let pending: String
        let months: [String]
        let markable: Bool
        let ticked: Bool
        let href: String
    }

    let orgName: String
    let year: Int
    let rows: [Row]
    let csrf: String
    let markAction: String?
    let statisticsHref: String
    let error: String?

    static func make(
        parent: Org, items: [RectificationYearRecord], csrf: String, mayMark: Bool, today: CivilDate, ticked: Set<String>, error: String?
    ) -> RectificationBranchesPage {
        RectificationBranchesPage(
            orgName: parent.fullName, year: today.year,
            rows: items.map { y in
                let state = y.record.state
                let markable =
                    mayMark && !state.underKeyRectification
                    && RectificationRules.exclusion(status: state.status, category: y.org.category, foundedOn: y.foundedOn, today: today) == nil
                return Row(
                    id: y.org.id.rawValue, name: y.org.name, status: state.status?.chineseName ?? "未评定", keyRectification: state.underKeyRectification,
                    pending: state.pendingPoor.map { "待审核（较差 \($0) 项）" } ?? "—",
                    months: y.record.monthlyPoor.map { $0.poor.map(String.init) ?? "—" }, markable: markable,
                    ticked: ticked.contains(y.org.id.rawValue), href: PageRoute.rectification(y.org.id).href)
            },
            csrf: csrf, markAction: mayMark ? PageRoute.rectificationMark(parent.id).href : nil,
            statisticsHref: PageRoute.rectificationStatistics(parent.id).href, error: error)
    }
}

extension PagesController {
    @Sendable func rectificationStatisticsPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let figures = try await services.rectification.statistics(visitor.actor, of: try pathOrg(context), year: services.today.year)
        return renderer.page(.rectificationStatistics, RectificationStatisticsPage.make(figures), title: "组织整顿统计", visitor: visitor, active: .orgs)
    }
}

/// `/orgs/{orgId}/rectification/statistics`: the subtree's branches by state per 单位所属行业类别,
/// and the key-rectification branches with each campaign month's outcome.
struct RectificationStatisticsPage {
    struct Row {
        let label: String
        let cells: [Int]
    }

    struct KeyRow {
        let name: String
        let status: String
        let months: [String]
        let href: String
    }

    let orgName: String
    let year: Int
    let columns: [String]
    let rows: [Row]
    let total: Row
    let monthColumns: [String]
    let keyRows: [KeyRow]

    static let columnNames = ["团支部数", "未提交", "首次待审核", "未通过"] + RectificationStatus.allCases.map(\.chineseName) + ["有待审核表单", "重点整顿"]

    static func cells(_ t: RectificationTally) -> [Int] {
        [t.branches, t.notSubmitted, t.awaitingFirstDecision, t.notPassed] + RectificationStatus.allCases.map { t.byStatus[$0] ?? 0 }
            + [t.formsWaiting, t.keyRectification]
    }

    static func make(_ s: RectificationStatistics) -> RectificationStatisticsPage {
        RectificationStatisticsPage(
            orgName: s.org.fullName, year: s.year, columns: columnNames,
            rows: s.byIndustry.map { Row(label: $0.industry?.chineseName ?? "未填写", cells: cells($0.tally)) },
            total: Row(label: "合计", cells: cells(s.total)),
            monthColumns: RectificationRules.campaignMonths.map { "\($0)月" },
            keyRows: s.keyBranches.map { branch in
                KeyRow(
                    name: branch.org.name, status: branch.record.state.status?.chineseName ?? "未评定",
                    months: branch.record.monthlyProgress.map { RectificationMonthText.name($0.outcome) },
                    href: PageRoute.rectification(branch.org.id).href)
            })
    }
}

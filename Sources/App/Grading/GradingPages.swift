import Domain
import Foundation
import Hummingbird
import Persistence

/// 对标定级 on the pages (GRA-1 … GRA-5): the 团(总)支部's self-grade against the year's
/// criteria, and the upper committee's review list. Decided by `GradingWorkflow`, as the API is;
/// a refusal comes back on the page with the choice kept.
extension PagesController {
    func gradingView(_ visitor: PageVisitor, _ orgID: OrgID, chosen: String? = nil, error: String? = nil) async throws -> GradingPage {
        let year = services.clock.now().chinaDate.year
        let view = try await services.grading.view(visitor.actor, org: orgID, year: year)
        let mayGrade = Domain.authorize(visitor.actor, .gradeOrg, .org(OrgPlacement(view.year.org))).isAllowed
        let mayReview = view.year.org.upperCommitteeID.map { visitor.actor.isAdmin(of: $0) } ?? false
        return GradingPage.make(view, csrf: visitor.csrf, mayGrade: mayGrade, reviewsHref: mayReview ? view.year.org.upperCommitteeID.map { PageRoute.gradingReviews($0).href } : nil, chosen: chosen, error: error)
    }

    @Sendable func gradingPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let view = try await gradingView(visitor, try pathOrg(context))
        return renderer.page(.grading, view, title: "对标定级", visitor: visitor, active: .grading, flash: PageFlash.of(request))
    }

    @Sendable func gradingSubmit(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgID = try pathOrg(context)
        let form = try await PageForm.read(request)
        let chosen = form["grade"] ?? ""
        do {
            let year = services.clock.now().chinaDate.year
            _ = try await services.grading.selfGrade(visitor.actor, org: orgID, year: year, try GradingWorkflow.grade(chosen))
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await gradingView(visitor, orgID, chosen: chosen, error: entry.message)
            return renderer.page(.grading, view, title: "对标定级", visitor: visitor, active: .grading, status: entry.status)
        }
        return PageKit.redirect(.grading(orgID, done: .gradingSubmitted))
    }

    func gradingReviewsView(_ visitor: PageVisitor, _ committee: OrgID, ticked: Set<String> = [], chosen: String? = nil, error: String? = nil)
        async throws -> GradingReviewsPage
    {
        let year = services.clock.now().chinaDate.year
        let (org, items, subtree) = try await services.grading.subordinates(visitor.actor, of: committee, year: year)
        return GradingReviewsPage.make(
            committee: org, year: year, today: services.clock.now().chinaDate, items: items, subtree: subtree, csrf: visitor.csrf, mayReview: visitor.actor.isAdmin(of: committee),
            locked: GradingRules.isLocked(year: year, at: services.clock.now().chinaMoment), ticked: ticked, chosen: chosen, error: error)
    }

    @Sendable func gradingReviewsPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let view = try await gradingReviewsView(visitor, try pathOrg(context))
        return renderer.page(.gradingReviews, view, title: "对标定级—上级复核", visitor: visitor, active: .grading, flash: PageFlash.of(request))
    }

    @Sendable func gradingReviewSubmit(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let committee = try pathOrg(context)
        let form = try await PageForm.read(request)
        let ticked = form.all("orgId").filter { !$0.isEmpty }
        let chosen = form["grade"] ?? ""
        do {
            guard !ticked.isEmpty else { throw ServiceRefusal.badRequest("请勾选要复核的团(总)支部") }
            let year = services.clock.now().chinaDate.year
            _ = try await services.grading.review(
                visitor.actor, as: committee, year: year, orgs: ticked.compactMap { OrgID(rawValue: $0) }, try GradingWorkflow.grade(chosen))
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await gradingReviewsView(visitor, committee, ticked: Set(ticked), chosen: chosen, error: entry.message)
            return renderer.page(.gradingReviews, view, title: "对标定级—上级复核", visitor: visitor, active: .grading, status: entry.status)
        }
        return PageKit.redirect(.gradingReviews(committee, done: .gradingReviewed))
    }
}

/// `/orgs/{orgId}/grading`: 对标定级—团(总)支部自评.
struct GradingPage {
    struct Criterion {
        let dimension: String
        let weight: String
        let content: String
        let indicator: String
    }

    /// Submitting a self-grade: offered while the org may change it.
    struct Form {
        let action: String
        let csrf: String
        let grades: [Choice]
        let changesLeft: Int
    }

    let orgName: String
    let year: Int
    let criteria: [Criterion]
    let selfGrade: String
    let selfGradedAt: String
    let review: String
    let reviewedAt: String
    /// GRA-5: 不予定级: under key rectification, grade again after rectifying.
    let keyRectification: Bool
    /// Why nothing can be submitted now (out of scope, reviewed, locked, no changes left); nil when it can.
    let closedReason: String?
    let form: Form?
    let error: String?
    /// The visitor is the org's upper committee too: its review list.
    let reviewsHref: String?

    /// Orgs whose admins see 对标定级 in the navigation: the graded ones and the committees that review.
    static func hasGrading(_ category: OrgCategory) -> Bool {
        category.isUpperCommitteeKind || GradingRules.categoryExclusion(category) == nil
    }

    static func make(_ view: GradingYearView, csrf: String, mayGrade: Bool, reviewsHref: String?, chosen: String?, error: String?) -> GradingPage {
        let y = view.year
        let record = y.record
        let closed: String? =
            if let exclusion = view.exclusion {
                ErrorCatalogue.entry(GradingRefused(refusal: .outOfScope(exclusion), orgName: y.org.name)).message
            } else if view.locked {
                "\(record.year)年的对标定级已于12月31日中午12:00锁定。"
            } else if record.isLockedByReview {
                "上级团委已完成复核，自评结果不允许修改。"
            } else if record.changesLeft == 0 && record.submissionsThisRound > 0 {
                "上级复核前自评结果最多允许修改3次，修改次数已用完，请等待上级团委复核。"
            } else if !mayGrade {
                "自评由本组织管理员提交。"
            } else {
                nil
            }
        let selected = chosen ?? record.selfGrade?.chineseName ?? ""
        return GradingPage(
            orgName: y.org.fullName, year: record.year,
            criteria: view.criteria.map { Criterion(dimension: $0.dimension, weight: $0.weight, content: $0.content, indicator: $0.indicator) },
            selfGrade: record.selfGrade?.chineseName ?? "未自评", selfGradedAt: y.selfGradedAt.map(PageKit.chinaTime) ?? "",
            review: record.review?.chineseName ?? "未复核", reviewedAt: y.reviewedAt.map(PageKit.chinaTime) ?? "",
            keyRectification: record.isUnderKeyRectification, closedReason: closed,
            form: closed == nil
                ? Form(
                    action: PageRoute.gradingSubmit(y.org.id).href, csrf: csrf,
                    grades: Choice.list(Grade.allCases.map(\.chineseName), selected: selected, blank: "请选择"),
                    changesLeft: record.changesLeft)
                : nil,
            error: error, reviewsHref: reviewsHref)
    }
}

/// `/orgs/{orgId}/grading/reviews`: 对标定级—上级复核.
struct GradingReviewsPage {
    struct Row {
        let id: String
        let name: String
        let category: String
        let selfGrade: String
        let selfGradedAt: String
        /// GRA-5: re-graded after 不予定级, shown in red.
        let regraded: Bool
        let review: String
        let reviewedAt: String
        let awaitsReview: Bool
        let reviewable: Bool
        let ticked: Bool
        let href: String
        /// GRA-2: why the org is not graded this year (shown instead of its self-grade).
        let outOfScope: String?
    }

    let orgName: String
    let year: Int
    let summary: String
    /// Every level below: the progress a committee watches.
    let subtreeSummary: String
    let rows: [Row]
    let csrf: String
    let action: String
    let grades: [Choice]
    /// The visitor reviews here (the committee's own admin) and the year is open.
    let mayReview: Bool
    let locked: Bool
    let error: String?

    static func make(
        committee: Org, year: Int, today: CivilDate, items: [GradingYearRecord], subtree: GradingProgress, csrf: String, mayReview: Bool, locked: Bool, ticked: Set<String>,
        chosen: String?, error: String?
    ) -> GradingReviewsPage {
        let graded = items.filter { $0.record.selfGrade != nil }.count
        let reviewed = items.filter { $0.record.review != nil }.count
        let open = mayReview && !locked
        return GradingReviewsPage(
            orgName: committee.fullName, year: year,
            summary: "下级团(总)支部 \(items.count) 个，已自评 \(graded) 个，已复核 \(reviewed) 个",
            subtreeSummary: "全部下属各级纳入范围的团(总)支部 \(subtree.orgs) 个：已自评 \(subtree.selfGraded) 个，已复核 \(subtree.reviewed) 个，"
                + "其中不予定级 \(subtree.notGraded) 个",
            rows: items.map { y in
                let exclusion = GradingRules.exclusion(category: y.org.category, foundedOn: y.foundedOn, today: today)
                return Row(
                    id: y.org.id.rawValue, name: y.org.name, category: y.org.category.chineseName,
                    selfGrade: y.record.selfGrade?.chineseName ?? "未自评", selfGradedAt: y.selfGradedAt.map(PageKit.chinaTime) ?? "",
                    regraded: y.record.isRegradedAfterNotGraded, review: y.record.review?.chineseName ?? "未复核",
                    reviewedAt: y.reviewedAt.map(PageKit.chinaTime) ?? "", awaitsReview: y.record.awaitsReview,
                    reviewable: open && y.record.selfGrade != nil && GradingRules.categoryExclusion(y.org.category) == nil,
                    ticked: ticked.contains(y.org.id.rawValue), href: PageRoute.grading(y.org.id).href,
                    outOfScope: exclusion.map {
                        switch $0 {
                        case .category: "不纳入对标定级范围"
                        case .foundedRecently: "成立6个月以内，不纳入对标定级范围"
                        }
                    })
            },
            csrf: csrf, action: PageRoute.gradingReviewSubmit(committee.id).href,
            grades: Choice.list(Grade.allCases.map(\.chineseName), selected: chosen, blank: "请选择"), mayReview: open, locked: locked,
            error: error)
    }
}

import Domain
import Foundation
import Hummingbird
import Persistence

/// 对标定级 over JSON (GRA-1 … GRA-5): decoding and encoding around `GradingWorkflow`. Grades
/// travel as their Chinese names (五星 … 一星, 不予定级).
struct GradingController {
    let grading: GradingWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.orgGrading(nil, nil).pattern, use: show)
        group.put(SiteRoute.orgGradingSelf(nil, nil).pattern, use: selfGrade)
        group.post(SiteRoute.orgGradingReviews(nil, nil).pattern, use: review)
        group.get(SiteRoute.orgGradingSubordinates(nil, nil).pattern, use: subordinates)
    }

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> GradingYearResponse {
        GradingYearResponse(try await grading.view(try context.requireActor(), org: try context.orgID(), year: try context.year()))
    }

    struct SelfGradeBody: Decodable { let grade: String }

    @Sendable func selfGrade(request: Request, context: AppRequestContext) async throws -> GradingYearResponse {
        let actor = try context.requireActor()
        let (org, year) = (try context.orgID(), try context.year())
        let body = try await request.decode(as: SelfGradeBody.self, context: context)
        return GradingYearResponse(try await grading.selfGrade(actor, org: org, year: year, try GradingWorkflow.grade(body.grade)))
    }

    struct ReviewBody: Decodable {
        let orgIds: [String]
        let grade: String
    }

    @Sendable func review(request: Request, context: AppRequestContext) async throws -> GradingListResponse {
        let actor = try context.requireActor()
        let (committee, year) = (try context.orgID(), try context.year())
        let body = try await request.decode(as: ReviewBody.self, context: context)
        let grade = try GradingWorkflow.grade(body.grade)
        let ids = try body.orgIds.map { raw in
            guard let id = OrgID(rawValue: raw) else { throw ServiceRefusal.targetOrgNotFound }
            return id
        }
        let reviewed = try await grading.review(actor, as: committee, year: year, orgs: ids, grade)
        let today = grading.clock.now().chinaDate
        return GradingListResponse(orgId: committee.rawValue, year: year, items: reviewed.map { GradingItemResponse($0, today: today) })
    }

    @Sendable func subordinates(request: Request, context: AppRequestContext) async throws -> GradingListResponse {
        let actor = try context.requireActor()
        let (committee, year) = (try context.orgID(), try context.year())
        let (org, items, subtree) = try await grading.subordinates(actor, of: committee, year: year)
        let today = grading.clock.now().chinaDate
        return GradingListResponse(
            orgId: org.id.rawValue, year: year, items: items.map { GradingItemResponse($0, today: today) },
            subtree: .init(orgs: subtree.orgs, selfGraded: subtree.selfGraded, reviewed: subtree.reviewed, notGraded: subtree.notGraded))
    }

}

/// One org's grading year in a list (the 上级复核 list, the answer to a review).
struct GradingItemResponse: Encodable, Sendable {
    let orgId: String
    let orgName: String
    let category: String
    let selfGrade: String?
    let selfGradedAt: String?
    let review: String?
    let reviewedAt: String?
    let changesLeft: Int
    /// The latest entry is a self-grade the committee has not reviewed yet.
    let awaitsReview: Bool
    /// GRA-5: re-graded after a 不予定级 review: shown in red to the reviewer.
    let regraded: Bool
    /// GRA-5: the latest review was 不予定级.
    let keyRectification: Bool
    /// GRA-2: false, with the reason, for an org that is not graded this year.
    let inScope: Bool
    let outOfScopeReason: String?

    init(_ y: GradingYearRecord, today: CivilDate) {
        orgId = y.org.id.rawValue
        orgName = y.org.name
        category = y.org.category.chineseName
        selfGrade = y.record.selfGrade?.chineseName
        selfGradedAt = y.selfGradedAt?.text
        review = y.record.review?.chineseName
        reviewedAt = y.reviewedAt?.text
        changesLeft = y.record.changesLeft
        awaitsReview = y.record.awaitsReview
        regraded = y.record.isRegradedAfterNotGraded
        keyRectification = y.record.isUnderKeyRectification
        let exclusion = GradingRules.exclusion(category: y.org.category, foundedOn: y.foundedOn, today: today)
        inScope = exclusion == nil
        outOfScopeReason = exclusion.map { ErrorCatalogue.entry(GradingRefused(refusal: .outOfScope($0), orgName: y.org.name)).message }
    }
}

struct GradingListResponse: ResponseEncodable {
    /// Every in-scope 团(总)支部 at any level below the org.
    struct Subtree: Encodable, Sendable {
        let orgs: Int
        let selfGraded: Int
        let reviewed: Int
        let notGraded: Int
    }

    let orgId: String
    let year: Int
    let items: [GradingItemResponse]
    var subtree: Subtree? = nil
}

/// `GET …/grading/{year}`: the criteria, the self-grade with the changes left, the review and the lock.
struct GradingYearResponse: ResponseEncodable {
    struct Criterion: Encodable, Sendable {
        let dimension: String
        let weight: String
        let content: String
        let indicator: String
    }

    let orgId: String
    let orgName: String
    let year: Int
    let grades: [String]
    let criteria: [Criterion]
    /// GRA-2: false, with `outOfScopeReason`, for an org that is not graded this year.
    let inScope: Bool
    let outOfScopeReason: String?
    let selfGrade: String?
    let selfGradedAt: String?
    let changesLeft: Int
    let review: String?
    let reviewedAt: String?
    let keyRectification: Bool
    let locked: Bool
    let lockAt: String

    init(_ view: GradingYearView) {
        let y = view.year
        orgId = y.org.id.rawValue
        orgName = y.org.name
        year = y.record.year
        grades = Grade.allCases.map(\.chineseName)
        criteria = view.criteria.map { Criterion(dimension: $0.dimension, weight: $0.weight, content: $0.content, indicator: $0.indicator) }
        inScope = view.exclusion == nil
        outOfScopeReason = view.exclusion.map { ErrorCatalogue.entry(GradingRefused(refusal: .outOfScope($0), orgName: y.org.name)).message }
        selfGrade = y.record.selfGrade?.chineseName
        selfGradedAt = y.selfGradedAt?.text
        changesLeft = view.exclusion == nil && !view.locked ? y.record.changesLeft : 0
        review = y.record.review?.chineseName
        reviewedAt = y.reviewedAt?.text
        keyRectification = y.record.isUnderKeyRectification
        locked = view.locked
        lockAt = "\(y.record.year)-12-31T12:00:00+08:00"
    }
}

/// An operation-centre item of grading: whose grade, which, and for which year.
struct GradingInboxResponse: Encodable, Sendable {
    let orgId: String
    let orgName: String
    let upperCommitteeId: String?
    let year: Int
    /// `self`: the self-grade waiting for review; `review`: the committee's result.
    let kind: String
    let grade: String
    let regraded: Bool

    init(_ row: GradingInboxRow) {
        orgId = row.org.id.rawValue
        orgName = row.org.name
        upperCommitteeId = row.org.upperCommitteeID?.rawValue
        year = row.year
        kind = row.awaitsReview ? "self" : "review"
        grade = row.grade.chineseName
        regraded = row.regraded
    }
}

import Domain
import Foundation
import Hummingbird
import Persistence

/// 组织整顿 over JSON (RCT-1 … RCT-4). Ratings and statuses travel as their Chinese names.
struct RectificationController {
    let rectification: RectificationWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.orgRectification(nil, nil).pattern, use: show)
        group.put(SiteRoute.orgRectificationSelfCheck(nil, nil).pattern, use: selfCheck)
        group.post(SiteRoute.orgRectificationDecision(nil, nil).pattern, use: decide)
        group.post(SiteRoute.orgRectificationBottom20(nil, nil).pattern, use: bottom20)
        group.get(SiteRoute.orgRectificationBranches(nil, nil).pattern, use: branches)
        group.get(SiteRoute.orgRectificationStatistics(nil, nil).pattern, use: statistics)
    }

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> RectificationResponse {
        let (year, items) = try await rectification.view(try context.requireActor(), org: try context.orgID(), year: try context.year())
        return RectificationResponse(year, items: items)
    }

    struct SelfCheckBody: Decodable { let items: [String: String] }

    @Sendable func selfCheck(request: Request, context: AppRequestContext) async throws -> RectificationResponse {
        let actor = try context.requireActor()
        let (org, year) = (try context.orgID(), try context.year())
        let body = try await request.decode(as: SelfCheckBody.self, context: context)
        let (stored, items) = try await rectification.submit(actor, org: org, year: year, ratings: body.items)
        return RectificationResponse(stored, items: items)
    }

    struct DecisionBody: Decodable { let approve: Bool }

    @Sendable func decide(request: Request, context: AppRequestContext) async throws -> RectificationResponse {
        let actor = try context.requireActor()
        let (org, year) = (try context.orgID(), try context.year())
        let body = try await request.decode(as: DecisionBody.self, context: context)
        let (stored, items) = try await rectification.decide(actor, org: org, year: year, approve: body.approve)
        return RectificationResponse(stored, items: items)
    }

    struct Bottom20Body: Decodable { let branchIds: [String] }

    struct BranchList: ResponseEncodable {
        let orgId: String
        let year: Int
        let items: [RectificationResponse]
    }

    @Sendable func bottom20(request: Request, context: AppRequestContext) async throws -> BranchList {
        let actor = try context.requireActor()
        let (parent, year) = (try context.orgID(), try context.year())
        let body = try await request.decode(as: Bottom20Body.self, context: context)
        let ids = try body.branchIds.map { raw in
            guard let id = OrgID(rawValue: raw) else { throw ServiceRefusal.targetOrgNotFound }
            return id
        }
        let marked = try await rectification.markBottom20(actor, parent: parent, year: year, branches: ids)
        return BranchList(orgId: parent.rawValue, year: year, items: marked.map { RectificationResponse($0, items: nil) })
    }

    /// The direct sub-branches; `?key=true` only those under key rectification (RCT-4's list).
    @Sendable func branches(request: Request, context: AppRequestContext) async throws -> BranchList {
        let (parent, year) = (try context.orgID(), try context.year())
        let onlyKey = request.uri.queryParameters["key"] == "true"
        let (org, items) = try await rectification.children(try context.requireActor(), of: parent, year: year)
        return BranchList(
            orgId: org.id.rawValue, year: year,
            items: items.filter { !onlyKey || $0.record.state.underKeyRectification }.map { RectificationResponse($0, items: nil) })
    }
}

extension RectificationController {
    /// The subtree's branches by state, per industry category and in total, and the
    /// key-rectification list with each campaign month's outcome.
    @Sendable func statistics(request: Request, context: AppRequestContext) async throws -> RectificationStatisticsResponse {
        RectificationStatisticsResponse(
            try await rectification.statistics(try context.requireActor(), of: try context.orgID(), year: try context.year()))
    }
}

struct RectificationStatisticsResponse: ResponseEncodable {
    struct Tally: Encodable, Sendable {
        /// The industry's Chinese name; "未填写" for branches whose profile leaves it empty; absent in `total`.
        let industry: String?
        let branches: Int
        let notSubmitted: Int
        let awaitingFirstDecision: Int
        let notPassed: Int
        /// Keyed by the status's Chinese name (合格, 基本合格, 整改后合格, 重点整改后合格, 已摘牌), every one present.
        let statuses: [String: Int]
        let formsWaiting: Int
        let keyRectification: Int

        init(_ t: RectificationTally, industry: String?) {
            self.industry = industry
            branches = t.branches
            notSubmitted = t.notSubmitted
            awaitingFirstDecision = t.awaitingFirstDecision
            notPassed = t.notPassed
            statuses = Dictionary(uniqueKeysWithValues: RectificationStatus.allCases.map { ($0.chineseName, t.byStatus[$0] ?? 0) })
            formsWaiting = t.formsWaiting
            keyRectification = t.keyRectification
        }
    }

    struct KeyBranch: Encodable, Sendable {
        struct Month: Encodable, Sendable {
            let month: Int
            /// not_submitted, pending, approved or rejected.
            let outcome: String
            let outcomeName: String
            let poor: Int?
        }
        let orgId: String
        let orgName: String
        let status: String?
        let months: [Month]
    }

    let orgId: String
    let year: Int
    let total: Tally
    let byIndustry: [Tally]
    let keyBranches: [KeyBranch]

    init(_ s: RectificationStatistics) {
        orgId = s.org.id.rawValue
        year = s.year
        total = Tally(s.total, industry: nil)
        byIndustry = s.byIndustry.map { Tally($0.tally, industry: $0.industry?.chineseName ?? "未填写") }
        keyBranches = s.keyBranches.map { branch in
            KeyBranch(
                orgId: branch.org.id.rawValue, orgName: branch.org.name, status: branch.record.state.status?.chineseName,
                months: branch.record.monthlyProgress.map { month, outcome in
                    let (code, poor) = RectificationMonthText.code(outcome)
                    return .init(month: month, outcome: code, outcomeName: RectificationMonthText.name(outcome), poor: poor)
                })
        }
    }
}

/// How a campaign month's outcome is written, for the API and the page alike.
enum RectificationMonthText {
    static func code(_ outcome: RectificationMonthOutcome) -> (String, Int?) {
        switch outcome {
        case .notSubmitted: ("not_submitted", nil)
        case .pending(let poor): ("pending", poor)
        case .approved(let poor): ("approved", poor)
        case .rejected(let poor): ("rejected", poor)
        }
    }

    static func name(_ outcome: RectificationMonthOutcome) -> String {
        switch outcome {
        case .notSubmitted: "未提交"
        case .pending(let poor): "待审核（较差\(poor)项）"
        case .approved(let poor): "已通过（较差\(poor)项）"
        case .rejected(let poor): "未通过（较差\(poor)项）"
        }
    }
}

/// A branch's rectification year.
struct RectificationResponse: ResponseEncodable {
    struct Month: Encodable, Sendable {
        let month: Int
        /// The 较差 count of the month's last form; absent: no form that month.
        let poor: Int?
    }

    struct Item: Encodable, Sendable {
        let position: Int
        let text: String
        let rating: String?
    }

    let orgId: String
    let orgName: String
    let year: Int
    let status: String?
    let keyRectification: Bool
    let pendingPoor: Int?
    let locked: Bool
    let selfChecked: Bool
    let monthly: [Month]
    let items: [Item]?

    init(_ y: RectificationYearRecord, items texts: [String]?) {
        let state = y.record.state
        orgId = y.org.id.rawValue
        orgName = y.org.name
        year = y.record.year
        status = state.status?.chineseName
        keyRectification = state.underKeyRectification
        pendingPoor = state.pendingPoor
        locked = state.locked
        selfChecked = state.selfChecked
        monthly = y.record.monthlyPoor.map { Month(month: $0.month, poor: $0.poor) }
        items = texts.map { texts in
            texts.enumerated().map { i, text in
                Item(position: i + 1, text: text, rating: i < y.latestRatings.count ? y.latestRatings[i].chineseName : nil)
            }
        }
    }
}

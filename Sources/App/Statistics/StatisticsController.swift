import Domain
import Foundation
import Hummingbird
import Persistence

/// `GET /api/v1/orgs/{orgId}/stats` (STA-1).
struct StatisticsController {
    let statistics: StatisticsWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.orgStats(nil).pattern, use: show)
    }

    @Sendable func show(request: Request, context: AppRequestContext) async throws -> StatisticsResponse {
        StatisticsResponse(try await statistics.statistics(try context.requireActor(), org: try context.orgID()))
    }
}

struct StatisticsResponse: ResponseEncodable {
    struct Bar: Encodable, Sendable {
        let label: String
        let count: Int
    }

    struct Year: Encodable, Sendable {
        let year: Int
        /// ARC-9: verified new members, the ones statistics count.
        let counted: Int
        let joined: Int
    }

    struct Archives: Encodable, Sendable {
        let newMembers: Int
        let withoutArchive: Int
        let verified: Int
        let counted: Int
    }

    struct Grading: Encodable, Sendable {
        let orgs: Int
        let selfGraded: Int
        let reviewed: Int
        let notGraded: Int
    }

    let orgId: String
    let ages: [Bar]
    let ethnicity: [Bar]
    let education: [Bar]
    let newMembersByYear: [Year]
    let archives: Archives
    let grading: Grading
    let rectification: [Bar]
    let keyRectification: Int

    init(_ s: OrgStatistics) {
        func bars(_ b: [StatisticsBar]) -> [Bar] { b.map { Bar(label: $0.label, count: $0.count) } }
        orgId = s.org.id.rawValue
        ages = bars(s.ages)
        ethnicity = bars(s.ethnicity)
        education = bars(s.education)
        newMembersByYear = s.newMembersByYear.map { Year(year: $0.year, counted: $0.counted, joined: $0.all) }
        archives = Archives(newMembers: s.archives.newMembers, withoutArchive: s.archives.withoutArchive, verified: s.archives.verified, counted: s.archives.counted)
        grading = Grading(orgs: s.grading.orgs, selfGraded: s.grading.selfGraded, reviewed: s.grading.reviewed, notGraded: s.grading.notGraded)
        rectification = bars(s.rectification)
        keyRectification = s.keyRectification
    }
}

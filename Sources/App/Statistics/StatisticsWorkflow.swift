import Domain
import Foundation
import Persistence

/// A subtree's figures (STA-1), each from one query whatever the subtree's size.
struct OrgStatistics: Sendable {
    let org: Org
    let ages: [StatisticsBar]
    let ethnicity: [StatisticsBar]
    let education: [StatisticsBar]
    /// ARC-9: `counted` are the verified new members, the only ones statistics count.
    let newMembersByYear: [(year: Int, counted: Int, all: Int)]
    let archives: NewMemberCounts
    let grading: GradingProgress
    /// RCT-1: branches per status (未评定 for none yet), and how many are under key rectification.
    let rectification: [StatisticsBar]
    let keyRectification: Int
}

/// 团内大数据 (issue 11 item 5, STA-1): for a branch, and summed over any subtree.
struct StatisticsWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }

    func statistics(_ actor: Actor, org id: OrgID) async throws -> OrgStatistics {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(org)))
        let today = clock.now().chinaDate
        let stats = repositories.statistics
        let tallies = try await repositories.archives.tally(inSubtreeOf: org.path, today: today)
        let rectification = try await stats.rectificationYears(inSubtreeOf: org.path, year: today.year).map(\.state)
        var byStatus: [String: Int] = [:]
        for state in rectification { byStatus[state.status?.chineseName ?? "未评定", default: 0] += 1 }
        let order = RectificationStatus.allCases.map(\.chineseName) + ["未评定"]
        return OrgStatistics(
            org: org, ages: try await stats.ages(inSubtreeOf: org.path, bounds: StatisticsRules.ageBandBounds(today: today)),
            ethnicity: try await stats.distribution(of: .ethnicity, inSubtreeOf: org.path),
            education: try await stats.distribution(of: .education, inSubtreeOf: org.path),
            newMembersByYear: StatisticsRules.newMembersByYear(tallies), archives: NewMemberCounts(tallies),
            grading: try await repositories.grading.progress(
                below: org.path, year: today.year, categories: GradingRules.gradedCategories,
                foundedBy: GradingRules.foundingCutoff(today: today)),
            rectification: order.map { StatisticsBar(label: $0, count: byStatus[$0] ?? 0) },
            keyRectification: rectification.filter(\.underKeyRectification).count)
    }
}

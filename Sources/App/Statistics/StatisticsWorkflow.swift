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

extension OrgStatistics {
    /// One chart's worth: what the page draws and the workbook's sheet carries.
    struct Figure: Sendable {
        let id: String
        let title: String
        /// The sheet's name: the title without its note in brackets.
        let shortTitle: String
        let bars: [StatisticsBar]
    }

    var figures: [Figure] {
        [
            Figure(id: "chart-ages", title: "年龄分布", shortTitle: "年龄分布", bars: ages),
            Figure(id: "chart-ethnicity", title: "民族分布", shortTitle: "民族分布", bars: ethnicity),
            Figure(id: "chart-education", title: "学历分布", shortTitle: "学历分布", bars: education),
            Figure(
                id: "chart-new-members", title: "新发展团员（已认证，按入团年份）", shortTitle: "新发展团员",
                bars: newMembersByYear.map { StatisticsBar(label: "\($0.year)年", count: $0.counted) }),
            Figure(id: "chart-rectification", title: "组织整顿状态（团支部数）", shortTitle: "组织整顿状态", bars: rectification),
        ]
    }

    /// The overview lines above the charts and on the workbook's first sheet.
    var summary: (archives: String, grading: String, key: String) {
        (
            "新团员 \(archives.newMembers) 人：档案未上传 \(archives.withoutArchive) 人，已认证 \(archives.verified) 人（统计只计已认证的 \(archives.counted) 人）",
            "对标定级：纳入范围的团(总)支部 \(grading.orgs) 个，已自评 \(grading.selfGraded) 个，已复核 \(grading.reviewed) 个，不予定级 \(grading.notGraded) 个",
            "列入重点整顿的团支部 \(keyRectification) 个"
        )
    }
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
        let rectification = try await stats.rectification(inSubtreeOf: org.path, year: today.year)
        return OrgStatistics(
            org: org, ages: try await stats.ages(inSubtreeOf: org.path, bounds: StatisticsRules.ageBandBounds(today: today)),
            ethnicity: try await stats.distribution(of: .ethnicity, inSubtreeOf: org.path),
            education: try await stats.distribution(of: .education, inSubtreeOf: org.path),
            newMembersByYear: StatisticsRules.newMembersByYear(tallies), archives: NewMemberCounts(tallies),
            grading: try await repositories.grading.progress(
                below: org.path, year: today.year, categories: GradingRules.gradedCategories,
                foundedBy: GradingRules.foundingCutoff(today: today)),
            rectification: RectificationStatus.allCases.map { StatisticsBar(label: $0.chineseName, count: rectification.byStatus[$0] ?? 0) }
                + [StatisticsBar(label: "未评定", count: rectification.unassessed)],
            keyRectification: rectification.underKey)
    }
}

import Domain
import Foundation
import Hummingbird
import Persistence

/// `/orgs/{orgId}/stats`: the figures as bar charts drawn on the server in SVG (no script), each
/// with its numbers in a table beside it.
extension PagesController {
    @Sendable func statisticsPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let stats = try await services.statistics.statistics(visitor.actor, org: try pathOrg(context))
        var page = StatisticsPage.make(stats)
        page.exportHref = PageRoute.orgExport(stats.org.id, .stats).href
        return renderer.page(.statistics, page, title: "团内大数据", visitor: visitor, active: .orgs)
    }
}

struct StatisticsPage {
    struct Bar {
        let label: String
        let count: Int
        /// Where the bar sits and how long it is, in the chart's own units.
        let y: Int
        let textY: Int
        let width: Int
    }

    struct Chart {
        let id: String
        let title: String
        let height: Int
        let bars: [Bar]
        let total: Int
    }

    let orgName: String
    /// 导出Excel: the same figures as a workbook.
    var exportHref: String? = nil
    let charts: [Chart]
    let archiveLine: String
    let gradingLine: String
    let keyLine: String

    /// Bars 20 units apart, the longest 260 units wide.
    static func chart(_ id: String, _ title: String, _ bars: [StatisticsBar]) -> Chart {
        let largest = max(bars.map(\.count).max() ?? 0, 1)
        return Chart(
            id: id, title: title, height: max(bars.count, 1) * 20 + 4,
            bars: bars.enumerated().map { i, bar in
                Bar(label: bar.label, count: bar.count, y: i * 20 + 2, textY: i * 20 + 15, width: bar.count * 260 / largest)
            },
            total: bars.map(\.count).reduce(0, +))
    }

    static func make(_ s: OrgStatistics) -> StatisticsPage {
        let summary = s.summary
        return StatisticsPage(
            orgName: s.org.fullName, charts: s.figures.map { chart($0.id, $0.title, $0.bars) }, archiveLine: summary.archives,
            gradingLine: summary.grading, keyLine: summary.key)
    }
}

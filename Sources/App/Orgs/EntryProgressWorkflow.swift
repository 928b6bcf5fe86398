import Domain
import Persistence

/// One level below the supervising org (ORG-9), e.g. 三级组织 below a provincial committee.
struct ProgressLevel: Sendable {
    /// 1 is 团中央's level; a level is one more than the depth of its orgs.
    let level: Int
    let total: Int
    /// The orgs of the level; empty when only the counts were asked for.
    let rows: [OrgProgressRow]
    /// nil when `rows` were not read.
    let counts: Counts?

    struct Counts: Sendable, Equatable {
        let loggedIn: Int
        let infoComplete: Int
        let entryComplete: Int
        /// Orgs that may have sub-orgs (not branches), and of them those that have created some.
        let mayHaveSubOrgs: Int
        let withSubOrgs: Int
    }

    /// "三级组织": the manual's names of the tabs.
    var name: String { "\(ProgressLevel.numeral(level))级组织" }

    static func numeral(_ n: Int) -> String {
        let digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
        switch n {
        case 0..<10: return digits[n]
        case 10: return "十"
        case 11..<20: return "十" + digits[n - 10]
        case 20..<100: return digits[n / 10] + "十" + (n % 10 == 0 ? "" : digits[n % 10])
        default: return String(n)
        }
    }
}

/// The progress of one org's subtree, level by level (ORG-9).
struct EntryProgress: Sendable {
    let org: Org
    let levels: [ProgressLevel]
}

/// Progress supervision (录入进度督导, ORG-9): for each level below a committee, which orgs have
/// logged in, completed their information (ORG-8) and created their sub-orgs. One query for the
/// levels' sizes, then one per level read, never one per org.
struct EntryProgressWorkflow: Sendable {
    let database: Database

    var repositories: Repositories { database.repositories }

    /// Every level with its orgs, or, with `only`, every level's size and that level's orgs;
    /// `firstByDefault` reads the first level below when `only` is nil (a page shows one tab).
    func progress(_ actor: Actor, _ id: OrgID, only: Int? = nil, firstByDefault: Bool = false) async throws -> EntryProgress {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrgProgress, .org(OrgPlacement(org)))
        var levels: [ProgressLevel] = []
        let depths = try await repositories.orgAdministration.depthCounts(below: org.path)
        let only = only ?? (firstByDefault ? depths.first.map { $0.depth + 1 } : nil)
        for (depth, total) in depths {
            let level = depth + 1
            guard only == nil || only == level else {
                levels.append(ProgressLevel(level: level, total: total, rows: [], counts: nil))
                continue
            }
            let rows = try await repositories.orgAdministration.progressRows(below: org.path, depth: depth)
            levels.append(ProgressLevel(level: level, total: rows.count, rows: rows, counts: Self.counts(rows)))
        }
        return EntryProgress(org: org, levels: levels)
    }

    static func counts(_ rows: [OrgProgressRow]) -> ProgressLevel.Counts {
        let mayHave = rows.filter { !$0.details.org.category.holdsMembers }
        return ProgressLevel.Counts(
            loggedIn: rows.count(where: { $0.loggedIn }), infoComplete: rows.count(where: { $0.details.completeness.infoComplete }),
            entryComplete: rows.count(where: { $0.details.completeness.entryComplete }), mayHaveSubOrgs: mayHave.count,
            withSubOrgs: mayHave.count(where: { $0.details.subOrgCount > 0 }))
    }
}

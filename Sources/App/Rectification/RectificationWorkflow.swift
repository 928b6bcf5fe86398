import Domain
import Foundation
import Persistence

/// A rectification refusal about one branch, named for the message.
struct RectificationRefused: Error, Equatable {
    let refusal: RectificationRefusal
    var orgName: String?
}

/// A committee's rectification figures for a year.
struct RectificationStatistics: Sendable {
    let org: Org
    let year: Int
    let total: RectificationTally
    /// In `IndustryCategory.allCases` order, unfilled last; categories without branches left out.
    let byIndustry: [(industry: IndustryCategory?, tally: RectificationTally)]
    let keyBranches: [RectificationYearRecord]
}

/// 组织整顿 (issue 11 item 2, RCT-1 … RCT-4): the branch's monthly self-check forms, its direct
/// parent's decisions and bottom-20 % marks, and the list of key-rectification branches with
/// their monthly progress. Authorised with `Domain.authorize`, decided by `RectificationRecord`.
struct RectificationWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }

    func view(_ actor: Actor, org id: OrgID, year: Int) async throws -> (year: RectificationYearRecord, items: [String]) {
        guard let record = try await repositories.rectification.year(year, of: id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(record.org)))
        return (record, try await repositories.rectification.items(year: year))
    }

    /// RCT-1, RCT-3, RCT-4: every item rated, by the branch (or its parent for a branch that has
    /// not checked itself), for the current month.
    func submit(_ actor: Actor, org id: OrgID, year: Int, ratings raw: [String: String]) async throws
        -> (year: RectificationYearRecord, items: [String])
    {
        guard let current = try await repositories.rectification.year(year, of: id) else { throw ServiceRefusal.notFound }
        let placement = OrgPlacement(current.org)
        try require(actor, .selfCheck, .org(placement))
        let items = try await repositories.rectification.items(year: year)
        var ratings: [CheckRating] = []
        for position in 1..<(items.count + 1) {
            guard let text = raw[String(position)], let rating = CheckRating(chineseName: text.trimmingCharacters(in: .whitespaces)) else {
                throw ServiceRefusal.badRequest("第\(position)项未评定：每一项应评为好、较好、一般或较差")
            }
            ratings.append(rating)
        }
        if raw.keys.contains(where: { Int($0).map { !(1...items.count).contains($0) } ?? true }) {
            throw ServiceRefusal.badRequest("自检表共\(items.count)项，请按1至\(items.count)项评定")
        }
        let byParent = !actor.isAdmin(of: id)
        let now = clock.now()
        var record = current.record
        let entry = try decide(current) { () throws(RectificationRefusal) in
            try record.submit(poor: ratings.filter { $0 == .poor }.count, byParent: byParent, today: now.chinaDate)
        }
        try await append(current, entry, ratings: ratings, acting: byParent ? (placement.parentID ?? id) : id, actor, now)
        return (try await stored(id, year), items)
    }

    /// RCT-1, RCT-3: the direct parent approves or rejects the waiting form.
    func decide(_ actor: Actor, org id: OrgID, year: Int, approve: Bool) async throws -> (year: RectificationYearRecord, items: [String]) {
        guard let current = try await repositories.rectification.year(year, of: id) else { throw ServiceRefusal.notFound }
        let placement = OrgPlacement(current.org)
        try require(actor, .decideRectification, .org(placement))
        var record = current.record
        let entry = try decide(current) { () throws(RectificationRefusal) in try record.decide(approve: approve) }
        try await append(current, entry, ratings: nil, acting: placement.parentID ?? id, actor, clock.now())
        return (try await stored(id, year), try await repositories.rectification.items(year: year))
    }

    /// RCT-2: the direct parent marks branches bottom 20 %, all or none.
    func markBottom20(_ actor: Actor, parent: OrgID, year: Int, branches ids: [OrgID]) async throws -> [RectificationYearRecord] {
        guard let parentOrg = try await repositories.orgs.find(parent) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(parentOrg)))
        var seen = Set<OrgID>()
        let unique = ids.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { throw ServiceRefusal.badRequest("请选择排名后20%的团支部") }
        let children = Dictionary(uniqueKeysWithValues: try await repositories.rectification.children(of: parent, year: year).map { ($0.org.id, $0) })
        let now = clock.now()
        var decisions: [(RectificationYearRecord, RectificationEntry)] = []
        for id in unique {
            guard let current = children[id] else { throw ServiceRefusal.targetOrgNotFound }
            try require(actor, .decideRectification, .org(OrgPlacement(current.org)))
            var record = current.record
            let entry = try decide(current) { () throws(RectificationRefusal) in
                try record.markKey(category: current.org.category, foundedOn: current.foundedOn, today: now.chinaDate)
            }
            decisions.append((current, entry))
        }
        let decided = decisions
        try await database.write { w in
            for (current, entry) in decided {
                try await w.rectification.append(
                    newIdentifier(), org: current.org.id, year: year, seq: current.record.entries.count + 1, entry: entry, ratings: nil,
                    actingOrg: parent, person: actor.personID, at: now)
            }
        }
        return try await repositories.rectification.children(of: parent, year: year).filter { seen.contains($0.org.id) }
    }

    /// The direct sub-branches with their status: the parent's list (and RCT-4's key list).
    func children(_ actor: Actor, of parent: OrgID, year: Int) async throws -> (parent: Org, items: [RectificationYearRecord]) {
        guard let org = try await repositories.orgs.find(parent) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(org)))
        return (org, try await repositories.rectification.children(of: parent, year: year))
    }

    /// The committee's figures (issue 11 item 2): its subtree's branches counted by state, per
    /// 单位所属行业类别 and in total, and the branches under key rectification with their monthly
    /// progress; from one query, folded by `RectificationRecord`.
    func statistics(_ actor: Actor, of id: OrgID, year: Int) async throws -> RectificationStatistics {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewOrg, .org(OrgPlacement(org)))
        let records = try await repositories.rectification.subtree(of: id, year: year)
        var total = RectificationTally()
        var byIndustry: [IndustryCategory?: RectificationTally] = [:]
        for record in records {
            total.add(record.record)
            byIndustry[record.industry, default: RectificationTally()].add(record.record)
        }
        let order: [IndustryCategory?] = IndustryCategory.allCases.map { $0 } + [nil]
        return RectificationStatistics(
            org: org, year: year, total: total,
            byIndustry: order.compactMap { industry in byIndustry[industry].map { (industry, $0) } },
            keyBranches: records.filter { $0.record.state.underKeyRectification })
    }

    private func append(
        _ current: RectificationYearRecord, _ entry: RectificationEntry, ratings: [CheckRating]?, acting: OrgID, _ actor: Actor,
        _ now: Timestamp
    ) async throws {
        try await database.write { w in
            try await w.rectification.append(
                newIdentifier(), org: current.org.id, year: current.record.year, seq: current.record.entries.count + 1, entry: entry,
                ratings: ratings, actingOrg: acting, person: actor.personID, at: now)
        }
    }

    private func stored(_ id: OrgID, _ year: Int) async throws -> RectificationYearRecord {
        guard let stored = try await repositories.rectification.year(year, of: id) else { throw ServiceRefusal.notFound }
        return stored
    }

    private func decide(_ current: RectificationYearRecord, _ body: () throws(RectificationRefusal) -> RectificationEntry) throws -> RectificationEntry {
        do {
            return try body()
        } catch {
            throw RectificationRefused(refusal: error, orgName: current.org.name)
        }
    }
}

import Domain
import Foundation
import Persistence

/// A grading refusal about one org, named for the message.
struct GradingRefused: Error, Equatable {
    let refusal: GradingRefusal
    var orgName: String?
}

/// What an org's grading page and `GET …/grading/{year}` show.
struct GradingYearView: Sendable {
    let year: GradingYearRecord
    let criteria: [GradingCriterion]
    /// GRA-2: why the org is not graded this year; nil when it is.
    let exclusion: GradingExclusion?
    /// GRA-4: 12-31 12:00 of the year has passed.
    let locked: Bool
}

/// 对标定级 (issue 11 item 1, GRA-1 … GRA-5): a 团(总)支部 grades itself against the year's
/// criteria and its upper committee reviews, one or many at once, until 12-31 12:00. Authorised
/// with `Domain.authorize`, decided by `GradingRecord`, each decision one transaction.
struct GradingWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }

    /// A grade as people send it: its Chinese name (the API's JSON and the pages' forms alike).
    static func grade(_ name: String) throws -> Grade {
        guard let grade = Grade(chineseName: name.trimmingCharacters(in: .whitespaces)) else {
            throw ServiceRefusal.badRequest("定级结果应为五星、四星、三星、二星、一星或不予定级")
        }
        return grade
    }

    func view(_ actor: Actor, org id: OrgID, year: Int) async throws -> GradingYearView {
        guard let record = try await repositories.grading.year(year, of: id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewGrading, .org(OrgPlacement(record.org)))
        return try await view(of: record)
    }

    private func view(of record: GradingYearRecord) async throws -> GradingYearView {
        let now = clock.now()
        return GradingYearView(
            year: record, criteria: try await repositories.grading.criteria(year: record.record.year),
            exclusion: GradingRules.exclusion(category: record.org.category, foundedOn: record.foundedOn, today: now.chinaDate),
            locked: GradingRules.isLocked(year: record.record.year, at: now.chinaMoment))
    }

    /// GRA-1, GRA-3, GRA-5: the org's own admin grades it (again).
    func selfGrade(_ actor: Actor, org id: OrgID, year: Int, _ grade: Grade) async throws -> GradingYearView {
        guard let current = try await repositories.grading.year(year, of: id) else { throw ServiceRefusal.notFound }
        try require(actor, .gradeOrg, .org(OrgPlacement(current.org)))
        let now = clock.now()
        var record = current.record
        let entry = try decide(current) { () throws(GradingRefusal) in
            try Self.checkScope(current, today: now.chinaDate)
            return try record.grade(grade, at: now.chinaMoment)
        }
        try await database.write { w in
            try await w.grading.append(
                newIdentifier(), org: id, year: year, seq: current.record.entries.count + 1, entry: entry, actingOrg: id,
                person: actor.personID, at: now)
        }
        guard let stored = try await repositories.grading.year(year, of: id) else { throw ServiceRefusal.notFound }
        return try await view(of: stored)
    }

    /// GRA-4: the upper committee `committee` reviews every org named with `grade`, all or
    /// none; changing a review is reviewing again.
    func review(_ actor: Actor, as committee: OrgID, year: Int, orgs ids: [OrgID], _ grade: Grade) async throws -> [GradingYearRecord] {
        guard let reviewer = try await repositories.orgs.find(committee) else { throw ServiceRefusal.notFound }
        // Before anything of the list is looked at: an outsider learns nothing of what is below.
        try require(actor, .viewGrading, .org(OrgPlacement(reviewer)))
        var seen = Set<OrgID>()
        let unique = ids.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { throw ServiceRefusal.badRequest("请选择要复核的团(总)支部") }
        let subordinates = Dictionary(
            uniqueKeysWithValues: try await repositories.grading.subordinates(ofCommittee: committee, year: year).map { ($0.org.id, $0) })
        let now = clock.now()
        var decisions: [(GradingYearRecord, GradingEntry)] = []
        for id in unique {
            // Not below this committee: as unknown as an org that does not exist.
            guard let current = subordinates[id] else { throw ServiceRefusal.targetOrgNotFound }
            try require(actor, .reviewGrading, .org(OrgPlacement(current.org)))
            var record = current.record
            let entry = try decide(current) { () throws(GradingRefusal) in
                if let excluded = GradingRules.categoryExclusion(current.org.category) { throw .outOfScope(excluded) }
                return try record.review(grade, at: now.chinaMoment)
            }
            decisions.append((current, entry))
        }
        let decided = decisions
        try await database.write { w in
            for (current, entry) in decided {
                try await w.grading.append(
                    newIdentifier(), org: current.org.id, year: year, seq: current.record.entries.count + 1, entry: entry,
                    actingOrg: committee, person: actor.personID, at: now)
            }
        }
        let after = try await repositories.grading.subordinates(ofCommittee: committee, year: year)
        return after.filter { seen.contains($0.org.id) }
    }

    /// GRA-4: the 团(总)支部 whose upper committee is `committee` (团委 and 团工委 are not on
    /// the list), with their self-grades and reviews: the 上级复核 list and its progress.
    func subordinates(_ actor: Actor, of committee: OrgID, year: Int) async throws
        -> (committee: Org, items: [GradingYearRecord], subtree: GradingProgress)
    {
        guard let org = try await repositories.orgs.find(committee) else { throw ServiceRefusal.notFound }
        try require(actor, .viewGrading, .org(OrgPlacement(org)))
        let items = try await repositories.grading.subordinates(ofCommittee: committee, year: year)
            .filter { !$0.org.category.isUpperCommitteeKind }
        // "上级团委可以看到下级团(总)支部开展对标定级工作的具体进度": every level below, in one query.
        let subtree = try await repositories.grading.progress(
            below: org.path, year: year, categories: GradingRules.gradedCategories,
            foundedBy: GradingRules.foundingCutoff(today: clock.now().chinaDate))
        return (org, items, subtree)
    }

    /// GRA-4: records the year's lock once it is 12-31 12:00 (the sweep, at `now`): this year's
    /// and, after a sweep that did not run then, last year's. Returns how many it recorded.
    func sweep(at now: Timestamp) async throws -> Int {
        let moment = now.chinaMoment
        var locked = 0
        for year in [moment.date.year - 1, moment.date.year] where GradingRules.isLocked(year: year, at: moment) {
            if try await repositories.grading.lockedAt(year: year) == nil, try await repositories.grading.lock(year: year, at: now) {
                locked += 1
            }
        }
        return locked
    }

    static func checkScope(_ current: GradingYearRecord, today: CivilDate) throws(GradingRefusal) {
        if let excluded = GradingRules.exclusion(category: current.org.category, foundedOn: current.foundedOn, today: today) {
            throw .outOfScope(excluded)
        }
    }

    /// Runs the domain's decision, naming the org in its refusal.
    private func decide(_ current: GradingYearRecord, _ body: () throws(GradingRefusal) -> GradingEntry) throws -> GradingEntry {
        do {
            return try body()
        } catch {
            throw GradingRefused(refusal: error, orgName: current.org.name)
        }
    }
}

import Domain
import Foundation
import Persistence

/// The 年度团籍注册审批 list's filter as typed (the API's query, the page's form and its links
/// alike; an empty field filters nothing).
struct RegistrationQuery: Sendable, Equatable {
    var name: String = ""
    var status: String = ""
    /// China dates, `YYYY-MM-DD`, both days included.
    var from: String = ""
    var to: String = ""
    var cursor: String?
}

/// 年度团籍注册 (issue 11 item 3, ACT-1): a member reports on their year; the branch admin
/// approves it or sends it back with a reason, after which the member reports again. Every
/// submission and decision is kept, with who and when.
struct RegistrationWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }
    var today: CivilDate { clock.now().chinaDate }

    func submit(_ actor: Actor, member id: PersonID, year: Int, summary: String) async throws -> RegistrationRecord {
        guard let record = try await repositories.members.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .submitRegistration, .member(id, branch: record.branch))
        if record.removed { throw RegistrationProblem.notAMember }
        try AnnualRegistrationRules.checkYear(year, today: today)
        let latest = try await repositories.registrations.latest(member: id, year: year)
        let (_, effect) = try (latest?.state ?? .notSubmitted).on(.submit(summary: summary))
        guard case .recordSubmission(let checked) = effect else { throw ConcurrentChange(table: "registrations") }
        let registrationID = newIdentifier()
        let now = clock.now()
        try await written {
            try await database.write { w in
                try await w.registrations.insertSubmission(
                    id: registrationID, member: id, branch: record.branch.id, year: year, revision: (latest?.revision ?? 0) + 1,
                    summary: checked, at: now)
            }
        }
        guard let stored = try await repositories.registrations.find(registrationID) else { throw ServiceRefusal.notFound }
        return stored
    }

    /// The member's own registrations, for the member and the admins over their branch.
    func history(_ actor: Actor, member id: PersonID) async throws -> (member: MemberRecord, items: [RegistrationRecord]) {
        guard let record = try await repositories.members.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .viewMember, .member(id, branch: record.branch))
        return (record, try await repositories.registrations.history(member: id, limit: 50))
    }

    /// 年度团籍注册审批: the branch's registrations, newest first, filtered by name, status and
    /// period in the query before the limit.
    func list(_ actor: Actor, branch id: OrgID, _ query: RegistrationQuery, limit: Int) async throws
        -> (org: Org, items: [RegistrationRecord], nextCursor: String?, mayDecide: Bool)
    {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .listMembers, .org(OrgPlacement(org)))
        guard org.category.holdsMembers else { throw ServiceRefusal.badRequest("年度团籍注册在团支部办理，请选择团支部") }
        let filter = try Self.filter(query)
        var cursor: (Timestamp, String)?
        if let raw = query.cursor {
            let parts = raw.split(separator: "~", maxSplits: 1)
            guard parts.count == 2, let at = Timestamp(text: String(parts[0])), let key = ArchiveID(rawValue: String(parts[1])) else {
                throw ServiceRefusal.badRequest("cursor 无效")
            }
            cursor = (at, key.rawValue)
        }
        let rows = try await repositories.registrations.list(branch: id, filter: filter, before: cursor, limit: limit + 1)
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map { "\($0.submittedAt.text)~\($0.id)" } : nil
        return (org, page, next, Domain.authorize(actor, .decideRegistration, .org(OrgPlacement(org))).isAllowed)
    }

    func decide(_ actor: Actor, _ id: String, approve: Bool, reason: String) async throws -> RegistrationRecord {
        guard let registration = try await repositories.registrations.find(id),
            let branch = try await repositories.orgs.find(registration.branch)
        else { throw ServiceRefusal.notFound }
        try require(actor, .decideRegistration, .org(OrgPlacement(branch)))
        let (_, effect) = try registration.state.on(approve ? .approve : .reject(reason: reason))
        guard case .recordDecision(let approved, let checkedReason) = effect else { throw ConcurrentChange(table: "registrations") }
        let now = clock.now()
        try await written {
            try await database.write { w in
                try await w.registrations.insertDecision(id, approved: approved, reason: checkedReason, by: actor.personID, at: now)
            }
        }
        guard let stored = try await repositories.registrations.find(id) else { throw ServiceRefusal.notFound }
        return stored
    }

    /// A second submission of the same revision, or a second decision, lost a race: the
    /// schema's unique keys refused it and nothing was written.
    private func written(_ body: () async throws -> Void) async throws {
        do { try await body() } catch {
            if case .unique? = ConstraintViolation(error) { throw ConcurrentChange(table: "registrations") }
            throw error
        }
    }

    static func filter(_ query: RegistrationQuery) throws -> RegistrationFilter {
        var filter = RegistrationFilter()
        let name = try FreeText.checked(query.name, as: .search)
        filter.name = name.isEmpty ? nil : name
        if !query.status.isEmpty {
            guard let status = RegistrationStatus(rawValue: query.status) else {
                throw ServiceRefusal.badRequest("status 须为 pending、approved 或 rejected")
            }
            filter.status = status
        }
        func day(_ raw: String, _ label: String) throws -> CivilDate? {
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return nil }
            guard let date = CivilDate(iso: trimmed) else { throw ServiceRefusal.badRequest("\(label)应为“YYYY-MM-DD”格式，如2026-11-20") }
            return date
        }
        let from = try day(query.from, "开始日期"), to = try day(query.to, "结束日期")
        if let from, let to, to < from { throw ServiceRefusal.badRequest("结束日期不能早于开始日期") }
        filter.since = from.map(Timestamp.chinaMidnight(of:))
        filter.until = to.map { Timestamp.chinaMidnight(of: $0.adding(days: 1)) }
        return filter
    }
}

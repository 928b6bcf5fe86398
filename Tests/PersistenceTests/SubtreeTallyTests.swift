import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

/// Migration 21's counts per subtree, on both backends: after every kind of write a figure
/// depends on, each org's figures read from the counts equal those counted from the rows.
@Suite("Subtree tallies")
struct SubtreeTallyTests {
    static let today = CivilDate(year: 2026, month: 11, day: 25)!

    /// The figures as counted from the members' rows (the queries the counts replaced).
    struct Counted: Equatable, CustomStringConvertible {
        var ages: [Int]
        var ethnicity: [String: Int]
        var education: [String: Int]
        var newMembers: [String: Int]

        var description: String { "ages \(ages) ethnicity \(ethnicity) education \(education) new \(newMembers)" }
    }

    static func counted(_ database: Database, _ org: Org) async throws -> Counted {
        let sql = database.sql
        let scope: SQLQueryString = """
            FROM org_ancestry x JOIN members m ON m.branch_id = x.descendant_id JOIN people p ON p.id = m.person_id
            LEFT JOIN person_profiles pp ON pp.person_id = m.person_id LEFT JOIN archives a ON a.member_id = m.person_id
            WHERE x.ancestor_id = \(bind: org.id.rawValue) AND m.removed_at IS NULL
            """
        var ages: [Int] = []
        for band in StatisticsRules.ageBandBounds(today: today) {
            var condition: SQLQueryString = "p.birth_date <= \(bind: band.latest.iso)"
            if let earliest = band.earliest { condition = "\(condition) AND p.birth_date > \(bind: earliest.iso)" }
            ages.append(try await sql.raw("SELECT COUNT(*) AS n \(scope) AND \(condition)").first()!.decode(column: "n", as: Int.self))
        }
        func distribution(_ column: String) async throws -> [String: Int] {
            var result: [String: Int] = [:]
            for row in try await sql.raw("SELECT COALESCE(pp.\(unsafeRaw: column), '未填写') AS v, COUNT(*) AS n \(scope) GROUP BY 1").all() {
                result[try row.decode(column: "v", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return result
        }
        var newMembers: [String: Int] = [:]
        let cutoff = MembershipRules.overAgeBirthCutoff(today: today).iso
        for row in try await sql.raw("""
            SELECT m.joined_on, CASE WHEN a.verified_version IS NOT NULL THEN 1 ELSE 0 END AS verified,
                   CASE WHEN a.state IS NULL OR a.state = 'not_uploaded' THEN 0 ELSE 1 END AS uploaded, COUNT(*) AS n
            \(scope) AND m.joined_on >= '2020-01-01'
              AND NOT (p.birth_date <= \(bind: cutoff) AND NOT EXISTS (SELECT 1 FROM cadre_posts c WHERE c.person_id = p.id))
            GROUP BY 1, 2, 3
            """).all() {
            let key = "\(try row.decode(column: "joined_on", as: String.self))|\(try row.decode(column: "verified", as: Int.self))|\(try row.decode(column: "uploaded", as: Int.self))"
            newMembers[key] = try row.decode(column: "n", as: Int.self)
        }
        return Counted(ages: ages, ethnicity: try await distribution("ethnicity"), education: try await distribution("education"), newMembers: newMembers)
    }

    /// The same figures as the repositories read them from the counts.
    static func tallied(_ database: Database, _ org: Org) async throws -> Counted {
        let statistics = SQLStatisticsRepository(database.sql)
        func dictionary(_ bars: [StatisticsBar]) -> [String: Int] { Dictionary(uniqueKeysWithValues: bars.map { ($0.label, $0.count) }) }
        var newMembers: [String: Int] = [:]
        for tally in try await SQLArchiveRepository(database.sql).tally(inSubtreeOf: org.path, today: today) {
            newMembers["\(tally.joinedOn.iso)|\(tally.identityVerified ? 1 : 0)|\(tally.archiveUploaded ? 1 : 0)"] = tally.members
        }
        return Counted(
            ages: try await statistics.ages(inSubtreeOf: org.path, bounds: StatisticsRules.ageBandBounds(today: today)).map(\.count),
            ethnicity: dictionary(try await statistics.distribution(of: .ethnicity, inSubtreeOf: org.path)),
            education: dictionary(try await statistics.distribution(of: .education, inSubtreeOf: org.path)),
            newMembers: newMembers)
    }

    static func expectSame(_ database: Database, _ tree: SeededTree, after step: String) async throws {
        for org in [tree.root, tree.province, tree.school, tree.zongzhi, tree.class1, tree.class2, tree.otherSchool, tree.otherBranch] {
            let counted = try await counted(database, org)
            let tallied = try await tallied(database, org)
            #expect(tallied == counted, "\(org.id) after \(step)")
        }
    }

    @Test("STA-1, ARC-9, MEM-6, MEM-7: after enrolment, profiles, archives, cadre posts, transfers, ID corrections and removals, the counts equal the rows' counts")
    func countsFollowEveryWrite() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            // Born 1997: over age on `today` (MEM-7) unless a cadre; m3 joined before 2020 (not new).
            try await tree.addMember(database, id: "m1", born: "19970101", seq: "101", branch: tree.class1, number: nil)
            try await tree.addMember(database, id: "m2", born: "20020315", seq: "102", branch: tree.class1, joined: "2021-05-04", number: nil)
            try await tree.addMember(database, id: "m3", born: "20030101", seq: "103", branch: tree.class2, joined: "2019-05-04", number: nil)
            try await tree.addMember(database, id: "m4", born: "19960505", seq: "104", branch: tree.otherBranch, joined: "2022-05-04", number: nil)
            try await tree.addMember(database, id: "m5", born: "19970202", seq: "105", branch: tree.class2, joined: "2023-05-04", number: nil)
            try await Self.expectSame(database, tree, after: "enrolment")
            let before = try await Self.tallied(database, tree.school)
            #expect(before.newMembers == ["2021-05-04|0|0": 1], "m1 and m5 are over age, m3 joined before 2020")
            #expect(before.ethnicity == ["未填写": 4])

            let records = SQLMemberRecordRepository(database.sql)
            try await records.saveProfile(PersonProfile(ethnicity: "汉族", education: "大学本科"), of: PersonID(rawValue: "m1")!, at: t0)
            try await records.saveProfile(PersonProfile(ethnicity: "回族", education: "大学本科"), of: PersonID(rawValue: "m1")!, at: t0)
            try await records.saveProfile(PersonProfile(education: "高中"), of: PersonID(rawValue: "m3")!, at: t0)
            try await Self.expectSame(database, tree, after: "profiles, one saved twice")
            #expect(try await Self.tallied(database, tree.school).ethnicity == ["回族": 1, "未填写": 3])

            try await database.sql.raw("""
                INSERT INTO archives (id, member_id, state, latest_version, resumes, pending_since, revision, created_at, updated_at)
                VALUES ('a-m2', 'm2', 'pending', 1, 'not_uploaded', \(bind: t0.text), 1, \(bind: t0.text), \(bind: t0.text))
                """).run()
            try await Self.expectSame(database, tree, after: "an upload")
            try await database.sql.raw("""
                UPDATE archives SET state = 'verified', verified_version = 1, resumes = NULL, pending_since = NULL, revision = 2 WHERE id = 'a-m2'
                """).run()
            try await Self.expectSame(database, tree, after: "a verification")
            #expect(try await Self.tallied(database, tree.root).newMembers == ["2021-05-04|1|1": 1])

            let cadres = SQLCadreRepository(database.sql)
            try await cadres.insert(CadrePost(personID: PersonID(rawValue: "m5")!, orgID: tree.class2.id, title: "书记"), at: t0)
            try await cadres.insert(CadrePost(personID: PersonID(rawValue: "m5")!, orgID: tree.zongzhi.id, title: "组织委员"), at: t0)
            try await Self.expectSame(database, tree, after: "two cadre posts of one person")
            #expect(try await Self.tallied(database, tree.class2).newMembers == ["2023-05-04|0|0": 1], "a cadre is never over age")

            let transfers = SQLTransferRepository(database.sql)
            try await transfers.moveMember(PersonID(rawValue: "m2")!, to: tree.class2.id)
            try await transfers.moveMember(PersonID(rawValue: "m4")!, to: tree.class1.id)
            try await Self.expectSame(database, tree, after: "transfers, one across schools")

            try await records.updateIdentity(of: PersonID(rawValue: "m1")!, name: "成员m1", idNumber: idNumber(born: "20040101", seq: "111"), at: t0)
            try await Self.expectSame(database, tree, after: "an ID number corrected to another birth date")
            #expect(try await Self.tallied(database, tree.class1).newMembers["2020-05-04|0|0"] == 1, "m1 is no longer over age")

            try await records.markRemoved(MemberRemovalRecord(
                personID: PersonID(rawValue: "m3")!, branchID: tree.class2.id, reason: "退团", removedBy: PersonID(rawValue: "m5")!, removedAt: t0))
            try await records.markRemoved(MemberRemovalRecord(
                personID: PersonID(rawValue: "m2")!, branchID: tree.class2.id, reason: "退团", removedBy: PersonID(rawValue: "m5")!, removedAt: t0))
            try await Self.expectSame(database, tree, after: "removals")
            #expect(try await Self.tallied(database, tree.class2).education["高中"] == nil, "the removed leave the counts")
        }
    }

    @Test("a count cannot go below zero, and a rolled-back write leaves the counts as they were")
    func countsAreGuarded() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            try await tree.addMember(database, id: "m1", born: "20020315", seq: "101", branch: tree.class1, number: nil)
            await #expect(throws: (any Error).self) {
                try await database.sql.raw("UPDATE subtree_tallies SET members = members - 2 WHERE ancestor_id = 'upc' AND facet = 'birth'").run()
            }
            await #expect(throws: (any Error).self) {
                try await database.write { repositories in
                    try await repositories.transfers.moveMember(PersonID(rawValue: "m1")!, to: tree.otherBranch.id)
                    throw CancellationError()
                }
            }
            try await Self.expectSame(database, tree, after: "a refused change and a rolled-back transfer")
            #expect(try await Self.tallied(database, tree.school).ages.reduce(0, +) == 1)
        }
    }

    /// GRA-4's progress and RCT-1's figures as counted from the orgs and their entries (the
    /// queries and the fold the counts replaced).
    static func countedOrgs(_ database: Database, _ org: Org, year: Int, foundedBy: CivilDate) async throws -> (GradingProgress, RectificationCounts) {
        let sql = database.sql
        let categories = GradingRules.gradedCategories
        let grading = try await sql.raw("""
            SELECT COUNT(*) AS orgs,
                   COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM grading_entries e WHERE e.org_id = o.id AND e.year = \(literal: year) AND e.kind = 'self') THEN 1 ELSE 0 END), 0) AS s,
                   COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM grading_entries e WHERE e.org_id = o.id AND e.year = \(literal: year) AND e.kind = 'review') THEN 1 ELSE 0 END), 0) AS r,
                   COALESCE(SUM(CASE WHEN (SELECT e.grade FROM grading_entries e WHERE e.org_id = o.id AND e.year = \(literal: year) AND e.kind = 'review'
                                           ORDER BY e.seq DESC LIMIT 1) = 'not_graded' THEN 1 ELSE 0 END), 0) AS n
            FROM org_ancestry x JOIN orgs o ON o.id = x.descendant_id LEFT JOIN org_foundings f ON f.org_id = o.id
            WHERE x.ancestor_id = \(bind: org.id.rawValue) AND o.id <> \(bind: org.id.rawValue) AND o.deleted_at IS NULL
              AND o.category IN (\(binds: categories.map(\.rawValue))) AND COALESCE(f.founded_on, substr(o.created_at, 1, 10)) <= \(bind: foundedBy.iso)
            """).first()!
        let progress = GradingProgress(
            orgs: try grading.decode(column: "orgs", as: Int.self), selfGraded: try grading.decode(column: "s", as: Int.self),
            reviewed: try grading.decode(column: "r", as: Int.self), notGraded: try grading.decode(column: "n", as: Int.self))
        var byStatus: [RectificationStatus: Int] = [:]
        var unassessed = 0, key = 0
        for record in try await SQLRectificationRepository(sql).subtree(of: org.id, year: year) {
            let state = record.record.state
            if let status = state.status { byStatus[status, default: 0] += 1 } else { unassessed += 1 }
            if state.underKeyRectification { key += 1 }
        }
        return (progress, RectificationCounts(byStatus: byStatus, unassessed: unassessed, underKey: key))
    }

    static func expectSameOrgs(_ database: Database, _ orgs: [Org], year: Int, foundedBy: CivilDate, after step: String) async throws {
        for org in orgs {
            let (progress, rectification) = try await countedOrgs(database, org, year: year, foundedBy: foundedBy)
            let tallied = try await SQLGradingRepository(database.sql).progress(
                below: org.path, year: year, categories: GradingRules.gradedCategories, foundedBy: foundedBy)
            #expect(tallied == progress, "\(org.id) grading after \(step)")
            #expect(try await SQLStatisticsRepository(database.sql).rectification(inSubtreeOf: org.path, year: year) == rectification,
                    "\(org.id) rectification after \(step)")
        }
        #expect(try await SQLStatisticsRepository(database.sql).tallyDrift(limit: 10) == [], "after \(step)")
    }

    @Test("GRA-4, RCT-1: after grading entries, founding days, rectification entries and a deletion, the org counts equal the rows' counts and the fold")
    func orgCountsFollowEveryWrite() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let orgs = [tree.root, tree.province, tree.school, tree.zongzhi, tree.class1, tree.class2, tree.otherSchool, tree.otherBranch]
            let admin = try await tree.addMember(database, id: "p1", seq: "101", branch: tree.class1, number: nil)
            // The tree was created on 2026-11-25 (t0).
            let cutoff = CivilDate(year: 2026, month: 12, day: 1)!
            try await Self.expectSameOrgs(database, orgs, year: 2026, foundedBy: cutoff, after: "the tree")

            func grade(_ id: String, _ org: Org, seq: Int, kind: String, grade: String) async throws {
                try await database.sql.raw("""
                    INSERT INTO grading_entries (id, org_id, year, seq, kind, grade, acting_org_id, person_id, recorded_at)
                    VALUES (\(bind: id), \(bind: org.id.rawValue), 2026, \(literal: seq), \(bind: kind), \(bind: grade), \(bind: org.id.rawValue), 'p1', \(bind: t0.text))
                    """).run()
            }
            try await grade("g1", tree.class1, seq: 1, kind: "self", grade: "four_stars")
            try await grade("g2", tree.class1, seq: 2, kind: "review", grade: "not_graded")
            try await grade("g3", tree.class2, seq: 1, kind: "self", grade: "three_stars")
            try await grade("g4", tree.class1, seq: 3, kind: "self", grade: "three_stars")
            try await grade("g5", tree.class1, seq: 4, kind: "review", grade: "three_stars")
            try await Self.expectSameOrgs(database, orgs, year: 2026, foundedBy: cutoff, after: "self-grades and reviews")
            #expect(try await SQLGradingRepository(database.sql).progress(
                below: tree.zongzhi.path, year: 2026, categories: GradingRules.gradedCategories, foundedBy: cutoff)
                == GradingProgress(orgs: 2, selfGraded: 2, reviewed: 1, notGraded: 0), "the latest review counts")

            // A founding day after the cutoff takes the branch out of scope (GRA-1).
            try await SQLGradingRepository(database.sql).recordFounding(of: tree.class2.id, on: CivilDate(year: 2026, month: 12, day: 5)!)
            try await Self.expectSameOrgs(database, orgs, year: 2026, foundedBy: cutoff, after: "a founding day")
            #expect(try await SQLGradingRepository(database.sql).progress(
                below: tree.zongzhi.path, year: 2026, categories: GradingRules.gradedCategories, foundedBy: cutoff)
                == GradingProgress(orgs: 1, selfGraded: 1, reviewed: 1, notGraded: 0), "founded after the cutoff: out of scope")

            let rectification = SQLRectificationRepository(database.sql)
            try await rectification.append("r1", org: tree.class1.id, year: 2026, seq: 1, entry: .submit(poor: 1, month: 11, byParent: false),
                                           ratings: [.poor, .good], actingOrg: tree.class1.id, person: admin.personID, at: t0)
            try await rectification.append("r2", org: tree.class1.id, year: 2026, seq: 2, entry: .approve, ratings: nil,
                                           actingOrg: tree.zongzhi.id, person: admin.personID, at: t0)
            try await rectification.append("r3", org: tree.class2.id, year: 2026, seq: 1, entry: .markKey, ratings: nil,
                                           actingOrg: tree.zongzhi.id, person: admin.personID, at: t0)
            try await rectification.append("r4", org: tree.otherBranch.id, year: 2025, seq: 1, entry: .markKey, ratings: nil,
                                           actingOrg: tree.otherSchool.id, person: admin.personID, at: t0)
            try await Self.expectSameOrgs(database, orgs, year: 2026, foundedBy: cutoff, after: "rectification entries")
            #expect(try await SQLStatisticsRepository(database.sql).rectification(inSubtreeOf: tree.province.path, year: 2026)
                    == RectificationCounts(byStatus: [.basicallyQualified: 1], unassessed: 2, underKey: 1))

            try await SQLOrgAdministrationRepository(database.sql).markDeleted(tree.class2.id, by: admin.personID, at: t0)
            try await Self.expectSameOrgs(database, orgs, year: 2026, foundedBy: cutoff, after: "a deleted branch")
            let extra = try tree.zongzhi.child(id: OrgID(rawValue: "upc-z-3")!, name: "2020级3班团支部", category: .branch)
            try await SQLOrgRepository(database.sql).insert(extra, at: t0)
            try await Self.expectSameOrgs(database, orgs + [extra], year: 2026, foundedBy: cutoff, after: "a new branch")
            try await Self.expectSameOrgs(database, orgs, year: 2025, foundedBy: cutoff, after: "everything, for the year before")
        }
    }

    /// Two writers that lock two members (and their subtree counts) in opposite orders. The time
    /// limit only guards against a hang: under the full parallel suite a test here takes minutes.
    actor Handshake {
        var runs = 0
        var waiting: [String: CheckedContinuation<Void, Never>] = [:]
        var arrived: Set<String> = []

        func run() -> Int { runs += 1; return runs }
        func signal(_ name: String) {
            arrived.insert(name)
            waiting.removeValue(forKey: name)?.resume()
        }
        func wait(_ name: String) async {
            if arrived.contains(name) { return }
            await withCheckedContinuation { waiting[name] = $0 }
        }
    }

    @Test("PostgreSQL: the victim of a deadlock between two writers runs again, and both commit", .timeLimit(.minutes(10)))
    func deadlockVictimRunsAgain() async throws {
        try await TestDatabase.withMigrated { database in
            // SQLite serialises writers (BEGIN IMMEDIATE): no deadlock to break.
            guard database.flavor == .postgres else { return }
            let tree = try await SeededTree(in: database)
            let m1 = try await tree.addMember(database, id: "m1", seq: "101", branch: tree.class1, number: nil)
            let m2 = try await tree.addMember(database, id: "m2", born: "20030505", seq: "102", branch: tree.otherBranch, joined: "2021-05-04", number: nil)
            // Different values everywhere, so the two share no count: each first takes only its
            // own rows (two writers sharing a count wait for each other instead, no deadlock).
            let records = SQLMemberRecordRepository(database.sql)
            try await records.saveProfile(PersonProfile(ethnicity: "汉族", education: "大学本科"), of: m1.personID, at: t0)
            try await records.saveProfile(PersonProfile(ethnicity: "回族", education: "高中"), of: m2.personID, at: t0)
            let handshake = Handshake()
            async let first: Void = database.write { r in
                let firstRun = await handshake.run() <= 2
                try await r.transfers.moveMember(m1.personID, to: tree.class2.id)
                if firstRun { await handshake.signal("first"); await handshake.wait("second") }
                try await r.transfers.moveMember(m2.personID, to: tree.class2.id)
            }
            async let second: Void = database.write { r in
                let firstRun = await handshake.run() <= 2
                if firstRun { await handshake.wait("first") }
                try await r.transfers.moveMember(m2.personID, to: tree.class1.id)
                if firstRun { await handshake.signal("second") }
                try await r.transfers.moveMember(m1.personID, to: tree.class1.id)
            }
            _ = try await (first, second)
            #expect(await handshake.runs == 3, "one of the two ran again")
            let branches = try await [m1, m2].asyncMap { try await SQLMemberRepository(database.sql).find($0.personID)?.member.branchID }
            #expect(branches[0] == branches[1], "the later commit moved both")
            #expect(try await SQLStatisticsRepository(database.sql).tallyDrift(limit: 10) == [])
        }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

/// 对标定级 through the API (issue 11 item 1, GRA-1 … GRA-5), on SQLite and PostgreSQL alike.
@Suite("Grading API (GRA-1 … GRA-5)")
struct GradingAPITests {
    static let accounts = try! DemoAccounts.load()
    static func year(_ org: String) -> String { "/api/v1/orgs/\(org)/grading/2026" }
    static let reviews = "/api/v1/orgs/upc-cs/grading/2026/reviews"
    static let subordinates = "/api/v1/orgs/upc-cs/grading/2026/subordinates"

    func items(_ response: TestResponse) throws -> [String: [String: Any]] {
        let list = (try response.json()["items"] as? [[String: Any]]) ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["orgId"] as! String, $0) })
    }

    @Test("GRA-1, GRA-3, GRA-4, GRA-5, OPC-1: a branch grades itself against the year's criteria and changes it 3 times (the committee's operation centre counts it); the upper committee reviews all or none, 不予定级 lets the branch re-grade (highlighted), and a review locks the self-grade")
    func year() async throws {
        try await withDemoApp { client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            let shown = try await client.get(Self.year("upc-cs-2020-1"), token: branch)
            #expect(shown.status == .ok, "\(String(buffer: shown.body))")
            let page = try shown.json()
            #expect((page["criteria"] as? [[String: Any]])?.count == 8)
            #expect((page["criteria"] as? [[String: Any]])?.first?["dimension"] as? String == "班子建设")
            #expect(page["grades"] as? [String] == ["五星", "四星", "三星", "二星", "一星", "不予定级"])
            #expect(page["inScope"] as? Bool == true)
            #expect(page["changesLeft"] as? Int == 3)
            #expect(page["lockAt"] as? String == "2026-12-31T12:00:00+08:00")

            for (grade, left) in [("三星", 3), ("四星", 2), ("五星", 1), ("四星", 0)] {
                let graded = try await client.sendJSON(.put, Self.year("upc-cs-2020-1") + "/self", ["grade": grade], token: branch)
                #expect(graded.status == .ok, "\(String(buffer: graded.body))")
                #expect(try graded.json()["selfGrade"] as? String == grade)
                #expect(try graded.json()["changesLeft"] as? Int == left)
            }
            let fifth = try await client.sendJSON(.put, Self.year("upc-cs-2020-1") + "/self", ["grade": "五星"], token: branch)
            #expect(fifth.status == .conflict)
            #expect(fifth.errorCode == "grading_changes_exhausted")
            let bad = try await client.sendJSON(.put, Self.year("upc-cs-2020-1") + "/self", ["grade": "六星"], token: branch)
            #expect(bad.status == .badRequest)
            let nextYear = try await client.sendJSON(.put, "/api/v1/orgs/upc-cs-2020-1/grading/2027/self", ["grade": "五星"], token: branch)
            #expect(nextYear.errorCode == "grading_not_current_year")
            // Only the org's own admin grades it.
            let sibling = try await client.login(Self.accounts["sibling_branch_admin"])
            #expect(try await client.sendJSON(.put, Self.year("upc-cs-2020-1") + "/self", ["grade": "五星"], token: sibling).status == .notFound)

            let committee = try await client.login(Self.accounts["committee_admin"])
            // OPC-1: the operation centre counts it under its type.
            let counts = (try await client.get("/api/v1/inbox/counts", token: committee).json()["items"] as? [[String: Any]]) ?? []
            #expect(counts.first { $0["type"] as? String == "grading_review" }?["count"] as? Int == 1)
            #expect(counts.first { $0["type"] as? String == "grading_review" }?["typeName"] as? String == "对标定级复核")
            #expect(counts.count == 8, "one count per type of item")
            let inbox = try await client.get("/api/v1/inbox?type=grading_review", token: committee).json()
            #expect(((inbox["items"] as? [[String: Any]])?.first?["grading"] as? [String: Any])?["grade"] as? String == "四星")
            var listed = try items(try await client.get(Self.subordinates, token: committee))
            #expect(Set(listed.keys) == ["upc-cs-2020", "upc-cs-2020-1", "upc-cs-2020-2"], "团(总)支部 only, no 团委")
            #expect(listed["upc-cs-2020-1"]?["selfGrade"] as? String == "四星")
            #expect(listed["upc-cs-2020-1"]?["awaitsReview"] as? Bool == true)
            #expect(listed["upc-cs-2020-2"]?["selfGrade"] == nil, "not graded: no selfGrade")

            // All or none: 2班 has not graded itself, so 1班 is not reviewed either.
            let mixed = try await client.sendJSON(.post, Self.reviews, ["orgIds": ["upc-cs-2020-1", "upc-cs-2020-2"], "grade": "四星"], token: committee)
            #expect(mixed.status == .conflict)
            #expect(mixed.errorCode == "grading_not_self_graded")
            #expect(String(buffer: mixed.body).contains("计算机学院2020级2班团支部"))
            listed = try items(try await client.get(Self.subordinates, token: committee))
            #expect(listed["upc-cs-2020-1"]?["review"] == nil, "nothing reviewed")

            let notGraded = try await client.sendJSON(.post, Self.reviews, ["orgIds": ["upc-cs-2020-1"], "grade": "不予定级"], token: committee)
            #expect(notGraded.status == .ok, "\(String(buffer: notGraded.body))")
            #expect(try items(notGraded)["upc-cs-2020-1"]?["keyRectification"] as? Bool == true)
            let regraded = try await client.sendJSON(.put, Self.year("upc-cs-2020-1") + "/self", ["grade": "二星"], token: branch)
            #expect(regraded.status == .ok, "\(String(buffer: regraded.body))")
            #expect(try regraded.json()["changesLeft"] as? Int == 3)
            listed = try items(try await client.get(Self.subordinates, token: committee))
            #expect(listed["upc-cs-2020-1"]?["regraded"] as? Bool == true)
            #expect(listed["upc-cs-2020-1"]?["selfGrade"] as? String == "二星")

            let reviewed = try await client.sendJSON(.post, Self.reviews, ["orgIds": ["upc-cs-2020-1"], "grade": "二星"], token: committee)
            #expect(reviewed.status == .ok)
            let locked = try await client.sendJSON(.put, Self.year("upc-cs-2020-1") + "/self", ["grade": "三星"], token: branch)
            #expect(locked.status == .conflict)
            #expect(locked.errorCode == "grading_reviewed")
            // The committee changes its review.
            let changed = try await client.sendJSON(.post, Self.reviews, ["orgIds": ["upc-cs-2020-1"], "grade": "三星"], token: committee)
            #expect(try items(changed)["upc-cs-2020-1"]?["review"] as? String == "三星")
            let after = try await client.get(Self.year("upc-cs-2020-1"), token: branch).json()
            #expect(after["review"] as? String == "三星")
            #expect(after["selfGrade"] as? String == "二星")
            #expect(after["changesLeft"] as? Int == 0)
            let subtree = try await client.get(Self.subordinates, token: committee).json()["subtree"] as? [String: Int]
            #expect(subtree == ["orgs": 3, "selfGraded": 1, "reviewed": 1, "notGraded": 0])
        }
    }

    @Test("GRA-4: only the direct upper committee reviews: not the 团总支 above the branch, not a committee further up, not another school; a 团委 is not reviewed")
    func whoReviews() async throws {
        try await withDemoApp { client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            #expect(try await client.sendJSON(.put, Self.year("upc-cs-2020-1") + "/self", ["grade": "五星"], token: branch).status == .ok)
            let body: [String: Any] = ["orgIds": ["upc-cs-2020-1"], "grade": "五星"]
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            #expect(try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020/grading/2026/reviews", body, token: zongzhi).status == .notFound)
            let province = try await client.login(Self.accounts["province_admin"])
            #expect(try await client.sendJSON(.post, Self.reviews, body, token: province).status == .forbidden)
            #expect(try await client.sendJSON(.post, "/api/v1/orgs/sd/grading/2026/reviews", body, token: province).status == .notFound)
            let other = try await client.login(Self.accounts["other_school_admin"])
            #expect(try await client.sendJSON(.post, Self.reviews, body, token: other).status == .notFound)
            #expect(try await client.get(Self.subordinates, token: other).status == .notFound)
            #expect(try await client.get(Self.year("upc-cs-2020-1"), token: other).status == .notFound)
            // The province sees the progress of every level below it; the count is the demo tree's own.
            let sd = OrgPath(encoded: "/tzy/sd/")!
            let expected = DemoDataSet.make().orgs.filter {
                $0.path.isWithin(sd) && $0.id.rawValue != "sd" && [OrgCategory.branch, .generalBranch].contains($0.category)
            }.count
            let progress = try await client.get("/api/v1/orgs/sd/grading/2026/subordinates", token: province)
            #expect(progress.status == .ok)
            #expect(try progress.json()["subtree"] as? [String: Int] == ["orgs": expected, "selfGraded": 1, "reviewed": 0, "notGraded": 0])
            #expect(expected >= 4)
            let committee = try await client.login(Self.accounts["committee_admin"])
            let ownCommittee = try await client.sendJSON(.post, "/api/v1/orgs/upc/grading/2026/reviews", ["orgIds": ["upc-cs"], "grade": "五星"], token: committee)
            #expect(ownCommittee.status == .forbidden)
        }
    }

    @Test("GRA-2: a branch founded today is not graded yet; the answer says why")
    func foundedRecently() async throws {
        try await withDemoApp { client in
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            let draft: [String: Any] = [
                "shortName": "计算机学院2020级9班团支部", "category": "branch", "industryCategory": "普通高等学校",
                "fullName": "共青团中国石油大学（华东）计算机科学与技术学院2020级9班团支部",
            ]
            let created = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020/children", draft, token: zongzhi)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let id = try #require(try created.json()["id"] as? String)
            let page = try await client.get(Self.year(id), token: zongzhi).json()
            #expect(page["inScope"] as? Bool == false)
            #expect((page["outOfScopeReason"] as? String)?.contains("成立6个月以内") == true)
            let committee = try await client.login(Self.accounts["committee_admin"])
            let listed = try items(try await client.get(Self.subordinates, token: committee))
            #expect(listed[id]?["inScope"] as? Bool == false)
            #expect(listed["upc-cs-2020-1"]?["inScope"] as? Bool == true)
            let refused = try await client.sendJSON(.put, Self.year(id) + "/self", ["grade": "五星"], token: zongzhi)
            #expect(refused.status == .forbidden, "the 团总支 does not grade its branch")
        }
    }

    @Test("GRA-4: at 12-31 12:00 China time the year locks: a review at 11:59 counts, one at 12:00 is refused; the calendar sweep records the lock once")
    func lockAtNoon() async throws {
        let beforeNoon = try #require(parseInstant("2026-12-31T11:59:00+08:00"))
        let clock = FixedTimeSource(beforeNoon)
        try await withDemoApp(clock: clock, setup: nil) { environment, client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            #expect(try await client.sendJSON(.put, Self.year("upc-cs-2020-1") + "/self", ["grade": "四星"], token: branch).status == .ok)
            let committee = try await client.login(Self.accounts["committee_admin"])
            let body: [String: Any] = ["orgIds": ["upc-cs-2020-1"], "grade": "四星"]
            #expect(try await client.sendJSON(.post, Self.reviews, body, token: committee).status == .ok)
            #expect(try await runCalendarRules(config: environment.config, at: beforeNoon, logger: TestDatabase.logger).gradingYearsLocked == 0)

            clock.advance(seconds: 60)
            let late = try await client.sendJSON(.post, Self.reviews, ["orgIds": ["upc-cs-2020-1"], "grade": "三星"], token: committee)
            #expect(late.status == .conflict)
            #expect(late.errorCode == "grading_year_locked")
            #expect(try await client.get(Self.year("upc-cs-2020-1"), token: branch).json()["locked"] as? Bool == true)
            let noon = beforeNoon.adding(seconds: 60)
            #expect(try await runCalendarRules(config: environment.config, at: noon, logger: TestDatabase.logger).gradingYearsLocked == 1)
            #expect(try await runCalendarRules(config: environment.config, at: noon.adding(seconds: 3600), logger: TestDatabase.logger).gradingYearsLocked == 0)
            let listed = try items(try await client.get(Self.subordinates, token: committee))
            #expect(listed["upc-cs-2020-1"]?["review"] as? String == "四星")
        }
    }
}

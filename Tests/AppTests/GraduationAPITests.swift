import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

/// Graduation through the API (issue 10, GRD-1 … GRD-6): marking, correcting, delaying, the
/// June-1 conversion from the database, and the graduate org that closes when its members leave.
@Suite("Graduation API (GRD-1 … GRD-6)")
struct GraduationAPITests {
    static let accounts = try! DemoAccounts.load()
    static let marks = "/api/v1/orgs/upc-cs-2020/graduation-marks"

    func items(_ response: TestResponse) throws -> [[String: Any]] {
        (try response.json()["items"] as? [[String: Any]]) ?? []
    }

    @Test("GRD-1, GRD-2, GRD-3: the 团总支 marks several branches with one month; a second mark is refused; the provincial committee corrects; a branch admin and a month-and-reason are refused")
    func marking() async throws {
        try await withDemoApp { client in
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            let listed = try items(try await client.get(Self.marks, token: zongzhi))
            #expect(Set(listed.compactMap { $0["id"] as? String }) == ["upc-cs-2020-1", "upc-cs-2020-2"])
            #expect(listed.allSatisfy { $0["status"] as? String == "未标注" })

            let marked = try await client.sendJSON(.post, Self.marks, ["branchIds": ["upc-cs-2020-1", "upc-cs-2020-2"], "month": "2027-06"], token: zongzhi)
            #expect(marked.status == .ok, "\(String(buffer: marked.body))")
            #expect(try items(marked).map { $0["month"] as? String } == ["2027-06", "2027-06"])

            let again = try await client.sendJSON(.post, Self.marks, ["branchIds": ["upc-cs-2020-1"], "month": "2027-07"], token: zongzhi)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "graduation_mark_final")
            #expect(String(buffer: again.body).contains("省级团委"))

            let both = try await client.sendJSON(.post, Self.marks, ["branchIds": ["upc-cs-2020-1"], "month": "2027-07", "reason": "待定"], token: zongzhi)
            #expect(both.status == .unprocessableContent)
            #expect(both.errorCode == "mark_needs_month_or_reason")

            let branch = try await client.login(Self.accounts["branch_admin"])
            let byBranch = try await client.sendJSON(.post, Self.marks, ["branchIds": ["upc-cs-2020-1"], "month": "2027-06"], token: branch)
            #expect(byBranch.status == .forbidden)

            let province = try await client.login(Self.accounts["province_admin"])
            let corrected = try await client.sendJSON(.post, Self.marks, ["branchIds": ["upc-cs-2020-1"], "month": "2027-07"], token: province)
            #expect(corrected.status == .ok, "\(String(buffer: corrected.body))")
            #expect(try items(corrected).first?["markRevision"] as? Int == 2)
            let now = try items(try await client.get(Self.marks, token: zongzhi))
            #expect(now.first { $0["id"] as? String == "upc-cs-2020-1" }?["month"] as? String == "2027-07")
        }
    }

    @Test("GRD-4, GRD-5: on June 1 (not May 31) the marked branches become graduate orgs and their members graduates, except a delayed one; a second run converts nothing; revoking a delay restores the branch's month")
    func juneFirst() async throws {
        try await withDemoApp(clock: FixedTimeSource(testNow), setup: nil) { environment, client in
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            let marked = try await client.sendJSON(.post, Self.marks, ["branchIds": ["upc-cs-2020-1"], "month": "2027-06"], token: zongzhi)
            #expect(marked.status == .ok)
            let old = Self.accounts["member_old"].memberId!
            let newer = Self.accounts["member_new_2"].memberId!
            let early = try await client.sendJSON(.post, "/api/v1/members/\(old)/delayed-graduation", ["month": "2027-06", "reason": "延长学制"], token: zongzhi)
            #expect(early.status == .unprocessableContent)
            #expect(early.errorCode == "delay_not_later")
            let delayed = try await client.sendJSON(.post, "/api/v1/members/\(old)/delayed-graduation", ["month": "2028-06", "reason": "延长学制"], token: zongzhi)
            #expect(delayed.status == .created, "\(String(buffer: delayed.body))")
            let twice = try await client.sendJSON(.post, "/api/v1/members/\(old)/delayed-graduation", ["month": "2028-07", "reason": "再次"], token: zongzhi)
            #expect(twice.errorCode == "delay_exists")
            // A second delay revoked again: the member graduates with the branch.
            #expect(try await client.sendJSON(.post, "/api/v1/members/\(newer)/delayed-graduation", ["month": "2028-01", "reason": "休学"], token: zongzhi).status == .created)
            #expect(try await client.execute(uri: "/api/v1/members/\(newer)/delayed-graduation", method: .delete, headers: [.authorization: "Bearer \(zongzhi)"]).status == .noContent)
            #expect(try await client.get("/api/v1/members/\(newer)/delayed-graduation", token: zongzhi).status == .notFound)

            let branch = try await client.login(Self.accounts["branch_admin"])
            let byBranch = try await client.sendJSON(.post, "/api/v1/members/\(newer)/delayed-graduation", ["month": "2028-01", "reason": "x"], token: branch)
            #expect(byBranch.status == .forbidden)

            let members = try items(try await client.get("/api/v1/orgs/upc-cs-2020-1/members?limit=100", token: zongzhi)).count
            let may31 = try #require(parseInstant("2027-05-31T23:59:59+08:00"))
            let before = try await runCalendarRules(config: environment.config, at: may31, logger: TestDatabase.logger)
            #expect(before.branchesGraduated == 0 && before.membersGraduated == 0)
            let june1 = try #require(parseInstant("2027-06-01T00:00:00+08:00"))
            let converted = try await runCalendarRules(config: environment.config, at: june1, logger: TestDatabase.logger)
            #expect(converted.branchesGraduated == 1)
            #expect(converted.membersGraduated == members - 1, "everyone but the delayed member")
            let again = try await runCalendarRules(config: environment.config, at: june1.adding(seconds: 3600), logger: TestDatabase.logger)
            #expect(again.branchesGraduated == 0 && again.membersGraduated == 0)
            let listed = try items(try await client.get(Self.marks, token: zongzhi))
            let class1 = try #require(listed.first { $0["id"] as? String == "upc-cs-2020-1" })
            #expect(class1["graduatedYear"] as? Int == 2027)
            #expect(class1["status"] as? String == "毕业生团组织")

            // The delayed member graduates on their own June 1; marking a graduate is refused.
            let next = try await runCalendarRules(config: environment.config, at: june1.adding(seconds: 366 * 86_400), logger: TestDatabase.logger)
            #expect(next.membersGraduated == 1)
            #expect(try await client.execute(uri: "/api/v1/members/\(old)/delayed-graduation", method: .delete, headers: [.authorization: "Bearer \(zongzhi)"]).status == .noContent)
            let late = try await client.sendJSON(.post, "/api/v1/members/\(old)/delayed-graduation", ["month": "2029-06", "reason": "再延"], token: zongzhi)
            #expect(late.errorCode == "already_graduated")
        }
    }

    @Test("GRD-6: a graduate org still transfers its members; when the last one has left it is closed, kept and marked deleted")
    func graduateOrgCloses() async throws {
        try await withDemoApp(clock: FixedTimeSource(testNow), setup: nil) { environment, client in
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            let draft: [String: Any] = [
                "shortName": "计算机学院2020级9班团支部", "category": "branch", "industryCategory": "普通高等学校",
                "fullName": "共青团中国石油大学（华东）计算机科学与技术学院2020级9班团支部",
            ]
            let created = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020/children", draft, token: zongzhi)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let branchID = try #require(try created.json()["id"] as? String)
            var body = newMemberBody(idNumber: IDNumber.completing("37021120040506457"), number: "2019370299901")
            body["joinedOn"] = "2019-05-04"
            let entered = try await client.sendJSON(.post, "/api/v1/orgs/\(branchID)/members", body, token: zongzhi)
            #expect(entered.status == .created, "\(String(buffer: entered.body))")
            let memberID = try #require(try entered.json()["id"] as? String)
            #expect(try await client.sendJSON(.post, Self.marks, ["branchIds": [branchID], "month": "2026-06"], token: zongzhi).status == .ok)
            let converted = try await runCalendarRules(config: environment.config, at: testNow, logger: TestDatabase.logger)
            #expect(converted.branchesGraduated == 1, "a mark of a past year converts at once: the sweep catches up")

            let moved = try await client.sendJSON(
                .post, "/api/v1/transfers", ["kind": "batch", "memberIds": [memberID], "toOrgId": "upc-cs-2020-2", "reason": "毕业生转入2班"],
                token: zongzhi)
            #expect(moved.status == .created, "\(String(buffer: moved.body))")
            #expect(try await client.get("/api/v1/orgs/\(branchID)", token: zongzhi).status == .notFound, "closed: no longer a live org")
            // Kept: the transfer still names where the member came from.
            let transfer = try moved.json()
            let from = ((transfer["items"] as? [[String: Any]])?.first?["from"] as? [String: Any])?["id"] as? String
            #expect(from == branchID)
            let history = try items(try await client.get("/api/v1/members/\(memberID)/transfers", token: zongzhi))
            #expect((history.first?["from"] as? [String: Any])?["name"] as? String == "计算机学院2020级9班团支部")
        }
    }
}

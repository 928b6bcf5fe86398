import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

/// 年度团籍注册 and 年度团籍注册审批 through the API (issue 11 item 3, ACT-1, OPC-1).
@Suite("Annual registration API (ACT-1)")
struct RegistrationAPITests {
    static let accounts = try! DemoAccounts.load()
    static let branchList = "/api/v1/orgs/upc-cs-2020-1/registrations"

    func names(_ client: any TestClientProtocol, _ query: String, token: String) async throws -> [String] {
        let answer = try await client.get(Self.branchList + query, token: token)
        #expect(answer.status == .ok, "\(query): \(String(buffer: answer.body))")
        return ((try answer.json()["items"] as? [[String: Any]]) ?? []).compactMap { $0["memberName"] as? String }
    }

    @Test("ACT-1: a member reports a year once at a time; the branch admin sends it back with a reason and approves the second report; approved is final; nobody else reports or decides")
    func submitDecide() async throws {
        try await withDemoApp { client in
            let oldID = Self.accounts["member_old"].memberId!
            let member = try await client.login(Self.accounts["member_old"])
            let branch = try await client.login(Self.accounts["branch_admin"])
            let sibling = try await client.login(Self.accounts["sibling_branch_admin"])
            let mine = "/api/v1/members/\(oldID)/registrations"

            let created = try await client.sendJSON(.post, mine, ["year": 2026, "summary": "按时参加组织生活，交纳团费。"], token: member)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let first = try created.json()
            let firstID = try #require(first["id"] as? String)
            #expect(first["status"] as? String == "pending")
            #expect(first["statusName"] as? String == "待审批")
            #expect(first["revision"] as? Int == 1)

            let twice = try await client.sendJSON(.post, mine, ["year": 2026, "summary": "又交一次"], token: member)
            #expect(twice.status == .conflict)
            #expect(twice.errorCode == "registration_pending")
            let closed = try await client.sendJSON(.post, mine, ["year": 2024, "summary": "补交"], token: member)
            #expect(closed.status == .unprocessableContent)
            #expect(closed.errorCode == "registration_year_closed")
            #expect(try await client.sendJSON(.post, mine, ["year": 2025, "summary": " "], token: member).errorCode == "registration_summary_required")
            #expect(try await client.sendJSON(.post, mine, ["year": 2026, "summary": "代交"], token: branch).status == .forbidden, "only the member reports")

            let decision = "/api/v1/registrations/\(firstID)/decision"
            #expect(try await client.sendJSON(.post, decision, ["approve": false], token: branch).errorCode == "reason_required")
            #expect(try await client.sendJSON(.post, decision, ["approve": true], token: sibling).status == .notFound)
            #expect(try await client.sendJSON(.post, decision, ["approve": true], token: member).status == .forbidden)
            let sentBack = try await client.sendJSON(.post, decision, ["approve": false, "reason": "请补充志愿服务情况"], token: branch)
            #expect(sentBack.status == .ok)
            #expect(try sentBack.json()["status"] as? String == "rejected")
            #expect(try await client.sendJSON(.post, decision, ["approve": true], token: branch).errorCode == "registration_not_pending")

            let second = try await client.sendJSON(.post, mine, ["year": 2026, "summary": "补充：参加社区志愿服务20小时。"], token: member).json()
            #expect(second["revision"] as? Int == 2)
            let secondID = try #require(second["id"] as? String)
            #expect(try await client.sendJSON(.post, "/api/v1/registrations/\(secondID)/decision", ["approve": true], token: branch).status == .ok)
            #expect(try await client.sendJSON(.post, mine, ["year": 2026, "summary": "再改"], token: member).errorCode == "registration_approved")

            // The member's history keeps both submissions, the sent-back one with its reason.
            let history = try await client.get(mine, token: member).json()
            let items = try #require(history["items"] as? [[String: Any]])
            #expect(items.map { $0["status"] as? String } == ["approved", "rejected"])
            #expect(items.last?["reason"] as? String == "请补充志愿服务情况")
            #expect(history["openYears"] as? [Int] == [2025, 2026])
            #expect(try await client.get(mine, token: sibling).status == .notFound)
        }
    }

    @Test("ACT-1 年度团籍注册审批: filtered by name, status and period in the query; the list is the branch's own and paged")
    func approvalList() async throws {
        let clock = FixedTimeSource(Timestamp(text: "2026-11-20T02:00:00.000Z")!)
        try await withDemoApp(clock: clock) { client in
            // Two members of 1班 report on different days (China time 11-20 and 11-25).
            let old = try await client.login(Self.accounts["member_old"])
            _ = try await client.sendJSON(.post, "/api/v1/members/\(Self.accounts["member_old"].memberId!)/registrations", ["year": 2026, "summary": "一"], token: old)
            clock.advance(seconds: 5 * 86_400)
            let branch = try await client.login(Self.accounts["branch_admin"])
            let committee = try await client.login(Self.accounts["committee_admin"])
            let sibling = try await client.login(Self.accounts["sibling_branch_admin"])
            let new = try await client.login(Self.accounts["member_new"])
            let newer = try await client.sendJSON(.post, 
                "/api/v1/members/\(Self.accounts["member_new"].memberId!)/registrations", ["year": 2026, "summary": "二"], token: new
            ).json()
            _ = try await client.sendJSON(.post, "/api/v1/registrations/\(newer["id"] as! String)/decision", ["approve": true], token: branch)

            let oldName = "林子豪", newName = "马晓东"
            #expect(try await names(client, "", token: branch) == [newName, oldName], "newest first")
            #expect(try await names(client, "?status=pending", token: branch) == [oldName])
            #expect(try await names(client, "?status=approved", token: branch) == [newName])
            #expect(try await names(client, "?status=rejected", token: branch) == [])
            let part = String(oldName.suffix(1)).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(try await names(client, "?name=\(part)", token: branch) == [oldName])
            #expect(try await names(client, "?from=2026-11-20&to=2026-11-20", token: branch) == [oldName], "both days included")
            #expect(try await names(client, "?from=2026-11-21", token: branch) == [newName])
            #expect(try await names(client, "?to=2026-11-19", token: branch) == [])
            #expect(try await names(client, "", token: committee).count == 2, "a committee above sees the branch's list")
            #expect(try await client.get(Self.branchList + "?from=2026-11-21&to=2026-11-20", token: branch).status == .badRequest)
            #expect(try await client.get(Self.branchList + "?status=done", token: branch).status == .badRequest)
            #expect(try await client.get(Self.branchList + "?from=11/20", token: branch).status == .badRequest)
            #expect(try await client.get(Self.branchList, token: sibling).status == .notFound)
            #expect(try await client.get("/api/v1/orgs/upc-cs/registrations", token: committee).status == .badRequest, "not a branch")

            let page = try await client.get(Self.branchList + "?limit=1", token: branch).json()
            let cursor = try #require(page["nextCursor"] as? String)
            let rest = try await client.get(Self.branchList + "?limit=1&cursor=\(cursor)", token: branch).json()
            #expect((rest["items"] as? [[String: Any]])?.first?["memberName"] as? String == oldName)
            #expect(rest["nextCursor"] == nil || rest["nextCursor"] is NSNull)
        }
    }

    @Test("OPC-1: a waiting registration is in the branch admin's operation centre, counted, and leaves it when decided")
    func inbox() async throws {
        try await withDemoApp { client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            let member = try await client.login(Self.accounts["member_old"])
            let created = try await client.sendJSON(.post, 
                "/api/v1/members/\(Self.accounts["member_old"].memberId!)/registrations", ["year": 2026, "summary": "一"], token: member
            ).json()
            let waiting = try await client.get("/api/v1/inbox?type=registration_approval", token: branch).json()
            let items = try #require(waiting["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["typeName"] as? String == "年度团籍注册审批")
            #expect((items.first?["registration"] as? [String: Any])?["id"] as? String == created["id"] as? String)
            let counts = try await client.get("/api/v1/inbox/counts", token: branch).json()["items"] as? [[String: Any]]
            #expect(counts?.first { $0["type"] as? String == "registration_approval" }?["count"] as? Int == 1)
            let sibling = try await client.login(Self.accounts["sibling_branch_admin"])
            #expect((try await client.get("/api/v1/inbox?type=registration_approval", token: sibling).json()["items"] as? [Any])?.isEmpty == true)

            _ = try await client.sendJSON(.post, "/api/v1/registrations/\(created["id"] as! String)/decision", ["approve": true], token: branch)
            #expect((try await client.get("/api/v1/inbox?type=registration_approval", token: branch).json()["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("ACT-1: the schema keeps one decision per submission and one submission per revision, and refuses edits")
    func schema() async throws {
        try await withDemoApp(setup: { database in
            let r = database.repositories.registrations
            let member = PersonID(rawValue: "p-c1-05")!, branch = OrgID(rawValue: "upc-cs-2020-1")!, admin = PersonID(rawValue: "p-c1-01")!
            let at = Timestamp(text: "2026-11-20T02:00:00.000Z")!
            try await r.insertSubmission(id: "r-1", member: member, branch: branch, year: 2026, revision: 1, summary: "一", at: at)
            await #expect(throws: (any Error).self) {
                try await r.insertSubmission(id: "r-2", member: member, branch: branch, year: 2026, revision: 1, summary: "二", at: at)
            }
            try await r.insertDecision("r-1", approved: false, reason: "补充", by: admin, at: at)
            await #expect(throws: (any Error).self) { try await r.insertDecision("r-1", approved: true, reason: nil, by: admin, at: at) }
            await #expect(throws: (any Error).self) { try await r.insertDecision("r-1", approved: true, reason: "理由", by: admin, at: at) }
            await #expect(throws: (any Error).self) { try await database.sql.raw("UPDATE registrations SET summary = 'x'").run() }
            await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM registration_decisions").run() }
            #expect(try await r.latest(member: member, year: 2026)?.status == .rejected)
        }) { _, _ in }
    }
}

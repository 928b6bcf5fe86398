import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

/// Transfers through the API (issue 10): who starts and who decides each step, the member's
/// move with the last step and not before, the gate, batches, and two approvers at once.
@Suite("Transfers API (TRF-1 … TRF-5, ARC-9)")
struct TransferAPITests {
    static let accounts = try! DemoAccounts.load()
    static let class1 = "upc-cs-2020-1"
    static let class2 = "upc-cs-2020-2"
    static let zongzhi = "upc-cs-2020"
    /// 林子豪, joined 2018: no archive needed (ARC-1).
    static var oldMember: String { accounts["member_old"].memberId! }
    /// 马晓东, joined 2020, unverified.
    static var newMember: String { accounts["member_new"].memberId! }

    func token(_ client: some TestClientProtocol, _ role: String) async throws -> String {
        try await client.login(Self.accounts[role])
    }

    func branchOf(_ member: String, _ client: some TestClientProtocol, token: String) async throws -> String? {
        let response = try await client.get("/api/v1/members/\(member)", token: token)
        guard response.status == .ok else { return nil }
        return (try response.json()["branch"] as? [String: Any])?["id"] as? String
    }

    @Test("TRF-2: eight starts of one member's transfer at once: one is taken, every other is the transfer_pending refusal (409), never a 500 (a chaos run saw the schema's one-open-transfer index answer 500)")
    func concurrentStarts() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for n in 0..<8 {
                    group.addTask {
                        let answer = try await client.post(
                            "/api/v1/transfers", token: branch,
                            json: ["kind": "out", "memberId": Self.oldMember, "toOrgId": Self.class2, "reason": "同时发起\(n)"])
                        return (Int(answer.status.code), answer.errorCode)
                    }
                }
                var all: [(Int, String?)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0.0 == 409 && $0.1 == "transfer_pending" }.count == 7, "\(statuses)")
            let listed = try await client.get("/api/v1/members/\(Self.oldMember)/transfers", token: branch)
            #expect(((try listed.json()["items"] as? [[String: Any]]) ?? []).count == 1)
        }
    }

    @Test("TRF-2, TRF-3: a transfer out waits on the destination branch or its direct parent; the member moves with that approval, not before, and leaves the old branch's scope")
    func transferOut() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let zongzhi = try await token(client, "zongzhi_admin")
            let started = try await client.post(
                "/api/v1/transfers", token: branch, json: ["kind": "out", "memberId": Self.oldMember, "toOrgId": Self.class2, "reason": "调整班级"])
            #expect(started.status == .created, "\(String(buffer: started.body))")
            let transfer = try started.json()
            let id = try #require(transfer["id"] as? String)
            #expect(transfer["status"] as? String == "pending")
            #expect(transfer["currentStep"] as? String == "destination_approval")
            #expect(transfer["nextActorOrgId"] as? String == Self.class2)
            #expect(try await branchOf(Self.oldMember, client, token: branch) == Self.class1, "not moved before the last step")

            // The source side started it and is not the destination's approver.
            let own = try await client.post("/api/v1/transfers/\(id)/approve", token: branch)
            #expect(own.status == .forbidden)
            // A second transfer of the same member waits for this one.
            let second = try await client.post(
                "/api/v1/transfers", token: branch, json: ["kind": "out", "memberId": Self.oldMember, "toOrgId": Self.class2, "reason": "再次"])
            #expect(second.status == .conflict)
            #expect(second.errorCode == "transfer_pending")

            let approved = try await client.post("/api/v1/transfers/\(id)/approve", token: zongzhi)
            #expect(approved.status == .ok, "\(String(buffer: approved.body))")
            let done = try approved.json()
            #expect(done["status"] as? String == "completed")
            #expect(done["completedBranchId"] as? String == Self.class2)
            let steps = (done["steps"] as? [[String: Any]]) ?? []
            #expect(steps.map { $0["decision"] as? String } == ["submit", "approve"])
            #expect(steps.last?["actorName"] as? String != nil)

            #expect(try await branchOf(Self.oldMember, client, token: zongzhi) == Self.class2)
            // The old branch's admin no longer holds the member.
            #expect(try await client.get("/api/v1/members/\(Self.oldMember)", token: branch).status == .notFound)
            let again = try await client.post("/api/v1/transfers/\(id)/approve", token: zongzhi)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "transfer_not_pending")
            // The history keeps it, for the member's admins and the member.
            let member = try await token(client, "member_old")
            let history = try await client.get("/api/v1/members/\(Self.oldMember)/transfers", token: member)
            #expect(history.status == .ok, "\(String(buffer: history.body))")
            #expect(((try history.json()["items"] as? [[String: Any]]) ?? []).map { $0["id"] as? String } == [id])
        }
    }

    @Test("TRF-1, TRF-2: across schools: the destination branch's own admin approves; the member, with their verified archive, is now in the other school's scope and out of the old one's")
    func acrossSchools() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let committee = try await token(client, "committee_admin")
            let destination = try await token(client, "other_branch_admin")
            let otherSchool = try await token(client, "other_school_admin")
            // 马晓东 joined in 2020: verified first (ARC-9), as the archive journey does.
            let upload = try await client.upload("/api/v1/members/\(Self.newMember)/archive", makePDF(pages: 12), token: branch)
            #expect(upload.status == .created, "\(String(buffer: upload.body))")
            let archive = try #require(try upload.json()["archiveId"] as? String)
            #expect(try await client.post("/api/v1/archives/\(archive)/approve", token: committee).status == .ok)

            let target = Self.accounts["other_branch_admin"].orgId
            let started = try await client.post(
                "/api/v1/transfers", token: branch, json: ["kind": "out", "memberId": Self.newMember, "toOrgId": target, "reason": "转学"])
            #expect(started.status == .created, "\(String(buffer: started.body))")
            let id = try #require(try started.json()["id"] as? String)
            #expect(try await client.post("/api/v1/transfers/\(id)/approve", token: otherSchool).status == .forbidden, "not the branch's direct parent")
            let approved = try await client.post("/api/v1/transfers/\(id)/approve", token: destination)
            #expect(try approved.json()["status"] as? String == "completed", "\(String(buffer: approved.body))")

            #expect(try await branchOf(Self.newMember, client, token: destination) == target)
            #expect(try await client.get("/api/v1/members/\(Self.newMember)/archive", token: otherSchool).status == .ok)
            #expect(try await client.get("/api/v1/members/\(Self.newMember)/archive", token: branch).status == .notFound)
            let stats = try await client.get("/api/v1/orgs/\(target)/stats/new-members", token: destination).json()
            #expect((stats["verified"] as? Int ?? 0) >= 1, "the verified member now counts where they are: \(stats)")
        }
    }

    @Test("TRF-3: into a 团总支 its admin approves, then assigns one of its branches (分配团支部); only then does the member move")
    func committeeAssigns() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let zongzhi = try await token(client, "zongzhi_admin")
            let started = try await client.post(
                "/api/v1/transfers", token: branch, json: ["memberId": Self.oldMember, "toOrgId": Self.zongzhi, "reason": "调整班级"])
            #expect(started.status == .created, "\(String(buffer: started.body))")
            let id = try #require(try started.json()["id"] as? String)
            func inbox(_ type: String, _ token: String) async throws -> [String] {
                let items = (try await client.get("/api/v1/inbox?type=\(type)", token: token).json()["items"] as? [[String: Any]]) ?? []
                return items.compactMap { ($0["transfer"] as? [String: Any])?["id"] as? String }
            }
            // OPC-1: the 团总支's operation centre holds the approval, then the assignment.
            #expect(try await inbox("transfer_approval", zongzhi) == [id])
            #expect(try await inbox("branch_assignment", zongzhi).isEmpty)
            #expect(try await inbox("transfer_approval", branch).isEmpty, "the side that started it has nothing to decide")
            let approved = try await client.post("/api/v1/transfers/\(id)/approve", token: zongzhi)
            #expect(try approved.json()["currentStep"] as? String == "branch_assignment")
            #expect(try await inbox("transfer_approval", zongzhi).isEmpty)
            #expect(try await inbox("branch_assignment", zongzhi) == [id])
            let all = (try await client.get("/api/v1/inbox", token: zongzhi).json()["items"] as? [[String: Any]]) ?? []
            #expect(all.contains { $0["type"] as? String == "branch_assignment" && $0["typeName"] as? String == "分配团支部" })
            #expect(try await branchOf(Self.oldMember, client, token: zongzhi) == Self.class1)
            let outside = try await client.post("/api/v1/transfers/\(id)/assign", token: zongzhi, json: ["branchId": "qdu-wx-2021-1"])
            #expect(outside.status == .unprocessableContent)
            #expect(outside.errorCode == "branch_not_under_destination")
            let assigned = try await client.post("/api/v1/transfers/\(id)/assign", token: zongzhi, json: ["branchId": Self.class2])
            #expect(assigned.status == .ok, "\(String(buffer: assigned.body))")
            #expect(try assigned.json()["completedBranchId"] as? String == Self.class2)
            #expect(try await inbox("branch_assignment", zongzhi).isEmpty)
            #expect(try await branchOf(Self.oldMember, client, token: zongzhi) == Self.class2)
        }
    }

    @Test("TRF-1: the member's own application: the source side approves, then the destination; a rejection needs a reason; only the member withdraws")
    func memberApplies() async throws {
        try await withDemoApp { client in
            let member = try await token(client, "member_old")
            let branch = try await token(client, "branch_admin")
            let zongzhi = try await token(client, "zongzhi_admin")
            let started = try await client.post(
                "/api/v1/transfers", token: member, json: ["kind": "apply", "memberId": Self.oldMember, "toOrgId": Self.class2, "reason": "转专业"])
            #expect(started.status == .created, "\(String(buffer: started.body))")
            let id = try #require(try started.json()["id"] as? String)
            #expect(try started.json()["currentStep"] as? String == "source_approval")
            // The source branch's admin holds it; its direct parent (the 团总支) may decide it too.
            let waiting = (try await client.get("/api/v1/inbox?type=transfer_approval", token: branch).json()["items"] as? [[String: Any]]) ?? []
            #expect(waiting.compactMap { ($0["transfer"] as? [String: Any])?["id"] as? String } == [id])
            let parent = (try await client.get("/api/v1/inbox?type=transfer_approval", token: zongzhi).json()["items"] as? [[String: Any]]) ?? []
            #expect(parent.count == 1)
            #expect(try await client.post("/api/v1/transfers/\(id)/withdraw", token: branch).status == .forbidden)
            let noReason = try await client.post("/api/v1/transfers/\(id)/reject", token: branch, json: ["reason": "  "])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.errorCode == "reason_required")
            let first = try await client.post("/api/v1/transfers/\(id)/approve", token: branch)
            #expect(try first.json()["currentStep"] as? String == "destination_approval")
            let rejected = try await client.post("/api/v1/transfers/\(id)/reject", token: zongzhi, json: ["reason": "名额已满"])
            #expect(rejected.status == .ok)
            #expect(try rejected.json()["status"] as? String == "rejected")
            #expect(try rejected.json()["rejectionReason"] as? String == "名额已满")
            #expect(try await branchOf(Self.oldMember, client, token: branch) == Self.class1)

            // Another application, withdrawn by the member.
            let next = try await client.post(
                "/api/v1/transfers", token: member, json: ["kind": "apply", "memberId": Self.oldMember, "toOrgId": Self.class2, "reason": "转专业"])
            let nextID = try #require(try next.json()["id"] as? String)
            let withdrawn = try await client.post("/api/v1/transfers/\(nextID)/withdraw", token: member)
            #expect(try withdrawn.json()["status"] as? String == "withdrawn")
            // A member applies only for themselves.
            let forOther = try await client.post(
                "/api/v1/transfers", token: member, json: ["kind": "apply", "memberId": Self.newMember, "toOrgId": Self.class2, "reason": "转专业"])
            #expect(forOther.status == .notFound)
        }
    }

    @Test("ARC-9, TRF-5, TRF-4: a batch naming an unverified new member is refused whole, naming them, with nothing moved; a valid batch moves at once")
    func batch() async throws {
        try await withDemoApp { client in
            let zongzhi = try await token(client, "zongzhi_admin")
            let branch = try await token(client, "branch_admin")
            let blocked = try await client.sendJSON(
                .post, "/api/v1/transfers", ["kind": "batch", "memberIds": [Self.oldMember, Self.newMember], "toOrgId": Self.class2, "reason": "分班"],
                token: zongzhi)
            #expect(blocked.status == .conflict)
            #expect(blocked.errorCode == "member_not_verified")
            #expect(blocked.errorMessage?.contains("马晓东") == true, "\(blocked.errorMessage ?? "")")
            #expect(blocked.errorMessage?.contains("林子豪") == false)
            #expect(try await branchOf(Self.oldMember, client, token: zongzhi) == Self.class1, "nothing moved")

            // A branch admin is no 团委/团工委/团总支 over both branches.
            let byBranch = try await client.sendJSON(
                .post, "/api/v1/transfers", ["kind": "batch", "memberIds": [Self.oldMember], "toOrgId": Self.class2, "reason": "分班"], token: branch)
            #expect(byBranch.status == .forbidden)

            let moved = try await client.sendJSON(
                .post, "/api/v1/transfers", ["kind": "batch", "memberIds": [Self.oldMember], "toOrgId": Self.class2, "reason": "分班"], token: zongzhi)
            #expect(moved.status == .created, "\(String(buffer: moved.body))")
            let items = (try moved.json()["items"] as? [[String: Any]]) ?? []
            #expect(items.map { $0["status"] as? String } == ["completed"])
            #expect(items.first?["batchId"] as? String != nil)
            #expect(try await branchOf(Self.oldMember, client, token: zongzhi) == Self.class2)

            let unverifiedOut = try await client.post(
                "/api/v1/transfers", token: branch, json: ["kind": "out", "memberId": Self.newMember, "toOrgId": Self.class2, "reason": "调班"])
            #expect(unverifiedOut.status == .conflict)
            #expect(unverifiedOut.errorCode == "member_not_verified")
        }
    }

    @Test("TRF-1: two approvals of the same step at once: one succeeds, the other is a 409, and the step is kept once")
    func concurrentApprovals() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let zongzhi = try await token(client, "zongzhi_admin")
            let started = try await client.post(
                "/api/v1/transfers", token: branch, json: ["memberId": Self.oldMember, "toOrgId": Self.class2, "reason": "调整班级"])
            let id = try #require(try started.json()["id"] as? String)
            async let a = client.post("/api/v1/transfers/\(id)/approve", token: zongzhi)
            async let b = client.post("/api/v1/transfers/\(id)/approve", token: zongzhi)
            let statuses = [try await a.status.code, try await b.status.code].sorted()
            #expect(statuses == [200, 409])
            let detail = try await client.get("/api/v1/transfers/\(id)", token: zongzhi).json()
            #expect(((detail["steps"] as? [[String: Any]]) ?? []).map { $0["decision"] as? String } == ["submit", "approve"])
        }
    }

    @Test("TRF-7: a step left unreviewed is approved by default on day 16, not day 15, by the sweep, from the database; a second sweep, or two at once, decide nothing twice")
    func fifteenDayDefault() async throws {
        let clock = FixedTimeSource(testNow)
        try await withDemoApp(clock: clock, setup: nil) { environment, client in
            let branch = try await token(client, "branch_admin")
            let zongzhi = try await token(client, "zongzhi_admin")
            let started = try await client.post(
                "/api/v1/transfers", token: branch, json: ["memberId": Self.oldMember, "toOrgId": Self.class2, "reason": "调整班级"])
            let id = try #require(try started.json()["id"] as? String)
            let day = Int64(86_400)
            let onDay15 = try await runCalendarRules(config: environment.config, at: testNow.adding(seconds: 15 * day), logger: TestDatabase.logger)
            #expect(onDay15.autoApproved == 0)
            #expect(try await branchOf(Self.oldMember, client, token: zongzhi) == Self.class1)
            let onDay16 = try await runCalendarRules(config: environment.config, at: testNow.adding(seconds: 16 * day), logger: TestDatabase.logger)
            #expect(onDay16.autoApproved == 1)
            #expect(try await branchOf(Self.oldMember, client, token: zongzhi) == Self.class2)
            let detail = try await client.get("/api/v1/transfers/\(id)", token: zongzhi).json()
            #expect(detail["status"] as? String == "completed")
            let steps = (detail["steps"] as? [[String: Any]]) ?? []
            #expect(steps.map { $0["decision"] as? String } == ["submit", "auto_approve"])
            #expect(steps.last?["actorName"] == nil, "nobody: the calendar decided")
            let again = try await runCalendarRules(config: environment.config, at: testNow.adding(seconds: 40 * day), logger: TestDatabase.logger)
            #expect(again.autoApproved == 0)

            // Two sweeps at once (two instances): one of them decides.
            let back = try await client.post(
                "/api/v1/transfers", token: zongzhi, json: ["memberId": Self.oldMember, "toOrgId": Self.class1, "reason": "调回"])
            #expect(back.status == .created, "\(String(buffer: back.body))")
            let later = testNow.adding(seconds: 60 * day)
            async let a = runCalendarRules(config: environment.config, at: later, logger: TestDatabase.logger)
            async let b = runCalendarRules(config: environment.config, at: later, logger: TestDatabase.logger)
            let total = try await a.autoApproved + b.autoApproved
            #expect(total == 1)
            #expect(try await branchOf(Self.oldMember, client, token: zongzhi) == Self.class1)
        }
    }
}

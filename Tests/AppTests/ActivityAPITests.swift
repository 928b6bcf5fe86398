import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

/// 三会·两制·一课 and 团日活动 through the API (issue 11 item 3, ACT-1).
@Suite("Activities API (ACT-1)")
struct ActivityAPITests {
    static let accounts = try! DemoAccounts.load()
    static let list = "/api/v1/orgs/upc-cs-2020-1/activities"

    func participation(_ client: any TestClientProtocol, _ member: String, token: String) async throws -> [String] {
        let items = (try await client.get("/api/v1/members/\(member)/activities", token: token).json()["items"] as? [[String: Any]]) ?? []
        return items.compactMap { $0["topic"] as? String }
    }

    @Test("ACT-1: a branch records a meeting with attendees from its members; members see what they attended; an edit is a new version, a stale one is refused; a withdrawn entry leaves the lists and stays withdrawn")
    func recordEditWithdraw() async throws {
        try await withDemoApp { client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            let old = Self.accounts["member_old"].memberId!
            let newer = Self.accounts["member_new_2"].memberId!
            var body: [String: Any] = [
                "kind": "members_meeting", "date": "2026-11-20", "topic": "学习贯彻团的十九大精神", "place": "南堂201",
                "record": "到会团员逐一发言。", "attendees": [old, old],
            ]
            let created = try await client.sendJSON(.post, Self.list, body, token: branch)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let activity = try created.json()
            let id = try #require(activity["id"] as? String)
            #expect(activity["kindName"] as? String == "支部团员大会")
            #expect((activity["attendees"] as? [[String: Any]])?.count == 1, "a repeated attendee counts once")
            #expect(activity["revision"] as? Int == 1)

            for (change, code) in [
                (["date": "2026-11-26"], "activity_in_future"), (["attendees": ["p-c2-01"]], "attendee_not_member"),
                (["topic": "  "], "activity_topic_required"),
            ] as [([String: Any], String)] {
                let refused = try await client.sendJSON(.post, Self.list, body.merging(change) { $1 }, token: branch)
                #expect(refused.status == .unprocessableContent, "\(code)")
                #expect(refused.errorCode == code)
            }
            #expect(try await client.sendJSON(.post, Self.list, body.merging(["kind": "party"]) { $1 }, token: branch).status == .badRequest)

            let member = try await client.login(Self.accounts["member_old"])
            #expect(try await participation(client, old, token: member) == ["学习贯彻团的十九大精神"])
            let other = try await client.login(Self.accounts["member_new_2"])
            #expect(try await participation(client, newer, token: other).isEmpty)
            #expect(try await client.get("/api/v1/members/\(old)/activities", token: other).status == .notFound)

            // The fix for a wrong attendee: a new version; the member no longer attended.
            body["attendees"] = [newer]
            body["revision"] = 1
            let edited = try await client.sendJSON(.patch, "/api/v1/activities/\(id)", body, token: branch)
            #expect(edited.status == .ok, "\(String(buffer: edited.body))")
            #expect(try edited.json()["revision"] as? Int == 2)
            #expect(try await participation(client, old, token: member).isEmpty)
            #expect(try await participation(client, newer, token: other) == ["学习贯彻团的十九大精神"])
            let stale = try await client.sendJSON(.patch, "/api/v1/activities/\(id)", body, token: branch)
            #expect(stale.status == .conflict)
            #expect(stale.errorCode == "activity_changed")

            // The parent 团总支 may fix it too; a sibling branch and the committee two levels up may not.
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            body["revision"] = 2
            #expect(try await client.sendJSON(.patch, "/api/v1/activities/\(id)", body, token: zongzhi).status == .ok)
            let sibling = try await client.login(Self.accounts["sibling_branch_admin"])
            body["revision"] = 3
            #expect(try await client.sendJSON(.patch, "/api/v1/activities/\(id)", body, token: sibling).status == .notFound)
            let committee = try await client.login(Self.accounts["committee_admin"])
            #expect(try await client.sendJSON(.post, Self.list, body, token: committee).status == .forbidden)
            #expect((try await client.get(Self.list, token: committee).json()["items"] as? [Any])?.count == 1, "the committee sees the record")

            #expect(try await client.execute(uri: "/api/v1/activities/\(id)", method: .delete, headers: [.authorization: "Bearer \(branch)"]).status == .noContent)
            #expect((try await client.get(Self.list, token: branch).json()["items"] as? [Any])?.isEmpty == true)
            #expect(try await participation(client, newer, token: other).isEmpty)
            let again = try await client.execute(uri: "/api/v1/activities/\(id)", method: .delete, headers: [.authorization: "Bearer \(branch)"])
            #expect(again.status == .conflict)
            #expect(again.errorCode == "activity_withdrawn")
            #expect(try await client.sendJSON(.patch, "/api/v1/activities/\(id)", body, token: branch).errorCode == "activity_withdrawn")
            #expect(try await client.get("/api/v1/activities/\(id)", token: branch).json()["withdrawn"] as? Bool == true, "kept, marked")
        }
    }
}

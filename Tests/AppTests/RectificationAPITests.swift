import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

/// 组织整顿 through the API (issue 11 item 2, RCT-1 … RCT-4), on both databases.
@Suite("Rectification API (RCT-1 … RCT-4)")
struct RectificationAPITests {
    static let accounts = try! DemoAccounts.load()
    static let year = "/api/v1/orgs/upc-cs-2020-1/rectification/2026"

    func ratings(poor: Int) -> [String: Any] {
        ["items": Dictionary(uniqueKeysWithValues: (1...10).map { (String($0), $0 <= poor ? "较差" : "好") })]
    }

    @Test("RCT-1 … RCT-4: the branch rates every item; the direct parent approves (基本合格) and marks it bottom 20 %; after key rectification 已摘牌, then 重点整改后合格 and locked; another level cannot decide")
    func campaign() async throws {
        try await withDemoApp { client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            let shown = try await client.get(Self.year, token: branch).json()
            #expect((shown["items"] as? [[String: Any]])?.count == 10)
            #expect(shown["status"] == nil)

            let partial = try await client.sendJSON(.put, Self.year + "/self-check", ["items": ["1": "好"]], token: branch)
            #expect(partial.status == .badRequest)
            #expect(String(buffer: partial.body).contains("第2项未评定"))
            let submitted = try await client.sendJSON(.put, Self.year + "/self-check", ratings(poor: 3), token: branch)
            #expect(submitted.status == .ok, "\(String(buffer: submitted.body))")
            #expect(try submitted.json()["pendingPoor"] as? Int == 3)
            #expect((try submitted.json()["monthly"] as? [[String: Any]])?.first { $0["month"] as? Int == 11 }?["poor"] as? Int == 3)

            // Only the direct parent decides: not the branch, not the 团委 above the 团总支.
            #expect(try await client.sendJSON(.post, Self.year + "/decision", ["approve": true], token: branch).status == .forbidden)
            let committee = try await client.login(Self.accounts["committee_admin"])
            #expect(try await client.sendJSON(.post, Self.year + "/decision", ["approve": true], token: committee).status == .forbidden)
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            let approved = try await client.sendJSON(.post, Self.year + "/decision", ["approve": true], token: zongzhi)
            #expect(approved.status == .ok, "\(String(buffer: approved.body))")
            #expect(try approved.json()["status"] as? String == "基本合格")

            let bottom = "/api/v1/orgs/upc-cs-2020/rectification/2026/bottom20"
            #expect(try await client.sendJSON(.post, "/api/v1/orgs/upc-cs/rectification/2026/bottom20", ["branchIds": ["upc-cs-2020-1"]], token: committee).status == .notFound, "not across levels")
            let marked = try await client.sendJSON(.post, bottom, ["branchIds": ["upc-cs-2020-1"]], token: zongzhi)
            #expect(marked.status == .ok, "\(String(buffer: marked.body))")
            #expect((try marked.json()["items"] as? [[String: Any]])?.first?["keyRectification"] as? Bool == true)
            let keyList = try await client.get("/api/v1/orgs/upc-cs-2020/rectification/2026/branches?key=true", token: zongzhi).json()
            #expect((keyList["items"] as? [[String: Any]])?.map { $0["orgId"] as? String } == ["upc-cs-2020-1"])

            #expect(try await client.sendJSON(.put, Self.year + "/self-check", ratings(poor: 1), token: branch).status == .ok)
            let delisted = try await client.sendJSON(.post, Self.year + "/decision", ["approve": true], token: zongzhi)
            #expect(try delisted.json()["status"] as? String == "已摘牌")
            #expect(try await client.sendJSON(.put, Self.year + "/self-check", ratings(poor: 0), token: branch).status == .ok)
            let done = try await client.sendJSON(.post, Self.year + "/decision", ["approve": true], token: zongzhi)
            #expect(try done.json()["status"] as? String == "重点整改后合格")
            #expect(try done.json()["locked"] as? Bool == true)
            let again = try await client.sendJSON(.put, Self.year + "/self-check", ratings(poor: 0), token: branch)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "self_check_locked")

            // The parent fills 2班's form, which had not checked itself: 合格 at once; then 2班 cannot be marked.
            let sibling = "/api/v1/orgs/upc-cs-2020-2/rectification/2026"
            let filled = try await client.sendJSON(.put, sibling + "/self-check", ratings(poor: 0), token: zongzhi)
            #expect(try filled.json()["status"] as? String == "合格")
            let refused = try await client.sendJSON(.post, bottom, ["branchIds": ["upc-cs-2020-2"]], token: zongzhi)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "bottom20_not_markable")
            #expect(String(buffer: refused.body).contains("合格"))
            let other = try await client.login(Self.accounts["other_school_admin"])
            #expect(try await client.get(Self.year, token: other).status == .notFound)
        }
    }
}

/// The committee's figures over a generated subtree, against counts made here from the scenarios.
@Suite("Rectification statistics (RCT-1, RCT-4)")
struct RectificationStatisticsTests {
    static let accounts = try! DemoAccounts.load()

    /// A branch's year and the column it must land in.
    struct Scenario {
        let entries: [RectificationEntry]
        let bucket: String
        let key: Bool
    }

    static let scenarios: [Scenario] = [
        Scenario(entries: [], bucket: "notSubmitted", key: false),
        Scenario(entries: [.submit(poor: 3, month: 11, byParent: false)], bucket: "awaitingFirstDecision", key: false),
        Scenario(entries: [.submit(poor: 3, month: 10, byParent: false), .reject], bucket: "notPassed", key: false),
        Scenario(entries: [.submit(poor: 3, month: 10, byParent: false), .approve], bucket: "基本合格", key: false),
        Scenario(entries: [.submit(poor: 0, month: 10, byParent: false), .approve], bucket: "合格", key: false),
        Scenario(entries: [.submit(poor: 2, month: 9, byParent: false), .approve, .markKey, .submit(poor: 1, month: 11, byParent: false), .approve], bucket: "已摘牌", key: true),
        Scenario(entries: [.submit(poor: 2, month: 9, byParent: false), .approve, .markKey, .submit(poor: 0, month: 10, byParent: false)], bucket: "基本合格", key: true),
    ]
    static let industries: [IndustryCategory?] = [.university, .rural, nil]

    @Test("RCT-1, RCT-4: 60 generated branches are counted per industry category and in total as the scenarios say; the key list has each month's outcome; other subtrees and years are not counted")
    func generatedTree() async throws {
        let count = 60
        try await withDemoApp(setup: { database in
            let parentPath = try await database.sql.raw("SELECT path FROM orgs WHERE id = 'upc-cs-2020'").first()!.decode(column: "path", as: String.self)
            let at = "2026-09-01T00:00:00.000Z"
            for i in 0..<count {
                let id = "gen-\(i)"
                let industry = Self.industries[i % 3].map { "'\($0.rawValue)'" } ?? "NULL"
                try await database.sql.raw("""
                    INSERT INTO orgs (id, parent_id, name, full_name, category, holds_members, path, depth, upper_committee_id, created_at, industry_category)
                    VALUES (\(bind: id), 'upc-cs-2020', \(bind: "生成\(i)班团支部"), \(bind: "生成\(i)班团支部"), 'branch', \(bind: true),
                            \(bind: parentPath + id + "/"), 4, 'upc-cs', \(bind: at), \(unsafeRaw: industry))
                    """).run()
                for (seq, entry) in Self.scenarios[i % Self.scenarios.count].entries.enumerated() {
                    try await database.repositories.rectification.append(
                        "e-\(i)-\(seq)", org: OrgID(rawValue: id)!, year: 2026, seq: seq + 1, entry: entry,
                        ratings: { if case .submit(let poor, _, _) = entry { (0..<10).map { $0 < poor ? .poor : .good } } else { nil } }(),
                        actingOrg: OrgID(rawValue: "upc-cs-2020")!, person: PersonID(rawValue: "p-c1-02")!, at: Timestamp(text: at)!)
                }
                // Last year's entries are another year's figures.
                try await database.repositories.rectification.append(
                    "old-\(i)", org: OrgID(rawValue: id)!, year: 2025, seq: 1, entry: .markKey, ratings: nil,
                    actingOrg: OrgID(rawValue: "upc-cs-2020")!, person: PersonID(rawValue: "p-c1-02")!, at: Timestamp(text: at)!)
            }
        }) { _, client in
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            let answer = try await client.get("/api/v1/orgs/upc-cs-2020/rectification/2026/statistics", token: zongzhi)
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            let figures = try answer.json()

            func expected(_ industry: IndustryCategory??) -> [String: Int] {
                var out: [String: Int] = [:]
                var branches = (0..<count).filter { industry == nil || Self.industries[$0 % 3] == industry! }
                // The demo's own two branches of the 团总支 (no entries; their profiles say 普通高等学校) are counted too.
                let demo = industry == nil || industry! == .university ? 2 : 0
                out["branches"] = branches.count + demo
                out["notSubmitted"] = demo
                for i in branches {
                    let s = Self.scenarios[i % Self.scenarios.count]
                    out[s.bucket, default: 0] += 1
                    if s.key { out["keyRectification", default: 0] += 1 }
                }
                branches.removeAll()
                return out
            }
            func actual(_ tally: [String: Any]) -> [String: Int] {
                var out: [String: Int] = [:]
                for key in ["branches", "notSubmitted", "awaitingFirstDecision", "notPassed", "keyRectification"] {
                    if let n = tally[key] as? Int, n > 0 { out[key] = n }
                }
                for (name, n) in (tally["statuses"] as? [String: Int]) ?? [:] where n > 0 { out[name] = n }
                return out
            }
            #expect(actual(figures["total"] as! [String: Any]) == expected(nil))
            let rows = try #require(figures["byIndustry"] as? [[String: Any]])
            #expect(rows.map { $0["industry"] as? String } == ["普通高等学校", "农村", "未填写"])
            #expect(actual(rows[0]) == expected(.some(.university)))
            #expect(actual(rows[1]) == expected(.some(.rural)))
            #expect(actual(rows[2]) == expected(.some(nil)))

            let key = try #require(figures["keyBranches"] as? [[String: Any]])
            #expect(key.count == (0..<count).filter { Self.scenarios[$0 % Self.scenarios.count].key }.count)
            let delisted = try #require(key.first { $0["orgId"] as? String == "gen-5" })
            #expect(delisted["status"] as? String == "已摘牌")
            #expect((delisted["months"] as? [[String: Any]])?.map { $0["outcome"] as? String } == ["approved", "not_submitted", "approved", "not_submitted"])
            let waiting = try #require(key.first { $0["orgId"] as? String == "gen-6" })
            #expect((waiting["months"] as? [[String: Any]])?.map { $0["outcomeName"] as? String } == ["已通过（较差2项）", "待审核（较差0项）", "未提交", "未提交"])

            // A branch admin sees its own branch only; a sibling 团总支's admin nothing of this one.
            let branch = try await client.login(Self.accounts["branch_admin"])
            let own = try await client.get("/api/v1/orgs/upc-cs-2020-1/rectification/2026/statistics", token: branch).json()
            #expect((own["total"] as? [String: Any])?["branches"] as? Int == 1)
            #expect(try await client.get("/api/v1/orgs/upc-cs-2020/rectification/2026/statistics", token: branch).status == .forbidden)

            let (browser, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let page = try await client.page("/orgs/upc-cs-2020/rectification/statistics", browser)
            #expect(page.status == .ok)
            #expect(page.html.contains("普通高等学校") && page.html.contains("生成5班团支部") && page.html.contains("已摘牌"))
        }
    }
}

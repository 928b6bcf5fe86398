import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import TestSupport
import Testing

/// 团内大数据 through the API (issue 11 item 5, STA-1): every figure checked against counts
/// worked out here from the demo data set, not by the code under test.
@Suite("Statistics API (STA-1, ARC-9)")
struct StatisticsAPITests {
    static let accounts = try! DemoAccounts.load()

    func bars(_ json: [String: Any], _ key: String) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: ((json[key] as? [[String: Any]]) ?? []).map { ($0["label"] as! String, $0["count"] as! Int) })
    }

    @Test("STA-1, ARC-9: ages and new members by year over the committee's subtree match the demo's own people; a new member counts only once verified")
    func subtree() async throws {
        try await withDemoApp { client in
            let committee = try await client.login(Self.accounts["committee_admin"])
            let data = DemoDataSet.make()
            let subtree = OrgPath(encoded: data.orgs.first { $0.id.rawValue == "upc-cs" }!.path.encoded)!
            let paths = Dictionary(uniqueKeysWithValues: data.orgs.map { ($0.id, $0.path) })
            let members = data.people.filter { p in p.membership.map { paths[$0.branch]!.isWithin(subtree) } ?? false }
            // Ages on 2026-11-25 (the tests' day), worked out by hand from the birth dates.
            func age(_ born: CivilDate) -> Int {
                2026 - born.year - ((born.month, born.day) > (11, 25) ? 1 : 0)
            }
            var expected: [String: Int] = [:]
            for person in members {
                let a = age(person.idNumber.birthDate)
                let label = a <= 17 ? "14—17岁" : a <= 22 ? "18—22岁" : a <= 25 ? "23—25岁" : a <= 28 ? "26—28岁" : "28岁以上"
                expected[label, default: 0] += 1
            }

            let stats = try await client.get("/api/v1/orgs/upc-cs/stats", token: committee)
            #expect(stats.status == .ok, "\(String(buffer: stats.body))")
            let json = try stats.json()
            #expect(bars(json, "ages").filter { $0.value > 0 } == expected)
            #expect(bars(json, "ethnicity").values.reduce(0, +) == members.count)
            #expect(bars(json, "education").values.reduce(0, +) == members.count)

            var joined: [Int: Int] = [:]
            for person in members where person.membership!.joinedOn >= Member.archiveRequiredFrom { joined[person.membership!.joinedOn.year, default: 0] += 1 }
            let years = (json["newMembersByYear"] as? [[String: Any]]) ?? []
            #expect(Dictionary(uniqueKeysWithValues: years.map { ($0["year"] as! Int, $0["joined"] as! Int) }) == joined)
            #expect(years.allSatisfy { $0["counted"] as? Int == 0 }, "nobody is verified yet, so nobody counts (ARC-9)")

            // 马晓东's archive approved: he, and only he, counts from then on.
            let branch = try await client.login(Self.accounts["branch_admin"])
            let member = Self.accounts["member_new"].memberId!
            let upload = try await client.upload("/api/v1/members/\(member)/archive", makePDF(pages: 12), token: branch)
            let archive = try #require(try upload.json()["archiveId"] as? String)
            #expect(try await client.post("/api/v1/archives/\(archive)/approve", token: committee).status == .ok)
            let after = try await client.get("/api/v1/orgs/upc-cs/stats", token: committee).json()
            let counted = ((after["newMembersByYear"] as? [[String: Any]]) ?? []).map { $0["counted"] as! Int }.reduce(0, +)
            #expect(counted == 1)
            #expect((after["archives"] as? [String: Int])?["counted"] == 1)
            #expect((after["grading"] as? [String: Int])?["orgs"] == 3)
            #expect(bars(after, "rectification")["未评定"] == 2, "the subtree's two branches, neither checked yet")

            let other = try await client.login(Self.accounts["other_school_admin"])
            #expect(try await client.get("/api/v1/orgs/upc-cs/stats", token: other).status == .notFound)
            let page = try await client.page("/orgs/upc-cs/stats", try await client.pageLogin(Self.accounts["committee_admin"]).0)
            #expect(page.status == .ok)
            #expect(page.html.contains("<svg"))
            #expect(page.html.contains("id=\"chart-ages\""))
        }
    }
}

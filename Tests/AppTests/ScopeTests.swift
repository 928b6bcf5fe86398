import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Each demo role reads only what its scope allows, through the API (RULES ARC-7, ARC-11).
@Suite("Scoped API access")
struct ScopeTests {
    static let accounts = try! DemoAccounts.load()

    /// role → org id → expected status of GET /api/v1/orgs/{id}.
    static let orgExpectations: [String: [String: HTTPResponse.Status]] = [
        // own org, sibling, parent, another school, another province
        "branch_admin": ["upc-cs-2020-1": .ok, "upc-cs-2020-2": .forbidden, "upc-cs-2020": .forbidden, "qdu-wx-2021-1": .forbidden, "nju-cs-2021-1": .forbidden],
        // own, children, parent, another school
        "zongzhi_admin": ["upc-cs-2020": .ok, "upc-cs-2020-1": .ok, "upc-cs-2020-2": .ok, "upc-cs": .forbidden, "qdu": .forbidden, "nju": .forbidden],
        "committee_admin": ["upc-cs": .ok, "upc-cs-2020": .ok, "upc-cs-2020-2": .ok, "upc": .forbidden, "qdu-wx": .forbidden, "js": .forbidden],
        "other_school_admin": ["qdu": .ok, "qdu-wx-2021-1": .ok, "upc": .forbidden, "upc-cs-2020-1": .forbidden, "sd-qd": .forbidden, "nju": .forbidden],
        "member_new": ["upc-cs-2020-1": .forbidden, "upc-cs-2020": .forbidden, "qdu": .forbidden],
        "member_old": ["upc-cs-2020-1": .forbidden],
    ]

    @Test("orgs: each role reads its own subtree and is refused elsewhere with 403", arguments: Array(orgExpectations.keys).sorted())
    func orgAccess(role: String) async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts[role])
            for (org, expected) in Self.orgExpectations[role]! {
                for path in ["/api/v1/orgs/\(org)", "/api/v1/orgs/\(org)/children", "/api/v1/orgs/\(org)/members"] {
                    let response = try await client.get(path, token: token)
                    #expect(response.status == expected, "\(role) GET \(path)")
                    if expected == .forbidden { #expect(response.errorCode == "forbidden") }
                }
            }
        }
    }

    @Test("unknown ids are 404 not_found, malformed ids too")
    func unknown() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["committee_admin"])
            for path in ["/api/v1/orgs/no-such-org", "/api/v1/orgs/NO_SUCH", "/api/v1/members/p-nobody", "/api/v1/orgs/no-such-org/members", "/api/v1/nothing-here"] {
                let response = try await client.get(path, token: token)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.errorCode == "not_found")
            }
        }
    }

    @Test("a committee admin pages through the subtree's members; ID numbers are masked in lists")
    func memberPaging() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["committee_admin"])
            var ids: [String] = []
            var cursor: String?
            repeat {
                let path = "/api/v1/orgs/upc-cs/members?limit=7" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.get(path, token: token).json()
                let items = page["items"] as! [[String: Any]]
                #expect(items.count <= 7)
                for item in items {
                    ids.append(item["id"] as! String)
                    let number = item["idNumber"] as! String
                    #expect(number.contains("***********"))
                    #expect(item["idNumberMasked"] as? Bool == true)
                }
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            #expect(ids.count == 22)  // 12 in 1班, 10 in 2班
            #expect(Set(ids).count == 22)
            #expect(ids.allSatisfy { $0.hasPrefix("p-c1-") || $0.hasPrefix("p-c2-") })

            #expect(try await client.get("/api/v1/orgs/upc-cs/members?limit=0", token: token).status == .badRequest)
            #expect(try await client.get("/api/v1/orgs/upc-cs/members?limit=1000", token: token).status == .badRequest)
            #expect(try await client.get("/api/v1/orgs/upc-cs/members?cursor=%25", token: token).status == .badRequest)
        }
    }

    @Test("member detail: name and development number; the full ID number for the member's admins and the member")
    func memberDetail() async throws {
        try await withDemoApp { client in
            let target = Self.accounts["member_new"]
            for role in ["branch_admin", "zongzhi_admin", "committee_admin", "member_new"] {
                let token = try await client.login(Self.accounts[role])
                let response = try await client.get("/api/v1/members/\(target.memberId!)", token: token)
                #expect(response.status == .ok, "\(role)")
                let body = try response.json()
                #expect(body["name"] as? String == "马晓东")
                #expect(body["developmentNumber"] as? String == "2020370200103")
                #expect(body["idNumber"] as? String == target.account, "\(role)")
                #expect(body["archiveRequired"] as? Bool == true)  // ARC-1: joined 2020-10-15
            }
            for role in ["other_school_admin", "member_new_2", "member_old"] {
                let token = try await client.login(Self.accounts[role])
                let response = try await client.get("/api/v1/members/\(target.memberId!)", token: token)
                #expect(response.status == .forbidden, "\(role)")
                #expect(!String(buffer: response.body).contains(target.account))
            }
        }
    }

    @Test("/me names the orgs an admin administers and the member's own record")
    func me() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["zongzhi_admin"])
            let body = try await client.get("/api/v1/me", token: token).json()
            let orgs = (body["adminOf"] as! [[String: Any]]).map { $0["id"] as! String }
            #expect(orgs == ["upc-cs-2020"])
            #expect((body["member"] as? [String: Any])?["branch"] as? [String: String] == ["id": "upc-cs-2020-1", "name": "计算机学院2020级1班团支部"])
            let committee = try await client.get("/api/v1/me", token: try await client.login(Self.accounts["committee_admin"])).json()
            #expect(committee["member"] is NSNull || committee["member"] == nil)
        }
    }

    @Test("org detail carries the category, ancestry and upper committee")
    func orgDetail() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["committee_admin"])
            let body = try await client.get("/api/v1/orgs/upc-cs-2020-1", token: token).json()
            #expect(body["category"] as? String == "branch")
            #expect(body["categoryName"] as? String == "团支部")
            #expect(body["upperCommitteeId"] as? String == "upc-cs")
            #expect(body["path"] as? [String] == ["tzy", "sd", "sd-qd", "upc", "upc-cs", "upc-cs-2020", "upc-cs-2020-1"])
            let children = try await client.get("/api/v1/orgs/upc-cs-2020/children", token: token).json()
            #expect((children["items"] as! [[String: Any]]).map { $0["id"] as! String } == ["upc-cs-2020-1", "upc-cs-2020-2"])
        }
    }

    @Test("healthz answers without a login")
    func healthz() async throws {
        try await withDemoApp { client in
            let response = try await client.get("/healthz", token: nil)
            #expect(response.status == .ok)
            #expect(try response.json()["status"] as? String == "ok")
        }
    }
}

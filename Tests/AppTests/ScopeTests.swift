import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Each demo role reads only what its scope allows, through the API (RULES ARC-7, ARC-11).
@Suite("Scoped API access")
struct ScopeTests {
    static let accounts = try! DemoAccounts.load()

    /// role → org id → expected status of GET /api/v1/orgs/{id}. Orgs above the caller's own are
    /// refused (403: their names head the caller's pages); anything else outside the scope is
    /// answered as if it did not exist (404, issue 12 item 3).
    static let orgExpectations: [String: [String: HTTPResponse.Status]] = [
        // own org, sibling, parent, another school, another province
        "branch_admin": ["upc-cs-2020-1": .ok, "upc-cs-2020-2": .notFound, "upc-cs-2020": .forbidden, "qdu-wx-2021-1": .notFound, "nju-cs-2021-1": .notFound],
        // own, children, parent, another school
        "zongzhi_admin": ["upc-cs-2020": .ok, "upc-cs-2020-1": .ok, "upc-cs-2020-2": .ok, "upc-cs": .forbidden, "qdu": .notFound, "nju": .notFound],
        "committee_admin": ["upc-cs": .ok, "upc-cs-2020": .ok, "upc-cs-2020-2": .ok, "upc": .forbidden, "qdu-wx": .notFound, "js": .notFound],
        "other_school_admin": ["qdu": .ok, "qdu-wx-2021-1": .ok, "upc": .notFound, "upc-cs-2020-1": .notFound, "sd-qd": .forbidden, "nju": .notFound],
        // own branch and above, another school
        "member_new": ["upc-cs-2020-1": .forbidden, "upc-cs-2020": .forbidden, "qdu": .notFound],
        "member_old": ["upc-cs-2020-1": .forbidden],
    ]

    @Test("orgs: each role reads its own subtree; above it 403, elsewhere 404 as if absent (issue 12 item 3)", arguments: Array(orgExpectations.keys).sorted())
    func orgAccess(role: String) async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts[role])
            for (org, expected) in Self.orgExpectations[role]! {
                for path in ["/api/v1/orgs/\(org)", "/api/v1/orgs/\(org)/children", "/api/v1/orgs/\(org)/members"] {
                    let response = try await client.get(path, token: token)
                    #expect(response.status == expected, "\(role) GET \(path)")
                    if expected == .forbidden { #expect(response.errorCode == "forbidden") }
                    if expected == .notFound { #expect(response.errorCode == "not_found") }
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
                #expect(response.status == .notFound, "\(role)")
                #expect(!String(buffer: response.body).contains(target.account))
            }
        }
    }

    @Test("issue 12 item 3: a real id outside the caller's scope gets byte for byte the answer an id that does not exist gets")
    func unseenIsAbsent() async throws {
        try await withDemoApp { client in
            let committee = try await client.login(Self.accounts["committee_admin"])
            let notice = try await client.sendJSON(
                .post, "/api/v1/orgs/upc-cs/notices", ["title": "关于开展主题团日活动的通知", "text": "请按时开展。"], token: committee)
            let noticeID = try #require(try notice.json()["id"] as? String)
            let member = Self.accounts["member_new"].memberId!
            // (a real record of 计算机学院, one that nobody has), read and written by another school's admin.
            let pairs: [(HTTPRequest.Method, String, String)] = [
                (.get, "/api/v1/members/\(member)", "/api/v1/members/p-no-such"),
                (.get, "/api/v1/members/\(member)/archive", "/api/v1/members/p-no-such/archive"),
                (.get, "/api/v1/members/\(member)/transfers", "/api/v1/members/p-no-such/transfers"),
                (.post, "/api/v1/members/\(member)/reset-code", "/api/v1/members/p-no-such/reset-code"),
                (.get, "/api/v1/orgs/upc-cs", "/api/v1/orgs/no-such"),
                (.get, "/api/v1/orgs/upc-cs/members", "/api/v1/orgs/no-such/members"),
                (.get, "/api/v1/orgs/upc-cs/stats", "/api/v1/orgs/no-such/stats"),
                (.get, "/api/v1/orgs/upc-cs-2020-1/activities", "/api/v1/orgs/no-such/activities"),
                (.get, "/api/v1/notices/\(noticeID)", "/api/v1/notices/\(UUID().uuidString.lowercased())"),
            ]
            // Another school's admin knows none of these; a classmate knows the orgs above their
            // own branch (403 there, as ScopeTests.orgAccess shows), not other members or the notice.
            for role in ["other_school_admin", "member_new_2"] {
                let token = try await client.login(Self.accounts[role])
                for (method, real, absent) in pairs where role == "other_school_admin" || !real.hasPrefix("/api/v1/orgs/") {
                    let headers: HTTPFields = [.authorization: "Bearer \(token)"]
                    let a = try await client.execute(uri: real, method: method, headers: headers)
                    let b = try await client.execute(uri: absent, method: method, headers: headers)
                    #expect(a.status == .notFound, "\(role) \(method) \(real): \(a.status)")
                    #expect(a.status == b.status && String(buffer: a.body) == String(buffer: b.body), "\(role) \(method) \(real) differs from \(absent)")
                    #expect(a.headers[.contentType] == b.headers[.contentType])
                }
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

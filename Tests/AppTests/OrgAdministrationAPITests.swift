import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Persistence
import SQLKit
import TestSupport
import Testing

/// The org tree built by hand through the API (ORG-1 … ORG-11).
@Suite("Org tree administration API")
struct OrgAdministrationAPITests {
    static let accounts = try! DemoAccounts.load()

    @Test("ORG-11: GET /api/v1/reference lists org categories by code, industry categories and cadre posts by name")
    func reference() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["committee_admin"])
            let body = try await client.get("/api/v1/reference", token: token).json()
            let categories = body["orgCategories"] as! [[String: Any]]
            #expect(categories.contains { $0["code"] as? String == "branch" && $0["name"] as? String == "团支部" })
            #expect(categories.contains { $0["code"] as? String == "general_branch" && $0["name"] as? String == "团总支" })
            #expect((body["industryCategories"] as! [String]).first == "普通高等学校")
            #expect((body["industryCategories"] as! [String]).count == 12)
            #expect(body["schoolIndustryCategories"] as! [String] == ["普通高等学校", "中等职业学校", "普通高中", "初中"])
            #expect((body["cadrePosts"] as! [String]).starts(with: ["书记", "副书记", "组织委员", "宣传委员"]))
            #expect(try await client.get("/api/v1/reference", token: nil).status == .unauthorized)
        }
    }

    @Test("ORG-1, ORG-3: a sub-org is created with its generated full name, path and upper committee; the preview shows the name first")
    func create() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["zongzhi_admin"])
            let draft: [String: Any] = ["shortName": "计算机学院2020级3班团支部", "category": "branch", "industryCategory": "普通高等学校"]
            let preview = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020/children/preview", draft, token: token)
            #expect(preview.status == .ok)
            let shown = try preview.json()
            let generated = shown["generatedFullName"] as! String
            #expect(generated.hasSuffix("计算机学院2020级团总支计算机学院2020级3班团支部"))
            #expect(shown["upperCommitteeId"] as? String == "upc-cs")
            // Nothing was created by the preview.
            let before = try await client.get("/api/v1/orgs/upc-cs-2020/children", token: token).json()
            #expect((before["items"] as! [Any]).count == 2)

            var corrected = draft
            corrected["fullName"] = "共青团中国石油大学（华东）计算机科学与技术学院2020级3班团支部"
            corrected["youthCount"] = 35
            let created = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020/children", corrected, token: token)
            #expect(created.status == .created)
            let org = try created.json()
            let id = org["id"] as! String
            #expect(id.hasPrefix("o") && id.count == 13)
            #expect(org["fullName"] as? String == corrected["fullName"] as? String)
            #expect(org["shortName"] as? String == "计算机学院2020级3班团支部")
            #expect(org["upperCommitteeId"] as? String == "upc-cs")
            #expect(org["path"] as? [String] == ["tzy", "sd", "sd-qd", "upc", "upc-cs", "upc-cs-2020", id])
            #expect(org["industryCategory"] as? String == "普通高等学校")
            #expect(org["schoolDomain"] as? Bool == true)
            #expect(created.headers[.location] == "/api/v1/orgs/\(id)")

            let children = try await client.get("/api/v1/orgs/upc-cs-2020/children", token: token).json()
            #expect((children["items"] as! [[String: Any]]).contains { $0["id"] as? String == id })
            let profile = try await client.get("/api/v1/orgs/\(id)/profile", token: token).json()
            #expect(profile["youthCount"] as? Int == 35)

            // The same name again under the same parent: 409, nothing twice.
            let again = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020/children", draft, token: token)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "org_exists")
        }
    }

    @Test("ORG-3: a wrong short name is 422 with the category's pattern; every reason is listed")
    func badShortName() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["zongzhi_admin"])
            let response = try await client.sendJSON(
                .post, "/api/v1/orgs/upc-cs-2020/children", ["shortName": "17级1班", "category": "branch", "youthCount": 20000], token: token)
            #expect(response.status == .unprocessableContent)
            #expect(response.errorCode == "invalid_org")
            let message = try #require(response.errorMessage)
            #expect(message.contains("团支部简称应为“单位/区划名称+团支部”或“入学年份级+班号+班团支部”，如“2017级1班团支部”"))
            let error = try response.json()["error"] as! [String: Any]
            let reasons = error["reasons"] as! [String]
            #expect(reasons.count == 2)
            #expect(reasons.contains("14-28周岁青年数应为0至10000之间的整数"))
            let committee = try await client.sendJSON(
                .post, "/api/v1/orgs/upc-cs-2020/children", ["shortName": "理学院团委", "category": "committee"], token: token)
            #expect(committee.status == .unprocessableContent)
            #expect(committee.errorMessage == "团总支下不能创建团委")
        }
    }

    @Test("ORG-7: a branch admin cannot create sub-orgs; another school's org is 404 like an unknown one; one level at a time (403)")
    func scope() async throws {
        try await withDemoApp { client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            let draft: [String: Any] = ["shortName": "2021级1班团支部", "category": "branch"]
            let own = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020-1/children", draft, token: branch)
            #expect(own.status == .unprocessableContent)
            #expect(own.errorMessage == "团支部不能创建下级组织：团员只编入团支部")
            let other = try await client.sendJSON(.post, "/api/v1/orgs/qdu/children", draft, token: branch)
            #expect(other.status == .notFound)
            #expect(try await client.sendJSON(.post, "/api/v1/orgs/no-such/children", draft, token: branch).status == .notFound)
            let committee = try await client.login(Self.accounts["committee_admin"])
            // 学院团委 administers the 团总支 but does not skip the level to create its branches.
            #expect(try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020/children", draft, token: committee).status == .forbidden)
            #expect(try await client.get("/api/v1/orgs/qdu/profile", token: committee).status == .notFound)
            #expect(try await client.get("/api/v1/orgs/qdu/progress", token: committee).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/orgs/upc-cs-2020-1", method: .delete, headers: [:]).status == .unauthorized)
        }
    }

    @Test("ORG-10: deleting is refused while the org has admins or members, allowed when empty; the row is kept, marked")
    func delete() async throws {
        try await withDemoApp { env, client in
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            let refused = try await client.execute(
                uri: "/api/v1/orgs/upc-cs-2020-1", method: .delete, headers: [.authorization: "Bearer \(zongzhi)"])
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "org_not_empty")
            let reasons = (try refused.json()["error"] as! [String: Any])["reasons"] as! [String]
            #expect(reasons.contains { $0.contains("管理员") })
            #expect(reasons.contains { $0.contains("团员") })

            let created = try await client.sendJSON(
                .post, "/api/v1/orgs/upc-cs-2020/children", ["shortName": "2020级9班团支部", "category": "branch"], token: zongzhi)
            let id = try created.json()["id"] as! String
            // Not the org itself, and not the committee above its parent.
            let committee = try await client.login(Self.accounts["committee_admin"])
            #expect(try await client.execute(uri: "/api/v1/orgs/\(id)", method: .delete, headers: [.authorization: "Bearer \(committee)"]).status == .forbidden)
            let deleted = try await client.execute(uri: "/api/v1/orgs/\(id)", method: .delete, headers: [.authorization: "Bearer \(zongzhi)"])
            #expect(deleted.status == .noContent)
            #expect(try await client.get("/api/v1/orgs/\(id)", token: zongzhi).status == .notFound)
            let children = try await client.get("/api/v1/orgs/upc-cs-2020/children", token: zongzhi).json()
            #expect(!(children["items"] as! [[String: Any]]).contains { $0["id"] as? String == id })
            #expect(try await client.sendJSON(.post, "/api/v1/orgs/\(id)/children", ["shortName": "x团支部", "category": "branch"], token: zongzhi).status == .notFound)
            // The name is free again for a new sibling; the deleted row is still there.
            #expect(try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020/children", ["shortName": "2020级9班团支部", "category": "branch"], token: zongzhi).status == .created)
            try await withOpenDatabase(env) { database in
                let row = try #require(try await database.sql.raw("SELECT deleted_at, deleted_by FROM orgs WHERE id = \(bind: id)").first())
                #expect(try row.decode(column: "deleted_at", as: String?.self) != nil)
                let actions = try await database.repositories.orgAudit.entries(of: OrgID(rawValue: id)!).map(\.event.action)
                #expect(actions == [.create, .delete])
                await #expect(throws: (any Error).self) { try await database.sql.raw("DELETE FROM orgs WHERE id = \(bind: id)").run() }
                await #expect(throws: (any Error).self) {
                    try await database.sql.raw("UPDATE orgs SET deleted_at = NULL WHERE id = \(bind: id)").run()
                }
            }
        }
    }

    @Test("ORG-4: a PATCH that changes a short name, full name, category or set industry category is 409 with the reason; the schema refuses it too")
    func immutable() async throws {
        try await withDemoApp { env, client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            let path = "/api/v1/orgs/upc-cs-2020-1/profile"
            let renamed = try await client.sendJSON(.patch, path, ["shortName": "新名字团支部"], token: branch)
            #expect(renamed.status == .conflict)
            #expect(renamed.errorCode == "org_field_immutable")
            #expect(renamed.errorMessage?.hasPrefix("组织简称填写后不可修改") == true)
            let industry = try await client.sendJSON(.patch, path, ["industryCategory": "农村", "category": "committee"], token: branch)
            #expect(industry.status == .conflict)
            #expect(industry.errorMessage?.hasPrefix("组织类别、单位所属行业类别填写后不可修改") == true)
            // Sending back what was read changes nothing.
            var read = try await client.get(path, token: branch).json()
            read["secretaryMobile"] = "13912345678"
            let sentBack = try await client.sendJSON(.patch, path, read, token: branch)
            #expect(sentBack.status == .ok)
            #expect(try sentBack.json()["secretaryMobile"] as? String == "13912345678")
            try await withOpenDatabase(env) { database in
                await #expect(throws: (any Error).self) {
                    try await database.sql.raw("UPDATE orgs SET name = 'x团支部' WHERE id = 'upc-cs-2020-1'").run()
                }
                await #expect(throws: (any Error).self) {
                    try await database.sql.raw("UPDATE orgs SET industry_category = '农村' WHERE id = 'upc-cs-2020-1'").run()
                }
            }
        }
    }

    @Test("ORG-5, ORG-8: the profile lists required and missing fields; a PATCH reports every reason; the org's own admin fills it in")
    func profile() async throws {
        try await withDemoApp { env, client in
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            let created = try await client.sendJSON(
                .post, "/api/v1/orgs/upc-cs-2020/children", ["shortName": "2020级8班团支部", "category": "branch"], token: zongzhi)
            let id = try created.json()["id"] as! String
            let empty = try await client.get("/api/v1/orgs/\(id)/profile", token: zongzhi).json()
            #expect(empty["complete"] as? Bool == false)
            let missing = (empty["missing"] as! [[String: Any]]).map { $0["field"] as! String }
            #expect(missing == ["industryCategory", "secretaryName", "secretaryIdNumber", "secretaryMobile"])
            #expect((empty["missing"] as! [[String: Any]]).first?["label"] as? String == "单位所属行业类别")
            // Filled in by its own admin only: the parent created it and reads it.
            #expect(try await client.sendJSON(.patch, "/api/v1/orgs/\(id)/profile", ["phone": "0532-12345678"], token: zongzhi).status == .forbidden)

            let branch = try await client.login(Self.accounts["branch_admin"])
            let path = "/api/v1/orgs/upc-cs-2020-1/profile"
            let bad = try await client.sendJSON(
                .patch, path,
                ["youthCount": 10001, "partyRecommendedCount": 1001, "administrativeStaffing": -1, "secretaryIdNumber": "370211199104261105",
                 "secretaryMobile": "12"], token: branch)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorCode == "invalid_org_profile")
            let reasons = (try bad.json()["error"] as! [String: Any])["reasons"] as! [String]
            #expect(reasons.count == 5)
            #expect(reasons.contains("年度经推入党团员数应为0至1000之间的整数"))
            #expect(reasons.contains("书记身份证号码校验位不正确，请核对"))

            let good = try await client.sendJSON(.patch, path, ["youthCount": 45, "email": "c1@upc.edu.cn", "secretaryMobile": NSNull()], token: branch)
            #expect(good.status == .ok)
            let after = try good.json()
            #expect(after["youthCount"] as? Int == 45)
            #expect(after["complete"] as? Bool == false)
            #expect((after["missing"] as! [[String: Any]]).map { $0["field"] as! String } == ["secretaryMobile"])
            // The branch's own admin sees the secretary's full ID number; the committee two levels up sees it masked.
            #expect(after["secretaryIdNumberMasked"] as? Bool == false)
            let committee = try await client.login(Self.accounts["committee_admin"])
            let seen = try await client.get(path, token: committee).json()
            #expect(seen["secretaryIdNumberMasked"] as? Bool == true)
            #expect((seen["secretaryIdNumber"] as? String)?.contains("*") == true)
            try await withOpenDatabase(env) { database in
                let entries = try await database.repositories.orgAudit.entries(of: OrgID(rawValue: "upc-cs-2020-1")!)
                let detail = try #require(entries.last?.event.detail)
                #expect(entries.last?.event.action == .profileUpdate)
                #expect(detail.contains("\"youthCount\":{\"after\":\"45\",\"before\":\"40\"}"))
                #expect(detail.contains("secretaryMobile"))
            }
        }
    }

    @Test("ORG-9: progress per level: logged in, information complete, sub-orgs created, in one answer")
    func progress() async throws {
        try await withDemoApp { client in
            let committee = try await client.login(Self.accounts["committee_admin"])
            _ = try await client.login(Self.accounts["branch_admin"])  // 1班's admin has logged in
            let body = try await client.get("/api/v1/orgs/upc-cs/progress", token: committee).json()
            #expect((body["org"] as! [String: Any])["id"] as? String == "upc-cs")
            let levels = body["levels"] as! [[String: Any]]
            #expect(levels.map { $0["level"] as! Int } == [6, 7])
            #expect(levels.map { $0["name"] as! String } == ["六级组织", "七级组织"])
            let zongzhi = levels[0]
            #expect(zongzhi["total"] as? Int == 1)
            #expect(zongzhi["withSubOrgs"] as? Int == 1)
            let branches = levels[1]
            #expect(branches["total"] as? Int == 2)
            #expect(branches["loggedIn"] as? Int == 1)
            #expect(branches["infoComplete"] as? Int == 1)
            let items = branches["items"] as! [[String: Any]]
            let c2 = try #require(items.first { $0["id"] as? String == "upc-cs-2020-2" })
            #expect(c2["infoComplete"] as? Bool == false)
            #expect(c2["loggedIn"] as? Bool == false)
            #expect(c2["mayHaveSubOrgs"] as? Bool == false)
            #expect((c2["missing"] as! [[String: Any]]).map { $0["field"] as! String } == ["secretaryMobile"])
            let c1 = try #require(items.first { $0["id"] as? String == "upc-cs-2020-1" })
            #expect(c1["loggedIn"] as? Bool == true)
            #expect(c1["admins"] as? [String] == ["杨帆"])
            // One level only: the others carry their size alone.
            let one = try await client.get("/api/v1/orgs/upc-cs/progress?level=7", token: committee).json()
            let oneLevels = one["levels"] as! [[String: Any]]
            #expect(oneLevels[0]["items"] == nil)
            #expect((oneLevels[1]["items"] as! [Any]).count == 2)
        }
    }
}

/// Opens the test app's database beside the running app (SQLite file or PostgreSQL).
func withOpenDatabase(_ env: TestAppEnvironment, _ body: (Database) async throws -> Void) async throws {
    let database = try await openDatabase(config: env.config, logger: TestDatabase.logger)
    do {
        try await body(database)
        try await database.close()
    } catch {
        try? await database.close()
        throw error
    }
}

import App
import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Persistence
import Testing

extension TestResponse {
    var errorReasons: [String] {
        let object = try? JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any]
        return ((object?["error"] as? [String: Any])?["reasons"] as? [String]) ?? []
    }
}

/// A new member's fields that pass every rule: born 2004-05-06, joined 2020-09-01.
func newMemberBody(idNumber: String = IDNumber.completing("37021120040506123"), number: String = "2020370299901") -> [String: Any] {
    [
        "name": "赵新", "gender": "男", "idNumber": idNumber, "ethnicity": "汉族", "education": "大学本科", "joinedOn": "2020-09-01",
        "developmentNumber": number, "mobile": "13800138000",
    ]
}

/// Member entry, profile edits, removal, 超龄, the real-name batch and cadre posts through the
/// API (issue 9, members).
@Suite("Member records API")
struct MemberRecordTests {
    static let accounts = try! DemoAccounts.load()
    static let c1 = "/api/v1/orgs/upc-cs-2020-1"

    @Test("MEM-1, MEM-3, MEM-4, ADM-6: a branch admin enters a member (201); the member logs in with the last 8 characters and must change them")
    func entry() async throws {
        try await withDemoApp { client in
            let admin = try await client.login(Self.accounts["branch_admin"])
            let body = newMemberBody()
            let response = try await client.sendJSON(.post, "\(Self.c1)/members", body, token: admin)
            #expect(response.status == .created, "\(String(buffer: response.body))")
            let created = try response.json()
            let id = try #require(created["id"] as? String)
            #expect(created["name"] as? String == "赵新")
            #expect(created["archiveRequired"] as? Bool == true)
            #expect(created["identityStatus"] as? String == "unverified")
            #expect(created["overAge"] as? Bool == false)
            let number = body["idNumber"] as! String
            let login = try await client.postJSON("/api/v1/login", ["account": number, "password": String(number.suffix(8))])
            #expect(login.status == .ok)
            #expect(try login.json()["mustChangePassword"] as? Bool == true)
            // The list shows the new member, ID number masked.
            let list = try await client.get("\(Self.c1)/members?limit=100", token: admin).json()
            let items = list["items"] as! [[String: Any]]
            #expect(items.contains { $0["id"] as? String == id && ($0["idNumber"] as? String)?.contains("*") == true })
            // The entry is audited.
            let record = try await client.get("/api/v1/members/\(id)/record", token: admin).json()
            #expect((record["history"] as! [[String: Any]]).first?["action"] as? String == "member.enter")
        }
    }

    @Test("MEM-1: the branch's direct parent enters members too; the committee above and another branch's admin do not")
    func whoEnters() async throws {
        try await withDemoApp { client in
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            #expect(try await client.sendJSON(.post, "\(Self.c1)/members", newMemberBody(), token: zongzhi).status == .created)
            let committee = try await client.login(Self.accounts["committee_admin"])
            let refused = try await client.sendJSON(
                .post, "\(Self.c1)/members", newMemberBody(idNumber: IDNumber.completing("37021120040506133"), number: "2020370299902"),
                token: committee)
            #expect(refused.status == .forbidden)
            let other = try await client.login(Self.accounts["other_school_admin"])
            #expect(try await client.sendJSON(.post, "\(Self.c1)/members", newMemberBody(), token: other).status == .notFound)
        }
    }

    @Test("MEM-1, MEM-3, MEM-4: a bad draft is 422 invalid_member with every reason, and creates nothing")
    func everyReason() async throws {
        try await withDemoApp { client in
            let admin = try await client.login(Self.accounts["branch_admin"])
            var body = newMemberBody()
            body["idNumber"] = "370211200405061230"  // the check character is 2
            body["ethnicity"] = "火星族"
            body["mobile"] = "123"
            body["developmentNumber"] = ""
            body.removeValue(forKey: "education")
            let response = try await client.sendJSON(.post, "\(Self.c1)/members", body, token: admin)
            #expect(response.status == .unprocessableContent)
            #expect(response.errorCode == "invalid_member")
            let reasons = response.errorReasons
            #expect(reasons.count == 4, "\(reasons)")
            #expect(reasons.contains("身份证号校验位不正确，请核对后重新填写"))
            #expect(reasons.contains("请填写学历"))
            #expect(reasons.contains("手机号码应为11位数字"))
            #expect(response.errorMessage?.contains("；") == true)
            let list = try await client.get("\(Self.c1)/members?limit=100", token: admin).json()
            #expect((list["items"] as! [[String: Any]]).count == 12)

            // MEM-3: too young; MEM-4: no number from 2017, and the year must be the join year.
            body = newMemberBody()
            body["joinedOn"] = "2016-05-04"
            #expect(try await client.sendJSON(.post, "\(Self.c1)/members", body, token: admin).errorReasons.contains {
                $0.hasPrefix("入团年龄不符合规定") && $0.contains("入团时11周岁")
            })
            body = newMemberBody(number: "")
            #expect(try await client.sendJSON(.post, "\(Self.c1)/members", body, token: admin).errorReasons == [
                "2017年1月1日及以后入团的团员（新疆自2016年1月1日起）须填写发展团员编号"
            ])
            body = newMemberBody(number: "2019370299901")
            #expect(try await client.sendJSON(.post, "\(Self.c1)/members", body, token: admin).errorReasons == [
                "发展团员编号前四位（2019）与入团年份（2020）不一致"
            ])
        }
    }

    @Test("MEM-4: a taken development number names the branch that holds it, never the holder's ID number")
    func takenNumber() async throws {
        try await withDemoApp { client in
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            // 2020370200103 is 马晓东's, in 1班.
            let response = try await client.sendJSON(
                .post, "/api/v1/orgs/upc-cs-2020-2/members", newMemberBody(number: "2020370200103"), token: zongzhi)
            #expect(response.status == .unprocessableContent)
            #expect(response.errorReasons == ["发展团员编号已被“计算机学院2020级1班团支部”的团员使用，请联系上级团组织协助核实"])
            #expect(!String(buffer: response.body).contains(Self.accounts["member_new"].account))
        }
    }

    @Test("MEM-5: a person already a member is refused with the branch named; ORG-7: only branches hold members")
    func oneBranchOnly() async throws {
        try await withDemoApp { client in
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            let response = try await client.sendJSON(
                .post, "/api/v1/orgs/upc-cs-2020-2/members", newMemberBody(idNumber: Self.accounts["member_new"].account, number: "2020370299903"),
                token: zongzhi)
            #expect(response.errorReasons.contains("该身份证号的团员已在“计算机学院2020级1班团支部”，一名团员只能在一个团支部"))
            let general = try await client.sendJSON(.post, "/api/v1/orgs/upc-cs-2020/members", newMemberBody(), token: zongzhi)
            #expect(general.status == .unprocessableContent)
            #expect(general.errorReasons == ["团员只能录入团支部，不能直接录入团总支"])
        }
    }

    @Test("MEM-10: a member edits their own profile; MEM-2: not their name, which only the provincial committee changes, audited before and after")
    func profileEdits() async throws {
        try await withDemoApp { client in
            let id = Self.accounts["member_new"].memberId!
            let member = try await client.login(Self.accounts["member_new"])
            let edited = try await client.sendJSON(.patch, "/api/v1/members/\(id)", ["mobile": "13900139000", "ethnicity": "回族"], token: member)
            #expect(edited.status == .ok, "\(String(buffer: edited.body))")
            let changes = try edited.json()["changes"] as! [[String: Any]]
            #expect(changes.map { $0["field"] as! String } == ["ethnicity", "mobile"])
            #expect(changes[1]["before"] == nil && changes[1]["after"] as? String == "13900139000")

            let rename = try await client.sendJSON(.patch, "/api/v1/members/\(id)", ["name": "马小东"], token: member)
            #expect(rename.status == .forbidden)
            #expect(rename.errorCode == "identity_fields_province_only")
            let branch = try await client.login(Self.accounts["branch_admin"])
            #expect(try await client.sendJSON(.patch, "/api/v1/members/\(id)", ["name": "马小东"], token: branch).errorCode == "identity_fields_province_only")
            // Posting the unchanged name back is not a change of it.
            #expect(try await client.sendJSON(.patch, "/api/v1/members/\(id)", ["name": "马晓东", "education": "大学本科"], token: member).status == .ok)

            let province = try await client.login(Self.accounts["province_admin"])
            let renamed = try await client.sendJSON(.patch, "/api/v1/members/\(id)", ["name": "马小东"], token: province)
            #expect(renamed.status == .ok)
            let record = try await client.get("/api/v1/members/\(id)/record", token: province).json()
            #expect((record["member"] as! [String: Any])["name"] as? String == "马小东")
            let history = record["history"] as! [[String: Any]]
            let last = try #require(history.last)
            #expect(last["action"] as? String == "member.identity")
            let change = (last["changes"] as! [[String: Any]])[0]
            #expect(change["before"] as? String == "马晓东" && change["after"] as? String == "马小东")
            // MEM-9: the checked name is no longer the record: back to 未认证, with a history line.
            #expect(record["identityStatus"] as? String == "unverified")
            #expect((record["identityChecks"] as! [[String: Any]]).last?["source"] as? String == "record_change")
        }
    }

    @Test("MEM-4: the member edits the development number; a taken one names its branch; a branch admin of another branch may not")
    func developmentNumberEdit() async throws {
        try await withDemoApp { client in
            let id = Self.accounts["member_new"].memberId!
            let member = try await client.login(Self.accounts["member_new"])
            #expect(try await client.sendJSON(.patch, "/api/v1/members/\(id)", ["developmentNumber": "2020370200199"], token: member).status == .ok)
            let taken = try await client.sendJSON(.patch, "/api/v1/members/\(id)", ["developmentNumber": "2020370200203"], token: member)
            #expect(taken.errorReasons == ["发展团员编号已被“计算机学院2020级2班团支部”的团员使用，请联系上级团组织协助核实"])
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            #expect(try await client.sendJSON(.patch, "/api/v1/members/\(id)", ["developmentNumber": "2020370200198"], token: zongzhi).status == .ok)
            let committee = try await client.login(Self.accounts["committee_admin"])
            #expect(try await client.sendJSON(.patch, "/api/v1/members/\(id)", ["developmentNumber": "2020370200197"], token: committee).status == .forbidden)
        }
    }

    @Test("MEM-6: branch admins cannot remove; the province confirms name and ID number with a reason; the record stays, out of lists and counts")
    func removal() async throws {
        try await withDemoApp { client in
            let id = Self.accounts["member_old"].memberId!
            let number = Self.accounts["member_old"].account
            let branch = try await client.login(Self.accounts["branch_admin"])
            let body: [String: Any] = ["name": "林子豪", "idNumber": number, "reason": "重复录入"]
            #expect(try await client.sendJSON(.post, "/api/v1/members/\(id)/removal", body, token: branch).status == .forbidden)
            let province = try await client.login(Self.accounts["province_admin"])
            let wrong = try await client.sendJSON(.post, "/api/v1/members/\(id)/removal", ["name": "林子", "idNumber": "x", "reason": ""], token: province)
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.errorReasons == ["输入的姓名与该团员记录不一致", "输入的身份证号与该团员记录不一致", "请填写删除理由"])
            #expect(try await client.sendJSON(.post, "/api/v1/members/\(id)/removal", body, token: province).status == .noContent)
            #expect(try await client.sendJSON(.post, "/api/v1/members/\(id)/removal", body, token: province).errorCode == "member_removed")

            let list = try await client.get("\(Self.c1)/members?limit=100", token: branch).json()
            let ids = (list["items"] as! [[String: Any]]).map { $0["id"] as! String }
            #expect(ids.count == 11 && !ids.contains(id))
            let record = try await client.get("/api/v1/members/\(id)/record", token: province).json()
            #expect(record["removed"] as? Bool == true)
            #expect((record["removal"] as! [String: Any])["reason"] as? String == "重复录入")
        }
    }

    @Test("MEM-7: at 28 a member without a post is 超龄 (overAge) and leaves the new-member counts; a cadre is not")
    func overAge() async throws {
        try await withDemoApp { client in
            let admin = try await client.login(Self.accounts["branch_admin"])
            let stats = try await client.get("\(Self.c1)/stats/new-members", token: admin).json()
            #expect(stats["unverified"] as? Int == 6 && stats["withoutArchive"] as? Int == 6)
        }
        // 2031-01-01: 马晓东 (2002-11-08), 高宇航 (2002-10-30) and 宋嘉怡 (2002-04-08) are 28; 杨帆 (2002-03-15) is the secretary.
        try await withDemoApp(clock: FixedTimeSource(Timestamp(text: "2031-01-01T02:00:00.000Z")!)) { client in
            let admin = try await client.login(Self.accounts["branch_admin"])
            #expect(try await client.get("/api/v1/members/p-c1-03", token: admin).json()["overAge"] as? Bool == true)
            #expect(try await client.get("/api/v1/members/p-c1-01", token: admin).json()["overAge"] as? Bool == false)
            #expect(try await client.get("/api/v1/members/p-c1-04", token: admin).json()["overAge"] as? Bool == false)
            let stats = try await client.get("\(Self.c1)/stats/new-members", token: admin).json()
            #expect(stats["unverified"] as? Int == 3 && stats["withoutArchive"] as? Int == 3)
        }
    }

    @Test("MEM-9: the province exports the unverified as CSV and imports the service's answers; bad lines come back by number")
    func realNameBatch() async throws {
        try await withDemoApp { client in
            let province = try await client.login(Self.accounts["province_admin"])
            let branch = try await client.login(Self.accounts["branch_admin"])
            #expect(try await client.get("/api/v1/orgs/sd/identity-checks/pending.csv", token: branch).status == .forbidden)
            #expect(try await client.get("/api/v1/orgs/upc-cs-2020-1/identity-checks/pending.csv", token: branch).status == .forbidden)
            let export = try await client.get("/api/v1/orgs/sd/identity-checks/pending.csv", token: province)
            #expect(export.status == .ok)
            #expect(export.headers[.contentType] == "text/csv; charset=utf-8")
            let csv = String(buffer: export.body)
            #expect(csv.hasPrefix("\u{FEFF}编号,姓名,公民身份号码\r\n"))
            #expect(csv.contains("p-c1-03,马晓东,\(Self.accounts["member_new"].account)"))
            #expect(!csv.contains("p-nju-01"))

            let answers = "编号,姓名,公民身份号码,核验结果,说明\n"
                + "p-c1-03,马晓东,\(Self.accounts["member_new"].account),一致,\n"
                + "p-c1-04,胡雪,\(Self.accounts["member_new_2"].account),不一致,证件信息不符\n"
                + "p-nju-01,江浩宇,320106200301151234,一致\n"
                + "p-c1-05,林子豪,370214200205201300,一致\n"
                + "p-c1-06,何佳琪\n"
            let response = try await client.execute(
                uri: "/api/v1/orgs/sd/identity-checks/answers", method: .post,
                headers: [.authorization: "Bearer \(province)", .contentType: "text/csv"], body: ByteBuffer(string: answers))
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let outcome = try response.json()
            #expect((outcome["applied"] as! [[String: Any]]).map { $0["line"] as! Int } == [2, 3])
            let failed = outcome["failed"] as! [[String: Any]]
            #expect(failed.map { $0["line"] as! Int } == [4, 5, 6])
            #expect((failed[0]["reasons"] as! [String]) == ["本组织范围内没有该编号的人员"])
            #expect((failed[1]["reasons"] as! [String])[0].hasPrefix("姓名或公民身份号码与系统记录不一致"))

            #expect(try await client.get("/api/v1/members/p-c1-03", token: branch).json()["identityStatusName"] as? String == "认证通过")
            #expect(try await client.get("/api/v1/members/p-c1-04", token: branch).json()["identityStatus"] as? String == "failed")
            let again = String(buffer: try await client.get("/api/v1/orgs/sd/identity-checks/pending.csv", token: province).body)
            #expect(!again.contains("p-c1-03,") && !again.contains("p-c1-04,") && again.contains("p-c1-05,"))

            let bad = try await client.execute(
                uri: "/api/v1/orgs/sd/identity-checks/answers", method: .post,
                headers: [.authorization: "Bearer \(province)", .contentType: "text/csv"], body: ByteBuffer(string: "a,b\n"))
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorCode == "invalid_identity_file")
        }
    }

    @Test("cadres: the list, a post change with its history; the 书记's post only through the parent; unknown and duplicate posts refused")
    func cadres() async throws {
        try await withDemoApp { client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            let list = try await client.get("\(Self.c1)/cadres", token: branch).json()
            let items = list["items"] as! [[String: Any]]
            #expect(Set(items.map { $0["personId"] as! String }) == ["p-c1-01", "p-c1-02"])
            #expect(items.allSatisfy { ($0["idNumber"] as! String).contains("*") })
            #expect((list["posts"] as! [String]).prefix(2) == ["书记", "副书记"])

            let changed = try await client.sendJSON(.patch, "\(Self.c1)/cadres/p-c1-02/post", ["post": "宣传委员"], token: branch)
            #expect(changed.status == .ok, "\(String(buffer: changed.body))")
            #expect(try changed.json()["from"] as? String == "组织委员")
            let secretary = try await client.sendJSON(.patch, "\(Self.c1)/cadres/p-c1-01/post", ["post": "副书记"], token: branch)
            #expect(secretary.status == .forbidden)
            #expect(secretary.errorCode == "secretary_needs_parent")
            let zongzhi = try await client.login(Self.accounts["zongzhi_admin"])
            #expect(try await client.sendJSON(.patch, "\(Self.c1)/cadres/p-c1-01/post", ["post": "书记"], token: zongzhi).status == .ok)

            #expect(try await client.sendJSON(.post, "\(Self.c1)/cadres", ["personId": "p-c1-05", "post": "文体委员"], token: branch).status == .created)
            #expect(try await client.sendJSON(.post, "\(Self.c1)/cadres", ["personId": "p-c1-05", "post": "文体委员"], token: branch).errorCode == "cadre_post_exists")
            #expect(try await client.sendJSON(.post, "\(Self.c1)/cadres", ["personId": "p-c1-07", "post": "队长"], token: branch).errorCode == "unknown_post")
            #expect(try await client.sendJSON(.post, "\(Self.c1)/cadres", ["personId": "p-c1-07", "post": "书记"], token: branch).errorCode == "secretary_needs_parent")

            let history = try await client.get("\(Self.c1)/cadres/history", token: branch).json()["items"] as! [[String: Any]]
            #expect(history.count == 3)
            #expect(history.map { $0["to"] as! String } == ["文体委员", "书记", "宣传委员"])
            #expect(history.last?["changedByName"] as? String == "杨帆")
            let other = try await client.login(Self.accounts["other_school_admin"])
            #expect(try await client.get("\(Self.c1)/cadres", token: other).status == .notFound)
        }
    }
}

import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The Excel imports (ORG-6, MEM-8, ARC-13, MEM-1, MEM-4; issue 9 items 2, 6, 7): every input
/// is written by openpyxl (or Python's own CSV writer) at test time, and our templates are
/// read back by openpyxl.
@Suite("Imports")
struct ImportTests {
    static let committee = "upc-cs"
    /// The branches' direct parent, whose admin enters their members (MEM rules).
    static let zongzhi = "upc-cs-2020"
    static let branch2 = "upc-cs-2020-2"
    static let branch2Name = "计算机学院2020级2班团支部"

    // MARK: ORG-6

    @Test("ORG-6: the children template has 组织简称, a real drop-down of 组织类别 and a 填写说明 sheet (read by openpyxl)")
    func childrenTemplate() async throws {
        try await withDemoApp { client in
            let token = try await client.login(try DemoAccounts.load()["committee_admin"])
            let response = try await client.get("/api/v1/orgs/\(Self.committee)/children/template.xlsx", token: token)
            #expect(response.status == .ok)
            let book = try ImportPython.inspect(Array(buffer: response.body))
            let sheet = try #require(book.sheets.first)
            #expect(sheet.header.prefix(2) == ["*组织简称", "*组织类别"])
            #expect(book.sheets.map(\.name).contains("填写说明"))
            let categories = try #require(sheet.validations.first { $0.range.hasPrefix("B2") })
            #expect(categories.formula.contains("团支部") && categories.formula.contains("团总支"))
        }
    }

    @Test("ORG-6: a filled file creates each valid row completely, reports each failed row with its number and reasons; the same file again creates nothing twice")
    func childrenImport() async throws {
        try await withDemoApp { client in
            let token = try await client.login(try DemoAccounts.load()["committee_admin"])
            let file = try ImportPython.make("children")
            let path = "/api/v1/orgs/\(Self.committee)/children/import"
            let first = try await client.execute(
                uri: path, method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
                body: ByteBuffer(bytes: file))
            #expect(first.status == .ok, "\(String(buffer: first.body))")
            let json = try first.json()
            let created = try #require(json["created"] as? [[String: Any]])
            #expect(Set(created.compactMap { $0["shortName"] as? String }) == ["计算机学院2025级团总支", "计算机学院2025级1班团支部"])
            let failed = try #require(json["failed"] as? [[String: Any]])
            #expect(failed.map { $0["row"] as? Int } == [5, 6])
            let reasons5 = failed[0]["reasons"] as? [String] ?? []
            #expect(reasons5.contains { $0.contains("团支部简称") }, "\(reasons5)")
            #expect((failed[1]["reasons"] as? [String] ?? []).count >= 1)
            #expect((json["existing"] as? [Any])?.isEmpty == true)

            // Again, as multipart: nothing twice.
            let again = try await ImportPython.multipart(client, path, file, token: token)
            #expect(again.status == .ok)
            let second = try again.json()
            #expect((second["created"] as? [Any])?.isEmpty == true)
            #expect(Set(((second["existing"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
                == ["计算机学院2025级团总支", "计算机学院2025级1班团支部"])
            let children = try await client.get("/api/v1/orgs/\(Self.committee)/children", token: token)
            let text = String(buffer: children.body)
            let items = (try children.json()["items"] as? [[String: Any]]) ?? []
            #expect(items.filter { ($0["name"] as? String) == "计算机学院2025级1班团支部" }.count == 1, "created exactly once")
            #expect(!text.contains("17级1班团支部"))
        }
    }

    // MARK: MEM-8

    @Test("MEM-8, MEM-1, MEM-4, ARC-13: good rows are created, every failed row comes back with its number and every reason, an ID number stored as a number is refused for its row; new members lead to their archive uploads")
    func memberImport() async throws {
        try await withDemoApp { client in
            let token = try await client.login(try DemoAccounts.load()["zongzhi_admin"])
            let file = try ImportPython.make("members")
            let response = try await client.execute(
                uri: "/api/v1/orgs/\(Self.zongzhi)/members/import?kind=branch_members", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: file))
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let json = try response.json()
            let created = (json["created"] as? [[String: Any]]) ?? []
            #expect(Set(created.compactMap { $0["name"] as? String }) == ["导入甲", "导入乙", "导入丙", "导入丁"])
            let newMembers = (json["newMembers"] as? [[String: Any]]) ?? []
            // 导入乙 joined in 2019: no archive (ARC-1); the others did in 2021/2022.
            #expect(Set(newMembers.compactMap { $0["name"] as? String }) == ["导入甲", "导入丙", "导入丁"])
            #expect((json["next"] as? String) == "/members?org=upc-cs-2020&status=not_uploaded")
            // The list masks ID numbers.
            #expect(!String(buffer: response.body).contains("370211200603015"))

            let failed = (json["failed"] as? [[String: Any]]) ?? []
            let byRow = Dictionary(uniqueKeysWithValues: failed.map { ($0["row"] as! Int, $0["reasons"] as! [String]) })
            #expect(Set(byRow.keys) == [7, 8, 9], "\(byRow)")
            let numberRow = byRow[7] ?? []
            #expect(numberRow.contains("身份证号被 Excel 存成了数字，末几位已丢失；请将该列设置为文本格式后重新填写"))
            #expect(numberRow.contains("手机号码应为11位数字"), "every reason of the row: \(numberRow)")
            let several = byRow[8] ?? []
            #expect(several.contains { $0.hasPrefix("性别与身份证号不符") }, "\(several)")
            #expect(several.contains { $0.hasPrefix("民族应填写") })
            #expect(several.contains("手机号码应为11位数字"))
            #expect(several.contains { $0.hasPrefix("发展团员编号前四位") })
            #expect(several.count >= 4)
            #expect((byRow[9] ?? []).contains { $0.contains("不是本组织或其下级的团支部") })

            // Nothing half-created: the failed rows' people are nowhere; the good ones are in their branch.
            let list = String(buffer: try await client.get("/api/v1/orgs/\(Self.branch2)/members", token: token).body)
            for name in ["导入甲", "导入乙", "导入丙", "导入丁"] { #expect(list.contains(name)) }
            for name in ["导入戊", "导入己", "导入庚"] { #expect(!list.contains(name)) }

            // MEM-8 again: the same file creates nobody twice.
            let again = try await client.execute(
                uri: "/api/v1/orgs/\(Self.zongzhi)/members/import?kind=branch_members", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: file))
            let second = try again.json()
            #expect((second["created"] as? [Any])?.isEmpty == true)
            #expect(((second["existing"] as? [Any]) ?? []).count == 4)
            #expect(second["next"] == nil)

            // ADM-6: the imported member logs in with the ID number's last 8 characters and must change it.
            let login = try await client.postJSON("/api/v1/login", ["account": ImportPython.idJia, "password": String(ImportPython.idJia.suffix(8))])
            #expect(login.status == .ok)
            #expect((try login.json()["mustChangePassword"] as? Bool) == true)
            let wrong = try await client.postJSON("/api/v1/login", ["account": ImportPython.idJia, "password": "12345678"])
            #expect(wrong.status == .unauthorized)
        }
    }

    @Test("MEM-8, MEM-4, MEM-5: a file of more than one write batch is judged row by row in order: a repeated row is already there, the same person for another branch and a development number taken by an earlier row (of this batch or the last) are refused; a known person keeps their account")
    func importAcrossBatches() async throws {
        try await withDemoApp { client in
            let accounts = try DemoAccounts.load()
            // A known person who is no member: registered as the 团总支's second admin.
            let committee = try await client.login(accounts["committee_admin"])
            let code = try await client.registrationCode(for: Self.zongzhi, as: committee)
            let registrant = Registrant()
            #expect(try await client.register(registrant, org: Self.zongzhi, code: code).status == .created)

            let token = try await client.login(accounts["zongzhi_admin"])
            let file = try ImportPython.make("batches", [registrant.idNumber])
            func importFile() async throws -> [String: Any] {
                let response = try await client.execute(
                    uri: "/api/v1/orgs/\(Self.zongzhi)/members/import?kind=branch_members", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: file))
                #expect(response.status == .ok, "\(String(buffer: response.body).prefix(300))")
                return try response.json()
            }
            func names(_ list: Any?) -> [String] { ((list as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } }
            func failures(_ json: [String: Any]) -> [Int: [String]] {
                Dictionary(uniqueKeysWithValues: ((json["failed"] as? [[String: Any]]) ?? []).map { ($0["row"] as! Int, $0["reasons"] as! [String]) })
            }

            let first = try await importFile()
            let fillers = Set((0..<520).filter { $0 != 3 }.map { "批量\($0)" } + ["批量3"])
            #expect(Set(names(first["created"])) == fillers.union(["批甲", "赵一鸣"]))
            #expect(names(first["created"]).count == 522)
            #expect(names(first["existing"]) == ["批甲"])
            let failed = failures(first)
            #expect(Set(failed.keys) == [4, 5, 7, 528, 529], "\(failed)")
            for row in [4, 528] { #expect(failed[row]?.count == 1, "only the membership: \(failed[row] ?? [])") }
            for row in [4, 528] { #expect(failed[row]?.contains { $0.contains(Self.branch2Name) } == true, "\(failed[row] ?? [])") }
            #expect(failed[7]?.contains { $0.contains("计算机学院2020级1班团支部") } == true, "\(failed[7] ?? [])")
            for row in [5, 529] { #expect(failed[row]?.contains { $0.contains("发展团员编号") } == true, "\(failed[row] ?? [])") }

            // The known person is a member now, with the account they had: their own password
            // still works and no initial one was made.
            #expect(try await client.login(account: registrant.idNumber, password: registrant.password).status == .ok)
            #expect(try await client.login(account: registrant.idNumber, password: String(registrant.idNumber.suffix(8))).status == .unauthorized)
            let known = try #require(((first["created"] as? [[String: Any]]) ?? []).first { $0["name"] as? String == "赵一鸣" })
            #expect((known["branch"] as? [String: Any])?["id"] as? String == Self.branch2)
            let detail = try await client.get("/api/v1/members/\(known["id"] as! String)", token: token)
            #expect(detail.status == .ok)
            #expect(String(buffer: detail.body).contains(Self.branch2))

            // The same file again: nothing twice, the same refusals.
            let second = try await importFile()
            #expect(names(second["created"]).isEmpty)
            #expect(names(second["existing"]).count == 523)
            #expect(Set(failures(second).keys) == [4, 5, 7, 528, 529])
        }
    }

    @Test("MEM-8: when a batch's insert hits a constraint it did not foresee, the batch runs again row by row: only that row fails, the others are created")
    func batchFallsBackRowByRow() async throws {
        // The login an imported person would get is already some other account's.
        let taken = ImportPython.idNumber("370211", "20060404", "741")
        try await withDemoApp(setup: { database in
            try await database.sql.raw("""
                INSERT INTO people (id, name, gender, id_number, birth_date, created_at)
                VALUES ('p-stray', '旁人', 'male', '370211199001011011', '1990-01-01', '2026-01-01T00:00:00.000Z')
                """).run()
            try await database.sql.raw("""
                INSERT INTO accounts (id, person_id, login, password_hash, must_change_password, created_at)
                VALUES ('a-stray', 'p-stray', \(bind: taken), \(bind: String(repeating: "x", count: 60)), FALSE, '2026-01-01T00:00:00.000Z')
                """).run()
        }) { _, client in
            let accounts = try DemoAccounts.load()
            let token = try await client.login(accounts["zongzhi_admin"])
            let file = try ImportPython.make("batches", [accounts["member_old"].account, "small"])
            let response = try await client.execute(
                uri: "/api/v1/orgs/\(Self.zongzhi)/members/import?kind=branch_members", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: file))
            #expect(response.status == .ok, "\(String(buffer: response.body).prefix(300))")
            let json = try response.json()
            let created = ((json["created"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            #expect(created == ["批甲"])
            #expect(((json["existing"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } == ["批甲"])
            let failedRows = Set(((json["failed"] as? [[String: Any]]) ?? []).map { $0["row"] as! Int })
            // 8: 批丁, whose login is taken; 6: member_old's number, a member of 1班 already;
            // 4, 5 and 7 as in the large file.
            #expect(failedRows == [4, 5, 6, 7, 8], "\(json["failed"] ?? [])")
            // MEM-8: the schema's refusal reaches the admin as the clashing value, not an internal error.
            let row8 = ((json["failed"] as? [[String: Any]]) ?? []).first { $0["row"] as? Int == 8 }?["reasons"] as? [String]
            #expect(row8 == ["该身份证号已是系统中另一账号的登录名，无法为其开通账号，请联系上级团委核实"], "\(row8 ?? [])")
            let list = String(buffer: try await client.get("/api/v1/orgs/\(Self.branch2)/members", token: token).body)
            #expect(list.contains("批甲") && !list.contains("批丁"))
        }
    }

    @Test("MEM-8: each template uploaded in place of the other is refused with the manual's message, and nothing is created")
    func mixedTemplates() async throws {
        try await withDemoApp { client in
            let token = try await client.login(try DemoAccounts.load()["zongzhi_admin"])
            let cadres = try ImportPython.make("own_cadres")
            let a = try await ImportPython.multipart(client, "/api/v1/orgs/\(Self.zongzhi)/members/import?kind=branch_members", cadres, token: token)
            #expect(a.status == .unprocessableContent)
            #expect(a.errorCode == "import_wrong_template")
            #expect(a.errorMessage == "您上传的 excel 表格错误，‘导入本级团干部’和‘导入下级团支部团员团干部’中所下载的模板不可混用，请重新上传正确的表格")
            let members = try ImportPython.make("members")
            let b = try await ImportPython.multipart(client, "/api/v1/orgs/\(Self.zongzhi)/members/import?kind=own_cadres", members, token: token)
            #expect(b.status == .unprocessableContent)
            #expect(b.errorMessage == MemberTemplateMessage.text)
            let list = String(buffer: try await client.get("/api/v1/orgs/\(Self.branch2)/members", token: token).body)
            #expect(!list.contains("导入甲"))
        }
    }

    @Test("MEM-8: own_cadres gives a known person a cadre post in the org itself; an unknown person or a wrong name is refused for its row; a re-upload adds nothing")
    func ownCadres() async throws {
        try await withDemoApp { client in
            let token = try await client.login(try DemoAccounts.load()["zongzhi_admin"])
            let file = try ImportPython.make("own_cadres_known")
            let path = "/api/v1/orgs/\(Self.zongzhi)/members/import?kind=own_cadres"
            let first = try await ImportPython.multipart(client, path, file, token: token)
            #expect(first.status == .ok, "\(String(buffer: first.body))")
            let json = try first.json()
            #expect(((json["created"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } == ["马晓东"])
            let failed = (json["failed"] as? [[String: Any]]) ?? []
            #expect(failed.map { $0["row"] as? Int } == [3, 4])
            #expect(((failed.first?["reasons"] as? [String]) ?? []).first?.contains("尚未在系统中录入") == true)
            #expect(((failed.last?["reasons"] as? [String]) ?? []).first?.contains("姓名与系统中") == true)
            let cadres = String(buffer: try await client.get("/api/v1/orgs/\(Self.zongzhi)/cadres", token: token).body)
            #expect(cadres.contains("马晓东") && cadres.contains("组织委员"))
            let again = try await ImportPython.multipart(client, path, file, token: token)
            let second = try again.json()
            #expect((second["created"] as? [Any])?.isEmpty == true)
            #expect(((second["existing"] as? [Any]) ?? []).count == 1)
        }
    }

    @Test("MEM-8: the member templates format ID number, development number and mobile as text, carry drop-downs, and name their kind (read by openpyxl)")
    func memberTemplates() async throws {
        try await withDemoApp { client in
            let token = try await client.login(try DemoAccounts.load()["zongzhi_admin"])
            for (kind, title) in [("branch_members", "下级团支部团员团干部"), ("own_cadres", "本级团干部")] {
                let response = try await client.get("/api/v1/orgs/\(Self.zongzhi)/members/template.xlsx?kind=\(kind)", token: token)
                #expect(response.status == .ok)
                let book = try ImportPython.inspect(Array(buffer: response.body))
                let sheet = try #require(book.sheets.first)
                #expect(sheet.name == title)
                let id = try #require(sheet.header.firstIndex(of: "*身份证号"))
                #expect(sheet.textColumns.contains(id))
                #expect(sheet.textColumns.contains(try #require(sheet.header.firstIndex(of: "*手机号码"))))
                #expect(sheet.validations.count >= 4)
                #expect(book.sheets.contains { $0.name == "填写说明" })
            }
            let bad = try await client.get("/api/v1/orgs/\(Self.zongzhi)/members/template.xlsx?kind=nope", token: token)
            #expect(bad.status == .badRequest)
        }
    }

    @Test("MEM-8: a GBK CSV as Chinese Excel saves it imports; a UTF-8 CSV with BOM too")
    func csvImports() async throws {
        try await withDemoApp { client in
            let token = try await client.login(try DemoAccounts.load()["zongzhi_admin"])
            for (mode, name) in [("csv_gbk", "导入辛"), ("csv_utf8_bom", "导入壬")] {
                let file = try ImportPython.make(mode)
                let response = try await ImportPython.multipart(
                    client, "/api/v1/orgs/\(Self.zongzhi)/members/import?kind=branch_members", file, token: token)
                #expect(response.status == .ok, "\(mode): \(String(buffer: response.body))")
                let created = (try response.json()["created"] as? [[String: Any]]) ?? []
                #expect(created.compactMap { $0["name"] as? String } == [name], "\(mode)")
            }
        }
    }

    @Test("MEM-8: not a spreadsheet, an .xls, a missing column and an empty body are clear refusals from the catalogue; nothing created")
    func badFiles() async throws {
        try await withDemoApp { client in
            let token = try await client.login(try DemoAccounts.load()["zongzhi_admin"])
            let path = "/api/v1/orgs/\(Self.zongzhi)/members/import?kind=branch_members"
            let pdf = try await ImportPython.multipart(client, path, Array("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n".utf8) + [0, 0xFF, 0xFE], token: token)
            #expect(pdf.status == .unsupportedMediaType)
            #expect(pdf.errorCode == "not_a_spreadsheet")
            let xls: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 1024)
            let legacy = try await ImportPython.multipart(client, path, xls, token: token)
            #expect([415, 422].contains(Int(legacy.status.code)))
            let missing = try ImportPython.make("missing_column")
            let noColumn = try await ImportPython.multipart(client, path, missing, token: token)
            #expect(noColumn.status == .unprocessableContent)
            #expect(noColumn.errorCode == "import_missing_column")
            #expect(noColumn.errorMessage?.contains("入团时间") == true)
            let empty = try await client.execute(uri: path, method: .post, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer())
            #expect(empty.status == .badRequest)
            let list = String(buffer: try await client.get("/api/v1/orgs/\(Self.branch2)/members", token: token).body)
            #expect(!list.contains("导入"))
        }
    }

    // MARK: Pages

    @Test("MEM-8, ARC-13: the 批量导入团员团干部 page: template links, a multipart form with its CSRF token, the results with every failed row and the link to the new members' archive uploads")
    func importPage() async throws {
        try await withDemoApp { client in
            let (browser, _) = try await client.pageLogin(try DemoAccounts.load()["zongzhi_admin"])
            let form = try await client.page("/orgs/\(Self.zongzhi)/members/import", browser)
            #expect(form.status == .ok)
            let html = form.html
            #expect(html.contains("enctype=\"multipart/form-data\""))
            #expect(html.contains("/api/v1/orgs/upc-cs-2020/members/template.xlsx?kind=branch_members"))
            #expect(html.contains("/api/v1/orgs/upc-cs-2020/members/template.xlsx?kind=own_cadres"))
            let action = try #require(Self.formAction(html, id: "member-import-form"))
            #expect(action.contains("csrf="))

            let forged = try await Self.postMultipart(client, "/orgs/\(Self.zongzhi)/members/import?csrf=forged", try ImportPython.make("members"), kind: "branch_members", browser: browser)
            #expect(forged.status == .forbidden)

            let result = try await Self.postMultipart(client, action, try ImportPython.make("members"), kind: "branch_members", browser: browser)
            #expect(result.status == .ok)
            let page = result.html
            for row in ["第7行", "第8行", "第9行"] { #expect(page.contains(row), "\(row)") }
            #expect(page.contains("身份证号被 Excel 存成了数字"))
            #expect(page.contains("id=\"import-next-link\""))
            #expect(page.contains("/members?org=upc-cs-2020&amp;status=not_uploaded") || page.contains("/members?org=upc-cs-2020&status=not_uploaded"))
            #expect(!page.contains(ImportPython.idJia), "ID numbers masked in the results")

            let (committee, _) = try await client.pageLogin(try DemoAccounts.load()["committee_admin"])
            let children = try await client.page("/orgs/\(Self.committee)/children/import", committee)
            #expect(children.status == .ok)
            #expect(children.html.contains("/api/v1/orgs/upc-cs/children/template.xlsx"))
            let childAction = try #require(Self.formAction(children.html, id: "children-import-form"))
            let made = try await Self.postMultipart(client, childAction, try ImportPython.make("children"), kind: nil, browser: committee)
            #expect(made.status == .ok)
            #expect(made.html.contains("计算机学院2025级1班团支部"))
            #expect(made.html.contains("第5行"))
        }
    }

    static func formAction(_ html: String, id: String) -> String? {
        guard let form = html.range(of: "id=\"\(id)\"") else { return nil }
        let before = html[..<form.lowerBound]
        guard let start = before.range(of: "action=\"", options: .backwards) else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
    }

    static func postMultipart(
        _ client: any TestClientProtocol, _ action: String, _ bytes: [UInt8], kind: String?, browser: PageBrowser
    ) async throws -> TestResponse {
        let boundary = "----zhtj-import-boundary"
        var body: [UInt8] = []
        if let kind { body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n\(kind)\r\n".utf8) }
        body += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        var headers = browser.headers
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return try await client.execute(uri: action, method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }
}

enum MemberTemplateMessage {
    static let text = "您上传的 excel 表格错误，‘导入本级团干部’和‘导入下级团支部团员团干部’中所下载的模板不可混用，请重新上传正确的表格"
}

/// Workbooks written by openpyxl, and our templates read back by it.
enum ImportPython {
    /// 导入甲's ID number (valid check digit, computed the same way in the script).
    static var idJia: String { idNumber("370211", "20060301", "511") }

    static func idNumber(_ region: String, _ birth: String, _ sequence: String) -> String {
        let body = Array(region + birth + sequence)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return String(body) + String(Array("10X98765432")[sum % 11])
    }

    static let script = #"""
import csv, datetime, io, json, sys
import openpyxl

def idn(region, birth, seq):
    body = region + birth + seq
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11]

def serial(d):
    return (d - datetime.date(1899, 12, 30)).days

BRANCH = "计算机学院2020级2班团支部"
HEADER = ["*所在团支部", "*姓名", "*性别", "*身份证号", "*民族", "*学历", "政治面貌", "*入团时间", "发展团员编号", "*手机号码", "团内职务", "备注"]

def text(ws, row, col, value):
    c = ws.cell(row=row, column=col, value=value)
    c.number_format = "@"

def member_rows(ws):
    # Columns deliberately not in the template's order for two of them: headers are matched by name.
    for i, h in enumerate(HEADER, 1):
        ws.cell(row=1, column=i, value=h)
    def put(r, values, id_as_number=False):
        for i, v in enumerate(values, 1):
            if v is None:
                continue
            if i == 4 and not id_as_number:
                text(ws, r, i, v)
            else:
                ws.cell(row=r, column=i, value=v)
    # 2: a date cell; 3: text 2019/5/4 (before 2020: no archive); 4: empty; 5: 2021年5月4日 with trailing blanks;
    # 6: a serial number in a general cell; 7: ID stored as a number (+ a bad mobile); 8: several errors; 9: unknown branch.
    put(2, [BRANCH, "导入甲", "男", idn("370211", "20060301", "511"), "汉族", "普通高中", "共青团员", datetime.date(2022, 5, 4), "2022370211000511", "13800000511", None, "备注不导入"])
    put(3, ["  " + BRANCH + " ", "导入乙", "男", idn("370211", "20040301", "531"), "回族", "大学本科", "", "2019/5/4", "2019370211000531", 13800000531])
    put(5, [BRANCH, "导入丙", "女", idn("370211", "20060302", "522"), "汉族", "大学本科", None, "2021年5月4日", "2021370211000522", "13800000522", "组织委员", "   "])
    put(6, [BRANCH, "导入丁", "女", idn("370211", "20060303", "542"), "汉族", "大学专科", None, serial(datetime.date(2022, 9, 1)), "2022370211000542", "13800000542"])
    put(7, [BRANCH, "导入戊", "男", int(idn("370211", "20060304", "551")[:17] + "1"), "汉族", "大学本科", None, "2022-05-04", "2022370211000551", "12345"], id_as_number=True)
    put(8, [BRANCH, "导入己", "男", idn("370211", "20060305", "562"), "火星族", "大学本科", None, "2022-05-04", "2021370211000562", "12345"])
    put(9, ["不存在的团支部", "导入庚", "男", idn("370211", "20060306", "571"), "汉族", "大学本科", None, "2022-05-04", "2022370211000571", "13800000571"])

def save(wb, path):
    wb.save(path)

mode, path = sys.argv[1], sys.argv[2]
if mode == "children":
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "下级组织"
    ws.append(["*组织类别", "备注", "*组织简称"])
    ws.append(["团总支", "x", "计算机学院2025级团总支"])
    ws.append(["团支部", None, "计算机学院2025级1班团支部  "])
    ws.append([None, None, None])
    ws.append(["团支部", None, "17级1班团支部"])
    ws.append(["不存在的类别", None, "某某团支部"])
    save(wb, path)
elif mode == "members":
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "下级团支部团员团干部"
    member_rows(ws)
    save(wb, path)
elif mode == "own_cadres":
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "本级团干部"
    ws.append(["*姓名", "*性别", "*身份证号", "*民族", "*学历", "政治面貌", "*入团时间", "发展团员编号", "*手机号码", "*团内职务"])
    ws.append(["导入甲", "男", idn("370211", "20060301", "511"), "汉族", "普通高中", "", "2022-05-04", "2022370211000511", "13800000511", "副书记"])
    save(wb, path)
elif mode == "own_cadres_known":
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "本级团干部"
    ws.append(["*姓名", "*性别", "*身份证号", "*民族", "*学历", "政治面貌", "*入团时间", "发展团员编号", "*手机号码", "*团内职务"])
    ws.append(["马晓东", "男", "370211200211081278", "汉族", "大学本科", "", datetime.date(2020, 10, 15), "2020370200103", "13800000999", "组织委员"])
    ws.append(["导入新人", "男", idn("370211", "20060310", "631"), "汉族", "大学本科", "", "2022-05-04", "2022370211000631", "13800000631", "宣传委员"])
    ws.append(["马晓", "男", "370211200211081278", "汉族", "大学本科", "", "2020-10-15", "2020370200103", "13800000999", "宣传委员"])
    save(wb, path)
elif mode == "batches":
    # More rows than one write batch (500), with the cases a batch must judge row by row, in
    # order, against the store and against the rows before it. argv[3]: a known person's ID
    # number (a registered admin, not a member); argv[4]: "small" for the first seven rows only.
    known, small = sys.argv[3], len(sys.argv) > 4
    BRANCH1 = "计算机学院2020级1班团支部"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "下级团支部团员团干部"
    ws.append(HEADER[:10])
    jia = idn("370211", "20060401", "711")
    def row(branch, name, number, dev, mobile):
        gender = "男" if int(number[16]) % 2 else "女"
        ws.append([branch, name, gender, number, "汉族", "大学本科", "", "2022-05-04", dev, mobile])
    row(BRANCH, "批甲", jia, "2022370211000711", "13800000711")                                  # 2: created
    row(BRANCH, "批甲", jia, "2022370211000711", "13800000711")                                  # 3: existing
    row(BRANCH1, "批甲", jia, "2022370211000711", "13800000711")                                 # 4: a member of 2班 already
    row(BRANCH, "批乙", idn("370211", "20060402", "721"), "2022370211000711", "13800000721")     # 5: 批甲's number
    row(BRANCH, "赵一鸣", known, "2022370211000761", "13912345678")                              # 6: known person: created
    row(BRANCH, "马晓东", "370211200211081278", "", "13800000999")                               # 7: a member of 1班
    if small:
        row(BRANCH, "批丁", idn("370211", "20060404", "741"), "2022370211000741", "13800000741")  # 8
    else:
        for i in range(520):                                                                    # 8 … 527
            birth = datetime.date(2005, 1, 1) + datetime.timedelta(days=i // 900)
            row(BRANCH, "批量%d" % i, idn("370212", birth.strftime("%Y%m%d"), "%03d" % (100 + i % 900)),
                "2022%012d" % (800000 + i), "139%08d" % i)
        row(BRANCH1, "批甲", jia, "2022370211000711", "13800000711")                             # 528: next batch
        row(BRANCH, "批丙", idn("370211", "20060403", "731"), "2022%012d" % 800003, "13800000731") # 529: 批量3's number
    save(wb, path)
elif mode == "missing_column":
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["*所在团支部", "*姓名", "*性别", "*身份证号", "*民族", "*学历", "*手机号码"])
    ws.append([BRANCH, "导入癸", "男", idn("370211", "20060307", "591"), "汉族", "大学本科", "13800000591"])
    save(wb, path)
elif mode in ("csv_gbk", "csv_utf8_bom"):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["所在团支部", "姓名", "性别", "身份证号", "民族", "学历", "政治面貌", "入团时间", "发展团员编号", "手机号码"])
    if mode == "csv_gbk":
        w.writerow([BRANCH, "导入辛", "男", idn("370211", "20060308", "611"), "汉族", "大学本科", "", "2022/5/4", "2022370211000611", "13800000611"])
        data = out.getvalue().encode("gbk")
    else:
        w.writerow([BRANCH, "导入壬", "女", idn("370211", "20060309", "622"), "汉族", "大学本科", "", "2022-05-04", "2022370211000622", "13800000622"])
        data = b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
    open(path, "wb").write(data)
elif mode == "inspect":
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        header = [("" if c.value is None else str(c.value)) for c in ws[1]] if ws.max_row >= 1 else []
        text_columns = [i for i, c in enumerate(ws[1]) if ws.column_dimensions[c.column_letter].number_format == "@"]
        validations = [{"range": str(dv.sqref), "formula": dv.formula1 or ""} for dv in ws.data_validations.dataValidation]
        sheets.append({"name": ws.title, "header": header, "textColumns": text_columns, "validations": validations})
    print(json.dumps({"sheets": sheets}, ensure_ascii=False))
"""#

    struct Book: Decodable {
        struct Sheet: Decodable {
            struct Validation: Decodable { let range: String; let formula: String }
            let name: String
            let header: [String]
            let textColumns: [Int]
            let validations: [Validation]
        }
        let sheets: [Sheet]
    }

    static func python() throws -> String {
        if let path = ProcessInfo.processInfo.environment["ZHTJ_TEST_PYTHON"], !path.isEmpty { return path }
        let venv = repositoryRoot.appendingPathComponent(".build/test-venv/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        throw ImportPythonMissing(description: "ZHTJ_TEST_PYTHON is not set and \(venv) does not exist (bash -c '. scripts/lib.sh; ensure_test_venv')")
    }

    @discardableResult
    static func run(_ mode: String, file: URL, _ extra: [String] = []) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python())
        process.arguments = ["-c", script, mode, file.path] + extra
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ImportPythonMissing(description: "python \(mode) failed: \(String(decoding: message, as: UTF8.self))")
        }
        return data
    }

    static func make(_ mode: String, _ extra: [String] = []) throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("in.bin")
        try run(mode, file: file, extra)
        return Array(try Data(contentsOf: file))
    }

    static func inspect(_ bytes: [UInt8]) throws -> Book {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("template.xlsx")
        try Data(bytes).write(to: file)
        return try JSONDecoder().decode(Book.self, from: try run("inspect", file: file))
    }

    static func multipart(_ client: any TestClientProtocol, _ path: String, _ bytes: [UInt8], token: String) async throws -> TestResponse {
        let boundary = "----zhtj-api-boundary"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.xlsx\"\r\n\r\n".utf8)
        body += bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return try await client.execute(
            uri: path, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "multipart/form-data; boundary=\(boundary)"],
            body: ByteBuffer(bytes: body))
    }
}

struct ImportPythonMissing: Error, CustomStringConvertible { let description: String }

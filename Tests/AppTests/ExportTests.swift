import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Domain
import NIOCore

@testable import App

/// What openpyxl (an independent reader) finds in a workbook: per sheet its name and its cells
/// by row, each with Python's type, value and number format.
struct OpenpyxlBook: Decodable {
    struct Cell: Decodable { let t: String; let v: String?; let f: String }
    struct Sheet: Decodable { let name: String; let rows: [[Cell]] }
    let sheets: [Sheet]

    func sheet(_ name: String) -> Sheet? { sheets.first { $0.name == name } }

    static let script = """
        import datetime, json, sys
        import openpyxl
        wb = openpyxl.load_workbook(sys.argv[1])
        out = []
        for ws in wb.worksheets:
            rows = []
            for row in ws.iter_rows():
                cells = []
                for c in row:
                    v = c.value
                    if v is None: t = "none"
                    elif isinstance(v, (datetime.datetime, datetime.date)): t, v = "date", v.isoformat()[:10]
                    elif isinstance(v, bool): t = "bool"
                    elif isinstance(v, (int, float)): t = "number"
                    else: t = "text"
                    cells.append({"t": t, "v": None if v is None else str(v), "f": c.number_format})
                rows.append(cells)
            while rows and all(c["t"] == "none" for c in rows[-1]): rows.pop()
            out.append({"name": ws.title, "rows": rows})
        print(json.dumps({"sheets": out}, ensure_ascii=False))
        """

    /// Writes `bytes` to a temporary file and reads it with openpyxl in `ZHTJ_TEST_PYTHON`.
    static func read(_ bytes: [UInt8]) throws -> OpenpyxlBook {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("export.xlsx")
        try Data(bytes).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try exportTestPython())
        process.arguments = ["-c", script, file.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ExportPythonMissing(description: "openpyxl could not read the export: \(String(decoding: message, as: UTF8.self))")
        }
        return try JSONDecoder().decode(OpenpyxlBook.self, from: data)
    }
}

struct ExportPythonMissing: Error, CustomStringConvertible { let description: String }

/// The python with openpyxl (`scripts/test` makes `.build/test-venv`); never a silent skip.
func exportTestPython() throws -> String {
    if let path = ProcessInfo.processInfo.environment["ZHTJ_TEST_PYTHON"], !path.isEmpty { return path }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let venv = root.appendingPathComponent(".build/test-venv/bin/python").path
    if FileManager.default.isExecutableFile(atPath: venv) { return venv }
    throw ExportPythonMissing(description: "ZHTJ_TEST_PYTHON is not set and \(venv) does not exist (bash -c '. scripts/lib.sh; ensure_test_venv')")
}

/// The .xlsx exports of every list (issue 9 item 7, ORG-9, ADM-1), read back by openpyxl.
@Suite("Excel exports")
struct ExportTests {
    static let accounts = try! DemoAccounts.load()
    static let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    func texts(_ row: [OpenpyxlBook.Cell]) -> [String] { row.map { $0.v ?? "" } }

    func download(_ client: any TestClientProtocol, _ path: String, token: String) async throws -> OpenpyxlBook {
        let response = try await client.get(path, token: token)
        #expect(response.status == .ok, "\(path): \(String(buffer: response.body).prefix(200))")
        #expect(response.headers[.contentType] == Self.xlsx)
        let disposition = try #require(response.headers[.contentDisposition])
        #expect(disposition.hasPrefix("attachment;"))
        #expect(disposition.contains("filename*=UTF-8''"))
        return try OpenpyxlBook.read(Array(buffer: response.body))
    }

    /// Every member of the subtree, through the JSON list's pages.
    func listedMembers(_ client: any TestClientProtocol, _ org: String, token: String) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String?
        repeat {
            let page = try await client.get("/api/v1/orgs/\(org)/members?limit=100" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token).json()
            items += page["items"] as! [[String: Any]]
            cursor = page["nextCursor"] as? String
        } while cursor != nil
        return items
    }

    @Test("STA-1: stats.xlsx carries every figure of the statistics page, a sheet each, with the same numbers as the JSON")
    func statistics() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["committee_admin"])
            let json = try await client.get("/api/v1/orgs/upc-cs/stats", token: token).json()
            let book = try await download(client, "/api/v1/orgs/upc-cs/stats.xlsx", token: token)
            #expect(book.sheets.map(\.name) == ["概况", "年龄分布", "民族分布", "学历分布", "新发展团员", "组织整顿状态"])
            let ages = try #require(book.sheet("年龄分布"))
            #expect(texts(ages.rows[0]) == ["项目", "数量"])
            let expected = ((json["ages"] as? [[String: Any]]) ?? []).map { "\($0["label"]!)=\($0["count"]!)" }
            let rows = ages.rows.dropFirst().dropLast().map { "\($0[0].v ?? "")=\($0[1].v ?? "")" }
            #expect(rows == expected)
            #expect(ages.rows.last.map(texts)?.first == "合计")
        }
    }

    @Test("members.xlsx: Chinese headers, one row per listed member, ID numbers as text (format @), whole for the admin (MEM-1)")
    func members() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["committee_admin"])
            let book = try await download(client, "/api/v1/orgs/upc-cs/members.xlsx", token: token)
            let sheet = try #require(book.sheet("团员列表"))
            #expect(texts(sheet.rows[0]) == ["姓名", "性别", "身份证号", "所在团支部", "入团时间", "发展团员编号", "超龄", "实名认证", "需上传电子档案"])
            let listed = try await listedMembers(client, "upc-cs", token: token)
            #expect(sheet.rows.count - 1 == listed.count)
            #expect(listed.count > 0)
            let names = Set(listed.map { $0["name"] as! String })
            for row in sheet.rows.dropFirst() {
                #expect(names.contains(row[0].v ?? ""))
                #expect(row[2].t == "text")
                #expect(row[2].f == "@")
                #expect(row[2].v?.count == 18)
                #expect(row[2].v?.contains("*") == false, "the committee admin administers every branch below it")
                #expect(row[4].t == "date")
            }
            // The branch admin's own account is among them, whole.
            let own = Self.accounts["branch_admin"].account
            #expect(sheet.rows.contains { $0[2].v == own })
        }
    }

    @Test("members.xlsx: a member sees only themself whole; a list of another's branch is refused (ARC-7 scope)")
    func memberMasking() async throws {
        try await withDemoApp { client in
            let member = try await client.login(Self.accounts["member_new"])
            let refused = try await client.get("/api/v1/orgs/upc-cs-2020-1/members.xlsx", token: member)
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "forbidden")
            let branch = try await client.login(Self.accounts["branch_admin"])
            // Above the branch: refused (403); a sibling and another school: as if absent (404, issue 12 item 3).
            for (path, refusal) in [("/api/v1/orgs/upc-cs-2020-2/members.xlsx", HTTPResponse.Status.notFound), ("/api/v1/orgs/upc-cs/children.xlsx", .forbidden),
                                    ("/api/v1/orgs/qdu/cadres.xlsx", .notFound), ("/api/v1/orgs/upc-cs/progress.xlsx", .forbidden)] {
                let response = try await client.get(path, token: branch)
                #expect(response.status == refusal, "\(path)")
            }
            let committee = try await client.login(Self.accounts["committee_admin"])
            for kind in ["members", "children", "cadres", "progress", "registration-codes"] {
                let response = try await client.get("/api/v1/orgs/no-such-org/\(kind).xlsx", token: committee)
                #expect(response.status == .notFound, "\(kind)")
                #expect(response.errorCode == "not_found")
            }
            let anonymous = try await client.get("/api/v1/orgs/upc-cs/members.xlsx", token: nil)
            #expect(anonymous.status == .unauthorized)
            // The branch's own list: the admin sees every ID number of it whole.
            let book = try await download(client, "/api/v1/orgs/upc-cs-2020-1/members.xlsx", token: branch)
            let sheet = try #require(book.sheet("团员列表"))
            #expect(sheet.rows.count - 1 == (try await listedMembers(client, "upc-cs-2020-1", token: branch)).count)
            #expect(sheet.rows.dropFirst().allSatisfy { $0[2].f == "@" && $0[2].v?.contains("*") == false })
        }
    }

    @Test("children.xlsx: the sub-orgs of 组织管理 with category, industry category and counts (ORG-1, ORG-11)")
    func children() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["committee_admin"])
            let book = try await download(client, "/api/v1/orgs/upc-cs/children.xlsx", token: token)
            let sheet = try #require(book.sheet("下级组织"))
            #expect(texts(sheet.rows[0]) == ["组织简称", "组织全称", "组织类别", "单位所属行业类别", "管理员数", "团员数", "下级组织数", "组织信息完整"])
            let listed = try await client.get("/api/v1/orgs/upc-cs/children", token: token).json()["items"] as! [[String: Any]]
            #expect(sheet.rows.count - 1 == listed.count)
            #expect(Set(sheet.rows.dropFirst().map { $0[1].v ?? "" }) == Set(listed.map { $0["fullName"] as! String }))
            #expect(sheet.rows.dropFirst().allSatisfy { $0[3].v == "普通高等学校" && $0[4].t == "number" })
        }
    }

    @Test("cadres.xlsx: the cadre list with posts, ID numbers as text")
    func cadres() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["committee_admin"])
            let book = try await download(client, "/api/v1/orgs/upc-cs-2020-1/cadres.xlsx", token: token)
            let sheet = try #require(book.sheet("团干部列表"))
            #expect(texts(sheet.rows[0]) == ["姓名", "身份证号", "团内职务", "管理员", "手机号码", "所在团支部"])
            let listed = try await client.get("/api/v1/orgs/upc-cs-2020-1/cadres", token: token).json()["items"] as! [[String: Any]]
            #expect(sheet.rows.count - 1 == listed.count)
            #expect(listed.count > 0)
            #expect(sheet.rows.dropFirst().allSatisfy { $0[1].t == "text" && $0[1].f == "@" && $0[1].v?.count == 18 })
        }
    }

    @Test("progress.xlsx (ORG-9): one sheet per level, named as the tabs, rows as the progress JSON")
    func progress() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["committee_admin"])
            let book = try await download(client, "/api/v1/orgs/upc-cs/progress.xlsx", token: token)
            let json = try await client.get("/api/v1/orgs/upc-cs/progress", token: token).json()
            let levels = json["levels"] as! [[String: Any]]
            #expect(book.sheets.map(\.name) == levels.map { $0["name"] as! String })
            for (sheet, level) in zip(book.sheets, levels) {
                #expect(sheet.rows[0][0].v == "组织简称")
                #expect(texts(sheet.rows[0]).contains("组织信息是否完整"))
                #expect(sheet.rows.count - 1 == level["total"] as! Int)
                let items = level["items"] as! [[String: Any]]
                #expect(sheet.rows.dropFirst().map { $0[1].v ?? "" } == items.map { $0["fullName"] as! String })
            }
        }
    }

    @Test("registration-codes.xlsx (ADM-1): a fresh 8-character code per direct sub-org, each usable on /register")
    func registrationCodes() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["zongzhi_admin"])
            let response = try await client.post("/api/v1/orgs/upc-cs-2020/registration-codes.xlsx", token: token)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == Self.xlsx)
            let book = try OpenpyxlBook.read(Array(buffer: response.body))
            let sheet = try #require(book.sheet("注册码"))
            #expect(texts(sheet.rows[0]) == ["组织简称", "组织全称", "注册码", "有效期至"])
            let children = try await client.get("/api/v1/orgs/upc-cs-2020/children", token: token).json()["items"] as! [[String: Any]]
            #expect(sheet.rows.count - 1 == children.count)
            for row in sheet.rows.dropFirst() {
                #expect(row[2].t == "text" && row[2].f == "@")
                #expect(row[2].v?.count == 8)
            }
            // The state list shows a valid code for each of them now.
            let states = try await client.get("/api/v1/orgs/upc-cs-2020/registration-codes", token: token).json()["items"] as! [[String: Any]]
            #expect(states.allSatisfy { $0["codeState"] as? String == "valid" })
            // A bearer GET works too; a branch admin (no sub-orgs to issue for) is refused.
            #expect(try await client.get("/api/v1/orgs/upc-cs-2020/registration-codes.xlsx", token: token).status == .ok)
            let branch = try await client.login(Self.accounts["branch_admin"])
            #expect(try await client.get("/api/v1/orgs/upc-cs-2020/registration-codes.xlsx", token: branch).status == .forbidden)
        }
    }

    @Test("registration-codes.xlsx by GET with only the session cookie is refused (a side effect a link must not trigger)")
    func registrationCodesCookie() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["zongzhi_admin"])
            let path = "/api/v1/orgs/upc-cs-2020/registration-codes.xlsx"
            let cookie: HTTPFields = [.cookie: "zhtj_session=\(token)"]
            let bare = try await client.execute(uri: path, method: .get, headers: cookie)
            #expect(bare.status == .forbidden)
            #expect(bare.errorCode == "csrf_rejected")
            var crossSite = cookie
            crossSite[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            crossSite[HTTPField.Name("X-CSRF-Token")!] = PageCSRF.token(forSessionCookie: token)
            let cross = try await client.execute(uri: path, method: .get, headers: crossSite)
            #expect(cross.errorCode == "cross_site_request")
            var sameSite = cookie
            sameSite[HTTPField.Name("X-CSRF-Token")!] = PageCSRF.token(forSessionCookie: token)
            #expect(try await client.execute(uri: path, method: .get, headers: sameSite).status == .ok)
            // Other exports are plain reads: the cookie alone is enough.
            #expect(try await client.execute(uri: "/api/v1/orgs/upc-cs-2020/children.xlsx", method: .get, headers: cookie).status == .ok)
        }
    }

    @Test("every list page carries its 导出Excel link, and each link answers that list's file")
    func listPagesLinkTheirExports() async throws {
        try await withDemoApp { client in
            let (browser, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let token = try await client.login(Self.accounts["zongzhi_admin"])
            let cookie: HTTPFields = [.cookie: "zhtj_session=\(token)"]
            let org = OrgID(rawValue: "upc-cs-2020")!
            let pages: [(page: String, id: String, kind: ExportKind, sheet: String)] = [
                (PageRoute.members(org: org).href, "export-members", .members, "团员列表"),
                (PageRoute.cadres(org).href, "export-cadres", .cadres, "团干部列表"),
                (PageRoute.orgs(org: org).href, "export-children", .children, "下级组织"),
                // Progress has a sheet per level, named after it.
                (PageRoute.orgProgress(org).href, "export-progress", .progress, ""),
            ]
            for (page, id, kind, sheet) in pages {
                let html = try await client.page(page, browser).html
                let href = PageRoute.orgExport(org, kind).href
                #expect(html.contains("href=\"\(href)\" id=\"\(id)\""), "\(page) has no \(id) link to \(href)")
                let file = try await client.execute(uri: href, method: .get, headers: cookie)
                #expect(file.status == .ok, "\(href)")
                #expect(try OpenpyxlBook.read(Array(buffer: file.body)).sheets.contains { $0.name.hasPrefix(sheet) }, "\(href): no sheet \(sheet)")
            }
        }
    }

    @Test("pages: the export links answer the same files; the codes export is a CSRF-checked POST form")
    func pages() async throws {
        try await withDemoApp { client in
            let token = try await client.login(Self.accounts["zongzhi_admin"])
            let cookie: HTTPFields = [.cookie: "zhtj_session=\(token)"]
            let sheet = try await client.execute(uri: PageRoute.orgExport(OrgID(rawValue: "upc-cs-2020")!, .members).href, method: .get, headers: cookie)
            #expect(sheet.status == .ok)
            #expect(sheet.headers[.contentType] == Self.xlsx)
            #expect(try OpenpyxlBook.read(Array(buffer: sheet.body)).sheet("团员列表") != nil)
            let codesPath = PageRoute.registrationCodesExport(OrgID(rawValue: "upc-cs-2020")!).href
            var form = cookie
            form[.contentType] = "application/x-www-form-urlencoded"
            let noToken = try await client.execute(uri: codesPath, method: .post, headers: form, body: ByteBuffer(string: "csrf=wrong"))
            #expect(noToken.status == .forbidden)
            let ok = try await client.execute(
                uri: codesPath, method: .post, headers: form, body: ByteBuffer(string: "csrf=\(PageCSRF.token(forSessionCookie: token))"))
            #expect(ok.status == .ok)
            #expect(try OpenpyxlBook.read(Array(buffer: ok.body)).sheet("注册码")?.rows.count ?? 0 > 1)
        }
    }
}

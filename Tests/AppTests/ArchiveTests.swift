import App
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The e-archive journeys through the API, on the backend scripts/test selects.
@Suite("Archive API")
struct ArchiveTests {
    static let accounts = try! DemoAccounts.load()
    static var memberNew: String { accounts["member_new"].memberId! }

    func token(_ client: some TestClientProtocol, _ role: String) async throws -> String {
        try await client.login(Self.accounts[role])
    }

    func archiveID(_ response: TestResponse) throws -> String { try response.json()["archiveId"] as! String }

    @Test("ARC-2, ARC-5, ARC-6: refuse 9 pages, upload 12, reject with a reason, replace, approve, download byte-identical")
    func fullJourney() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let committee = try await token(client, "committee_admin")
            let path = "/api/v1/members/\(Self.memberNew)/archive"

            let nine = try await client.upload(path, makePDF(pages: 9), token: branch)
            #expect(nine.status == .unprocessableContent)
            #expect(nine.errorCode == "wrong_page_count")
            #expect(nine.errorMessage == "必须上传12页完整的电子版《入团志愿书》，当前为9页")

            let first = makePDF(pages: 12, salt: "v1")
            let created = try await client.upload(path, first, token: branch)
            #expect(created.status == .created)
            let body = try created.json()
            #expect(body["status"] as? String == "pending")
            #expect(body["version"] as? Int == 1)
            #expect(body["pages"] as? Int == 12)
            #expect(body["bytes"] as? Int == first.count)
            #expect(body["sha256"] as? String == SHA256.hash(data: Data(first)).map { String(format: "%02x", $0) }.joined())
            let archive = try archiveID(created)

            // ARC-2a: no second upload while pending.
            let again = try await client.upload(path, makePDF(pages: 12, salt: "v1b"), token: branch)
            #expect(again.status == .conflict)
            #expect(again.errorMessage == "团员电子档案审批中，不能重复发起")

            // ARC-6: the upload waits in the upper committee's operation centre, not the branch's.
            let inbox = try await client.get("/api/v1/inbox?type=archive_approval", token: committee).json()
            #expect((inbox["items"] as! [[String: Any]]).map { $0["archiveId"] as! String } == [archive])
            #expect((inbox["items"] as! [[String: Any]]).first?["typeName"] as? String == "团员电子档案审批")
            let branchInbox = try await client.get("/api/v1/inbox", token: branch).json()
            #expect((branchInbox["items"] as! [[String: Any]]).isEmpty)

            // The branch cannot approve its own upload; an empty reason is refused.
            #expect(try await client.post("/api/v1/archives/\(archive)/approve", token: branch).status == .forbidden)
            let noReason = try await client.post("/api/v1/archives/\(archive)/reject", token: committee, json: ["reason": "  "])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.errorCode == "reason_required")
            let rejected = try await client.post("/api/v1/archives/\(archive)/reject", token: committee, json: ["reason": "第3页不清晰"])
            #expect(rejected.status == .ok)
            let afterReject = try await client.get(path, token: branch).json()
            #expect(afterReject["status"] as? String == "rejected")
            #expect(afterReject["statusName"] as? String == "认证不通过")
            #expect(afterReject["notice"] as? String == "您提交的团员电子档案未通过上级团组织审核，理由为：'第3页不清晰'。请根据上级审核意见重新修改并上传新的文件。")

            let second = makePDF(pages: 12, salt: "v2")
            let replaced = try await client.upload(path, second, token: branch)
            #expect(replaced.status == .created)
            #expect(try replaced.json()["version"] as? Int == 2)
            let approved = try await client.post("/api/v1/archives/\(archive)/approve", token: committee)
            #expect(approved.status == .ok)
            #expect(try approved.json()["status"] as? String == "verified")

            // Every version and decision stays (ARC-10).
            let history = try await client.get(path, token: committee).json()
            #expect((history["versions"] as! [[String: Any]]).map { $0["version"] as! Int } == [1, 2])
            #expect((history["decisions"] as! [[String: Any]]).map { $0["kind"] as! String } == ["reject", "approve"])
            #expect(history["identityVerified"] as? Bool == true)

            // The member downloads their own archive, byte-identical, with its filename and ETag.
            let member = try await token(client, "member_new")
            let mine = try await client.get("/api/v1/me/archive/pdf", token: member)
            #expect(mine.status == .ok)
            #expect(Array(buffer: mine.body) == second)
            #expect(mine.headers[.contentType] == "application/pdf")
            #expect(mine.headers[.eTag]?.contains(SHA256.hash(data: Data(second)).map { String(format: "%02x", $0) }.joined()) == true)
            #expect(mine.headers[.contentDisposition]?.contains("filename*=UTF-8''%E5%85%A5%E5%9B%A2%E5%BF%97%E6%84%BF%E4%B9%A6-") == true)
            let v1 = try await client.get("\(path)/pdf?version=1", token: branch)
            #expect(Array(buffer: v1.body) == first)
            let ranged = try await client.execute(
                uri: "\(path)/pdf", method: .get, headers: [.authorization: "Bearer \(branch)", .range: "bytes=10-19"])
            #expect(ranged.status == .partialContent)
            #expect(Array(buffer: ranged.body) == Array(second[10...19]))
            #expect(ranged.headers[.contentRange] == "bytes 10-19/\(second.count)")
            let unsatisfiable = try await client.execute(
                uri: "\(path)/pdf", method: .get, headers: [.authorization: "Bearer \(branch)", .range: "bytes=999999-"])
            #expect(unsatisfiable.status == .rangeNotSatisfiable)
            let notModified = try await client.execute(
                uri: "\(path)/pdf", method: .get, headers: [.authorization: "Bearer \(branch)", .ifNoneMatch: mine.headers[.eTag]!])
            #expect(notModified.status == .notModified)

            // The audit log holds every step, for the committee's subtree.
            let audit = try await client.get("/api/v1/orgs/upc-cs/audit?limit=100", token: committee).json()
            let actions = (audit["items"] as! [[String: Any]]).map { $0["action"] as! String }
            for action in ["archive.upload", "archive.reject", "archive.approve", "archive.download"] {
                #expect(actions.contains(action), "\(action)")
            }
            #expect(try await client.get("/api/v1/orgs/upc-cs/audit", token: try await token(client, "other_school_admin")).status == .notFound)
        }
    }

    @Test("ARC-11: another school's admin and other members are refused; members see only their own")
    func scope() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let path = "/api/v1/members/\(Self.memberNew)/archive"
            #expect(try await client.upload(path, makePDF(pages: 12), token: branch).status == .created)
            let other = try await token(client, "other_school_admin")
            #expect(try await client.get(path, token: other).status == .notFound)
            #expect(try await client.get("\(path)/pdf", token: other).status == .notFound)
            #expect(try await client.upload(path, makePDF(pages: 12), token: other).status == .notFound)
            let classmate = try await token(client, "member_new_2")
            #expect(try await client.get("\(path)/pdf", token: classmate).status == .notFound)
            #expect(try await client.get("/api/v1/me/archive/pdf", token: classmate).status == .notFound)
            let search = try await client.get("/api/v1/archives/search?q=马晓东", token: other).json()
            #expect((search["items"] as! [[String: Any]]).isEmpty)
            let found = try await client.get("/api/v1/archives/search?q=2020370200103", token: branch).json()
            #expect((found["items"] as! [[String: Any]]).map { $0["memberId"] as! String } == [Self.memberNew])
            let byID = try await client.get("/api/v1/archives/search?q=\(Self.accounts["member_new"].account)", token: branch).json()
            #expect((byID["items"] as! [[String: Any]]).count == 1)
        }
    }

    @Test("ARC-4: an upload by a 团委 admin is verified at once")
    func committeeUploadVerified() async throws {
        try await withDemoApp { client in
            // 南京大学团委 administers its branch directly (ARC-3: direct parent).
            let login = try await client.postJSON("/api/v1/login", ["account": try demoAccount("p-nju-admin"), "password": DemoDataSet.password])
            let token = try JSONDecoder().decode(LoginBody.self, from: Data(String(buffer: login.body).utf8)).token
            let response = try await client.upload("/api/v1/members/p-nju-03/archive", makePDF(pages: 12), token: token)
            #expect(response.status == .created)
            #expect(try response.json()["status"] as? String == "verified")
        }
    }

    @Test("ARC-3: the 团总支 (direct parent) may upload; the 学院团委 two levels up may not")
    func whoUploads() async throws {
        try await withDemoApp { client in
            let path = "/api/v1/members/\(Self.memberNew)/archive"
            #expect(try await client.upload(path, makePDF(pages: 12), token: try await token(client, "committee_admin")).status == .forbidden)
            #expect(try await client.upload(path, makePDF(pages: 12), token: try await token(client, "zongzhi_admin")).status == .created)
            let old = "/api/v1/members/\(Self.accounts["member_old"].memberId!)/archive"
            let notRequired = try await client.upload(old, makePDF(pages: 12), token: try await token(client, "branch_admin"))
            #expect(notRequired.status == .unprocessableContent)  // ARC-1
            #expect(notRequired.errorCode == "archive_not_required")
        }
    }

    @Test("bad files are refused with their code and nothing is recorded")
    func refusals() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let path = "/api/v1/members/\(Self.memberNew)/archive"
            let empty = try await client.upload(path, [], token: branch)
            #expect(empty.status == .badRequest)
            #expect(empty.errorCode == "empty")
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 200)
            let notPDF = try await client.upload(path, png, token: branch)
            #expect(notPDF.status == .unsupportedMediaType)
            #expect(notPDF.errorCode == "not_pdf")
            let truncated = Array(makePDF(pages: 12).prefix(120))
            let damaged = try await client.upload(path, truncated, token: branch)
            #expect(damaged.status == .unprocessableContent)
            #expect(damaged.errorCode == "damaged")
            let wrongType = try await client.upload(path, makePDF(pages: 12), token: branch, contentType: "text/plain")
            #expect(wrongType.status == .unsupportedMediaType)
            // Over 20 MiB by Content-Length: refused before the body is read.
            let huge = try await client.execute(
                uri: path, method: .put,
                headers: [.authorization: "Bearer \(branch)", .contentType: "application/pdf", .contentLength: String(20 * 1024 * 1024 + 1)])
            #expect(huge.status == .contentTooLarge)
            #expect(huge.errorCode == "too_large")
            let state = try await client.get(path, token: branch).json()
            #expect(state["status"] as? String == "not_uploaded")
            #expect((state["versions"] as! [Any]).isEmpty)
        }
    }

    @Test("a body just over 20 MiB is cut off as too large; one just under is inspected")
    func sizeLimit() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let path = "/api/v1/members/\(Self.memberNew)/archive"
            let pdf = makePDF(pages: 12)
            // Padding after %%EOF keeps the file a valid PDF of the wanted size.
            let limit = 20 * 1024 * 1024
            let over = pdf + Array(repeating: UInt8(ascii: " "), count: limit + 1 - pdf.count)
            let overResponse = try await client.upload(path, over, token: branch)
            #expect(overResponse.status == .contentTooLarge)
            let under = pdf + Array(repeating: UInt8(ascii: " "), count: limit - pdf.count)
            let underResponse = try await client.upload(path, under, token: branch)
            #expect(underResponse.status == .created)
            #expect(try underResponse.json()["bytes"] as? Int == limit)
        }
    }

    @Test("multipart/form-data with the field file is accepted")
    func multipart() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let pdf = makePDF(pages: 12)
            let boundary = "----zhtjBoundary7MA4YWxk"
            var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8)
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
            body += pdf + Array("\r\n--\(boundary)--\r\n".utf8)
            let response = try await client.upload(
                "/api/v1/members/\(Self.memberNew)/archive", body, token: branch, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(response.status == .created)
            #expect(try response.json()["bytes"] as? Int == pdf.count)
            let missing = try await client.upload(
                "/api/v1/members/\(Self.accounts["member_new_2"].memberId!)/archive",
                Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--\(boundary)--\r\n".utf8), token: branch,
                contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(missing.status == .badRequest)
            #expect(missing.errorCode == "missing_file")
        }
    }

    @Test("ARC-2a: a pending upload can be withdrawn, then uploaded again with a new version number")
    func withdraw() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let path = "/api/v1/members/\(Self.memberNew)/archive"
            let archive = try archiveID(try await client.upload(path, makePDF(pages: 12), token: branch))
            #expect(try await client.post("/api/v1/archives/\(archive)/withdraw", token: try await token(client, "committee_admin")).status == .forbidden)
            let withdrawn = try await client.post("/api/v1/archives/\(archive)/withdraw", token: branch)
            #expect(try withdrawn.json()["status"] as? String == "not_uploaded")
            let again = try await client.upload(path, makePDF(pages: 12, salt: "2"), token: branch)
            #expect(try again.json()["version"] as? Int == 2)
        }
    }

    @Test("ARC-10: a verified archive changes only through an approved change request and one new upload")
    func changeRequest() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let committee = try await token(client, "committee_admin")
            let path = "/api/v1/members/\(Self.memberNew)/archive"
            let archive = try archiveID(try await client.upload(path, makePDF(pages: 12), token: branch))
            _ = try await client.post("/api/v1/archives/\(archive)/approve", token: committee)
            let blocked = try await client.upload(path, makePDF(pages: 12, salt: "new"), token: branch)
            #expect(blocked.status == .conflict)
            #expect(blocked.errorCode == "archive_verified")
            let request = try await client.post("\(path)/change-requests", token: branch, json: ["reason": "发展团员编号填写错误"])
            #expect(request.status == .created)
            let requestID = try request.json()["id"] as! String
            let inbox = try await client.get("/api/v1/inbox?type=archive_change_request", token: committee).json()
            #expect((inbox["items"] as! [[String: Any]]).count == 1)
            #expect(try await client.post("\(path)/change-requests/\(requestID)/approve", token: branch).status == .forbidden)
            let approved = try await client.post("\(path)/change-requests/\(requestID)/approve", token: committee)
            #expect(approved.status == .ok)
            let replacement = try await client.upload(path, makePDF(pages: 12, salt: "new"), token: branch)
            #expect(replacement.status == .created)
            #expect(try replacement.json()["version"] as? Int == 2)
            let state = try await client.get(path, token: branch).json()
            #expect(state["identityVerified"] as? Bool == true)  // the verified version stays in force
            #expect(state["verifiedVersion"] as? Int == 1)
            let list = try await client.get("\(path)/change-requests", token: branch).json()
            #expect((list["items"] as! [[String: Any]]).map { $0["status"] as! String } == ["approved"])
        }
    }

    @Test("two approvers deciding at once: exactly one wins, the other gets 409")
    func concurrentApprovers() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let committee = try await token(client, "committee_admin")
            let archive = try archiveID(try await client.upload("/api/v1/members/\(Self.memberNew)/archive", makePDF(pages: 12), token: branch))
            async let a = client.post("/api/v1/archives/\(archive)/approve", token: committee)
            async let b = client.post("/api/v1/archives/\(archive)/reject", token: committee, json: ["reason": "不清晰"])
            let statuses = [try await a.status, try await b.status]
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 1, "\(statuses)")
        }
    }

    @Test("ARC-9, TRF-5: unverified new members are not counted and cannot be transferred; ARC-12 alerts count them")
    func gateAndAlerts() async throws {
        try await withDemoApp { client in
            let branch = try await token(client, "branch_admin")
            let committee = try await token(client, "committee_admin")
            let before = try await client.get("/api/v1/orgs/upc-cs-2020-1/stats/new-members", token: branch).json()
            #expect(before["verified"] as? Int == 0)
            #expect(before["unverified"] as? Int == 6)  // 1班 members who joined on or after 2020-01-01
            let blocked = try await client.post("/api/v1/transfers", token: branch, json: ["memberId": Self.memberNew, "toOrgId": "upc-cs-2020-2", "reason": "调班"])
            #expect(blocked.status == .conflict)
            #expect(blocked.errorCode == "member_not_verified")
            let oldMember = try await client.post(
                "/api/v1/transfers", token: branch, json: ["memberId": Self.accounts["member_old"].memberId!, "toOrgId": "upc-cs-2020-2", "reason": "调班"])
            // Joined before 2020: no archive needed (ARC-1), so the transfer starts (TRF-2).
            #expect(oldMember.status == .created, "\(String(buffer: oldMember.body))")

            let archive = try archiveID(try await client.upload("/api/v1/members/\(Self.memberNew)/archive", makePDF(pages: 12), token: branch))
            let pendingStats = try await client.get("/api/v1/orgs/upc-cs-2020-1/stats/new-members", token: branch).json()
            #expect(pendingStats["verified"] as? Int == 0)  // pending is not verified
            _ = try await client.post("/api/v1/archives/\(archive)/approve", token: committee)
            let after = try await client.get("/api/v1/orgs/upc-cs-2020-1/stats/new-members", token: branch).json()
            #expect(after["verified"] as? Int == 1)
            #expect(after["unverified"] as? Int == 5)
            let transfer = try await client.post("/api/v1/transfers", token: branch, json: ["memberId": Self.memberNew, "toOrgId": "upc-cs-2020-2", "reason": "调班"])
            #expect(transfer.status == .created, "\(String(buffer: transfer.body))")

            let alerts = try await client.get("/api/v1/me/alerts", token: branch).json()
            let first = (alerts["items"] as! [[String: Any]]).first!
            #expect(first["withoutArchive"] as? Int == 5)
            #expect((first["messages"] as! [String]).contains("组织内有团员档案尚未上传：5 人"))
            #expect((first["messages"] as! [String]).contains("组织内有团员身份尚未认证：5 人"))
        }
    }

    @Test("ARC-7, ARC-8: the subtree's archives with due dates; overdue ones filter")
    func lists() async throws {
        try await withDemoApp { client in
            let committee = try await token(client, "committee_admin")
            let all = try await client.get("/api/v1/orgs/upc-cs/archives?limit=100", token: committee).json()
            let items = all["items"] as! [[String: Any]]
            #expect(items.count == 12)  // new members of 1班 (6) and 2班 (6)
            let ma = items.first { $0["memberId"] as? String == Self.memberNew }!
            #expect(ma["dueDate"] as? String == "2020-11-14")
            #expect(ma["overdue"] as? Bool == true)  // joined 2020, nothing uploaded, and today is 2026
            let overdue = try await client.get("/api/v1/orgs/upc-cs/archives?overdue=true&limit=100", token: committee).json()
            #expect((overdue["items"] as! [Any]).count == 12)
            let pending = try await client.get("/api/v1/orgs/upc-cs/archives?status=pending", token: committee).json()
            #expect((pending["items"] as! [Any]).isEmpty)
            #expect(try await client.get("/api/v1/orgs/upc-cs/archives?status=nonsense", token: committee).status == .badRequest)
        }
    }
}

/// The ID number of a demo person, as their login.
func demoAccount(_ personID: String) throws -> String {
    try #require(DemoDataSet.make().people.first { $0.id.rawValue == personID }).idNumber.value
}

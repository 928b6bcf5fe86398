import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The org pages through the browser's eyes: 组织管理, 组织信息, 录入进度 (ORG-1 … ORG-10).
@Suite("Org pages")
struct PagesOrgTests {
    static let accounts = try! DemoAccounts.load()

    @Test("ORG-1, ORG-3: 组织管理 creates a sub-org in two steps: check, then confirm the (corrected) full name")
    func createInTwoSteps() async throws {
        try await withDemoApp { client in
            let (zongzhi, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let list = try await client.page("/orgs", zongzhi)
            #expect(list.status == .ok)
            #expect(list.html.contains("组织管理"))
            #expect(list.html.contains("计算机学院2020级1班团支部"))
            #expect(list.html.contains("id=\"org-preview-form\""))
            #expect(list.html.contains("href=\"/orgs\""))  // the nav entry
            let token = try csrfToken(list.html)

            let preview = try await client.postForm(
                "/orgs/upc-cs-2020/children/preview",
                ["csrf": token, "shortName": "2020级3班团支部", "category": "branch", "industryCategory": "普通高等学校"], browser: zongzhi)
            #expect(preview.status == .ok)
            #expect(preview.html.contains("核对组织全称"))
            #expect(preview.html.contains("计算机学院2020级团总支2020级3班团支部"))
            #expect(preview.html.contains("id=\"org-create-confirm\""))

            let created = try await client.postForm(
                "/orgs/upc-cs-2020/children",
                ["csrf": token, "shortName": "2020级3班团支部", "category": "branch", "industryCategory": "普通高等学校",
                 "fullName": "计算机学院2020级3班团支部"], browser: zongzhi)
            #expect(created.status == .seeOther)
            #expect(created.headers[.location] == "/orgs?org=upc-cs-2020&done=org-created")
            let after = try await client.page("/orgs?org=upc-cs-2020&done=org-created", zongzhi)
            #expect(after.html.contains("下级组织已创建"))
            #expect(after.html.contains("<td class=\"wrap\">计算机学院2020级3班团支部</td>"))
        }
    }

    @Test("ORG-3: a wrong short name comes back on the page with the pattern and the form as typed; nothing is created")
    func badShortName() async throws {
        try await withDemoApp { client in
            let (zongzhi, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let token = try csrfToken(try await client.page("/orgs", zongzhi).html)
            let refused = try await client.postForm(
                "/orgs/upc-cs-2020/children/preview", ["csrf": token, "shortName": "17级1班", "category": "branch"], browser: zongzhi)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("团支部简称应为“单位/区划名称+团支部”或“入学年份级+班号+班团支部”，如“2017级1班团支部”"))
            #expect(refused.html.contains("value=\"17级1班\""))
            #expect(!refused.html.contains("核对组织全称"))
            let missingToken = try await client.postForm(
                "/orgs/upc-cs-2020/children", ["shortName": "2020级4班团支部", "category": "branch"], browser: zongzhi)
            #expect(missingToken.status == .forbidden)
            let list = try await client.page("/orgs?org=upc-cs-2020", zongzhi)
            #expect(!list.html.contains("2020级4班团支部"))
        }
    }

    @Test("ORG-10: an empty sub-org has a delete button behind a confirmation; one with members has none")
    func delete() async throws {
        try await withDemoApp { client in
            let (zongzhi, _) = try await client.pageLogin(Self.accounts["zongzhi_admin"])
            let token = try csrfToken(try await client.page("/orgs", zongzhi).html)
            _ = try await client.postForm(
                "/orgs/upc-cs-2020/children",
                ["csrf": token, "shortName": "2020级5班团支部", "category": "branch"], browser: zongzhi)
            let list = try await client.page("/orgs?org=upc-cs-2020", zongzhi).html
            #expect(list.components(separatedBy: "确认删除“").count == 2)  // only the new, empty one
            let action = try attribute(list, "action", startingWith: "/orgs/o")
            let deleted = try await client.postForm(action, ["csrf": token], browser: zongzhi)
            #expect(deleted.status == .seeOther)
            #expect(deleted.headers[.location] == "/orgs?org=upc-cs-2020&done=org-deleted")
            #expect(!(try await client.page("/orgs?org=upc-cs-2020", zongzhi).html.contains("2020级5班团支部")))
            let refused = try await client.postForm("/orgs/upc-cs-2020-1/delete", ["csrf": token], browser: zongzhi)
            #expect(refused.status == .conflict)
            #expect(refused.html.contains("请先撤销管理员"))
        }
    }

    @Test("ORG-5, ORG-8: 组织信息 marks required fields, lists the missing ones and shows every reason of a refused save")
    func profile() async throws {
        try await withDemoApp { client in
            let (branch, _) = try await client.pageLogin(Self.accounts["branch_admin"])
            let page = try await client.page("/orgs/upc-cs-2020-1/profile", branch)
            #expect(page.status == .ok)
            #expect(page.html.contains("组织信息已完整"))
            #expect(page.html.contains("书记手机号码 <span class=\"required-mark\""))
            #expect(!page.html.contains("14-28周岁青年数 <span class=\"required-mark\""))
            let token = try csrfToken(page.html)
            let refused = try await client.postForm(
                "/orgs/upc-cs-2020-1/profile", ["csrf": token, "youthCount": "20000", "secretaryMobile": "123"], browser: branch)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("14-28周岁青年数应为0至10000之间的整数"))
            #expect(refused.html.contains("书记手机号码应为11位手机号码"))
            #expect(refused.html.contains("value=\"20000\""))
            let saved = try await client.postForm(
                "/orgs/upc-cs-2020-1/profile", ["csrf": token, "youthCount": "52", "secretaryMobile": ""], browser: branch)
            #expect(saved.status == .seeOther)
            let after = try await client.page(saved.headers[.location] ?? "", branch)
            #expect(after.html.contains("组织信息已保存"))
            #expect(after.html.contains("组织信息尚不完整，请填写：<span class=\"badge\">书记手机号码</span>"))
            #expect(after.html.contains("value=\"52\""))
        }
    }

    @Test("ORG-9: 录入进度 shows one level at a time with the manual's summary line")
    func progress() async throws {
        try await withDemoApp { client in
            let (committee, _) = try await client.pageLogin(Self.accounts["committee_admin"])
            let first = try await client.page("/orgs/upc-cs/progress", committee)
            #expect(first.status == .ok)
            #expect(first.html.contains("六级组织录入情况"))
            #expect(first.html.contains("计算机学院2020级团总支"))
            let branches = try await client.page("/orgs/upc-cs/progress?level=7", committee)
            #expect(branches.html.contains("七级组织共有2个，其中0个已登录系统，2个未登录系统；1个已完整录入本组织信息，1个未完整录入本组织信息"))
            #expect(branches.html.contains("计算机学院2020级2班团支部"))
            let (member, _) = try await client.pageLogin(Self.accounts["member_old"])
            #expect(try await client.page("/orgs/upc-cs/progress", member).status == .seeOther)
        }
    }
}

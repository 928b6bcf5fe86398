import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Behaviour the service layer restructuring fixed: lists filtered before their limit, JSON
/// written as people read it, and error answers with the security headers.
@Suite("Service layer")
struct StructureTests {
    static let accounts = try! DemoAccounts.load()

    @Test("ARC-8: every page of the overdue list is full; a pending member in the middle does not shorten a page")
    func overduePagesAreFull() async throws {
        try await withDemoApp { client in
            let branch = try await client.login(Self.accounts["branch_admin"])
            let committee = try await client.login(Self.accounts["committee_admin"])
            // The first new member by id gets a pending upload: no longer overdue.
            let pending = Self.accounts["member_new"].memberId!
            #expect(try await client.upload("/api/v1/members/\(pending)/archive", makePDF(pages: 12), token: branch).status == .created)

            let all = try await client.get("/api/v1/orgs/upc-cs/archives?overdue=true&limit=100", token: committee).json()
            let expected = (all["items"] as! [[String: Any]]).map { $0["memberId"] as! String }
            #expect(expected.count >= 2)
            #expect(!expected.contains(pending))

            var seen: [String] = []
            var cursor: String?
            repeat {
                let query = cursor.map { "&cursor=\($0)" } ?? ""
                let page = try await client.get("/api/v1/orgs/upc-cs/archives?overdue=true&limit=1\(query)", token: committee).json()
                let items = page["items"] as! [[String: Any]]
                #expect(items.count == 1, "a page of the overdue list came back short")
                #expect(items.allSatisfy { $0["overdue"] as? Bool == true })
                seen += items.map { $0["memberId"] as! String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil && seen.count <= expected.count
            #expect(seen == expected)
        }
    }

    @Test("JSON answers write plain slashes")
    func plainSlashes() async throws {
        try await withDemoApp { client in
            let committee = try await client.login(Self.accounts["committee_admin"])
            let body = String(buffer: try await client.get("/api/v1/me/alerts", token: committee).body)
            #expect(body.contains("\"/api/v1/orgs/upc-cs/archives"), "\(body)")
            #expect(!body.contains("\\/"))
        }
    }

    @Test("error answers carry the security headers, API and pages alike")
    func errorsCarrySecurityHeaders() async throws {
        try await withDemoApp { client in
            for path in ["/api/v1/members/nobody", "/api/v1/orgs/upc-cs", "/no-such-page", "/healthz"] {
                let response = try await client.get(path, token: nil)
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(path)")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin", "\(path)")
            }
            let unauthenticated = try await client.get("/api/v1/orgs/upc-cs", token: nil)
            #expect(unauthenticated.status == .unauthorized)
            #expect(unauthenticated.errorCode == "unauthenticated")
            let forged = try await client.get("/api/v1/orgs/upc-cs", token: "not-a-token")
            #expect(forged.status == .unauthorized)
            #expect(forged.errorCode == "session_invalid")
        }
    }
}

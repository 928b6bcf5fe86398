import Foundation
import Domain
import SQLKit

/// Cadre posts and admin appointments (ADM-3).
public protocol CadreRepository: Sendable {
    func insert(_ post: CadrePost, at time: Timestamp) async throws
    func posts(of person: PersonID) async throws -> [CadrePost]
    func posts(in org: OrgID) async throws -> [CadrePost]
    /// The schema refuses a third admin (slots 1 and 2 only) and a non-cadre.
    func appointAdmin(_ person: PersonID, of org: OrgID, slot: Int, at time: Timestamp) async throws
    func admins(of org: OrgID) async throws -> [PersonID]
    /// The orgs `person` administers, ordered by path.
    func administeredOrgs(by person: PersonID) async throws -> [Org]
}

public struct SQLCadreRepository: CadreRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    struct PostRow: Decodable {
        let personId: String
        let orgId: String
        let title: String
        func post() throws -> CadrePost {
            guard let p = PersonID(rawValue: personId), let o = OrgID(rawValue: orgId) else {
                throw CorruptRow(table: "cadre_posts", key: personId)
            }
            return CadrePost(personID: p, orgID: o, title: title)
        }
    }

    public func insert(_ post: CadrePost, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO cadre_posts (person_id, org_id, title, created_at)
            VALUES (\(bind: post.personID.rawValue), \(bind: post.orgID.rawValue), \(bind: post.title), \(bind: time.text))
            """).run()
    }

    public func posts(of person: PersonID) async throws -> [CadrePost] {
        try await sql.raw("SELECT person_id, org_id, title FROM cadre_posts WHERE person_id = \(bind: person.rawValue) ORDER BY org_id")
            .all(decoding: PostRow.self, with: .snakeCase).map { try $0.post() }
    }

    public func posts(in org: OrgID) async throws -> [CadrePost] {
        try await sql.raw("SELECT person_id, org_id, title FROM cadre_posts WHERE org_id = \(bind: org.rawValue) ORDER BY person_id")
            .all(decoding: PostRow.self, with: .snakeCase).map { try $0.post() }
    }

    public func appointAdmin(_ person: PersonID, of org: OrgID, slot: Int, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO admin_appointments (id, org_id, person_id, slot, appointed_at)
            VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: org.rawValue), \(bind: person.rawValue), \(bind: slot),
                    \(bind: time.text))
            """).run()
    }

    public func admins(of org: OrgID) async throws -> [PersonID] {
        try await sql.raw("SELECT person_id FROM org_admins WHERE org_id = \(bind: org.rawValue) ORDER BY slot")
            .all().map { PersonID(unchecked: try $0.decode(column: "person_id", as: String.self)) }
    }

    public func administeredOrgs(by person: PersonID) async throws -> [Org] {
        try await sql.raw("""
            SELECT o.id, o.parent_id, o.name, o.full_name, o.category, o.path, o.upper_committee_id
            FROM org_admins a JOIN orgs o ON o.id = a.org_id
            WHERE a.person_id = \(bind: person.rawValue) ORDER BY o.path
            """).all(decoding: SQLOrgRepository.Row.self, with: .snakeCase).map { try $0.org() }
    }
}

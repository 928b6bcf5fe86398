import Domain
import SQLKit

/// The org tree.
public protocol OrgRepository: Sendable {
    func insert(_ org: Org, at time: Timestamp) async throws
    /// A live org: a deleted one (ORG-10) is found only through `find(_ ids:)`, which names
    /// the orgs that history mentions.
    func find(_ id: OrgID) async throws -> Org?
    func find(_ ids: [OrgID]) async throws -> [Org]
    /// Direct live children, ordered by id.
    func children(of id: OrgID) async throws -> [Org]
    /// The org and everything below it in one query, depth first (ordered by path), at most
    /// `limit` orgs.
    func subtree(of path: OrgPath, limit: Int) async throws -> [Org]
    func count() async throws -> Int
}

public struct SQLOrgRepository: OrgRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = "id, parent_id, name, full_name, category, path, upper_committee_id"

    struct Row: Decodable {
        let id: String
        let parentId: String?
        let name: String
        let fullName: String
        let category: String
        let path: String
        let upperCommitteeId: String?

        /// Read by column name, without `Decodable` (every member list and session reads orgs).
        init(row: some SQLRow, prefix: String = "") throws {
            id = try row.decode(column: prefix + "id", as: String.self)
            parentId = try row.decode(column: prefix + "parent_id", as: String?.self)
            name = try row.decode(column: prefix + "name", as: String.self)
            fullName = try row.decode(column: prefix + "full_name", as: String.self)
            category = try row.decode(column: prefix + "category", as: String.self)
            path = try row.decode(column: prefix + "path", as: String.self)
            upperCommitteeId = try row.decode(column: prefix + "upper_committee_id", as: String?.self)
        }

        func org() throws -> Org {
            guard let id = OrgID(rawValue: id), let category = OrgCategory(rawValue: category),
                let path = OrgPath(encoded: path)
            else { throw CorruptRow(table: "orgs", key: self.id) }
            return Org(
                id: id, parentID: parentId.flatMap(OrgID.init(rawValue:)), name: name, fullName: fullName,
                category: category, path: path, upperCommitteeID: upperCommitteeId.flatMap(OrgID.init(rawValue:)))
        }
    }

    public func insert(_ org: Org, at time: Timestamp) async throws {
        try await sql.raw("""
            INSERT INTO orgs (id, parent_id, name, full_name, category, holds_members, path, depth, upper_committee_id, created_at)
            VALUES (\(bind: org.id.rawValue), \(bind: org.parentID?.rawValue), \(bind: org.name), \(bind: org.fullName),
                    \(bind: org.category.rawValue), \(bind: org.category.holdsMembers), \(bind: org.path.encoded),
                    \(bind: org.path.depth), \(bind: org.upperCommitteeID?.rawValue), \(bind: time.text))
            """).run()
    }

    public func find(_ id: OrgID) async throws -> Org? {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM orgs WHERE id = \(bind: id.rawValue) AND deleted_at IS NULL")
            .first().map { try Row(row: $0).org() }
    }

    public func find(_ ids: [OrgID]) async throws -> [Org] {
        if ids.isEmpty { return [] }
        return try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM orgs WHERE id IN (\(binds: ids.map(\.rawValue))) ORDER BY path")
            .all(decoding: Row.self, with: .snakeCase).map { try $0.org() }
    }

    public func subtree(of path: OrgPath, limit: Int) async throws -> [Org] {
        try await sql.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM orgs WHERE path LIKE \(bind: path.encoded + "%") AND deleted_at IS NULL ORDER BY path LIMIT \(limit: limit)"
        ).all(decoding: Row.self, with: .snakeCase).map { try $0.org() }
    }

    public func children(of id: OrgID) async throws -> [Org] {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM orgs WHERE parent_id = \(bind: id.rawValue) AND deleted_at IS NULL ORDER BY id")
            .all(decoding: Row.self, with: .snakeCase).map { try $0.org() }
    }

    public func count() async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM orgs").first()!.decode(column: "n", as: Int.self)
    }
}

/// A row whose stored values no longer parse: the database was edited outside the service.
public struct CorruptRow: Error, CustomStringConvertible {
    public let table: String
    public let key: String
    public var description: String { "corrupt row in \(table): \(key)" }
}

extension SQLRowDecoder {
    /// Row types name their properties in camel case and their columns in snake case.
    static let snakeCase = SQLRowDecoder(keyDecodingStrategy: .snakeCaseColumns)
}

extension SQLRowDecoder.KeyDecodingStrategy {
    /// `branchUpperCommitteeId` → `branch_upper_committee_id`, as SQLKit's
    /// `convertFromSnakeCase` does, but over ASCII bytes: SQLKit's version looks up the Unicode
    /// properties of every character of every key of every row, which was the largest single
    /// cost of a member list under load (9 % of the server's CPU). Column names here are ASCII.
    static let snakeCaseColumns = Self.custom { path in
        SomeCodingKey(stringValue: snakeCased(path.last?.stringValue ?? ""))
    }

    /// Splits before an upper-case letter that follows a lower-case letter or digit, and before
    /// the last capital of a run that a lower-case letter follows (`pdfURLPath` → `pdf_url_path`).
    static func snakeCased(_ key: String) -> String {
        let bytes = Array(key.utf8)
        func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
        func isLowerOrDigit(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard bytes.contains(where: isUpper) else { return key }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 4)
        for (i, b) in bytes.enumerated() {
            if isUpper(b) {
                if i > 0, isLowerOrDigit(bytes[i - 1]) || (isUpper(bytes[i - 1]) && i + 1 < bytes.count && isLowerOrDigit(bytes[i + 1])) {
                    out.append(0x5F)
                }
                out.append(b + 0x20)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

import Domain
import Foundation
import SQLKit

public struct ArchiveID: EntityIdentifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// The archive row: the current state of one member's flow.
public struct ArchiveRecord: Sendable, Equatable {
    public let id: ArchiveID
    public let memberID: PersonID
    public let state: ArchiveState
    /// Since when the current upload waits for review (inbox order, oldest first).
    public let pendingSince: Timestamp?
    /// The upper committee that reviews uploads and change requests (ARC-6).
    public let reviewerOrgID: OrgID?
    /// Optimistic concurrency: updates name the revision they read.
    public let revision: Int

    public init(
        id: ArchiveID, memberID: PersonID, state: ArchiveState, pendingSince: Timestamp?, reviewerOrgID: OrgID?, revision: Int
    ) {
        self.id = id
        self.memberID = memberID
        self.state = state
        self.pendingSince = pendingSince
        self.reviewerOrgID = reviewerOrgID
        self.revision = revision
    }
}

public struct ArchiveVersionRecord: Sendable, Equatable, Codable {
    public let archiveID: ArchiveID
    public let version: Int
    public let sha256: String
    public let bytes: Int
    public let pages: Int
    public let uploadedBy: PersonID
    public let uploadedByOrg: OrgID
    public let uploadedAt: Timestamp
    /// The inspector's report, as JSON.
    public let inspection: String

    public init(
        archiveID: ArchiveID, version: Int, sha256: String, bytes: Int, pages: Int, uploadedBy: PersonID, uploadedByOrg: OrgID,
        uploadedAt: Timestamp, inspection: String
    ) {
        self.archiveID = archiveID
        self.version = version
        self.sha256 = sha256
        self.bytes = bytes
        self.pages = pages
        self.uploadedBy = uploadedBy
        self.uploadedByOrg = uploadedByOrg
        self.uploadedAt = uploadedAt
        self.inspection = inspection
    }
}

public struct ArchiveDecisionRecord: Sendable, Equatable {
    public let id: String
    public let archiveID: ArchiveID
    public let version: Int?
    public let kind: ArchiveDecisionKind
    public let reason: String?
    public let actorID: PersonID
    public let actorOrgID: OrgID?
    public let decidedAt: Timestamp

    public init(
        id: String, archiveID: ArchiveID, version: Int?, kind: ArchiveDecisionKind, reason: String?, actorID: PersonID,
        actorOrgID: OrgID?, decidedAt: Timestamp
    ) {
        self.id = id
        self.archiveID = archiveID
        self.version = version
        self.kind = kind
        self.reason = reason
        self.actorID = actorID
        self.actorOrgID = actorOrgID
        self.decidedAt = decidedAt
    }
}

/// A member who needs an archive (ARC-1), with the archive's state: the rows of the archive
/// lists, alerts and statistics.
public struct MemberArchiveRow: Sendable, Equatable {
    public let member: MemberRecord
    public let archiveID: ArchiveID?
    public let state: ArchiveState

    public init(member: MemberRecord, archiveID: ArchiveID?, state: ArchiveState) {
        self.member = member
        self.archiveID = archiveID
        self.state = state
    }
}

public enum StaleRevision: Error, Equatable { case archive(ArchiveID) }

/// An archive in a reviewer's queue, with the time it has waited since and its member.
public struct WaitingArchive: Sendable, Equatable {
    public let archive: ArchiveRecord
    public let since: Timestamp
    public let member: MemberRecord
}

/// Which members an archive list shows (ARC-7, ARC-8, ARC-9, ARC-12).
public struct MemberArchiveFilter: Sendable, Equatable {
    /// Only members who joined on or after 2020-01-01 and so need an archive (ARC-1).
    public var newMembersOnly: Bool
    public var status: ArchiveStatus?
    /// Only members whose identity is not verified yet (ARC-9).
    public var unverifiedOnly: Bool
    /// Only archives overdue on this day (ARC-8, `ArchiveDeadline.isOverdue`).
    public var overdueOn: CivilDate?

    public init(newMembersOnly: Bool = true, status: ArchiveStatus? = nil, unverifiedOnly: Bool = false, overdueOn: CivilDate? = nil) {
        self.newMembersOnly = newMembersOnly
        self.status = status
        self.unverifiedOnly = unverifiedOnly
        self.overdueOn = overdueOn
    }
}

public protocol ArchiveRepository: Sendable {
    func find(_ id: ArchiveID) async throws -> ArchiveRecord?
    func find(member: PersonID) async throws -> ArchiveRecord?
    /// Fails with a unique violation when the member already has an archive row.
    func insert(_ archive: ArchiveRecord, at time: Timestamp) async throws
    /// Writes the new state only if nobody changed the row since `expected` was read;
    /// throws `StaleRevision` otherwise (exactly one of two concurrent approvers wins).
    func update(_ archive: ArchiveRecord, expectedRevision: Int, at time: Timestamp) async throws
    func nextVersionNumber(_ id: ArchiveID) async throws -> Int
    func insertVersion(_ version: ArchiveVersionRecord) async throws
    func versions(_ id: ArchiveID) async throws -> [ArchiveVersionRecord]
    func insertDecision(_ decision: ArchiveDecisionRecord) async throws
    func decisions(_ id: ArchiveID) async throws -> [ArchiveDecisionRecord]
    /// Archives waiting on any of `reviewers` in `states`, oldest first, keyset-paged by
    /// (since, id).
    func waiting(on reviewers: [OrgID], states: [String], after cursor: (Timestamp, ArchiveID)?, limit: Int) async throws -> [WaitingArchive]
    /// Members of the subtree with their archive state, ordered by person id, in one query;
    /// every condition of `filter` is applied before the limit, so a page is never short.
    func memberArchives(
        inSubtreeOf path: OrgPath, filter: MemberArchiveFilter, after cursor: MemberListCursor?, limit: Int
    ) async throws -> [MemberArchiveRow]
    /// The subtree's new members (not over age today) grouped by joining day, verification and
    /// upload, in one query on the subtree's counts; `NewMemberCounts` turns the groups into
    /// figures by the domain's rules.
    func tally(inSubtreeOf path: OrgPath, today: CivilDate) async throws -> [MemberTally]
    /// Members (all of them, not only new ones) found by name, ID number or development number.
    func search(_ query: String, inSubtreeOf paths: [OrgPath], limit: Int) async throws -> [MemberArchiveRow]
    /// Every stored version, for `zhtj verify`.
    func allVersions() async throws -> [ArchiveVersionRecord]
    /// Whether any record refers to the blob: an archive version or an attachment (withdrawn
    /// ones too). Asked by orphan collection at the last moment, in one statement.
    func blobIsReferenced(_ sha256: String) async throws -> Bool
}

public struct SQLArchiveRepository: ArchiveRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    struct Row: Decodable {
        let id: String
        let memberId: String
        let state: String
        let latestVersion: Int?
        let verifiedVersion: Int?
        let resumes: String?
        let pendingSince: String?
        let reviewerOrgId: String?
        let revision: Int

        func record() throws -> ArchiveRecord {
            ArchiveRecord(
                id: ArchiveID(unchecked: id), memberID: PersonID(unchecked: memberId),
                state: try ArchiveStateCoding.decode(
                    state: state, latest: latestVersion, verified: verifiedVersion, resumes: resumes, key: id),
                pendingSince: pendingSince.flatMap(Timestamp.init(text:)), reviewerOrgID: reviewerOrgId.flatMap(OrgID.init(rawValue:)),
                revision: revision)
        }
    }

    static let columns = "id, member_id, state, latest_version, verified_version, resumes, pending_since, reviewer_org_id, revision"

    public func find(_ id: ArchiveID) async throws -> ArchiveRecord? {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM archives WHERE id = \(bind: id.rawValue)")
            .first(decoding: Row.self, with: .snakeCase)?.record()
    }

    public func find(member: PersonID) async throws -> ArchiveRecord? {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM archives WHERE member_id = \(bind: member.rawValue)")
            .first(decoding: Row.self, with: .snakeCase)?.record()
    }

    public func insert(_ archive: ArchiveRecord, at time: Timestamp) async throws {
        let c = ArchiveStateCoding.encode(archive.state)
        try await sql.raw("""
            INSERT INTO archives (id, member_id, state, latest_version, verified_version, resumes, pending_since,
                                  reviewer_org_id, revision, created_at, updated_at)
            VALUES (\(bind: archive.id.rawValue), \(bind: archive.memberID.rawValue), \(bind: c.state), \(bind: c.latest),
                    \(bind: c.verified), \(bind: c.resumes), \(bind: archive.pendingSince?.text),
                    \(bind: archive.reviewerOrgID?.rawValue), \(bind: archive.revision), \(bind: time.text), \(bind: time.text))
            """).run()
    }

    public func update(_ archive: ArchiveRecord, expectedRevision: Int, at time: Timestamp) async throws {
        let c = ArchiveStateCoding.encode(archive.state)
        let rows = try await sql.raw("""
            UPDATE archives SET state = \(bind: c.state), latest_version = \(bind: c.latest), verified_version = \(bind: c.verified),
                resumes = \(bind: c.resumes), pending_since = \(bind: archive.pendingSince?.text),
                reviewer_org_id = \(bind: archive.reviewerOrgID?.rawValue), revision = \(bind: archive.revision),
                updated_at = \(bind: time.text)
            WHERE id = \(bind: archive.id.rawValue) AND revision = \(bind: expectedRevision)
            RETURNING id
            """).all()
        if rows.isEmpty { throw StaleRevision.archive(archive.id) }
    }

    public func nextVersionNumber(_ id: ArchiveID) async throws -> Int {
        let row = try await sql.raw("SELECT MAX(version) AS v FROM archive_versions WHERE archive_id = \(bind: id.rawValue)").first()
        return (try row?.decode(column: "v", as: Int?.self) ?? 0) + 1
    }

    struct VersionRow: Decodable {
        let archiveId: String
        let version: Int
        let sha256: String
        let bytes: Int
        let pages: Int
        let uploadedBy: String
        let uploadedByOrg: String
        let uploadedAt: String
        let inspection: String
        func record() -> ArchiveVersionRecord {
            ArchiveVersionRecord(
                archiveID: ArchiveID(unchecked: archiveId), version: version, sha256: sha256, bytes: bytes, pages: pages,
                uploadedBy: PersonID(unchecked: uploadedBy), uploadedByOrg: OrgID(unchecked: uploadedByOrg),
                uploadedAt: Timestamp(text: uploadedAt) ?? Timestamp(millisecondsSinceEpoch: 0), inspection: inspection)
        }
    }

    public func insertVersion(_ v: ArchiveVersionRecord) async throws {
        try await sql.raw("""
            INSERT INTO archive_versions (archive_id, version, sha256, bytes, pages, uploaded_by, uploaded_by_org, uploaded_at, inspection)
            VALUES (\(bind: v.archiveID.rawValue), \(bind: v.version), \(bind: v.sha256), \(bind: v.bytes), \(bind: v.pages),
                    \(bind: v.uploadedBy.rawValue), \(bind: v.uploadedByOrg.rawValue), \(bind: v.uploadedAt.text), \(bind: v.inspection))
            """).run()
    }

    static let versionColumns = "archive_id, version, sha256, bytes, pages, uploaded_by, uploaded_by_org, uploaded_at, inspection"

    public func versions(_ id: ArchiveID) async throws -> [ArchiveVersionRecord] {
        try await sql.raw("SELECT \(unsafeRaw: Self.versionColumns) FROM archive_versions WHERE archive_id = \(bind: id.rawValue) ORDER BY version")
            .all(decoding: VersionRow.self, with: .snakeCase).map { $0.record() }
    }

    public func allVersions() async throws -> [ArchiveVersionRecord] {
        try await sql.raw("SELECT \(unsafeRaw: Self.versionColumns) FROM archive_versions ORDER BY archive_id, version")
            .all(decoding: VersionRow.self, with: .snakeCase).map { $0.record() }
    }

    public func blobIsReferenced(_ sha256: String) async throws -> Bool {
        struct Row: Decodable { let referenced: Int }
        let row = try await sql.raw("""
            SELECT CASE WHEN EXISTS (SELECT 1 FROM archive_versions WHERE sha256 = \(bind: sha256))
                OR EXISTS (SELECT 1 FROM attachments WHERE sha256 = \(bind: sha256)) THEN 1 ELSE 0 END AS referenced
            """).first(decoding: Row.self)
        return row?.referenced != 0
    }

    public func insertDecision(_ d: ArchiveDecisionRecord) async throws {
        try await sql.raw("""
            INSERT INTO archive_decisions (id, archive_id, ordinal, version, kind, reason, actor_id, actor_org_id, decided_at)
            SELECT \(bind: d.id), \(bind: d.archiveID.rawValue), COALESCE(MAX(ordinal), 0) + 1, \(bind: d.version),
                   \(bind: d.kind.rawValue), \(bind: d.reason), \(bind: d.actorID.rawValue), \(bind: d.actorOrgID?.rawValue),
                   \(bind: d.decidedAt.text)
            FROM archive_decisions WHERE archive_id = \(bind: d.archiveID.rawValue)
            """).run()
    }

    struct DecisionRow: Decodable {
        let id: String
        let archiveId: String
        let version: Int?
        let kind: String
        let reason: String?
        let actorId: String
        let actorOrgId: String?
        let decidedAt: String
    }

    public func decisions(_ id: ArchiveID) async throws -> [ArchiveDecisionRecord] {
        try await sql.raw("""
            SELECT id, archive_id, version, kind, reason, actor_id, actor_org_id, decided_at FROM archive_decisions
            WHERE archive_id = \(bind: id.rawValue) ORDER BY ordinal
            """).all(decoding: DecisionRow.self, with: .snakeCase).map { row in
            guard let kind = ArchiveDecisionKind(rawValue: row.kind), let at = Timestamp(text: row.decidedAt) else {
                throw CorruptRow(table: "archive_decisions", key: row.id)
            }
            return ArchiveDecisionRecord(
                id: row.id, archiveID: ArchiveID(unchecked: row.archiveId), version: row.version, kind: kind, reason: row.reason,
                actorID: PersonID(unchecked: row.actorId), actorOrgID: row.actorOrgId.flatMap(OrgID.init(rawValue:)), decidedAt: at)
        }
    }

    public func waiting(
        on reviewers: [OrgID], states: [String], after cursor: (Timestamp, ArchiveID)?, limit: Int
    ) async throws -> [WaitingArchive] {
        if reviewers.isEmpty || states.isEmpty { return [] }
        let since = cursor?.0.text ?? ""
        let id = cursor?.1.rawValue ?? ""
        // Change requests have no pending_since; they sort by their last update. The member
        // comes from the same row, so a page is one query however long it is.
        return try await sql.raw("""
            SELECT a.id, a.member_id, a.state, a.latest_version, a.verified_version, a.resumes, a.pending_since,
                   a.reviewer_org_id, a.revision, COALESCE(a.pending_since, a.updated_at) AS since,
                   p.id AS person_id, p.name, p.id_number, m.branch_id, m.joined_on, m.development_number,
                   o.name AS branch_name, o.path AS branch_path, o.category AS branch_category,
                   o.upper_committee_id AS branch_upper_committee_id
            FROM archives a JOIN members m ON m.person_id = a.member_id JOIN people p ON p.id = m.person_id
            JOIN orgs o ON o.id = m.branch_id
            WHERE a.reviewer_org_id IN (\(binds: reviewers.map(\.rawValue))) AND a.state IN (\(binds: states))
              AND (COALESCE(a.pending_since, a.updated_at) > \(bind: since)
                   OR (COALESCE(a.pending_since, a.updated_at) = \(bind: since) AND a.id > \(bind: id)))
            ORDER BY COALESCE(a.pending_since, a.updated_at), a.id
            LIMIT \(limit: limit)
            """).all().map { row in
            WaitingArchive(
                archive: try row.decode(model: Row.self, keyDecodingStrategy: .snakeCaseColumns).record(),
                since: Timestamp(text: try row.decode(column: "since", as: String.self)) ?? Timestamp(millisecondsSinceEpoch: 0),
                member: try SQLMemberRepository.Row(row: row).record())
        }
    }

    static let memberArchiveSelect = memberArchiveSelect(from: "members m")

    /// `members`: the FROM clause's start, which must bind `members m`.
    static func memberArchiveSelect(from members: String) -> String {
        """
        SELECT p.id AS person_id, p.name, p.id_number, m.branch_id, m.joined_on, m.development_number,
               o.name AS branch_name, o.path AS branch_path, o.category AS branch_category,
               o.upper_committee_id AS branch_upper_committee_id,
               a.id AS archive_id, a.state AS archive_state, a.latest_version, a.verified_version, a.resumes,
               \(SQLMemberRepository.recordColumns)
        FROM \(members) JOIN people p ON p.id = m.person_id JOIN orgs o ON o.id = m.branch_id
        LEFT JOIN archives a ON a.member_id = m.person_id
        """
    }

    /// The archive columns of `memberArchiveSelect`; the member columns decode as
    /// `SQLMemberRepository.Row` from the same row.
    struct ArchiveColumns: Decodable {
        let archiveId: String?
        let archiveState: String?
        let latestVersion: Int?
        let verifiedVersion: Int?
        let resumes: String?
    }

    static func memberArchiveRow(_ row: any SQLRow) throws -> MemberArchiveRow {
        let member = try SQLMemberRepository.Row(row: row).record()
        let a = try row.decode(model: ArchiveColumns.self, keyDecodingStrategy: .snakeCaseColumns)
        let state = try a.archiveState.map {
            try ArchiveStateCoding.decode(
                state: $0, latest: a.latestVersion, verified: a.verifiedVersion, resumes: a.resumes, key: member.member.personID.rawValue)
        } ?? .notUploaded
        return MemberArchiveRow(member: member, archiveID: a.archiveId.map(ArchiveID.init(unchecked:)), state: state)
    }

    /// SQL condition selecting members whose archive is in `status`.
    static func statusCondition(_ status: ArchiveStatus) -> String {
        switch status {
        case .notUploaded: "(a.state IS NULL OR a.state = 'not_uploaded')"
        case .pending: "a.state = 'pending'"
        case .verified: "a.state IN ('verified', 'change_requested', 'change_approved')"
        case .rejected: "a.state = 'rejected'"
        }
    }

    public func memberArchives(
        inSubtreeOf path: OrgPath, filter: MemberArchiveFilter, after cursor: MemberListCursor?, limit: Int
    ) async throws -> [MemberArchiveRow] {
        // The branches from the ancestry, in (branch, person) order: see `SQLMemberRepository.page`.
        var conditions = SQLQueryString(
            "x.ancestor_id = \(bind: path.leaf.rawValue) AND \(SQLMemberRepository.after(cursor, ancestry: "x")) AND m.removed_at IS NULL")
        if filter.newMembersOnly || filter.status != nil || filter.unverifiedOnly || filter.overdueOn != nil {
            conditions.appendInterpolation(unsafeRaw: " AND m.joined_on >= ")
            conditions.appendInterpolation(bind: Member.archiveRequiredFrom.iso)
        }
        if let status = filter.status { conditions.appendInterpolation(unsafeRaw: " AND " + Self.statusCondition(status)) }
        if filter.unverifiedOnly { conditions.appendInterpolation(unsafeRaw: " AND a.verified_version IS NULL") }
        if let today = filter.overdueOn {
            // ArchiveDeadline.isOverdue: past the due date with nothing pending or verified.
            conditions.appendInterpolation(unsafeRaw: " AND m.joined_on < ")
            conditions.appendInterpolation(bind: today.adding(days: -ArchiveDeadline.days).iso)
            conditions.appendInterpolation(unsafeRaw: " AND (" + Self.statusCondition(.notUploaded) + " OR " + Self.statusCondition(.rejected) + ")")
        }
        return try await sql.raw("""
            \(unsafeRaw: Self.memberArchiveSelect(from: "org_ancestry x JOIN members m ON m.branch_id = x.descendant_id"))
            WHERE \(conditions)
            ORDER BY x.descendant_id, m.person_id LIMIT \(limit: limit)
            """).all().map(Self.memberArchiveRow)
    }

    public func tally(inSubtreeOf path: OrgPath, today: CivilDate) async throws -> [MemberTally] {
        // Migration 0021's counts: every new member of the subtree (`new`), less those of them
        // over age today (`new_ageing` up to the cutoff; cadres are not among them).
        let ancestor = path.leaf.rawValue
        return try await sql.raw("""
            SELECT value, SUM(members) AS members FROM (
                SELECT value, members FROM subtree_tallies WHERE ancestor_id = \(bind: ancestor) AND facet = 'new'
                UNION ALL
                SELECT value, -members FROM subtree_tallies
                WHERE ancestor_id = \(bind: ancestor) AND facet = 'new_ageing'
                  AND born_on <= \(bind: MembershipRules.overAgeBirthCutoff(today: today).iso)
            ) t GROUP BY value HAVING SUM(members) > 0
            """).all().map { row in
            let value = try row.decode(column: "value", as: String.self)
            let parts = value.split(separator: "|")
            guard parts.count == 3, let joinedOn = CivilDate(iso: String(parts[0])) else {
                throw CorruptRow(table: "subtree_tallies", key: value)
            }
            return MemberTally(
                joinedOn: joinedOn, identityVerified: parts[1] == "1", archiveUploaded: parts[2] == "1",
                members: try row.decode(column: "members", as: Int.self))
        }
    }

    public func search(_ query: String, inSubtreeOf paths: [OrgPath], limit: Int) async throws -> [MemberArchiveRow] {
        let q = query.trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty, !paths.isEmpty else { return [] }
        // Names match in part; ID and development numbers exactly (an ID number typed with x too).
        let escaped = q.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        var scope = SQLQueryString("(")
        for (i, path) in paths.enumerated() {
            if i > 0 { scope.appendInterpolation(unsafeRaw: " OR ") }
            scope.appendInterpolation(unsafeRaw: "o.path LIKE ")
            scope.appendInterpolation(bind: path.encoded + "%")
        }
        scope.appendInterpolation(unsafeRaw: ")")
        return try await sql.raw("""
            \(unsafeRaw: Self.memberArchiveSelect)
            WHERE \(scope) AND m.removed_at IS NULL
              AND (p.name LIKE \(bind: "%" + escaped + "%") ESCAPE '\\' OR p.id_number = \(bind: q.uppercased())
                   OR m.development_number = \(bind: q))
            ORDER BY m.person_id LIMIT \(limit: limit)
            """).all().map(Self.memberArchiveRow)
    }
}

/// Maps `ArchiveState` to the archive row's columns and back.
enum ArchiveStateCoding {
    struct Columns { let state: String; let latest: Int?; let verified: Int?; let resumes: String? }

    static func encode(_ state: ArchiveState) -> Columns {
        switch state {
        case .notUploaded: Columns(state: "not_uploaded", latest: nil, verified: nil, resumes: nil)
        case .pending(let l, let r, let v): Columns(state: "pending", latest: l, verified: v, resumes: r.rawValue)
        case .verified(let v): Columns(state: "verified", latest: v, verified: v, resumes: nil)
        case .rejected(let l, let v): Columns(state: "rejected", latest: l, verified: v, resumes: nil)
        case .changeRequested(let v): Columns(state: "change_requested", latest: v, verified: v, resumes: nil)
        case .changeApproved(let v): Columns(state: "change_approved", latest: v, verified: v, resumes: nil)
        }
    }

    static func decode(state: String, latest: Int?, verified: Int?, resumes: String?, key: String) throws -> ArchiveState {
        switch (state, latest, verified) {
        case ("not_uploaded", _, _): return .notUploaded
        case ("pending", let l?, let v):
            guard let r = resumes.flatMap(ArchiveResumption.init(rawValue:)) else { break }
            return .pending(latest: l, resumes: r, verifiedVersion: v)
        case ("verified", _, let v?): return .verified(version: v)
        case ("rejected", let l?, let v): return .rejected(latest: l, verifiedVersion: v)
        case ("change_requested", _, let v?): return .changeRequested(version: v)
        case ("change_approved", _, let v?): return .changeApproved(version: v)
        default: break
        }
        throw CorruptRow(table: "archives", key: key)
    }
}

import Domain
import SQLKit

/// One end of a transfer as lists show it.
public struct TransferEnd: Sendable, Equatable {
    public let org: OrgPlacement
    public let name: String

    public init(org: OrgPlacement, name: String) {
        self.org = org
        self.name = name
    }
}

/// A transfer as stored: the domain's `Transfer` and what the record says around it.
public struct TransferRecord: Sendable, Equatable {
    public let id: String
    public let batchID: String?
    public let personID: PersonID
    public let memberName: String
    public let source: TransferEnd
    public let destination: TransferEnd
    public let initiatedBy: PersonID
    public let initiatingOrgID: OrgID?
    public let reason: String
    public let outcome: GraduateOutcome?
    public let channel: GraduateChannel?
    public let transfer: Transfer
    public let createdAt: Timestamp
    /// Bumped by every decision: a decision made on an older revision loses.
    public let revision: Int

    public init(
        id: String, batchID: String?, personID: PersonID, memberName: String, source: TransferEnd, destination: TransferEnd,
        initiatedBy: PersonID, initiatingOrgID: OrgID?, reason: String, outcome: GraduateOutcome?, channel: GraduateChannel?,
        transfer: Transfer, createdAt: Timestamp, revision: Int
    ) {
        self.id = id
        self.batchID = batchID
        self.personID = personID
        self.memberName = memberName
        self.source = source
        self.destination = destination
        self.initiatedBy = initiatedBy
        self.initiatingOrgID = initiatingOrgID
        self.reason = reason
        self.outcome = outcome
        self.channel = channel
        self.transfer = transfer
        self.createdAt = createdAt
        self.revision = revision
    }
}

/// One kept decision of a transfer (every step is kept).
public struct TransferStepRecord: Sendable, Equatable {
    public let ordinal: Int
    public let step: TransferStep?
    public let decision: TransferDecision
    public let actorID: PersonID?
    public let actorName: String?
    public let reason: String?
    public let at: Timestamp
}

public protocol TransferRepository: Sendable {
    /// The schema refuses a second open transfer of the same member.
    func insert(_ record: TransferRecord) async throws
    func find(_ id: String) async throws -> TransferRecord?
    /// The member's transfers, newest first.
    func transfers(of person: PersonID) async throws -> [TransferRecord]
    /// The member's open transfer, if any.
    func openTransfer(of person: PersonID) async throws -> TransferRecord?
    /// Writes `transfer`'s new state if the stored revision is still `revision`; throws
    /// `ConcurrentChange` when another decision came first.
    func update(_ id: String, to transfer: Transfer, waitingOn: TransferStepActor?, from revision: Int, at time: Timestamp) async throws
    /// OPC-1: open transfers waiting on one of `orgs` (as the org itself, or as the direct
    /// parent of a branch whose step its parent may decide), whose open step is one of `steps`,
    /// oldest first, after the `(created_at, id)` keyset, at most `limit`; one query.
    func waiting(on orgs: [OrgID], steps: Set<TransferStep>, after: (Timestamp, String)?, limit: Int) async throws -> [TransferRecord]
    func appendStep(
        _ stepID: String, transfer id: String, step: TransferStep?, decision: TransferDecision, actor: PersonID?, reason: String?,
        at time: Timestamp
    ) async throws
    func steps(of id: String) async throws -> [TransferStepRecord]
    /// The member now sits in `branch` (the schema refuses a non-branch or a deleted one).
    func moveMember(_ person: PersonID, to branch: OrgID) async throws
    /// Open transfers whose current step opened on or before `day`, oldest step first, at most
    /// `limit`: what the calendar sweep looks at (TRF-6, TRF-7).
    func waiting(openedOnOrBefore day: CivilDate, limit: Int) async throws -> [TransferRecord]
    /// The transfers out of (`outgoing`) or into the subtree at `path`, optionally of one
    /// status, newest first, before the `(created_at, id)` keyset, at most `limit`; one query,
    /// filtered before the limit.
    func transfers(at path: OrgPath, outgoing: Bool, status: TransferStatus?, before: (Timestamp, String)?, limit: Int) async throws
        -> [TransferRecord]
}

public struct SQLTransferRepository: TransferRepository {
    let sql: any SQLDatabase
    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let select = """
        SELECT t.*, p.name AS member_name,
               s.path AS s_path, s.category AS s_category, s.upper_committee_id AS s_upper, s.name AS s_name,
               d.path AS d_path, d.category AS d_category, d.upper_committee_id AS d_upper, d.name AS d_name
        FROM transfers t JOIN people p ON p.id = t.person_id
             JOIN orgs s ON s.id = t.source_branch_id JOIN orgs d ON d.id = t.destination_org_id
        """

    public func insert(_ r: TransferRecord) async throws {
        let columns = Self.stateColumns(r.transfer)
        let waiting = r.transfer.waitingOn(source: r.source.org)
        try await sql.raw("""
            INSERT INTO transfers (id, batch_id, kind, person_id, source_branch_id, destination_org_id, initiated_by, initiating_org_id,
                reason, outcome, channel, chain, status, current_step, step_opened_on, completed_branch_id, rejection_reason,
                created_at, closed_at, revision, waiting_step, waiting_on, waiting_includes_parent)
            VALUES (\(bind: r.id), \(bind: r.batchID), \(bind: r.transfer.kind.rawValue), \(bind: r.personID.rawValue),
                \(bind: r.source.org.id.rawValue), \(bind: r.destination.org.id.rawValue), \(bind: r.initiatedBy.rawValue),
                \(bind: r.initiatingOrgID?.rawValue), \(bind: r.reason), \(bind: r.outcome?.rawValue), \(bind: r.channel?.rawValue),
                \(bind: r.transfer.chain.map(\.rawValue).joined(separator: ",")), \(bind: columns.status), \(bind: columns.step),
                \(bind: columns.openedOn), \(bind: columns.completed), \(bind: columns.rejection), \(bind: r.createdAt.text),
                \(bind: columns.status == "pending" ? nil : r.createdAt.text), \(literal: r.revision),
                \(bind: r.transfer.currentStep?.rawValue), \(bind: waiting?.orgID.rawValue),
                \(bind: waiting.map(Self.includesParent)))
            """).run()
    }

    public func find(_ id: String) async throws -> TransferRecord? {
        try await sql.raw("\(unsafeRaw: Self.select) WHERE t.id = \(bind: id)").first().map { try Self.record($0) }
    }

    public func transfers(of person: PersonID) async throws -> [TransferRecord] {
        try await sql.raw("\(unsafeRaw: Self.select) WHERE t.person_id = \(bind: person.rawValue) ORDER BY t.created_at DESC, t.id")
            .all().map { try Self.record($0) }
    }

    public func openTransfer(of person: PersonID) async throws -> TransferRecord? {
        try await sql.raw("\(unsafeRaw: Self.select) WHERE t.person_id = \(bind: person.rawValue) AND t.status = 'pending'")
            .first().map { try Self.record($0) }
    }

    public func update(_ id: String, to transfer: Transfer, waitingOn: TransferStepActor?, from revision: Int, at time: Timestamp) async throws {
        let c = Self.stateColumns(transfer)
        let rows = try await sql.raw("""
            UPDATE transfers SET status = \(bind: c.status), current_step = \(bind: c.step), step_opened_on = \(bind: c.openedOn),
                waiting_step = \(bind: transfer.currentStep?.rawValue), waiting_on = \(bind: waitingOn?.orgID.rawValue),
                waiting_includes_parent = \(bind: waitingOn.map(Self.includesParent)),
                completed_branch_id = \(bind: c.completed), rejection_reason = \(bind: c.rejection),
                closed_at = \(bind: c.status == "pending" ? nil : time.text), revision = revision + 1
            WHERE id = \(bind: id) AND revision = \(literal: revision)
            RETURNING id
            """).all()
        if rows.isEmpty { throw ConcurrentChange(table: "transfers") }
    }

    public func appendStep(
        _ stepID: String, transfer id: String, step: TransferStep?, decision: TransferDecision, actor: PersonID?, reason: String?,
        at time: Timestamp
    ) async throws {
        try await sql.raw("""
            INSERT INTO transfer_steps (id, transfer_id, ordinal, step, decision, actor_id, reason, at)
            VALUES (\(bind: stepID), \(bind: id), (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM transfer_steps WHERE transfer_id = \(bind: id)),
                \(bind: step?.rawValue), \(bind: decision.rawValue), \(bind: actor?.rawValue), \(bind: reason), \(bind: time.text))
            """).run()
    }

    public func steps(of id: String) async throws -> [TransferStepRecord] {
        try await sql.raw("""
            SELECT s.ordinal, s.step, s.decision, s.actor_id, s.reason, s.at, p.name AS actor_name
            FROM transfer_steps s LEFT JOIN people p ON p.id = s.actor_id
            WHERE s.transfer_id = \(bind: id) ORDER BY s.ordinal
            """).all().map { row in
            let ordinal = try row.decode(column: "ordinal", as: Int.self)
            func text(_ c: String) throws -> String? { try row.decodeNil(column: c) ? nil : try row.decode(column: c, as: String.self) }
            guard let decision = TransferDecision(rawValue: try row.decode(column: "decision", as: String.self)),
                let at = Timestamp(text: try row.decode(column: "at", as: String.self))
            else { throw CorruptRow(table: "transfer_steps", key: "\(id)#\(ordinal)") }
            return TransferStepRecord(
                ordinal: ordinal, step: try text("step").flatMap(TransferStep.init(rawValue:)), decision: decision,
                actorID: try text("actor_id").flatMap(PersonID.init(rawValue:)), actorName: try text("actor_name"), reason: try text("reason"),
                at: at)
        }
    }

    public func moveMember(_ person: PersonID, to branch: OrgID) async throws {
        try await sql.raw("UPDATE members SET branch_id = \(bind: branch.rawValue) WHERE person_id = \(bind: person.rawValue)").run()
    }

    public func waiting(openedOnOrBefore day: CivilDate, limit: Int) async throws -> [TransferRecord] {
        try await sql.raw("""
            \(unsafeRaw: Self.select) WHERE t.status = 'pending' AND t.step_opened_on <= \(bind: day.iso)
            ORDER BY t.step_opened_on, t.id LIMIT \(limit: limit)
            """).all().map { try Self.record($0) }
    }

    public func waiting(on orgs: [OrgID], steps: Set<TransferStep>, after: (Timestamp, String)?, limit: Int) async throws -> [TransferRecord] {
        if orgs.isEmpty || steps.isEmpty { return [] }
        let ids = orgs.map(\.rawValue)
        let (since, key) = after.map { ($0.0.text, $0.1) } ?? ("", "")
        return try await sql.raw("""
            \(unsafeRaw: Self.select) JOIN orgs w ON w.id = t.waiting_on
            WHERE t.status = 'pending' AND t.waiting_step IN (\(binds: steps.map(\.rawValue).sorted()))
              AND (t.waiting_on IN (\(binds: ids)) OR (t.waiting_includes_parent AND w.parent_id IN (\(binds: ids))))
              AND (t.created_at > \(bind: since) OR (t.created_at = \(bind: since) AND t.id > \(bind: key)))
            ORDER BY t.created_at, t.id LIMIT \(limit: limit)
            """).all().map { try Self.record($0) }
    }

    public func transfers(at path: OrgPath, outgoing: Bool, status: TransferStatus?, before: (Timestamp, String)?, limit: Int) async throws
        -> [TransferRecord]
    {
        let end = outgoing ? "s" : "d"
        // The status is one of the enum's fixed words, so it is written into the text; a bound
        // NULL would leave PostgreSQL unable to type the parameter.
        let (until, key) = before.map { ($0.0.text, $0.1) } ?? ("9999", "")
        return try await sql.raw("""
            \(unsafeRaw: Self.select)
            WHERE \(unsafeRaw: end).path LIKE \(bind: path.encoded + "%")
              \(unsafeRaw: status.map { "AND t.status = '\($0.rawValue)'" } ?? "")
              AND (t.created_at < \(bind: until) OR (t.created_at = \(bind: until) AND t.id < \(bind: key)))
            ORDER BY t.created_at DESC, t.id DESC LIMIT \(limit: limit)
            """).all().map { try Self.record($0) }
    }

    static func includesParent(_ actor: TransferStepActor) -> Bool {
        if case .orgOrDirectParent = actor { true } else { false }
    }

    // MARK: Rows

    struct StateColumns {
        let status: String
        let step: Int?
        let openedOn: String?
        let completed: String?
        let rejection: String?
    }

    static func stateColumns(_ t: Transfer) -> StateColumns {
        switch t.state {
        case .awaiting(let step, let openedOn):
            StateColumns(status: "pending", step: step, openedOn: openedOn.iso, completed: nil, rejection: nil)
        case .completed(let branch):
            StateColumns(status: "completed", step: nil, openedOn: nil, completed: branch.rawValue, rejection: nil)
        case .rejected(let step, let reason):
            StateColumns(status: "rejected", step: nil, openedOn: nil, completed: nil, rejection: "\(step):\(reason)")
        case .withdrawn: StateColumns(status: "withdrawn", step: nil, openedOn: nil, completed: nil, rejection: nil)
        case .returned: StateColumns(status: "returned", step: nil, openedOn: nil, completed: nil, rejection: nil)
        }
    }

    static func record(_ row: some SQLRow) throws -> TransferRecord {
        func text(_ c: String) throws -> String { try row.decode(column: c, as: String.self) }
        func optional(_ c: String) throws -> String? { try row.decodeNil(column: c) ? nil : try row.decode(column: c, as: String.self) }
        let id = try text("id")
        func end(_ prefix: String, id column: String) throws -> TransferEnd {
            guard let orgID = OrgID(rawValue: try text(column)), let path = OrgPath(encoded: try text(prefix + "_path")),
                let category = OrgCategory(rawValue: try text(prefix + "_category"))
            else { throw CorruptRow(table: "transfers", key: id) }
            return TransferEnd(
                org: OrgPlacement(id: orgID, path: path, category: category, upperCommitteeID: try optional(prefix + "_upper").flatMap(OrgID.init(rawValue:))),
                name: try text(prefix + "_name"))
        }
        let source = try end("s", id: "source_branch_id")
        let destination = try end("d", id: "destination_org_id")
        guard let kind = TransferKind(rawValue: try text("kind")), let person = PersonID(rawValue: try text("person_id")),
            let initiatedBy = PersonID(rawValue: try text("initiated_by")), let createdAt = Timestamp(text: try text("created_at"))
        else { throw CorruptRow(table: "transfers", key: id) }
        let chainText = try text("chain")
        var chain: [TransferStep] = []
        for part in chainText.split(separator: ",") {
            guard let step = TransferStep(rawValue: String(part)) else { throw CorruptRow(table: "transfers", key: id) }
            chain.append(step)
        }
        let state: TransferState
        switch try text("status") {
        case "pending":
            guard let step = try row.decodeNil(column: "current_step") ? nil : try row.decode(column: "current_step", as: Int.self),
                chain.indices.contains(step), let opened = try optional("step_opened_on").flatMap(CivilDate.init(iso:))
            else { throw CorruptRow(table: "transfers", key: id) }
            state = .awaiting(step: step, openedOn: opened)
        case "completed":
            guard let branch = try optional("completed_branch_id").flatMap(OrgID.init(rawValue:)) else { throw CorruptRow(table: "transfers", key: id) }
            state = .completed(branch: branch)
        case "rejected":
            let stored = try optional("rejection_reason") ?? ""
            let parts = stored.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let step = Int(parts[0]) else { throw CorruptRow(table: "transfers", key: id) }
            state = .rejected(step: step, reason: String(parts[1]))
        case "withdrawn": state = .withdrawn
        case "returned": state = .returned
        default: throw CorruptRow(table: "transfers", key: id)
        }
        return TransferRecord(
            id: id, batchID: try optional("batch_id"), personID: person, memberName: try text("member_name"), source: source,
            destination: destination, initiatedBy: initiatedBy, initiatingOrgID: try optional("initiating_org_id").flatMap(OrgID.init(rawValue:)),
            reason: try text("reason"), outcome: try optional("outcome").flatMap(GraduateOutcome.init(rawValue:)),
            channel: try optional("channel").flatMap(GraduateChannel.init(rawValue:)),
            transfer: Transfer(kind: kind, destination: destination.org, chain: chain, state: state), createdAt: createdAt,
            revision: try row.decode(column: "revision", as: Int.self))
    }
}

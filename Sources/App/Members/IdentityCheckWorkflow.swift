import Domain
import Foundation
import Persistence

/// MEM-9, as the real system does it: a top-level admin exports the people of their subtree
/// whose real-name status is 未认证 as a file for the citizen-identity service, and imports
/// the service's answer file, which sets each person's status (history kept).
struct IdentityCheckWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource

    var repositories: Repositories { database.repositories }

    /// The most people one request file carries. **(decided)** far above a province's daily
    /// intake; a larger backlog is sent in several files.
    static let batchLimit = 50_000

    func scope(_ actor: Actor, _ id: OrgID) async throws -> Org {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        try require(actor, .checkIdentities, .org(OrgPlacement(org)))
        return org
    }

    /// The request file of everyone unverified in the org's subtree.
    func requestFile(_ actor: Actor, org id: OrgID) async throws -> (org: Org, csv: String, people: Int) {
        let org = try await scope(actor, id)
        let subjects = try await repositories.memberRecords.identitySubjects(inSubtreeOf: org.path, status: .unverified, limit: Self.batchLimit)
        return (org, IdentityCheckFile.request(subjects.map { (id: $0.id, name: $0.name, idNumber: $0.idNumber) }), subjects.count)
    }

    struct Outcome: Sendable {
        let applied: [IdentityCheckFile.Answer]
        let rejected: [IdentityCheckFile.Rejected]
    }

    /// Applies every answer line that names a person of the subtree with the name and ID
    /// number on record, in one transaction with one audit entry each; every other line comes
    /// back with its number and reason.
    func importAnswers(_ actor: Actor, org id: OrgID, file: [UInt8]) async throws -> Outcome {
        let org = try await scope(actor, id)
        let parsed: (answers: [IdentityCheckFile.Answer], rejected: [IdentityCheckFile.Rejected])
        do { parsed = try IdentityCheckFile.parseAnswers(file) } catch { throw ServiceRefusal.invalidIdentityFile(error) }
        var rejected = parsed.rejected
        var applicable: [(IdentityCheckFile.Answer, IdentityCheckSubject)] = []
        // One query per thousand lines, not one per line.
        var subjects: [PersonID: IdentityCheckSubject] = [:]
        let ids = parsed.answers.map(\.personID)
        for start in stride(from: 0, to: ids.count, by: 1000) {
            let chunk = Array(ids[start..<min(start + 1000, ids.count)])
            for s in try await repositories.memberRecords.identitySubjects(chunk, inSubtreeOf: org.path) { subjects[s.id] = s }
        }
        for answer in parsed.answers {
            guard let subject = subjects[answer.personID] else {
                rejected.append(.init(line: answer.line, problem: .unknownPerson))
                continue
            }
            guard subject.name == answer.name, subject.idNumber == answer.idNumber else {
                rejected.append(.init(line: answer.line, problem: .recordMismatch))
                continue
            }
            applicable.append((answer, subject))
        }
        let now = clock.now()
        let orgPath = org.path
        if !applicable.isEmpty {
            let work = applicable
            try await database.write { r in
                for (answer, subject) in work {
                    try await r.memberRecords.recordIdentityCheck(
                        IdentityCheckRecord(
                            id: newIdentifier(), personID: subject.id, status: answer.status, checkedName: subject.name,
                            checkedIDNumber: subject.idNumber, source: .answerFile, note: answer.note, recordedBy: actor.personID,
                            recordedAt: now))
                    try await r.memberRecords.appendAudit(
                        MemberAuditEvent(
                            id: newIdentifier(), at: now, action: .identityCheck, actorID: actor.personID, personID: subject.id,
                            orgPath: orgPath,
                            detail: MemberRecordWorkflow.json(["before": subject.status.rawValue, "after": answer.status.rawValue])))
                }
            }
        }
        return Outcome(applied: applicable.map(\.0), rejected: rejected.sorted { $0.line < $1.line })
    }
}

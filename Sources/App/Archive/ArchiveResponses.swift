import Domain
import Hummingbird
import Persistence

struct UploadResponse: ResponseEncodable {
    let archiveId: String
    let version: Int
    let status: String
    let statusName: String
    let sha256: String
    let bytes: Int
    let pages: Int
}

struct VersionResponse: Encodable {
    let version: Int
    let sha256: String
    let bytes: Int
    let pages: Int
    let uploadedAt: String
    let uploadedBy: String
    let uploadedByOrg: String

    init(_ v: ArchiveVersionRecord) {
        version = v.version
        sha256 = v.sha256
        bytes = v.bytes
        pages = v.pages
        uploadedAt = v.uploadedAt.text
        uploadedBy = v.uploadedBy.rawValue
        uploadedByOrg = v.uploadedByOrg.rawValue
    }
}

struct DecisionResponse: Encodable {
    let id: String
    let kind: String
    let version: Int?
    let reason: String?
    let actorId: String
    let actorOrgId: String?
    let decidedAt: String

    init(_ d: ArchiveDecisionRecord) {
        id = d.id
        kind = d.kind.rawValue
        version = d.version
        reason = d.reason
        actorId = d.actorID.rawValue
        actorOrgId = d.actorOrgID?.rawValue
        decidedAt = d.decidedAt.text
    }
}

struct ChangeRequestResponse: ResponseEncodable {
    let id: String
    let reason: String
    let requestedAt: String
    let requestedBy: String
    /// pending, approved, rejected
    let status: String
    let decisionReason: String?
}

/// `GET /api/v1/members/{memberId}/archive`: the whole history, never trimmed.
struct ArchiveResponse: ResponseEncodable {
    let memberId: String
    let archiveRequired: Bool
    let archiveId: String?
    let status: String
    let statusName: String
    let identityVerified: Bool
    let currentVersion: Int?
    let verifiedVersion: Int?
    let changeRequestOpen: Bool
    let dueDate: String?
    let overdue: Bool
    /// ARC-6: the message for the uploading org after a rejection.
    let notice: String?
    let versions: [VersionResponse]
    let decisions: [DecisionResponse]
    let changeRequests: [ChangeRequestResponse]
}

/// One row of archive lists (ARC-7, ARC-8) and search results (ARC-11).
struct MemberArchiveItem: Encodable {
    let memberId: String
    let name: String
    let idNumber: String
    let developmentNumber: String?
    let joinedOn: String
    let branch: MemberResponse.Branch
    let archiveId: String?
    let status: String
    let statusName: String
    let archiveRequired: Bool
    let dueDate: String?
    let overdue: Bool

    init(_ row: MemberArchiveRow, today: CivilDate) {
        let m = row.member.member
        memberId = m.personID.rawValue
        name = m.name
        idNumber = m.idNumber.masked
        developmentNumber = m.developmentNumber?.value
        joinedOn = m.joinedOn.iso
        branch = .init(id: row.member.branch.id.rawValue, name: row.member.branchName)
        archiveId = row.archiveID?.rawValue
        status = row.state.status.rawValue
        statusName = row.state.status.chineseName
        archiveRequired = m.needsArchive
        dueDate = m.needsArchive ? ArchiveDeadline.due(joinedOn: m.joinedOn).iso : nil
        overdue = ArchiveDeadline.isOverdue(joinedOn: m.joinedOn, status: row.state.status, today: today)
    }
}


/// Kept apart so the memberwise initialiser stays available.
extension ArchiveResponse {
    init(_ history: ArchiveHistory) {
        let m = history.member.member
        let state = history.state
        memberId = m.personID.rawValue
        archiveRequired = m.needsArchive
        archiveId = history.archive?.id.rawValue
        status = state.status.rawValue
        statusName = state.status.chineseName
        identityVerified = state.identityVerified
        currentVersion = state.latestVersion
        verifiedVersion = state.verifiedVersion
        changeRequestOpen = if case .changeRequested = state { true } else if case .changeApproved = state { true } else { false }
        dueDate = history.dueDate?.iso
        overdue = history.overdue
        notice = history.notice
        versions = history.versions.map(VersionResponse.init)
        decisions = history.decisions.map(DecisionResponse.init)
        changeRequests = history.changeRequests.map(ChangeRequestResponse.init)
    }
}

extension ChangeRequestResponse {
    init(_ c: ChangeRequest) {
        id = c.id
        reason = c.reason
        requestedAt = c.requestedAt.text
        requestedBy = c.requestedBy.rawValue
        status = c.status.rawValue
        decisionReason = c.decisionReason
    }
}

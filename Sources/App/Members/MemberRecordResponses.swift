import Domain
import Foundation
import Hummingbird
import Persistence

/// `POST /api/v1/orgs/{branchId}/members`: every field optional in the JSON, so that a missing
/// one is reported as a reason like any other, not as a decoding error.
struct MemberDraftBody: Decodable {
    var name, gender, idNumber, ethnicity, education, politicalStatus, joinedOn, developmentNumber: String?
    var mobile, email, address, workplace, post: String?

    var draft: MemberDraft {
        MemberDraft(
            name: name ?? "", gender: gender ?? "", idNumber: idNumber ?? "", ethnicity: ethnicity ?? "", education: education ?? "",
            politicalStatus: politicalStatus ?? "", joinedOn: joinedOn ?? "", developmentNumber: developmentNumber ?? "",
            mobile: mobile ?? "", email: email ?? "", address: address ?? "", workplace: workplace ?? "", post: post ?? "")
    }
}

struct RemovalBody: Decodable {
    let name: String?
    let idNumber: String?
    let reason: String?
}

struct CadrePostBody: Decodable {
    let personId: String?
    let post: String?
}

/// The personal fields as the API shows them.
struct ProfileResponse: Encodable, Equatable {
    let ethnicity, education, politicalStatus, mobile, email, address, workplace: String?

    init(_ p: PersonProfile) {
        ethnicity = p.ethnicity
        education = p.education
        politicalStatus = p.politicalStatus
        mobile = p.mobile
        email = p.email
        address = p.address
        workplace = p.workplace
    }
}

struct FieldChangeResponse: Encodable, Equatable {
    let field: String
    let fieldName: String
    let before: String?
    let after: String?

    init(_ change: FieldChange, showFullIDNumber: Bool) {
        field = change.field.rawValue
        fieldName = change.field.chineseName
        // The audit row keeps the full numbers; a viewer who may not see them gets them masked.
        if change.field == .idNumber && !showFullIDNumber {
            before = change.before.map(IDNumber.mask)
            after = change.after.map(IDNumber.mask)
        } else {
            before = change.before
            after = change.after
        }
    }
}

/// `GET /api/v1/members/{id}/record`: the whole record with its histories.
struct MemberRecordResponse: ResponseEncodable {
    struct Post: Encodable { let orgId: String; let post: String }
    struct Removal: Encodable { let reason: String; let removedBy: String; let removedAt: String }
    struct Check: Encodable { let status: String; let statusName: String; let source: String; let note: String?; let recordedAt: String }
    struct AuditLine: Encodable { let action: String; let at: String; let actorId: String; let changes: [FieldChangeResponse]?; let detail: String }
    struct Permissions: Encodable { let editProfile: Bool; let editIdentity: Bool; let remove: Bool }

    let member: MemberResponse
    let profile: ProfileResponse
    let overAge: Bool
    let identityStatus: String
    let identityStatusName: String
    let removed: Bool
    let removal: Removal?
    let posts: [Post]
    let identityChecks: [Check]
    let history: [AuditLine]
    let may: Permissions

    init(_ d: MemberRecordWorkflow.Detail) {
        member = MemberResponse(d.record, showFullIDNumber: d.seesFullIDNumber, today: d.today)
        profile = ProfileResponse(d.profile)
        overAge = d.overAge
        identityStatus = d.record.identityStatus.rawValue
        identityStatusName = d.record.identityStatus.chineseName
        removed = d.record.removed
        removal = d.removal.map { Removal(reason: $0.reason, removedBy: $0.removedBy.rawValue, removedAt: $0.removedAt.text) }
        posts = d.posts.map { Post(orgId: $0.orgID.rawValue, post: $0.title) }
        identityChecks = d.identityChecks.map {
            Check(status: $0.status.rawValue, statusName: $0.status.chineseName, source: $0.source.rawValue, note: $0.note, recordedAt: $0.recordedAt.text)
        }
        let full = d.seesFullIDNumber
        history = d.audit.map { e in
            let changes = (try? JSONDecoder().decode([FieldChange].self, from: Data(e.detail.utf8)))
            return AuditLine(
                action: e.action.rawValue, at: e.at.text, actorId: e.actorID.rawValue,
                changes: changes?.map { FieldChangeResponse($0, showFullIDNumber: full) }, detail: changes == nil ? e.detail : "")
        }
        may = Permissions(editProfile: d.mayEditProfile, editIdentity: d.mayEditIdentity, remove: d.mayRemove)
    }
}

struct ChangesResponse: ResponseEncodable {
    let changes: [FieldChangeResponse]
}

struct IdentityAnswersResponse: ResponseEncodable {
    struct Applied: Encodable { let line: Int; let personId: String; let status: String; let statusName: String }
    struct Failed: Encodable { let line: Int; let reasons: [String] }
    let applied: [Applied]
    let failed: [Failed]

    init(_ outcome: IdentityCheckWorkflow.Outcome) {
        applied = outcome.applied.map {
            Applied(line: $0.line, personId: $0.personID.rawValue, status: $0.status.rawValue, statusName: $0.status.chineseName)
        }
        failed = outcome.rejected.map { Failed(line: $0.line, reasons: [ErrorCatalogue.reason($0.problem)]) }
    }
}

struct CadreResponse: Encodable {
    let personId: String
    let name: String
    /// Masked, as in every list.
    let idNumber: String
    let post: String
    let isAdmin: Bool
    let mobile: String?
    let memberBranchName: String?

    init(_ row: CadreListRow) {
        personId = row.personID.rawValue
        name = row.name
        idNumber = row.idNumber.masked
        post = row.title
        isAdmin = row.isAdmin
        mobile = row.mobile
        memberBranchName = row.memberBranchName
    }
}

struct CadreListResponse: ResponseEncodable {
    let org: OrgResponse
    let items: [CadreResponse]
    /// The posts a cadre may be given (团内职务).
    let posts: [String]
}

struct CadrePostChangeResponse: ResponseEncodable {
    let id: String
    let personId: String
    let personName: String
    let orgId: String
    let from: String?
    let to: String
    let changedBy: String
    let changedByName: String
    let changedAt: String

    init(_ c: CadrePostChange, personName: String, changedByName: String) {
        id = c.id
        personId = c.personID.rawValue
        self.personName = personName
        orgId = c.orgID.rawValue
        from = c.fromTitle
        to = c.toTitle
        changedBy = c.changedBy.rawValue
        self.changedByName = changedByName
        changedAt = c.changedAt.text
    }
}

struct CadreHistoryResponse: ResponseEncodable {
    let items: [CadrePostChangeResponse]
}

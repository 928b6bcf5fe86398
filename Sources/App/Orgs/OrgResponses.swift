import Domain
import Hummingbird
import Persistence

/// An org as the API shows it.
struct OrgResponse: ResponseEncodable, Equatable {
    let id: String
    let name: String
    let fullName: String
    let category: String
    let categoryName: String
    let parentId: String?
    let upperCommitteeId: String?
    /// Root first, the org itself last.
    let path: [String]

    init(_ org: Org) {
        id = org.id.rawValue
        name = org.name
        fullName = org.fullName
        category = org.category.rawValue
        categoryName = org.category.chineseName
        parentId = org.parentID?.rawValue
        upperCommitteeId = org.upperCommitteeID?.rawValue
        path = org.path.ids.map(\.rawValue)
    }
}

/// A member as the API shows it; the ID number is masked unless the caller may see it.
struct MemberResponse: ResponseEncodable, Equatable {
    struct Branch: Encodable, Equatable { let id: String; let name: String }
    let id: String
    let name: String
    let gender: String
    let idNumber: String
    let idNumberMasked: Bool
    let developmentNumber: String?
    let joinedOn: String
    let branch: Branch
    /// ARC-1: joined on or after 2020-01-01, so an e-archive is required.
    let archiveRequired: Bool
    /// MEM-7: 28 or older without a league post: shown as 超龄, left out of the counts.
    /// Absent where the answer is not about today (`GET /api/v1/me`).
    let overAge: Bool?
    /// MEM-9: `unverified` 未认证, `passed` 认证通过, `failed` 认证不通过.
    let identityStatus: String
    let identityStatusName: String

    init(_ record: MemberRecord, showFullIDNumber: Bool, today: CivilDate? = nil) {
        let m = record.member
        id = m.personID.rawValue
        name = m.name
        gender = m.gender.rawValue
        idNumber = showFullIDNumber ? m.idNumber.value : m.idNumber.masked
        idNumberMasked = !showFullIDNumber
        developmentNumber = m.developmentNumber?.value
        joinedOn = m.joinedOn.iso
        branch = Branch(id: record.branch.id.rawValue, name: record.branchName)
        archiveRequired = m.needsArchive
        overAge = today.map(record.isOverAge(on:))
        identityStatus = record.identityStatus.rawValue
        identityStatusName = record.identityStatus.chineseName
    }
}

struct Page<Item: Encodable>: ResponseEncodable {
    let items: [Item]
    /// Pass as `cursor` to get the next page; null on the last page.
    let nextCursor: String?

    /// Items that write their own JSON skip `JSONEncoder` (see `JSONText`); the bytes differ
    /// only in key order. Like the synthesised `Encodable`, a nil `nextCursor` is left out.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        guard Item.self is any JSONTextWritable.Type else {
            return try context.responseEncoder.encode(self, from: request, context: context)
        }
        var json = JSONText(capacity: 512 * max(items.count, 1))
        json.object { json in
            json.key("items")
            json.array { json in
                for item in items { (item as! any JSONTextWritable).write(to: &json) }
            }
            json.field("nextCursor", nextCursor)
        }
        return json.response
    }
}

extension MemberResponse: JSONTextWritable {
    func write(to json: inout JSONText) {
        json.object { json in
            json.field("id", id)
            json.field("name", name)
            json.field("gender", gender)
            json.field("idNumber", idNumber)
            json.field("idNumberMasked", idNumberMasked)
            json.field("developmentNumber", developmentNumber)
            json.field("joinedOn", joinedOn)
            json.key("branch")
            json.object { json in
                json.field("id", branch.id)
                json.field("name", branch.name)
            }
            json.field("archiveRequired", archiveRequired)
            json.field("overAge", overAge)
            json.field("identityStatus", identityStatus)
            json.field("identityStatusName", identityStatusName)
        }
    }
}

import Foundation
import Domain
import Persistence

/// `Domain.authorize`, throwing its denial; every workflow asks through here.
func require(_ actor: Actor, _ action: AccessAction, _ target: AccessTarget) throws(AccessDenial) {
    if case .deny(let denial) = Domain.authorize(actor, action, target) { throw denial }
}

/// One page of a keyset-paged list.
struct ListPage<Item: Sendable>: Sendable {
    let items: [Item]
    /// Pass back as `cursor` for the next page; nil on the last page.
    let nextCursor: String?
}

/// New record ids: UUIDs, lower-case (fits the id alphabet).
func newIdentifier() -> String { UUID().uuidString.lowercased() }

extension MemberListCursor {
    /// The cursor just after `record`, for the page it ends.
    init(_ record: MemberRecord) {
        self.init(branch: record.member.branchID, person: record.member.personID)
    }
}

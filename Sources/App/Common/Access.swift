import Foundation
import Domain

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

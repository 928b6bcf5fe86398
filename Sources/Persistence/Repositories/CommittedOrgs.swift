import Domain
import Synchronization

/// Orgs as committed, kept in memory by id for the member list.
///
/// **(decided)** Safe to keep without ever refreshing: every field of `Org` is fixed once the
/// row is written (migration 0008's `orgs_fixed_fields` trigger refuses a change, on both
/// databases) and orgs are marked deleted, never removed (`orgs_no_delete`), so no other
/// connection or instance can make an entry wrong. Only reads outside a transaction fill it:
/// inside one, an org could be read that is later rolled back. Deletion marks are not kept
/// here; the member list never filtered on them.
final class CommittedOrgs: Sendable {
    /// Beyond this many the map starts again: a province-sized tree must not grow it without bound.
    static let capacity = 20_000
    private let orgs = Mutex<[OrgID: Org]>([:])

    func org(_ id: OrgID) -> Org? { orgs.withLock { $0[id] } }

    func keep(_ org: Org) {
        orgs.withLock { orgs in
            if orgs.count >= Self.capacity { orgs.removeAll(keepingCapacity: true) }
            orgs[org.id] = org
        }
    }
}

import Domain
import Foundation

/// Sessions resolved in the last moments, so a client's burst of requests (a page and its
/// twelve thumbnails, a list paged through) looks its session up once instead of once per
/// request: that lookup was the largest cost of an authenticated read.
///
/// **(decided)** An entry lives `lifetime` seconds of real time (2 by default,
/// `ZHTJ_SESSION_CACHE_SECONDS`, 0 turns it off) and never past the session's own expiry. A
/// logout or password change here drops the account's entries at once; on another instance
/// behind the same balancer the change takes effect within `lifetime`.
final class SessionCache: @unchecked Sendable {
    // @unchecked: every field is touched only with `lock` held.
    private let lock = NSLock()
    private var entries: [String: (session: AuthenticatedSession, until: ContinuousClock.Instant)] = [:]
    let lifetime: Duration
    /// Beyond this many entries the cache starts again (bounded memory under a token flood).
    let capacity: Int

    init(lifetime: Duration, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    var isEnabled: Bool { lifetime > .zero }

    func session(forTokenHash hash: String) -> AuthenticatedSession? {
        guard isEnabled else { return nil }
        let now = ContinuousClock.now
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[hash] else { return nil }
        guard entry.until > now else {
            entries[hash] = nil
            return nil
        }
        return entry.session
    }

    func remember(_ session: AuthenticatedSession) {
        guard isEnabled else { return }
        let until = ContinuousClock.now + lifetime
        lock.lock()
        defer { lock.unlock() }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[session.tokenHash] = (session, until)
    }

    /// Drops every entry of `account` (logout, password change).
    func forget(account: AccountID) {
        lock.lock()
        defer { lock.unlock() }
        entries = entries.filter { $0.value.session.account.id != account }
    }
}

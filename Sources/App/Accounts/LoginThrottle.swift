import Persistence

/// Counts failed logins per account and per client address within a sliding window and
/// refuses further attempts once a limit is reached (429 with `Retry-After`).
///
/// Kept in memory: it protects one server process. **(decided)** A deployment running several
/// processes behind a balancer multiplies the allowance by the process count; the limits are
/// low enough that this is still far from a useful guessing rate.
public actor LoginThrottle {
    public struct Limits: Sendable {
        public var perAccount: Int
        public var perAddress: Int
        public var windowSeconds: Int64
        public init(perAccount: Int = 5, perAddress: Int = 30, windowSeconds: Int64 = 15 * 60) {
            self.perAccount = perAccount
            self.perAddress = perAddress
            self.windowSeconds = windowSeconds
        }
    }

    let limits: Limits
    let clock: any TimeSource
    private var failures: [String: [Timestamp]] = [:]

    public init(limits: Limits = Limits(), clock: any TimeSource) {
        self.limits = limits
        self.clock = clock
    }

    /// Seconds until the next attempt is allowed, or nil when it is allowed now.
    public func retryAfter(account: String, address: String) -> Int64? {
        let now = clock.now()
        let a = wait(key: "account:" + account, limit: limits.perAccount, now: now)
        let b = wait(key: "address:" + address, limit: limits.perAddress, now: now)
        switch (a, b) {
        case (nil, nil): return nil
        default: return max(a ?? 0, b ?? 0)
        }
    }

    public func recordFailure(account: String, address: String) {
        let now = clock.now()
        for key in ["account:" + account, "address:" + address] {
            failures[key, default: []].append(now)
        }
        if failures.count > 100_000 { prune(now: now) }
    }

    public func recordSuccess(account: String) {
        failures["account:" + account] = nil
    }

    private func wait(key: String, limit: Int, now: Timestamp) -> Int64? {
        let cutoff = now.adding(seconds: -limits.windowSeconds)
        let recent = (failures[key] ?? []).filter { $0 > cutoff }
        failures[key] = recent.isEmpty ? nil : recent
        guard recent.count >= limit else { return nil }
        // The oldest failure that still counts must age out of the window.
        let oldest = recent[recent.count - limit]
        let ms = oldest.adding(seconds: limits.windowSeconds).millisecondsSinceEpoch - now.millisecondsSinceEpoch
        return max(1, (ms + 999) / 1000)
    }

    private func prune(now: Timestamp) {
        let cutoff = now.adding(seconds: -limits.windowSeconds)
        failures = failures.compactMapValues { list in
            let recent = list.filter { $0 > cutoff }
            return recent.isEmpty ? nil : recent
        }
    }
}

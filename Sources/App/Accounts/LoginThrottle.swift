import Crypto
import Foundation
import Persistence

/// Decides whether a login attempt may go ahead, from the attempts recorded in the database
/// (`login_attempts`), so the counts survive a restart and hold across every instance.
///
/// Three bounds, so that nobody can lock anybody out:
/// - one login from one address (the pair): strict, and reset by a success of that pair;
/// - one address, whatever login it tries: strict, against one client guessing many accounts;
/// - one login from every address: only far above the pair's bound, and then it delays rather
///   than refuses, each further attempt waiting twice as long as the one before, up to a cap.
///   The owner, trying from an address without failures, is refused only in that case, and
///   then only for that delay.
public struct LoginThrottle: Sendable {
    /// The bounds; `AppConfig.loginThrottle` holds the ones in force.
    public struct Limits: Sendable, Equatable {
        /// Failures of one login from one address within `windowSeconds` (since its last success).
        public var perPair: Int
        /// Failures from one address, any login, within `windowSeconds`.
        public var perAddress: Int
        public var windowSeconds: Int64
        /// Failures of one login from all addresses within `accountWindowSeconds` after which each
        /// further attempt waits.
        public var perAccount: Int
        public var accountWindowSeconds: Int64
        /// The first wait once `perAccount` is reached; it doubles with every further failure.
        public var accountDelayBaseSeconds: Int64
        public var accountDelayCapSeconds: Int64

        public init(
            perPair: Int = 5, perAddress: Int = 30, windowSeconds: Int64 = 15 * 60, perAccount: Int = 50,
            accountWindowSeconds: Int64 = 60 * 60, accountDelayBaseSeconds: Int64 = 1, accountDelayCapSeconds: Int64 = 5 * 60
        ) {
            self.perPair = perPair
            self.perAddress = perAddress
            self.windowSeconds = windowSeconds
            self.perAccount = perAccount
            self.accountWindowSeconds = accountWindowSeconds
            self.accountDelayBaseSeconds = accountDelayBaseSeconds
            self.accountDelayCapSeconds = accountDelayCapSeconds
        }
    }

    /// What the throttle says about one attempt.
    public enum Verdict: Sendable, Equatable {
        case allowed
        /// `record` is false when this address already has a throttled row since its last
        /// failure: hammering a refused login adds at most one row per counted failure, so the
        /// record grows no faster than the throttle lets failures happen.
        case refused(retryAfterSeconds: Int64, record: Bool)
    }

    let limits: Limits
    let clock: any TimeSource
    private let turns = AddressTurns()

    public init(limits: Limits, clock: any TimeSource) {
        self.limits = limits
        self.clock = clock
    }

    /// The key a login is counted and recorded under: SHA-256 of the normalised login, because
    /// the login is an ID number and must not appear in the record.
    public static func key(for login: String) -> String {
        SHA256.hash(data: Data(("zhtj.login:" + login).utf8)).lowercaseHex
    }

    /// Asks the database for the counts (one statement) and judges them.
    func check(loginKey: String, address: String, attempts: any LoginAttemptRepository) async throws -> Verdict {
        let now = clock.now()
        let counts = try await attempts.failures(
            loginKey: loginKey, address: address, since: now.adding(seconds: -limits.windowSeconds),
            accountSince: now.adding(seconds: -limits.accountWindowSeconds))
        return Self.verdict(counts, limits: limits, now: now)
    }

    /// The decision on counts alone.
    public static func verdict(_ counts: LoginFailureCounts, limits: Limits, now: Timestamp) -> Verdict {
        var waitMs: Int64 = 0
        func until(_ instant: Timestamp?) {
            guard let instant else { return }
            waitMs = max(waitMs, instant.millisecondsSinceEpoch - now.millisecondsSinceEpoch)
        }
        // The oldest counted failure must leave the window before the next attempt.
        if counts.pair.count >= limits.perPair { until(counts.pair.oldest?.adding(seconds: limits.windowSeconds)) }
        if counts.address.count >= limits.perAddress { until(counts.address.oldest?.adding(seconds: limits.windowSeconds)) }
        if counts.account.count >= limits.perAccount {
            let doublings = min(counts.account.count - limits.perAccount, 40)
            let delay = min(limits.accountDelayCapSeconds, limits.accountDelayBaseSeconds << Int64(doublings))
            until(counts.account.newest?.adding(seconds: max(delay, limits.accountDelayBaseSeconds)))
        }
        guard waitMs > 0 else { return .allowed }
        let record = counts.newestThrottled.map { throttled in counts.address.newest.map { throttled < $0 } ?? false } ?? true
        return .refused(retryAfterSeconds: max(1, (waitMs + 999) / 1000), record: record)
    }

    /// Runs one attempt from `address` at a time in this process, so that parallel requests
    /// cannot all pass the check before the first of them is counted.
    func oneAtATime<T: Sendable>(from address: String, _ body: () async throws -> T) async throws -> T {
        try await turns.exclusive(address, body)
    }
}

/// A queue per address; an address is in the table only while an attempt from it runs.
actor AddressTurns {
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ address: String) async {
        guard waiting[address] != nil else {
            waiting[address] = []
            return
        }
        await withCheckedContinuation { waiting[address]!.append($0) }
    }

    func release(_ address: String) {
        guard var queue = waiting[address] else { return }
        if queue.isEmpty {
            waiting[address] = nil
        } else {
            let next = queue.removeFirst()
            waiting[address] = queue
            next.resume()
        }
    }
}

extension AddressTurns {
    /// Runs `body` when no other call for `address` is running, and lets the next one go after.
    nonisolated func exclusive<T: Sendable>(_ address: String, _ body: () async throws -> T) async throws -> T {
        await acquire(address)
        do {
            let result = try await body()
            await release(address)
            return result
        } catch {
            await release(address)
            throw error
        }
    }
}

import NIOConcurrencyHelpers
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The inspection queue has no room for one more file: the caller should answer "try again
/// later" rather than wait.
public struct InspectionQueueFull: Error, Equatable, Sendable {
    /// Which bound was reached.
    public enum Bound: String, Sendable {
        /// Every waiting place, of all lanes together, is taken.
        case total
        /// The lane (one org) already has its share of waiting places.
        case lane
    }

    public let bound: Bound
    /// Seconds after which a retry has a fair chance: a child ends within its wall-clock limit.
    public let retryAfterSeconds: Int

    public init(bound: Bound, retryAfterSeconds: Int) {
        self.bound = bound
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// Where inspections wait for one of a few child-process slots: bounded and fair.
///
/// Each caller names a lane (the server uses the uploading org). When a slot frees, the lanes
/// that have someone waiting are served in turn, first come first served within a lane, so an
/// org that sends fifty files waits behind its own files and not in front of another org's one.
/// At most ``Limits/maximumWaitingPerLane`` wait in one lane and ``Limits/maximumWaiting`` in
/// all; past either bound ``acquire(lane:)`` throws ``InspectionQueueFull`` at once, so a burst
/// is answered at once instead of holding connections (and temp files) for minutes. A waiter
/// whose task is cancelled (its client went away) leaves the queue at once.
public final class InspectionQueue: Sendable {
    /// How many run, and how many may wait.
    public struct Limits: Sendable, Equatable {
        /// Children running at once.
        public var concurrency: Int
        /// Callers waiting for a slot, all lanes together; 0: none waits.
        public var maximumWaiting: Int
        /// Callers waiting in one lane.
        public var maximumWaitingPerLane: Int

        /// Defaults: one child per core; 16 waiting, at most 4 of them from one org. Real files
        /// take well under a second each (`scripts/measure-inspector`), so a full queue is a few
        /// seconds of work, not minutes of connections and temp files held open.
        public init(
            concurrency: Int = ProcessInfo.processInfo.activeProcessorCount, maximumWaiting: Int = 16,
            maximumWaitingPerLane: Int = 4
        ) {
            self.concurrency = concurrency
            self.maximumWaiting = maximumWaiting
            self.maximumWaitingPerLane = maximumWaitingPerLane
        }

        /// No bound on waiting: what a caller gets that does not configure one.
        public static func unbounded(concurrency: Int) -> Limits {
            Limits(concurrency: concurrency, maximumWaiting: .max, maximumWaitingPerLane: .max)
        }
    }

    public let limits: Limits
    private let retryAfterSeconds: Int
    private let state: Locked

    /// - Parameter retryAfterSeconds: the hint a refused caller passes on (`Retry-After`).
    public init(limits: Limits, retryAfterSeconds: Int) {
        var limits = limits
        limits.concurrency = max(1, limits.concurrency)
        limits.maximumWaiting = max(0, limits.maximumWaiting)
        limits.maximumWaitingPerLane = max(0, limits.maximumWaitingPerLane)
        self.limits = limits
        self.retryAfterSeconds = max(1, retryAfterSeconds)
        state = Locked(permits: limits.concurrency)
    }

    /// Waits (suspended, never blocking a thread) for a slot in `lane`; every successful call
    /// must be followed by one ``release()``.
    ///
    /// - Parameter bounded: false for callers that must not be refused and are bounded
    ///   elsewhere (the review page's twelve page images at once): they take their turn with
    ///   the other lanes but neither count towards nor are stopped by the bounds.
    /// - Throws: ``InspectionQueueFull`` at once when there is no room to wait;
    ///   `CancellationError` when the task is cancelled while it waits (it no longer holds a
    ///   place, and must not call `release`).
    public func acquire(lane: String, bounded: Bool = true) async throws {
        let id = state.register()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                switch state.enqueue(id: id, lane: lane, bounded: bounded, continuation: continuation, limits: limits) {
                case .granted: continuation.resume()
                case .waiting: break
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .full(let bound):
                    continuation.resume(throwing: InspectionQueueFull(bound: bound, retryAfterSeconds: retryAfterSeconds))
                }
            }
        } onCancel: {
            state.cancel(id: id)?.resume(throwing: CancellationError())
        }
    }

    /// Gives the slot to the next lane's longest waiter, or back to the pool.
    public func release() {
        state.release()?.resume()
    }

    /// Callers waiting now (for tests and metrics).
    public var waiting: Int { state.waitingCount }

    /// Lock-guarded state; `@unchecked` because the lock is what makes it safe.
    private final class Locked: @unchecked Sendable {
        enum Enqueued { case granted, waiting, cancelled, full(InspectionQueueFull.Bound) }

        private struct Waiter {
            let id: UInt64
            let bounded: Bool
            let continuation: CheckedContinuation<Void, any Error>
        }

        private let lock = NIOLock()
        private var permits: Int
        private var nextID: UInt64 = 0
        /// Registered, not yet enqueued: a cancellation in that gap is remembered here.
        private var registered: [UInt64: Bool] = [:]
        private var lanes: [String: [Waiter]] = [:]
        private var laneOf: [UInt64: String] = [:]
        /// Lanes with someone waiting, in the order they are served next.
        private var rotation: [String] = []
        private var waitingTotal = 0
        /// Waiters the bounds apply to.
        private var waitingBounded = 0

        init(permits: Int) { self.permits = permits }

        var waitingCount: Int { lock.withLock { waitingTotal } }

        func register() -> UInt64 {
            lock.withLock {
                nextID += 1
                registered[nextID] = false
                return nextID
            }
        }

        func enqueue(
            id: UInt64, lane: String, bounded: Bool, continuation: CheckedContinuation<Void, any Error>, limits: Limits
        ) -> Enqueued {
            lock.withLock {
                let cancelled = registered.removeValue(forKey: id) ?? false
                if cancelled { return .cancelled }
                if permits > 0, waitingTotal == 0 {
                    permits -= 1
                    return .granted
                }
                if bounded {
                    if waitingBounded >= limits.maximumWaiting { return .full(.total) }
                    let inLane = lanes[lane]?.count(where: \.bounded) ?? 0
                    if inLane >= limits.maximumWaitingPerLane { return .full(.lane) }
                }
                if lanes[lane] == nil { rotation.append(lane) }
                lanes[lane, default: []].append(Waiter(id: id, bounded: bounded, continuation: continuation))
                laneOf[id] = lane
                waitingTotal += 1
                if bounded { waitingBounded += 1 }
                return .waiting
            }
        }

        /// The waiter's continuation when it was waiting (to resume outside the lock).
        func cancel(id: UInt64) -> CheckedContinuation<Void, any Error>? {
            lock.withLock {
                if registered[id] != nil {
                    registered[id] = true
                    return nil
                }
                guard let lane = laneOf.removeValue(forKey: id), var queue = lanes[lane],
                    let index = queue.firstIndex(where: { $0.id == id })
                else { return nil }
                let waiter = queue.remove(at: index)
                waitingTotal -= 1
                if waiter.bounded { waitingBounded -= 1 }
                if queue.isEmpty {
                    lanes[lane] = nil
                    rotation.removeAll { $0 == lane }
                } else {
                    lanes[lane] = queue
                }
                return waiter.continuation
            }
        }

        func release() -> CheckedContinuation<Void, any Error>? {
            lock.withLock {
                guard !rotation.isEmpty else {
                    permits += 1
                    return nil
                }
                let lane = rotation.removeFirst()
                var queue = lanes[lane] ?? []
                let waiter = queue.removeFirst()
                laneOf[waiter.id] = nil
                waitingTotal -= 1
                if waiter.bounded { waitingBounded -= 1 }
                if queue.isEmpty {
                    lanes[lane] = nil
                } else {
                    lanes[lane] = queue
                    // Served: to the back of the rotation.
                    rotation.append(lane)
                }
                return waiter.continuation
            }
        }
    }
}

import Foundation

/// Where "now" comes from. Rules that depend on dates take one, so tests inject a fixed clock.
public protocol TimeSource: Sendable {
    func now() -> Timestamp
}

public struct SystemTimeSource: TimeSource {
    public init() {}
    public func now() -> Timestamp { Timestamp.now() }
}

/// A clock that stands still unless advanced; for tests.
public final class FixedTimeSource: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Timestamp

    public init(_ start: Timestamp) { current = start }

    public func now() -> Timestamp { lock.withLock { current } }

    public func advance(seconds: Int64) { lock.withLock { current = current.adding(seconds: seconds) } }
}

/// A clock that starts at a chosen instant and runs at the real rate from there: the server's
/// test clock (`ZHTJ_NOW`), for walking a deployment through a school year as payment
/// providers' test clocks do. Never the default.
public struct ShiftedTimeSource: TimeSource {
    let offsetMilliseconds: Int64

    public init(startingAt start: Timestamp, realNow: Timestamp = .now()) {
        offsetMilliseconds = start.millisecondsSinceEpoch - realNow.millisecondsSinceEpoch
    }

    public func now() -> Timestamp { Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch + offsetMilliseconds) }
}

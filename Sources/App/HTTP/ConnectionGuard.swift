import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Open connections per client address, shared by every connection of one server.
final class ConnectionCounter: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    init(limit: Int) { self.limit = max(1, limit) }

    /// Counts a new connection from `address`; false when the address already holds `limit`.
    func open(_ address: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let open = counts[address, default: 0]
        guard open < limit else { return false }
        counts[address] = open + 1
        return true
    }

    func close(_ address: String) {
        lock.lock()
        defer { lock.unlock() }
        let open = counts[address, default: 0] - 1
        counts[address] = open > 0 ? open : nil
    }

    /// Connections open now from `address` (for tests and logs).
    func openConnections(from address: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return counts[address, default: 0]
    }
}

/// Keeps one slow or stalled client from holding a connection: the headers of each request
/// must arrive within `headerReadSeconds`, a body may not pause for longer than
/// `bodyIdleSeconds`, and one address may hold at most `perAddress` connections.
///
/// A client that connected and did not finish its headers in time is answered 408 and the
/// connection closed; a keep-alive connection that simply stays idle after an answer is closed
/// without one (no request was started, so an answer would only confuse the client). A body
/// that stops is answered 408 if nothing was answered yet; closing makes the body stream fail,
/// so the handler reading it stops and its temp file goes.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let limits: AppConfig.ConnectionLimits
    let counter: ConnectionCounter
    private var address: String?
    private var started = false
    /// The armed limit: when it runs out and why. Nil when nothing is timed.
    private var deadline: (at: NIODeadline, reason: Reason)?
    /// The one scheduled check, and when it fires. Re-arming only moves `deadline`; the check
    /// finds a later deadline and sleeps again. Scheduling and cancelling an event-loop task
    /// on every request head, end and answer was a measurable share of a small request.
    private var timer: (task: Scheduled<Void>, firesAt: NIODeadline)?
    /// A request head arrived and its end has not.
    private var requestOpen = false
    /// The answer to the current request has begun.
    private var answering = false
    /// At least one answer went out on this connection.
    private var answeredBefore = false
    private var closed = false

    init(limits: AppConfig.ConnectionLimits, counter: ConnectionCounter) {
        self.limits = limits
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestOpen = true
            answering = false
            arm(context, after: limits.bodyIdleSeconds, reason: .bodyStalled)
        case .body:
            arm(context, after: limits.bodyIdleSeconds, reason: .bodyStalled)
        case .end:
            requestOpen = false
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.kind != .informational:
            answering = true
        case .end:
            answeredBefore = true
            // Waiting for the next request on a kept-alive connection is waiting for headers.
            if !requestOpen { arm(context, after: limits.headerReadSeconds, reason: .idleAfterAnswer) }
        default:
            break
        }
        context.write(data, promise: promise)
    }

    // MARK: -

    private enum Reason { case headersTooSlow, bodyStalled, idleAfterAnswer }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.open(address) else {
            // Over the cap: refuse before reading anything, so the held connections are the cost.
            closed = true
            context.close(promise: nil)
            return
        }
        self.address = address
        arm(context, after: limits.headerReadSeconds, reason: .headersTooSlow)
    }

    private func stop() {
        stopTimer()
        if let address {
            counter.close(address)
            self.address = nil
        }
    }

    /// Disarms; a pending check then finds nothing to do.
    private func disarm() {
        deadline = nil
    }

    private func stopTimer() {
        deadline = nil
        timer?.task.cancel()
        timer = nil
    }

    private func arm(_ context: ChannelHandlerContext, after seconds: Double, reason: Reason) {
        guard !closed else { return }
        let at = NIODeadline.now() + .nanoseconds(Int64(seconds * 1_000_000_000))
        deadline = (at, reason)
        // A check due no later than the new deadline will see it and sleep on.
        if let timer, timer.firesAt <= at { return }
        schedule(context, at: at)
    }

    private func schedule(_ context: ChannelHandlerContext, at: NIODeadline) {
        timer?.task.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let task = context.eventLoop.scheduleTask(deadline: at) {
            let (handler, context) = loopBound.value
            handler.check(context)
        }
        timer = (task, at)
    }

    private func check(_ context: ChannelHandlerContext) {
        timer = nil
        guard let deadline else { return }
        if deadline.at > .now() {
            schedule(context, at: deadline.at)
            return
        }
        self.deadline = nil
        expire(context, reason: deadline.reason)
    }

    private func expire(_ context: ChannelHandlerContext, reason: Reason) {
        guard !closed, context.channel.isActive else { return }
        closed = true
        let answer: Bool
        switch reason {
        case .headersTooSlow: answer = !answeredBefore
        case .bodyStalled: answer = !answering
        case .idleAfterAnswer: answer = false
        }
        if answer {
            let refusal = ErrorCatalogue.entry(.requestTimeout)
            let body = refusal.bodyBytes
            var fields = SecurityHeaders.fields
            fields[.contentType] = "application/json; charset=utf-8"
            fields[.contentLength] = String(body.count)
            fields[.connection] = "close"
            fields[.cacheControl] = "no-store"
            context.write(wrapOutboundOut(.head(HTTPResponse(status: refusal.status, headerFields: fields))), promise: nil)
            context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
    }
}

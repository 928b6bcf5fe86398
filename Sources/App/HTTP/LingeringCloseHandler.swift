import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection the way nginx's lingering close does. When the server answers before it
/// has read the whole request body (a 413 on an oversized upload, a 409 before 20 MiB arrive)
/// and then closes, the client is usually still sending; closing at once with unread bytes
/// makes the kernel send a reset, and a client that stops reading while it sends (Python's
/// urllib with `Connection: close`) never sees the answer. Instead: shut the output (the answer
/// and a FIN go out), keep reading and discarding for a bounded time and size, then close.
final class LingeringCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Limits: Sendable {
        /// Longest time spent draining after the answer.
        var time: TimeAmount = .seconds(2)
        /// Most bytes discarded after the answer.
        var bytes: Int = 1 << 20
    }

    let limits: Limits
    private var requestInProgress = false
    /// The answer being written says `Connection: close`.
    private var closeAfterAnswer = false
    private var drain: LingeringDrain?

    init(limits: Limits = .init()) { self.limits = limits }

    /// An answer with `Connection: close` ends the connection once it is out, even while the
    /// request's body is still arriving: Hummingbird closes only when the *request* asked to,
    /// and otherwise reads every remaining byte of the body first.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        if case .head(let head) = part, head.status.kind != .informational {
            closeAfterAnswer = head.headerFields[.connection]?.lowercased() == "close"
        }
        context.write(data, promise: promise)
        if case .end = part, closeAfterAnswer {
            closeAfterAnswer = false
            // Out first: a close with unflushed writes would drop the answer.
            context.flush()
            close(context: context, mode: .all, promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: requestInProgress = true
        case .body: break
        case .end: requestInProgress = false
        }
        context.fireChannelRead(data)
    }

    /// Once the answer is out and the rest is being drained, the body the client never
    /// finished makes the HTTP decoder report a parse error when the connection ends. Passed
    /// on, Hummingbird would try to answer it with a 400 on a connection whose output is already
    /// shut, and wait for ever (a server that then cannot shut down).
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if drain != nil { return }
        context.fireErrorCaught(error)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if let drain {
            // Already draining: the drain closes for good when it is done.
            if mode == .all { drain.closeWhenDone(promise) } else { promise?.succeed() }
            return
        }
        // The HTTP server half-closes (`.output`) or closes (`.all`) once the answer is out.
        guard mode != .input, requestInProgress, context.channel.isActive else {
            context.flush()
            context.close(mode: mode, promise: promise)
            return
        }
        context.flush()
        context.close(mode: .output, promise: mode == .output ? promise : nil)
        // The drain sits in front of the HTTP decoder: what still arrives is bytes to discard,
        // not requests, and the HTTP handlers' read throttling no longer applies.
        let drain = LingeringDrain(limits: limits)
        self.drain = drain
        if mode == .all { drain.closeWhenDone(promise) }
        do {
            try context.channel.pipeline.syncOperations.addHandler(drain, position: .first)
        } catch {
            context.close(mode: .all, promise: nil)
        }
    }
}

/// Reads and discards a closing connection's remaining bytes until the client stops sending,
/// the byte or time limit is reached, or the client closes; then closes for good.
final class LingeringDrain: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    let limits: LingeringCloseHandler.Limits
    private var promise: EventLoopPromise<Void>?
    private var drained = 0
    private var deadline: Scheduled<Void>?

    init(limits: LingeringCloseHandler.Limits) { self.limits = limits }

    /// Completes `promise` when the connection is finally closed.
    func closeWhenDone(_ promise: EventLoopPromise<Void>?) {
        guard let promise else { return }
        if let existing = self.promise { existing.futureResult.cascade(to: promise) } else { self.promise = promise }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: limits.time) {
            let (drain, context) = loopBound.value
            drain.finish(context)
        }
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        drained += unwrapInboundIn(data).readableBytes
        if drained > limits.bytes { finish(context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.read()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { finish(context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        promise?.succeed()
        promise = nil
        context.fireChannelInactive()
    }

    private func finish(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        let promise = self.promise
        self.promise = nil
        context.close(mode: .all, promise: promise)
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Tells a long request (an upload waiting for, or running, its inspection) that its client has
/// gone, so the work is cancelled and nothing is committed for nobody.
///
/// A handler cannot see it from its channel alone: the server allows remote half-closure, so a
/// client that closes its socket only ends the connection's input (`ChannelEvent.inputClosed`),
/// and `closeFuture` stays pending until the server has answered. This handler sits behind the
/// HTTP codec, sees that end of input (or the connection's end) and calls whoever listens. As
/// with nginx's 499, a client that closes its sending side while its request is handled counts
/// as gone.
final class ClientGoneHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    // @unchecked: `gone` and `listeners` are only touched with `lock` held; the channel events
    // arrive on the event loop, listeners come and go from request tasks.
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let lock = NSLock()
    private var gone = false
    private var nextID = 0
    private var listeners: [Int: @Sendable () -> Void] = [:]

    /// A listener's registration; pass it to ``stopListening(_:)``.
    struct Registration: Sendable { fileprivate let id: Int }

    /// Calls `action` once when the client goes (at once if it already has).
    func onGone(_ action: @escaping @Sendable () -> Void) -> Registration {
        let (registration, goneAlready) = lock.withLock { () -> (Registration, Bool) in
            nextID += 1
            if !gone { listeners[nextID] = action }
            return (Registration(id: nextID), gone)
        }
        if goneAlready { action() }
        return registration
    }

    func stopListening(_ registration: Registration) {
        _ = lock.withLock { listeners.removeValue(forKey: registration.id) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { markGone() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        markGone()
        context.fireChannelInactive()
    }

    private func markGone() {
        let actions = lock.withLock { () -> [@Sendable () -> Void] in
            gone = true
            defer { listeners.removeAll() }
            return Array(listeners.values)
        }
        for action in actions { action() }
    }

    /// The handler of the connection `context` came on; nil where there is none (router tests).
    static func of(_ context: AppRequestContext) async -> ClientGoneHandler? {
        try? await context.channel.pipeline.handler(type: ClientGoneHandler.self).get()
    }
}

/// Runs `body` as a task of its own that is cancelled when the client goes (or when the caller
/// is), and answers `clientGone` if it ended because the client went.
func cancellingWhenClientGoes<T: Sendable>(
    _ context: AppRequestContext, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let watcher = await ClientGoneHandler.of(context) else { return try await body() }
    let work = Task { try await body() }
    let registration = watcher.onGone { work.cancel() }
    defer { watcher.stopListening(registration) }
    return try await withTaskCancellationHandler {
        do {
            return try await work.value
        } catch {
            if work.isCancelled { throw ServiceRefusal.clientGone }
            throw error
        }
    } onCancel: {
        work.cancel()
    }
}

@testable import App
import Foundation
import Synchronization
import Testing

/// Issue 8, items 2 and 8: slow, half-sent and abandoned requests, over real sockets to a
/// live server with short limits.
@Suite("Connections", .serialized)
struct ConnectionTests {
    static let quick = AppConfig.ConnectionLimits(
        headerReadSeconds: 0.5, bodyIdleSeconds: 0.5, perAddress: 4, drainBytes: 64 * 1024, drainSeconds: 0.5)

    /// Sends `request` on a new connection to a live app with the `quick` limits and reads
    /// until the server closes (or 5 s pass).
    func exchange(_ request: String) async throws -> (answer: String, closed: Bool) {
        let result = Mutex<(String, Bool)>(("", false))
        try await withDemoApp(mode: .live, configure: { $0.connections = Self.quick }) { _, client in
            let connection = try RawConnection(port: try #require(client.port))
            try await connection.write(request)
            let answer = try await connection.answer(within: 5)
            result.withLock { $0 = answer }
        }
        return result.withLock { $0 }
    }

    @Test("headers sent a byte at a time are answered 408 and closed at the header deadline")
    func slowHeaders() async throws {
        let (answer, closed) = try await exchange("GET /healthz HTTP/1.1\r\nHo")
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
        #expect(answer.contains("request_timeout"))
        #expect(answer.contains("nosniff"))
        #expect(closed)
    }

    @Test("a body that stops short of its Content-Length is answered 408 and closed")
    func shortBody() async throws {
        let (answer, closed) = try await exchange(
            "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"accoun")
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
        #expect(closed)
    }

    @Test("an idle kept-alive connection is closed without an answer; a prompt one is served")
    func keepAlive() async throws {
        let (answer, closed) = try await exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 200"))
        #expect(!answer.contains("408"))
        #expect(closed)
    }

    @Test("one address holds at most its cap of connections; a freed slot serves again")
    func perAddressCap() async throws {
        try await withDemoApp(mode: .live, configure: { $0.connections = .init(headerReadSeconds: 30, bodyIdleSeconds: 30, perAddress: 3) }) { _, client in
            let port = try #require(client.port)
            var held = try (0..<3).map { _ in try RawConnection(port: port) }
            // Give the server a moment to count them, then the fourth is closed at once.
            try await Task.sleep(for: .milliseconds(300))
            let fourth = try RawConnection(port: port)
            try? await fourth.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let (refused, closed) = try await fourth.answer(within: 5)
            #expect(closed)
            #expect(refused.isEmpty)
            // The held connections still work.
            try await held[0].write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(try await held[0].answer(within: 5).text.hasPrefix("HTTP/1.1 200"))
            held.removeFirst()  // the client closes its end too, which frees the slot
            try await Task.sleep(for: .milliseconds(300))
            let again = try RawConnection(port: port)
            try await again.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(try await again.answer(within: 5).text.hasPrefix("HTTP/1.1 200"))
            _ = held
        }
    }

    @Test("an early refusal of a 100 MB body reads only a bounded amount, answers, and closes")
    func earlyRefusalDrainsLittle() async throws {
        try await withDemoApp(mode: .live, configure: { $0.connections = Self.quick }) { _, client in
            let connection = try RawConnection(port: try #require(client.port))
            try await connection.write(
                "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 104857600\r\n\r\n")
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 256 * 1024)
            let sent = try await RawConnection.blocking {
                var sent = 0
                while sent < 104_857_600, (try? connection.send(chunk)) != nil { sent += chunk.count }
                return sent
            }
            let (answer, closed) = try await connection.answer(within: 5)
            // What was sent before the server closed: its drain allowance plus the kernel's
            // socket buffers on both sides, nowhere near the 100 MB declared.
            #expect(sent < 32 << 20, "sent \(sent) bytes before the server closed")
            #expect(closed)
            // The answer went out before the close (a reset may still overtake it in the
            // client's kernel, which is why the drain exists at all).
            if !answer.isEmpty { #expect(answer.hasPrefix("HTTP/1.1 415"), "\(answer.prefix(200))") }
            #expect(answer.isEmpty || answer.contains("unsupported_media_type"))
        }
    }
}

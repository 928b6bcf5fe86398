import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to the test server, for what no HTTP client does on purpose: send
/// headers a byte at a time, stop half-way through a body, or keep sending after an answer.
final class RawConnection: @unchecked Sendable {
    private(set) var fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw Failure("connect: \(errno)")
        }
        // A send into a server that stopped reading fails after a while instead of hanging.
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Runs blocking socket work on a thread of its own: blocking one of the few threads of
    /// Swift's cooperative pool would stall the in-process server the test is talking to.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    deinit { close() }

    /// Goes away: the client closes its socket without reading an answer.
    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends the request head of a raw PDF upload announcing `length` bytes, then `body`.
    func sendUpload(member: String, token: String, length: Int, body: [UInt8]) throws {
        let head =
            "PUT /api/v1/members/\(member)/archive HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/pdf\r\nContent-Length: \(length)\r\n\r\n"
        try send(Array(head.utf8) + body)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Sends everything or throws (EPIPE and ECONNRESET once the server has closed).
    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure("send: \(errno)")
            }
            offset += n
        }
    }

    /// Reads until the server closes or `seconds` pass without data; returns what arrived and
    /// whether the server closed (end of stream or reset).
    func readUntilClosed(seconds: Double) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(seconds * 1000))
            if ready == 0 { return (String(decoding: received, as: UTF8.self), false) }
            if ready < 0 {
                if errno == EINTR { continue }
                return (String(decoding: received, as: UTF8.self), true)
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<n]
        }
    }

    /// `send`, off the cooperative pool.
    func write(_ text: String) async throws {
        try await Self.blocking { try self.send(text) }
    }

    /// `readUntilClosed`, off the cooperative pool.
    func answer(within seconds: Double) async throws -> (text: String, closed: Bool) {
        try await Self.blocking { self.readUntilClosed(seconds: seconds) }
    }
}

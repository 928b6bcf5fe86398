import Foundation
import HTTPTypes
import Hummingbird

extension AppRequestContext {
    /// The address a login is throttled and recorded under. Behind a balancer every peer is the
    /// balancer, which would make one client's failures everybody's: when the peer is one of
    /// `AppConfig.trustedProxies`, the client is the rightmost `X-Forwarded-For` hop that is not a
    /// trusted proxy (hops further left were written by the client and prove nothing).
    func loginAddress(of request: Request, trustedProxies: [String]) -> String {
        let peer = clientAddress
        guard trustedProxies.contains(peer) else { return peer }
        let hops = request.headers[values: ClientAddressSyntax.forwardedFor]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let client = hops.last(where: { !trustedProxies.contains($0) }) else { return peer }
        return ClientAddressSyntax.isAddress(client) ? client : peer
    }
}

/// What may be used as an address: IPv4 or IPv6 text, never free text from a header.
enum ClientAddressSyntax {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    static func isAddress(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 45 && text.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
            && (text.contains(".") || text.contains(":"))
    }
}

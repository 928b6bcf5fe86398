import HTTPTypes
import Hummingbird

/// Which methods each known path answers, from the typed routes of the API and the pages.
struct RouteMethods: Sendable {
    private struct Entry: Sendable {
        let segments: [Substring]
        var methods: [HTTPRequest.Method]
    }

    private var entries: [Entry] = []

    init(_ routes: [(pattern: String, methods: [HTTPRequest.Method])]) {
        for (pattern, methods) in routes {
            let segments = pattern.split(separator: "/")
            if let i = entries.firstIndex(where: { $0.segments == segments }) {
                entries[i].methods += methods.filter { !entries[i].methods.contains($0) }
            } else {
                entries.append(Entry(segments: segments, methods: methods))
            }
        }
    }

    /// The API's routes and the pages'.
    static let site = RouteMethods(
        SiteRoute.registered.map { ($0.route.path, $0.methods) } + PageRoute.Endpoint.allCases.map { ($0.pattern, [$0.method]) })

    /// The methods `path` answers, HEAD included wherever GET is; nil for an unknown path.
    func allowed(for path: String) -> [HTTPRequest.Method]? {
        let parts = path.split(separator: "/")
        var found: [HTTPRequest.Method] = []
        for entry in entries where Self.matches(entry.segments, parts) {
            found += entry.methods.filter { !found.contains($0) }
        }
        guard !found.isEmpty else { return nil }
        if found.contains(.get), !found.contains(.head) { found.append(.head) }
        return found
    }

    /// `{name}` matches one non-empty segment, with any literal text around it (`{page}.png`).
    private static func matches(_ pattern: [Substring], _ parts: [Substring]) -> Bool {
        guard pattern.count == parts.count else { return false }
        for (p, part) in zip(pattern, parts) {
            if let open = p.firstIndex(of: "{"), let close = p.firstIndex(of: "}") {
                let prefix = p[p.startIndex..<open]
                let suffix = p[p.index(after: close)...]
                guard part.count > prefix.count + suffix.count, part.hasPrefix(prefix), part.hasSuffix(suffix) else { return false }
            } else if p != part {
                return false
            }
        }
        return true
    }
}

/// Turns the router's 404 for a known path asked with the wrong method into 405 with `Allow`.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            if let allowed = routes.allowed(for: request.uri.path), !allowed.contains(request.method) {
                throw ServiceRefusal.methodNotAllowed(allow: allowed.map(\.rawValue))
            }
            throw error
        }
    }
}

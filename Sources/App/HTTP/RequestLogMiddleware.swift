import Foundation
import Hummingbird
import Logging

/// One structured line per request: method, path, status, duration.
///
/// The query string is left out and long digit runs in the path are masked, so an ID number
/// typed into a search box or URL never reaches the log; headers (tokens, cookies) are never
/// logged.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    static func redact(_ path: String) -> String { RequestLogRedaction.redact(path) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(Self.redact(request.uri.path)),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(String(format: "%.1f", ms)),
            ])
        return response
    }
}

/// Masks ID numbers in logged paths.
public enum RequestLogRedaction {
    /// Replaces runs of 15 or more digits (ID numbers, with or without the X) by asterisks.
    public static func redact(_ path: String) -> String {
        var out = ""
        var run = ""
        func flush() {
            out += run.count >= 15 ? String(repeating: "*", count: run.count) : run
            run = ""
        }
        for ch in path {
            if ch.isASCII && (ch.isNumber || ((ch == "X" || ch == "x") && !run.isEmpty)) { run.append(ch) } else { flush(); out.append(ch) }
        }
        flush()
        return out
    }
}

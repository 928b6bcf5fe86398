import Foundation
import Hummingbird
import Logging
import Persistence

/// Renders every error as the JSON error body, through `ErrorCatalogue`; anything that is
/// not a refusal becomes a 500 whose details go to the log and never to the client.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.entry(for: error, logger: context.logger).response(from: request, context: context)
        }
    }

    /// The catalogue's entry, or `internal_error` with the error logged.
    static func entry(for error: any Error, logger: Logger) -> AppError {
        if let entry = ErrorCatalogue.entry(for: error) {
            if error is DecodingError { logger.debug("request body did not decode", metadata: ["error": "\(error)"]) }
            return entry
        }
        // The type and, for the databases, the result code: never the message, which may quote values.
        var metadata: Logger.Metadata = ["error": "\(String(reflecting: type(of: error)))"]
        if let code = DatabaseResultCode(error) { metadata["database_code"] = "\(code.description)" }
        logger.error("unhandled error", metadata: metadata)
        return ErrorCatalogue.internalError
    }
}

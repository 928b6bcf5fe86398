import Foundation
import Hummingbird
import Logging

/// Maps every error to the JSON error body: `AppError`s as they are, Hummingbird's own HTTP
/// errors (bad JSON, unknown route, body too large) to their codes, anything else to a 500
/// whose details go to the log and never to the client.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AppError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            return try Self.translate(error).response(from: request, context: context)
        } catch let error as DecodingError {
            context.logger.debug("request body did not decode", metadata: ["error": "\(error)"])
            return try AppError.badRequest("请求内容格式不正确").response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return try AppError.internalError.response(from: request, context: context)
        }
    }

    static func translate(_ error: HTTPError) -> AppError {
        switch error.status {
        case .notFound: return .notFound
        case .contentTooLarge: return AppError(.contentTooLarge, "too_large", "上传内容过大")
        case .methodNotAllowed: return AppError(.methodNotAllowed, "method_not_allowed", "不支持该请求方法")
        case .unsupportedMediaType: return AppError(.unsupportedMediaType, "unsupported_media_type", "不支持的内容类型")
        case .badRequest: return .badRequest("请求内容格式不正确")
        case .unauthorized: return .unauthenticated
        case .forbidden: return .forbidden
        default:
            return error.status.code >= 500 ? .internalError : AppError(error.status, "http_\(error.status.code)", "请求无法处理")
        }
    }
}

import Foundation
import Hummingbird

/// Every refusal the service gives: an HTTP status, a stable snake_case code for programs and a
/// Chinese message for people. Rendered in one place as `{"error":{"code","message"}}`.
public struct AppError: HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Extra headers, e.g. `Retry-After` on 429.
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    struct Body: Encodable {
        struct Inner: Encodable { let code: String; let message: String }
        let error: Inner
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(Body(error: .init(code: code, message: message)))
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public static let unauthenticated = AppError(.unauthorized, "unauthenticated", "请先登录")
    public static let sessionExpired = AppError(.unauthorized, "session_invalid", "登录已失效，请重新登录")
    public static let invalidCredentials = AppError(.unauthorized, "invalid_credentials", "账号或密码错误")
    public static let forbidden = AppError(.forbidden, "forbidden", "无权访问该资源")
    public static let passwordChangeRequired = AppError(.forbidden, "password_change_required", "首次登录请先修改初始密码")
    public static let notFound = AppError(.notFound, "not_found", "请求的资源不存在")
    public static func badRequest(_ message: String) -> AppError { AppError(.badRequest, "bad_request", message) }
    public static func validation(_ code: String, _ message: String) -> AppError { AppError(.unprocessableContent, code, message) }
    public static let internalError = AppError(.internalServerError, "internal_error", "服务器内部错误，请稍后重试")
}

import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /api/v1/orgs/{orgId}/{members,children,cadres,progress,registration-codes}.xlsx`.
///
/// The registration-codes file generates new codes (ADM-1), so it changes state although it is
/// fetched: `POST` is the ordinary way; a `GET` is served to bearer-token clients, and to a
/// cookie session only from this site with the `X-CSRF-Token` header, which a link or a
/// cross-site page cannot send.
struct ExportController {
    let exports: ExportWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        for kind in ExportKind.allCases {
            group.get(SiteRoute.orgExport(nil, kind).pattern) { request, context in try await download(kind, request, context) }
        }
        group.post(SiteRoute.orgExport(nil, .registrationCodes).pattern) { request, context in
            try await download(.registrationCodes, request, context)
        }
    }

    func download(_ kind: ExportKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        if kind == .registrationCodes, request.method == .get { try Self.guardSideEffect(request, context) }
        let file = try await exports.export(kind, try context.requireActor(), org: try context.orgID())
        context.logger.info("export", metadata: ["kind": .string(kind.rawValue), "rows": .stringConvertible(file.rows)])
        return Self.response(file)
    }

    /// A GET with a side effect: never on a cookie alone.
    static func guardSideEffect(_ request: Request, _ context: AppRequestContext) throws {
        switch SessionToken.presented(in: request) {
        case .bearer: return
        case .cookie(let cookie):
            try CrossSite.check(request)
            guard PageCSRF.matches(request.headers[APIRequestGuard.csrfHeader], expected: PageCSRF.token(forSessionCookie: cookie)) else {
                throw ServiceRefusal.csrfRejected
            }
        case .none, .malformed:
            try CrossSite.check(request)
        }
    }

    static func response(_ file: ExportFile) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: ExportFile.contentType, .contentDisposition: file.contentDisposition, .cacheControl: "no-store",
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(data: file.data)))
    }
}

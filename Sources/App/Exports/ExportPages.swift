import Domain
import Hummingbird

/// The pages' export buttons: the same `ExportWorkflow` as the API, with the session cookie.
extension PagesController {
    /// `GET /orgs/{orgId}/export/{sheet}`: members, children, cadres or progress. The
    /// registration codes are not here: issuing them is a side effect, a POST form.
    @Sendable func exportSheet(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        guard let raw = context.parameters.get(PageRoute.exportParameter), let kind = ExportKind(rawValue: raw), kind != .registrationCodes
        else { throw ServiceRefusal.notFound }
        return ExportController.response(try await services.exports.export(kind, visitor.actor, org: try context.orgID()))
    }

    /// `POST /orgs/{orgId}/registration-codes/export` (CSRF-checked by `PageMiddleware`): a
    /// fresh code for every direct sub-org, as a file (ADM-1).
    @Sendable func exportRegistrationCodes(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        return ExportController.response(try await services.exports.registrationCodes(visitor.actor, org: try context.orgID()))
    }
}

import Hummingbird

/// `GET /healthz`: 200 when the database answers, 503 otherwise (for load balancers).
struct HealthController {
    let services: AppServices

    struct HealthResponse: ResponseEncodable { let status: String; let database: String }

    func register(on router: Router<AppRequestContext>) {
        router.get(SiteRoute.healthz.pattern) { _, context -> HealthResponse in
            do {
                _ = try await services.database.sql.raw("SELECT 1 AS ok").all()
            } catch {
                context.logger.error("health check failed: database unreachable")
                throw AppError(.serviceUnavailable, "database_unavailable", "数据库暂不可用")
            }
            return HealthResponse(status: "ok", database: "ok")
        }
    }
}

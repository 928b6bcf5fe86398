import Hummingbird
import Persistence

/// `GET /healthz`: 200 when the database answers, 503 otherwise (for load balancers).
struct HealthController {
    let database: Database

    struct HealthResponse: ResponseEncodable { let status: String; let database: String }

    func register(on router: Router<AppRequestContext>) {
        router.get(SiteRoute.healthz.pattern) { _, context -> HealthResponse in
            do {
                try await database.ping()
            } catch {
                context.logger.error("health check failed: database unreachable")
                throw ServiceRefusal.databaseUnavailable
            }
            return HealthResponse(status: "ok", database: "ok")
        }
    }
}

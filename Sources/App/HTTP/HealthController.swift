import BlobStore
import Hummingbird
import Persistence

/// `GET /healthz`: 200 when the database answers, 503 otherwise (for load balancers; cheap).
/// `GET /readyz`: also that the blob store takes a file: a temp file written, made durable and
/// removed (an instance whose disk is full or read-only must not be sent uploads).
struct HealthController {
    let database: Database
    let blobs: any BlobStore

    struct HealthResponse: ResponseEncodable { let status: String; let database: String }
    struct ReadyResponse: ResponseEncodable { let status: String; let database: String; let blobStore: String }

    func register(on router: Router<AppRequestContext>) {
        router.get(SiteRoute.healthz.pattern) { _, context -> HealthResponse in
            try await ping(context)
            return HealthResponse(status: "ok", database: "ok")
        }
        router.get(SiteRoute.readyz.pattern) { _, context -> ReadyResponse in
            try await ping(context)
            do {
                let probe = try blobs.makeUpload()
                defer { probe.discard() }
                try [UInt8]("zhtj readyz".utf8).withUnsafeBytes { try probe.write($0) }
                try probe.finish()
            } catch {
                context.logger.error("readiness check failed: the blob store does not take files", metadata: ["error": "\(error)"])
                throw ServiceRefusal.storageUnavailable
            }
            return ReadyResponse(status: "ok", database: "ok", blobStore: "ok")
        }
    }

    private func ping(_ context: AppRequestContext) async throws {
        do {
            try await database.ping()
        } catch {
            context.logger.error("health check failed: database unreachable")
            throw ServiceRefusal.databaseUnavailable
        }
    }
}

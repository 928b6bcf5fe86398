import BlobStore
import Foundation
import PDFInspection
import Hummingbird
import Logging
import NIOCore
import Persistence
import ServiceLifecycle

/// Closes the database pool after the HTTP server has drained (services stop in reverse
/// order of registration, and the server is registered last).
struct DatabaseService: Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        try await database.close()
    }
}

/// Opens the database, applies migrations and wires routes. `zhtj serve` runs the result;
/// tests call it too, with their own database and clock.
public func buildApplication(
    config: AppConfig, clock: any TimeSource = SystemTimeSource(), logger providedLogger: Logger? = nil
) async throws -> some ApplicationProtocol {
    var logger = providedLogger ?? Logger(label: "zhtj")
    logger.logLevel = config.logLevel
    // Metrics first: swift-metrics binds a figure to the backend there is when it is made, and
    // the database makes its pool figures when it opens.
    if config.metricsAddress != nil { _ = Telemetry.registry }
    let database = try await openDatabase(config: config, logger: logger, metered: config.metricsAddress != nil)
    do {
        try await Migrator(database: database, logger: logger).migrate()
    } catch {
        try? await database.close()
        throw error
    }
    let blobs: FileBlobStore
    do {
        blobs = try FileBlobStore(root: config.dataDirectory)
        // Temp files of uploads interrupted by a crash, however recent: nothing refers to them.
        // A live upload of another instance sharing the folder holds a lock and is kept.
        let swept = try await blobs.sweepStaleUploads(olderThan: .zero)
        if swept > 0 { logger.notice("removed temp files of interrupted uploads", metadata: ["count": "\(swept)"]) }
    } catch {
        try? await database.close()
        throw error
    }
    let services = AppServices(
        config: config, database: database, clock: clock, blobs: blobs,
        inspector: IsolatedInspector(executable: config.inspectorExecutable, limits: config.inspectorLimits, queue: config.inspectionQueue))
    let router = buildRouter(services: services)
    let uploadLimit = config.archivePolicy.maximumBytes + UploadReceiver.multipartAllowance
    let limits = config.connections
    let counter = ConnectionCounter(limit: limits.perAddress)
    let drain = LingeringCloseHandler.Limits(
        time: .nanoseconds(Int64(limits.drainSeconds * 1_000_000_000)), bytes: limits.drainBytes)
    var app = Application(
        router: router,
        // Nearest the socket first: the guard's own close (a timeout) must not linger.
        server: .http1(additionalChannelHandlers: [
            ConnectionGuard(limits: limits, counter: counter), LingeringCloseHandler(limits: drain),
            ExpectContinueHandler(maximumBodyBytes: uploadLimit), ClientGoneHandler(),
        ]),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "zhtj"),
        logger: logger)
    app.addServices(DatabaseService(database: database))
    if let metrics = config.metricsAddress {
        app.addServices(Telemetry.application(host: metrics.host, port: metrics.port, logger: logger))
    }
    if config.rulesIntervalSeconds > 0 {
        app.addServices(
            RuleSweepService(
                rules: CalendarRules(transfers: services.transfers, graduation: services.graduation, grading: services.grading), clock: clock, interval: .seconds(config.rulesIntervalSeconds), logger: logger))
    }
    return app
}

/// Creates the data folder for the embedded SQLite file and opens the configured database.
public func openDatabase(config: AppConfig, logger: Logger, metered: Bool = false) async throws -> Database {
    if case .sqlite(let path) = config.database {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    }
    return try await Database.open(config.database, logger: logger, metered: metered)
}

/// All routes. The session is resolved once for every request (bearer header or cookie);
/// health and login are open, everything else asks for the session it needs.
func buildRouter(services: AppServices) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    // Requests by route pattern, method and status, with their latency (a no-op without metrics).
    if services.config.metricsAddress != nil { router.add(middleware: MetricsMiddleware()) }
    router.add(middleware: RequestLogMiddleware())
    // Outside the error middleware, so error answers carry the headers too.
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: EarlyRefusalMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(routes: .site))
    router.add(middleware: SessionMiddleware(accounts: services.accounts))

    HealthController(database: services.database, blobs: services.blobs).register(on: router)
    let auth = AuthController(accounts: services.accounts, config: services.config)
    auth.registerPublic(on: router.group().add(middleware: APIRequestGuard(body: .json)))
    let admins = AdminController(admins: services.admins, config: services.config)
    admins.registerPublic(on: router.group().add(middleware: APIRequestGuard(body: .json)))
    // Server-rendered pages: their CSRF check and HTML errors.
    PagesController(services: services).register(on: router)

    // Every other API route: 401 before anything is looked up, then the CSRF rules.
    let api = router.group().add(middleware: RequireSession()).add(middleware: APIRequestGuard(body: .json))
    let uploads = router.group().add(middleware: RequireSession()).add(middleware: APIRequestGuard(body: .upload))
    auth.registerAuthenticated(on: api)
    MeController(accounts: services.accounts).register(on: api)
    OrgController(orgs: services.orgs, today: { services.today }).register(on: api)
    MemberController(orgs: services.orgs, today: { services.today }).register(on: api)
    MemberRecordController(members: services.memberRecords, identityChecks: services.identityChecks, cadres: services.cadres)
        .register(on: api, uploads: uploads)
    ArchiveController(archives: services.archives, uploadLimit: services.config.archivePolicy.maximumBytes)
        .register(on: api, uploads: uploads)
    OperationsController(operations: services.operations).register(on: api)
    TransferController(transfers: services.transfers).register(on: api)
    GraduationController(graduation: services.graduation).register(on: api)
    GradingController(grading: services.grading).register(on: api)
    NoticeController(notices: services.notices).register(on: api)
    ActivityController(activities: services.activities).register(on: api)
    RegistrationController(registrations: services.registrations).register(on: api)
    AttachmentController(attachments: services.attachments).register(on: api, uploads: uploads)
    RectificationController(rectification: services.rectification).register(on: api)
    StatisticsController(statistics: services.statistics).register(on: api)
    OrgAdministrationController(subOrgs: services.subOrgs, profiles: services.orgProfiles, progress: services.entryProgress)
        .register(on: api)
    admins.register(on: api)
    ExportController(exports: services.exports).register(on: api)
    ImportController(imports: services.imports).register(on: api, uploads: uploads)
    return router
}

/// Headers every response carries; also written by `ConnectionGuard`'s 408, which answers
/// below the router.
enum SecurityHeaders {
    static let fields: HTTPFields = [
        .xContentTypeOptions: "nosniff", .init("X-Frame-Options")!: "DENY", .init("Referrer-Policy")!: "same-origin",
    ]
}

/// Sets `SecurityHeaders` on every response; personal data must not be cached by shared proxies.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for field in SecurityHeaders.fields { response.headers[field.name] = field.value }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// A refusal of a request that still has a body on the way (a 409 or 413 before a 20 MiB
/// upload is read) closes the connection: Hummingbird would otherwise read and discard the
/// whole body to keep the connection alive. `LingeringCloseHandler` then drains only a
/// bounded amount, so the client still reads the answer.
struct EarlyRefusalMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.status.code >= 400, request.hasBody {
            response.headers[.connection] = "close"
        }
        return response
    }
}

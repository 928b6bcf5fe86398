import Domain
import Hummingbird

/// `POST /api/v1/login`, `/logout` and `/me/password`: JSON in, JSON out, everything else in
/// `AccountWorkflow`.
struct AuthController {
    let accounts: AccountWorkflow
    let config: AppConfig

    func registerPublic(on router: RouterGroup<AppRequestContext>) {
        router.post(SiteRoute.login.pattern, use: login)
    }

    func registerAuthenticated(on group: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.logout.pattern, use: logout)
        group.post(SiteRoute.mePassword.pattern, use: changePassword)
    }

    struct LoginRequest: Decodable {
        let account: String
        let password: String
    }

    struct LoginResponse: ResponseEncodable {
        let token: String
        let expiresAt: String
        let mustChangePassword: Bool
        let me: MeResponse
    }

    @Sendable func login(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: LoginRequest.self, context: context)
        let address = context.loginAddress(of: request, trustedProxies: config.trustedProxies)
        let outcome = try await accounts.login(account: body.account, password: body.password, address: address)
        context.logger.info("login", metadata: ["account_id": .string(outcome.session.account.id.rawValue)])
        let me = MeResponse(try await accounts.profile(outcome.session))
        var response = try LoginResponse(
            token: outcome.token, expiresAt: outcome.expiresAt.text, mustChangePassword: outcome.session.account.mustChangePassword,
            me: me
        ).response(from: request, context: context)
        response.setCookie(SessionToken.cookie(outcome.token, config: config))
        return response
    }

    @Sendable func logout(request: Request, context: AppRequestContext) async throws -> Response {
        try await accounts.logout(try context.requireSession())
        var response = Response(status: .noContent)
        response.setCookie(SessionToken.expiredCookie(config: config))
        return response
    }

    struct PasswordChangeRequest: Decodable {
        let currentPassword: String
        let newPassword: String
    }

    @Sendable func changePassword(request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let body = try await request.decode(as: PasswordChangeRequest.self, context: context)
        try await accounts.changePassword(session, current: body.currentPassword, new: body.newPassword)
        context.logger.info("password changed", metadata: ["account_id": .string(session.account.id.rawValue)])
        return Response(status: .noContent)
    }
}

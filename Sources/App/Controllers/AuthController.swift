import Domain
import Foundation
import Hummingbird
import Persistence

/// Login, logout and password change (ADM-6).
struct AuthController {
    let services: AppServices

    func registerPublic(on router: Router<AppRequestContext>) {
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
        let me: MeController.MeResponse
    }

    /// Normalised login: ID numbers are typed with a lower-case x as often as an upper-case X.
    static func normalise(_ account: String) -> String {
        account.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    }

    @Sendable func login(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: LoginRequest.self, context: context)
        let login = Self.normalise(body.account)
        guard !login.isEmpty, !body.password.isEmpty, login.count <= 64, body.password.count <= 128 else {
            throw AppError.validation("missing_credentials", "请输入账号和密码")
        }
        let address = context.clientAddress
        if let wait = await services.throttle.retryAfter(account: login, address: address) {
            throw AppError(
                .tooManyRequests, "too_many_attempts", "登录失败次数过多，请\((wait + 59) / 60)分钟后再试",
                headers: [.retryAfter: String(wait)])
        }
        guard let account = try await services.accounts.find(login: login) else {
            try await services.passwords.verifyAgainstNothing(body.password)
            await services.throttle.recordFailure(account: login, address: address)
            throw AppError.invalidCredentials
        }
        guard try await services.passwords.verify(body.password, hash: account.passwordHash) else {
            await services.throttle.recordFailure(account: login, address: address)
            throw AppError.invalidCredentials
        }
        await services.throttle.recordSuccess(account: login)

        let token = SessionToken.generate()
        let now = services.clock.now()
        let expires = now.adding(seconds: Int64(services.config.sessionLifetime))
        try await services.sessions.insert(
            SessionRecord(tokenHash: SessionToken.hash(token), accountID: account.id, createdAt: now, expiresAt: expires))
        context.logger.info("login", metadata: ["account_id": .string(account.id.rawValue)])

        let actor = try await services.actor(for: account)
        let me = try await MeController(services: services).describe(account: account, actor: actor)
        var response = try LoginResponse(
            token: token, expiresAt: expires.text, mustChangePassword: account.mustChangePassword, me: me
        ).response(from: request, context: context)
        response.setCookie(
            Cookie(
                name: SessionToken.cookieName, value: token, maxAge: services.config.sessionLifetime, path: "/",
                secure: services.config.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    @Sendable func logout(request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        try await services.sessions.revoke(tokenHash: session.tokenHash, at: services.clock.now())
        var response = Response(status: .noContent)
        response.setCookie(
            Cookie(
                name: SessionToken.cookieName, value: "", maxAge: 0, path: "/", secure: services.config.secureCookies,
                httpOnly: true, sameSite: .lax))
        return response
    }

    struct PasswordChangeRequest: Decodable {
        let currentPassword: String
        let newPassword: String
    }

    /// Changing the password clears the ADM-6 flag and ends the account's other sessions.
    @Sendable func changePassword(request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let body = try await request.decode(as: PasswordChangeRequest.self, context: context)
        guard try await services.passwords.verify(body.currentPassword, hash: session.account.passwordHash) else {
            throw AppError.validation("wrong_current_password", "当前密码不正确")
        }
        guard let person = try await services.people.find(session.account.personID) else { throw AppError.notFound }
        if let problem = PasswordPolicy.problem(with: body.newPassword, idNumberSuffix: person.idNumber.initialPassword) {
            throw AppError.validation("weak_password", problem)
        }
        if body.newPassword == body.currentPassword {
            throw AppError.validation("weak_password", "新密码不能与当前密码相同")
        }
        let hash = try await services.passwords.hash(body.newPassword)
        let now = services.clock.now()
        let accountID = session.account.id
        let keep = session.tokenHash
        try await services.database.transaction { sql in
            try await SQLAccountRepository(sql).updatePassword(accountID, hash: hash, at: now)
            try await SQLSessionRepository(sql).revokeAll(of: accountID, except: keep, at: now)
        }
        context.logger.info("password changed", metadata: ["account_id": .string(accountID.rawValue)])
        return Response(status: .noContent)
    }
}

import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PDFInspection
import Persistence

/// The account pages: login, logout, password change (ADM-6), over `AccountWorkflow`.
extension PagesController {
    // MARK: Login, logout, password

    @Sendable func loginPage(request: Request, context: AppRequestContext) async throws -> Response {
        if let visitor = try await PageVisitor.make(services: services, request: request, context: context) {
            return PageKit.redirect(visitor.actor.mustChangePassword ? .passwordForm : visitor.home)
        }
        return loginForm(request)
    }

    /// The login form with its token, setting the login cookie the token is bound to.
    func loginForm(
        _ request: Request, error: String? = nil, account: String = "", status: HTTPResponse.Status = .ok
    ) -> Response {
        let seed = PageCSRF.loginSeed(request)
        let page = LoginPage.make(csrf: PageCSRF.token(forSessionCookie: seed.value), error: error, account: account)
        var response = renderer.page(.login, page, title: "登录", visitor: nil, status: status)
        if seed.isNew { response.setCookie(PageCSRF.loginCookie(seed.value, config: services.config)) }
        return response
    }

    /// Logs in through `AccountWorkflow` (throttle, normalisation, session) and sends the
    /// browser to the role's home, or shows the form again with the refusal's message.
    @Sendable func login(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await PageForm.read(request)
        let account = form["account"] ?? ""
        // A form from another site (or one whose cookie has expired) is shown again, fresh.
        guard let seed = request.cookies[PageCSRF.loginCookieName]?.value,
            PageCSRF.matches(form[PageCSRF.field], expected: PageCSRF.token(forSessionCookie: seed))
        else {
            let entry = ErrorCatalogue.entry(ServiceRefusal.csrfRejected)
            return loginForm(request, error: entry.message, account: account, status: entry.status)
        }
        let address = context.loginAddress(of: request, trustedProxies: services.config.trustedProxies)
        let outcome: AccountWorkflow.LoginOutcome
        do {
            outcome = try await services.accounts.login(account: account, password: form["password"] ?? "", address: address)
        } catch {
            let entry = ErrorMiddleware<AppRequestContext>.entry(for: error, logger: context.logger)
            var response = loginForm(request, error: entry.message, account: account, status: entry.status)
            for field in entry.headers { response.headers.append(field) }
            return response
        }
        let session = outcome.session
        let home: PageRoute = session.account.mustChangePassword ? .passwordForm : (session.actor.isAdmin ? .home() : .mine())
        var response = PageKit.redirect(home)
        response.setCookie(SessionToken.cookie(outcome.token, config: services.config))
        return response
    }

    @Sendable func logout(request: Request, context: AppRequestContext) async throws -> Response {
        if let session = context.session { try await services.accounts.logout(session) }
        var response = PageKit.redirect(.loginForm)
        response.setCookie(SessionToken.expiredCookie(config: services.config))
        return response
    }

    @Sendable func passwordPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context, passwordChange: true)
        return renderer.page(.password, PasswordPage.make(visitor: visitor), title: "修改密码", visitor: visitor, active: .password)
    }

    @Sendable func changePassword(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context, passwordChange: true)
        let form = try await PageForm.read(request)
        func refuse(_ message: String, _ status: HTTPResponse.Status) -> Response {
            renderer.page(
                .password, PasswordPage.make(visitor: visitor, error: message), title: "修改密码", visitor: visitor, active: .password,
                status: status)
        }
        let newPassword = form["newPassword"] ?? ""
        do {
            if let confirm = form["confirmPassword"], confirm != newPassword { throw ServiceRefusal.passwordConfirmationMismatch }
            try await services.accounts.changePassword(visitor.session, current: form["currentPassword"] ?? "", new: newPassword)
        } catch {
            let entry = ErrorMiddleware<AppRequestContext>.entry(for: error, logger: context.logger)
            if entry.status == .unauthorized { throw error }
            return refuse(entry.message, entry.status)
        }
        return PageKit.redirect(visitor.isAdmin ? .home(done: .password) : .mine(done: .password))
    }
}

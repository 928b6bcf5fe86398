import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Persistence

/// The admin-onboarding pages: `/register`, `/forgot-password` (no login, a token bound to the
/// login cookie as on the login form), 注册码, 管理员, a person's reset code, and the 管理员变更
/// decision in the operation centre. Every one calls `AdminWorkflow`, as the API does.
extension PagesController {
    // MARK: Public forms

    /// A page for someone not logged in, setting the login cookie its form token is bound to.
    func openPage(
        _ request: Request, _ template: PageRenderer.Template, title: String, status: HTTPResponse.Status = .ok,
        _ model: (String) -> Any
    ) -> Response {
        let seed = PageCSRF.loginSeed(request)
        var response = renderer.page(template, model(PageCSRF.token(forSessionCookie: seed.value)), title: title, visitor: nil, status: status)
        if seed.isNew { response.setCookie(PageCSRF.loginCookie(seed.value, config: services.config)) }
        return response
    }

    /// The open form's token matches its login cookie.
    func openFormIsGenuine(_ request: Request, _ form: PageForm) -> Bool {
        guard let seed = request.cookies[PageCSRF.loginCookieName]?.value else { return false }
        return PageCSRF.matches(form[PageCSRF.field], expected: PageCSRF.token(forSessionCookie: seed))
    }

    @Sendable func registerPage(request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let q = query["q"].map(String.init)
        let results = try await services.admins.searchOrgs(q ?? "")
        let org = try await query["org"].map(String.init).asyncMap { try await services.admins.registrationOrg($0) } ?? nil
        return openPage(request, .register, title: "管理员注册") { csrf in RegisterPage.make(csrf: csrf, q: q, results: results, org: org) }
    }

    @Sendable func registerSubmit(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await PageForm.read(request)
        let org = try await services.admins.registrationOrg(form["orgId"] ?? "")
        var fields: [String: String] = [:]
        for key in ["name", "idNumber", "joinedOn", "mobile", "code", "post", "gender"] { fields[key] = form[key] ?? "" }
        func again(_ entry: AppError, reasons: [String] = [], heading: String? = nil) -> Response {
            var response = openPage(request, .register, title: "管理员注册", status: entry.status) { csrf in
                RegisterPage.make(csrf: csrf, q: nil, results: [], org: org, error: heading ?? entry.message, reasons: reasons, form: fields)
            }
            for field in entry.headers { response.headers.append(field) }
            return response
        }
        guard openFormIsGenuine(request, form) else { return again(ErrorCatalogue.entry(ServiceRefusal.csrfRejected)) }
        let password = form["password"] ?? ""
        if let confirm = form["confirmPassword"], confirm != password {
            return again(ErrorCatalogue.entry(ServiceRefusal.passwordConfirmationMismatch))
        }
        let registration = RegistrationForm(
            orgID: form["orgId"] ?? "", code: form["code"] ?? "",
            draft: AdminRegistrationDraft(
                name: fields["name"]!, gender: AdminController.gender(fields["gender"]), idNumber: fields["idNumber"]!,
                joinedOn: fields["joinedOn"]!, mobile: fields["mobile"]!, post: fields["post"]!),
            password: password)
        let address = context.loginAddress(of: request, trustedProxies: services.config.trustedProxies)
        let done: Registration
        do {
            done = try await services.admins.register(registration, address: address)
        } catch {
            let entry = ErrorMiddleware<AppRequestContext>.entry(for: error, logger: context.logger)
            if case AdminRefusal.invalidRegistration(let list)? = error as? AdminRefusal {
                return again(entry, reasons: list.reasons, heading: "请修改以下内容后重新提交：")
            }
            return again(entry)
        }
        return openPage(request, .register, title: "注册成功", status: .created) { csrf in
            RegisterPage.make(
                csrf: csrf, q: nil, results: [], org: nil, done: .init(orgName: done.org.fullName, existingAccount: done.existingAccount))
        }
    }

    @Sendable func forgotPage(request: Request, context: AppRequestContext) async throws -> Response {
        openPage(request, .forgot, title: "忘记密码") { csrf in
            ForgotPage(action: PageRoute.forgot.href, csrf: csrf, error: nil, account: "", done: false, loginHref: PageRoute.loginForm.href)
        }
    }

    @Sendable func forgotSubmit(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await PageForm.read(request)
        let account = form["account"] ?? ""
        func page(_ entry: AppError?, status: HTTPResponse.Status) -> Response {
            var response = openPage(request, .forgot, title: "忘记密码", status: status) { csrf in
                ForgotPage(
                    action: PageRoute.forgot.href, csrf: csrf, error: entry?.message, account: entry == nil ? "" : account, done: entry == nil,
                    loginHref: PageRoute.loginForm.href)
            }
            for field in entry?.headers ?? [:] { response.headers.append(field) }
            return response
        }
        guard openFormIsGenuine(request, form) else {
            let entry = ErrorCatalogue.entry(ServiceRefusal.csrfRejected)
            return page(entry, status: entry.status)
        }
        let newPassword = form["newPassword"] ?? ""
        do {
            if let confirm = form["confirmPassword"], confirm != newPassword { throw ServiceRefusal.passwordConfirmationMismatch }
            let address = context.loginAddress(of: request, trustedProxies: services.config.trustedProxies)
            try await services.admins.resetPassword(account: account, code: form["code"] ?? "", newPassword: newPassword, address: address)
        } catch {
            let entry = ErrorMiddleware<AppRequestContext>.entry(for: error, logger: context.logger)
            return page(entry, status: entry.status)
        }
        return page(nil, status: .ok)
    }

    // MARK: 注册码 (ADM-1)

    /// The org of an admin page's path, defaulting to nothing: a wrong id is a 404.
    func pathOrg(_ context: AppRequestContext) throws -> OrgID { try context.orgID() }

    @Sendable func registrationCodesPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let (org, children) = try await services.admins.registrationCodes(visitor.actor, parent: try pathOrg(context))
        let now = services.clock.now()
        let mine = try await services.database.repositories.orgs.find(visitor.actor.administeredOrgs.map(\.id))
        let page = RegistrationCodesPage(
            orgName: org.fullName, csrf: visitor.csrf,
            issueAllAction: children.contains(where: \.canIssue) ? PageRoute.registrationCodesIssueAll(org.id).href : nil,
            adminsHref: PageRoute.orgAdmins(org.id).href,
            rows: children.map { child in
                RegistrationCodesPage.Row(
                    name: child.org.name, fullName: child.org.fullName, admins: "\(child.admins)/2",
                    state: RegistrationCodesPage.stateName(child.current, now: now),
                    expiresAt: child.current.map { PageKit.chinaTime($0.expiresAt) } ?? "—",
                    action: child.canIssue ? PageRoute.registrationCodeIssue(child.org.id).href : nil,
                    adminsHref: PageRoute.orgAdmins(child.org.id).href)
            },
            switcher: mine.map { Choice(value: PageRoute.registrationCodes($0.id).href, label: $0.name, selected: $0.id == org.id) },
            showSwitcher: mine.count > 1,
            exportAction: children.contains(where: \.canIssue) ? PageRoute.registrationCodesExport(org.id).href : nil)
        return renderer.page(.registrationCodes, page, title: "注册码", visitor: visitor, active: .admins)
    }

    func issuedCodesPage(_ codes: [IssuedRegistrationCode], parent: Org, visitor: PageVisitor) -> Response {
        let page = IssuedCodesPage(
            orgName: parent.fullName, backHref: PageRoute.registrationCodes(parent.id).href,
            codes: codes.map { .init(orgName: $0.org.fullName, code: $0.code.value, expiresAt: PageKit.chinaTime($0.expiresAt)) })
        return renderer.page(.issuedCodes, page, title: "注册码已生成", visitor: visitor, active: .admins)
    }

    @Sendable func issueCode(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let issued = try await services.admins.issueRegistrationCode(visitor.actor, for: try pathOrg(context))
        let parent = try await services.admins.org(issued.org.parentID ?? issued.org.id)
        return issuedCodesPage([issued], parent: parent, visitor: visitor)
    }

    @Sendable func issueAllCodes(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let parentID = try pathOrg(context)
        let issued = try await services.admins.generateForAllChildren(visitor.actor, parent: parentID)
        return issuedCodesPage(issued, parent: try await services.admins.org(parentID), visitor: visitor)
    }

    // MARK: 管理员 (ADM-3, ADM-4)

    func orgAdminsView(_ o: AdminsOverview, visitor: PageVisitor, error: String? = nil) -> OrgAdminsPage {
        let adminIDs = Set(o.admins.map(\.person.id))
        let mayIssue = Domain.authorize(visitor.actor, .issueRegistrationCode, .org(OrgPlacement(o.org))).isAllowed
        let codesParent = mayIssue ? o.org.parentID : nil
        return OrgAdminsPage(
            orgName: o.org.fullName, csrf: visitor.csrf, action: PageRoute.orgAdminsChange(o.org.id).href,
            codesHref: codesParent.map { PageRoute.registrationCodes($0).href }, immediate: o.route == .immediate, error: error,
            admins: o.admins.map {
                .init(name: $0.person.name, slot: $0.slot, personId: $0.person.id.rawValue, resetHref: PageRoute.memberResetCodeForm($0.person.id).href)
            },
            cadres: o.cadres.map { cadre in
                .init(
                    name: cadre.person.name, post: cadre.post.title, personId: cadre.person.id.rawValue, isAdmin: adminIDs.contains(cadre.person.id),
                    resetHref: PageRoute.memberResetCodeForm(cadre.person.id).href,
                    replaces: adminIDs.contains(cadre.person.id) ? [] : o.admins.map { .init(replacesId: $0.person.id.rawValue, label: "替换 \($0.person.name)") })
            },
            pending: o.pending.map {
                .init(summary: AdminChangePage.summary($0), since: PageKit.chinaTime($0.request.requestedAt), href: PageRoute.adminChange($0.request.id).href)
            },
            hasPending: !o.pending.isEmpty, full: o.admins.count >= OrgAdmins.maximum)
    }

    @Sendable func orgAdminsPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let overview = try await services.admins.admins(visitor.actor, org: try pathOrg(context))
        return renderer.page(
            .orgAdmins, orgAdminsView(overview, visitor: visitor), title: "管理员", visitor: visitor, active: .admins, flash: PageFlash.of(request))
    }

    @Sendable func changeOrgAdmins(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgID = try pathOrg(context)
        let form = try await PageForm.read(request)
        do {
            let change = try AdminController.change(
                action: form["action"] ?? "", person: form["personId"] ?? "", replaces: form["replacesPersonId"].flatMap { $0.isEmpty ? nil : $0 })
            switch try await services.admins.changeAdmins(visitor.actor, org: orgID, change: change) {
            case .applied: return PageKit.redirect(.orgAdmins(orgID, done: .adminApplied))
            case .requested: return PageKit.redirect(.orgAdmins(orgID, done: .adminRequested))
            }
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            // The actor may have lost the right with this very change: read afresh.
            let overview = try await services.admins.admins(visitor.actor, org: orgID)
            return renderer.page(
                .orgAdmins, orgAdminsView(overview, visitor: visitor, error: entry.message), title: "管理员", visitor: visitor, active: .admins,
                status: entry.status)
        }
    }

    // MARK: Reset codes (ADM-5)

    @Sendable func resetCodePage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let personID = try context.memberID()
        guard let person = try await services.database.repositories.people.find(personID) else { throw ServiceRefusal.notFound }
        // The same decision the POST makes, so the form shows only to those who may use it.
        _ = try await services.admins.resetTarget(visitor.actor, person: personID)
        let page = ResetCodePage(
            name: person.name, idNumber: person.idNumber.masked, action: PageRoute.memberResetCode(personID).href, csrf: visitor.csrf, code: nil,
            expiresAt: nil, forgotHref: PageRoute.forgotForm.href)
        return renderer.page(.resetCode, page, title: "密码重置码", visitor: visitor, active: .admins)
    }

    @Sendable func issueResetCode(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let issued = try await services.admins.issueResetCode(visitor.actor, person: try context.memberID())
        let page = ResetCodePage(
            name: issued.person.name, idNumber: issued.person.idNumber.masked, action: PageRoute.memberResetCode(issued.person.id).href,
            csrf: visitor.csrf, code: issued.code.value, expiresAt: PageKit.chinaTime(issued.expiresAt), forgotHref: PageRoute.forgotForm.href)
        return renderer.page(.resetCode, page, title: "密码重置码", visitor: visitor, active: .admins)
    }

    // MARK: 管理员变更 in the operation centre (ADM-4)

    func adminChangeView(_ item: AdminChangeItem, canDecide: Bool, visitor: PageVisitor, error: String? = nil) -> AdminChangePage {
        var reason: String?
        if case .rejected(let r) = item.request.state { reason = r }
        let kind: String =
            switch item.request.change {
            case .add: "增设管理员"
            case .replace: "更换管理员"
            case .revoke: "撤销管理员"
            }
        return AdminChangePage(
            inboxHref: PageRoute.inbox(type: .adminChange).href, csrf: visitor.csrf, orgName: item.org.fullName, kind: kind,
            appointee: item.appointee.map { "\($0.name)（\($0.idNumber.masked)）" } ?? "—", replaces: item.replaced?.name,
            requestedBy: item.requester?.name ?? "—", requestedAt: PageKit.chinaTime(item.request.requestedAt),
            state: AdminChangePage.stateName(item.request.state), reason: reason, canDecide: canDecide && item.request.state == .pending,
            approveAction: PageRoute.adminChangeApprove(item.request.id).href, rejectAction: PageRoute.adminChangeReject(item.request.id).href,
            error: error)
    }

    func changeRequestID(_ context: AppRequestContext) throws -> String {
        guard let raw = context.parameters.get(SiteRoute.changeRequestParameter), EntityIDText.isValid(raw) else { throw ServiceRefusal.notFound }
        return raw
    }

    @Sendable func adminChangePage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let (item, canDecide) = try await services.admins.changeRequest(visitor.actor, id: try changeRequestID(context))
        return renderer.page(.adminChange, adminChangeView(item, canDecide: canDecide, visitor: visitor), title: "管理员变更", visitor: visitor, active: .inbox)
    }

    func decideAdminChange(_ request: Request, _ context: AppRequestContext, approve: Bool) async throws -> Response {
        let visitor = try await admin(request, context)
        let id = try changeRequestID(context)
        let form = try await PageForm.read(request)
        do {
            try await services.admins.decide(visitor.actor, request: id, approve: approve, reason: form["reason"])
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let (item, canDecide) = try await services.admins.changeRequest(visitor.actor, id: id)
            return renderer.page(
                .adminChange, adminChangeView(item, canDecide: canDecide, visitor: visitor, error: entry.message), title: "管理员变更",
                visitor: visitor, active: .inbox, status: entry.status)
        }
        return PageKit.redirect(.inbox(type: .adminChange, done: approve ? .adminChangeApproved : .adminChangeRejected))
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}

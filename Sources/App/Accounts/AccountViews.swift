import Domain
import Foundation
import PDFInspection
import Persistence

// MARK: Login and password

struct LoginPage {
    let action: String
    /// Bound to the browser's `zhtj_login` cookie, so another site cannot log a browser in.
    let csrf: String
    let error: String?
    let account: String
    /// ADM-2 and ADM-5: reachable without logging in.
    let registerHref = PageRoute.registerForm().href
    let forgotHref = PageRoute.forgotForm.href

    static func make(csrf: String, error: String? = nil, account: String = "") -> LoginPage {
        LoginPage(action: PageRoute.login.href, csrf: csrf, error: error, account: account)
    }
}

struct PasswordPage {
    let action: String
    let csrf: String
    /// ADM-6: the initial password must be changed before anything else.
    let required: Bool
    let error: String?

    static func make(visitor: PageVisitor, error: String? = nil) -> PasswordPage {
        PasswordPage(action: PageRoute.password.href, csrf: visitor.csrf, required: visitor.actor.mustChangePassword, error: error)
    }
}

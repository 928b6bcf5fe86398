import Domain
import Persistence

/// The logged-in session a request carries.
public struct AuthenticatedSession: Sendable {
    public let actor: Actor
    public let account: AccountRecord
    public let tokenHash: String
    public let expiresAt: Timestamp
}

/// Who is logged in, as `GET /api/v1/me` and the pages' header show it.
struct Profile: Sendable {
    let account: AccountRecord
    let person: PersonRecord
    let member: MemberRecord?
    let administeredOrgs: [Org]
}

/// Accounts (ADM-6): login with throttling (`LoginThrottle`), logout, password change, and resolving a
/// presented token to a session. The API and the pages both call it.
struct AccountWorkflow: Sendable {
    let database: Database
    let clock: any TimeSource
    let passwords: PasswordHasher
    let throttle: LoginThrottle
    /// Seconds a new session lasts.
    let sessionLifetime: Int
    let cache: SessionCache

    var repositories: Repositories { database.repositories }

    struct LoginOutcome: Sendable {
        /// Handed to the client once; only its hash is stored.
        let token: String
        let expiresAt: Timestamp
        let session: AuthenticatedSession
    }

    /// Normalised login: ID numbers are typed with a lower-case x as often as an upper-case X.
    static func normalise(_ account: String) -> String {
        account.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    }

    /// Every attempt past the credential check is recorded in `login_attempts` (the throttle's
    /// counts and the login audit): address, outcome, the account when known; never the password
    /// nor the login as typed (an ID number), only its key.
    func login(account rawAccount: String, password: String, address: String) async throws -> LoginOutcome {
        let login = Self.normalise(rawAccount)
        guard !login.isEmpty, !password.isEmpty, login.count <= 64, password.count <= 128 else {
            throw ServiceRefusal.missingCredentials
        }
        return try await throttle.oneAtATime(from: address) {
            try await attempt(login: login, password: password, address: address)
        }
    }

    private func attempt(login: String, password: String, address: String) async throws -> LoginOutcome {
        let key = LoginThrottle.key(for: login)
        func record(_ outcome: LoginAttemptOutcome, _ account: AccountID?) async throws {
            try await repositories.loginAttempts.record(
                LoginAttempt(at: clock.now(), loginKey: key, accountID: account, address: address, outcome: outcome))
        }
        if case .refused(let wait, let recordIt) = try await throttle.check(loginKey: key, address: address, attempts: repositories.loginAttempts) {
            if recordIt { try await record(.throttled, nil) }
            throw ServiceRefusal.tooManyAttempts(retryAfterSeconds: Int(wait))
        }
        guard let account = try await repositories.accounts.find(login: login) else {
            // Same work as a wrong password, so timing does not tell which accounts exist.
            try await passwords.verifyAgainstNothing(password)
            try await record(.unknownAccount, nil)
            throw ServiceRefusal.invalidCredentials
        }
        guard try await passwords.verify(password, hash: account.passwordHash) else {
            try await record(.wrongPassword, account.id)
            throw ServiceRefusal.invalidCredentials
        }
        let token = SessionToken.generate()
        let hash = SessionToken.hash(token)
        let now = clock.now()
        let expires = now.adding(seconds: Int64(sessionLifetime))
        let success = LoginAttempt(at: now, loginKey: key, accountID: account.id, address: address, outcome: .succeeded)
        // The success row resets the pair's count; it commits with the session or not at all.
        try await database.write { repositories in
            try await repositories.sessions.insert(SessionRecord(tokenHash: hash, accountID: account.id, createdAt: now, expiresAt: expires))
            try await repositories.loginAttempts.record(success)
        }
        // The same lookup every later request makes; it also fills the cache.
        guard let session = try await session(token: token) else { throw ServiceRefusal.internalError }
        return LoginOutcome(token: token, expiresAt: expires, session: session)
    }

    func logout(_ session: AuthenticatedSession) async throws {
        try await repositories.sessions.revoke(tokenHash: session.tokenHash, at: clock.now())
        cache.forget(account: session.account.id)
    }

    /// Changing the password clears the ADM-6 flag and ends the account's other sessions.
    func changePassword(_ session: AuthenticatedSession, current: String, new: String) async throws {
        guard try await passwords.verify(current, hash: session.account.passwordHash) else {
            throw ServiceRefusal.wrongCurrentPassword
        }
        guard let person = try await repositories.people.find(session.account.personID) else { throw ServiceRefusal.notFound }
        if let problem = PasswordPolicy.problem(with: new, idNumberSuffix: person.idNumber.initialPassword) {
            throw ServiceRefusal.weakPassword(problem)
        }
        if new == current { throw ServiceRefusal.weakPassword("新密码不能与当前密码相同") }
        let hash = try await passwords.hash(new)
        let now = clock.now()
        let accountID = session.account.id
        let keep = session.tokenHash
        try await database.write { repositories in
            try await repositories.accounts.updatePassword(accountID, hash: hash, at: now)
            try await repositories.sessions.revokeAll(of: accountID, except: keep, at: now)
        }
        // The kept session's entry holds the old hash and the ADM-6 flag.
        cache.forget(account: accountID)
    }

    /// The session a presented token (bearer header or cookie) opens; nil when it opens none.
    func session(token: String) async throws -> AuthenticatedSession? {
        guard !token.isEmpty else { return nil }
        let hash = SessionToken.hash(token)
        if let cached = cache.session(forTokenHash: hash) {
            if cached.expiresAt > clock.now() { return cached }
        }
        // One query: this runs before every authenticated request the cache does not answer.
        guard let holder = try await repositories.sessions.findActiveHolder(tokenHash: hash, now: clock.now()) else { return nil }
        let account = holder.account
        let actor = Actor(
            accountID: account.id, personID: account.personID, memberBranch: holder.member?.branch,
            administeredOrgs: holder.administeredOrgs.map(OrgPlacement.init), mustChangePassword: account.mustChangePassword)
        let session = AuthenticatedSession(actor: actor, account: account, tokenHash: hash, expiresAt: holder.session.expiresAt)
        cache.remember(session)
        return session
    }

    /// The name of the session's person, as page headers show it.
    func name(of session: AuthenticatedSession) async throws -> String {
        guard let person = try await repositories.people.find(session.account.personID) else { throw ServiceRefusal.notFound }
        return person.name
    }

    /// The session's person, member record and administered orgs (ADM-7: possibly several, in
    /// appointment order). Answers before the initial password is changed, so a client knows
    /// to ask for the change.
    func profile(_ session: AuthenticatedSession) async throws -> Profile {
        let personID = session.account.personID
        async let person = repositories.people.find(personID)
        async let member = repositories.members.find(personID)
        async let orgs = repositories.cadres.administeredOrgs(by: personID)
        guard let person = try await person else { throw ServiceRefusal.notFound }
        return Profile(account: session.account, person: person, member: try await member, administeredOrgs: try await orgs)
    }
}

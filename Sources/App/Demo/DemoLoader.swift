import Domain
import Logging
import Persistence

/// Loads the demo data set into an empty database, in one transaction.
public struct DemoLoader: Sendable {
    public enum Outcome: Equatable, Sendable {
        case loaded(orgs: Int, people: Int)
        /// The demo is already there: nothing to do.
        case alreadyLoaded
        /// The database holds other data; the demo is never mixed into real records.
        case refusedNonEmpty
    }

    let database: Database
    let passwords: PasswordHasher
    let clock: any TimeSource

    public init(database: Database, passwords: PasswordHasher, clock: any TimeSource) {
        self.database = database
        self.passwords = passwords
        self.clock = clock
    }

    public func load(_ data: DemoDataSet = .make()) async throws -> Outcome {
        let orgs = database.repositories.orgs
        if try await orgs.count() > 0 {
            return try await orgs.find(data.orgs[0].id) != nil ? .alreadyLoaded : .refusedNonEmpty
        }
        // Hash before the transaction: bcrypt is slow and a write transaction should be short.
        var hashes: [PersonID: String] = [:]
        for person in data.people { hashes[person.id] = try await passwords.hash(person.password) }
        let prepared = hashes
        let now = clock.now()
        do {
            try await database.write { repositories in
                for org in data.orgs {
                    try await repositories.orgs.insert(org, at: now)
                    // The demo's tree existed before it was entered here (GRA-2 counts from the founding).
                    try await repositories.grading.recordFounding(of: org.id, on: DemoDataSet.foundedOn)
                }
                let (people, members, cadres, accounts) =
                    (repositories.people, repositories.members, repositories.cadres, repositories.accounts)
                var admins: [OrgID: OrgAdmins] = [:]
                var posts: [CadrePost] = []
                for person in data.people {
                    try await people.insert(PersonRecord(id: person.id, name: person.name, idNumber: person.idNumber), at: now)
                    if let m = person.membership {
                        try await members.insert(
                            Member(
                                personID: person.id, name: person.name, idNumber: person.idNumber, branchID: m.branch,
                                joinedOn: m.joinedOn, developmentNumber: m.developmentNumber), at: now)
                    }
                    for post in person.posts {
                        let p = CadrePost(personID: person.id, orgID: post.org, title: post.title)
                        try await cadres.insert(p, at: now)
                        posts.append(p)
                        if post.admin {
                            var orgAdmins = admins[post.org] ?? OrgAdmins(orgID: post.org)
                            let slot = try orgAdmins.appoint(person.id, cadrePosts: posts)
                            admins[post.org] = orgAdmins
                            try await cadres.appointAdmin(person.id, of: post.org, slot: slot, at: now)
                        }
                    }
                    try await accounts.insert(
                        AccountRecord(
                            id: AccountID(rawValue: "a-" + person.id.rawValue.dropFirst(2))!, personID: person.id,
                            login: person.idNumber.value, passwordHash: prepared[person.id]!,
                            mustChangePassword: person.mustChangePassword), at: now)
                }
                // ORG-5: each org's industry category and information, as its admin would have filled them in.
                let information = data.orgInformation
                for org in data.orgs {
                    guard let info = information[org.id] else { continue }
                    try await repositories.orgAdministration.setIndustryCategory(info.industry, of: org.id)
                    try await repositories.orgAdministration.saveProfile(info.profile, of: org.id, expectedRevision: 0, by: nil, at: now)
                }
            }
        } catch {
            // A concurrent `zhtj demo` may have won the race; that is success for this one.
            if try await orgs.find(data.orgs[0].id) != nil { return .alreadyLoaded }
            throw error
        }
        return .loaded(orgs: data.orgs.count, people: data.people.count)
    }
}

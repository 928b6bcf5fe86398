import Domain
import Persistence
import SQLKit
import TestSupport
import Testing

@Suite("Repositories")
struct RepositoryTests {
    @Test("orgs round-trip with their ancestry and upper committee")
    func orgsRoundTrip() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let orgs = SQLOrgRepository(database.sql)
            #expect(try await orgs.find(tree.class1.id) == tree.class1)
            #expect(try await orgs.find(tree.class1.id)?.upperCommitteeID == tree.school.id)
            #expect(try await orgs.find(OrgID(rawValue: "missing")!) == nil)
            #expect(try await orgs.children(of: tree.zongzhi.id).map(\.id) == [tree.class1.id, tree.class2.id])
            #expect(try await orgs.find([tree.class2.id, tree.root.id]).map(\.id) == [tree.root.id, tree.class2.id])
            #expect(try await orgs.count() == 8)
        }
    }

    @Test("the member list's kept orgs are committed ones: an org read inside a transaction that rolls back is not found afterwards, and a kept org reads as stored")
    func committedOrgsOnly() async throws {
        struct RolledBack: Error {}
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            let phantom = try tree.zongzhi.child(id: OrgID(rawValue: "upc-z-9")!, name: "2020级9班团支部", category: .branch)
            await #expect(throws: RolledBack.self) {
                try await database.write { repositories in
                    try await repositories.orgs.insert(phantom, at: t0)
                    #expect(try await repositories.members.page(ofSubtree: phantom.id, after: nil, limit: 5)?.org == phantom)
                    throw RolledBack()
                }
            }
            #expect(try await database.repositories.members.page(ofSubtree: phantom.id, after: nil, limit: 5) == nil)
            // Read twice through the pool (the second from memory): the same org as stored.
            for _ in 0..<2 {
                #expect(try await database.repositories.members.page(ofSubtree: tree.class1.id, after: nil, limit: 5)?.org == tree.class1)
            }
            // Created after the rollback, under the same id, the org is the one now committed.
            let real = try tree.zongzhi.child(id: OrgID(rawValue: "upc-z-9")!, name: "2020级9班（新）团支部", category: .branch)
            try await SQLOrgRepository(database.sql).insert(real, at: t0)
            #expect(try await database.repositories.members.page(ofSubtree: real.id, after: nil, limit: 5)?.org == real)
        }
    }

    @Test("members of a subtree are listed by keyset pages in (branch, person) order, without gaps or repeats, siblings excluded")
    func keysetPaging() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            // Person ids that sort against the branches' order, so that a page ordered by person
            // alone would interleave the two branches.
            for i in 0..<7 {
                try await tree.addMember(database, id: "m-\(i)a", seq: String(format: "%03d", 100 + i * 2), branch: tree.class1, number: "20203702000\(10 + i)")
            }
            for i in 0..<5 {
                try await tree.addMember(database, id: "m-\(i)b", seq: String(format: "%03d", 200 + i * 2), branch: tree.class2, number: "20203702001\(10 + i)")
            }
            try await tree.addMember(database, id: "m-c0", seq: "300", branch: tree.otherBranch, number: "2020370200300")
            let members = SQLMemberRepository(database.sql)

            var seen: [String] = []
            var order: [[String]] = []
            var cursor: MemberListCursor?
            while true {
                let result = try await members.page(ofSubtree: tree.zongzhi.id, after: cursor, limit: 5)
                #expect(result?.org.id == tree.zongzhi.id)
                let page = result?.members ?? []
                seen += page.map(\.member.personID.rawValue)
                order += page.map { [$0.member.branchID.rawValue, $0.member.personID.rawValue] }
                guard page.count == 5, let last = page.last else { break }
                cursor = MemberListCursor(branch: last.member.branchID, person: last.member.personID)
            }
            #expect(seen.count == 12)
            #expect(Set(seen).count == 12)
            #expect(order == order.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(order.map(\.[0]) == Array(repeating: tree.class1.id.rawValue, count: 7) + Array(repeating: tree.class2.id.rawValue, count: 5)
                || order.map(\.[0]) == Array(repeating: tree.class2.id.rawValue, count: 5) + Array(repeating: tree.class1.id.rawValue, count: 7))
            #expect(!seen.contains("m-c0"))
            #expect(try await members.page(ofSubtree: tree.class2.id, after: nil, limit: 100)?.members.count == 5)
            // Past the last member the org still comes back, with no members; an unknown org is nil.
            let past = try await members.page(ofSubtree: tree.class2.id, after: MemberListCursor(branch: tree.class2.id, person: PersonID(rawValue: "m-9b")!), limit: 100)
            #expect(past?.org.id == tree.class2.id && past?.members.isEmpty == true)
            #expect(try await members.page(ofSubtree: OrgID(rawValue: "no-such-org")!, after: nil, limit: 5) == nil)
            #expect(try await members.count(inSubtreeOf: tree.province.path) == 13)
            let one = try await members.find(PersonID(rawValue: "m-0b")!)
            #expect(one?.branch.id == tree.class2.id)
            #expect(one?.branchName == tree.class2.name)
        }
    }

    @Test("a transaction that fails part-way leaves nothing behind")
    func transactionRollsBack() async throws {
        try await TestDatabase.withMigrated { database in
            let tree = try await SeededTree(in: database)
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await database.write { repositories in
                    let extra = try tree.class1.path.ids.isEmpty ? tree.root : tree.zongzhi.child(
                        id: OrgID(rawValue: "upc-z-3")!, name: "3班团支部", category: .branch)
                    try await repositories.orgs.insert(extra, at: t0)
                    throw Boom()
                }
            }
            #expect(try await SQLOrgRepository(database.sql).find(OrgID(rawValue: "upc-z-3")!) == nil)
        }
    }

    @Test("sessions are found only while unexpired and unrevoked")
    func sessions() async throws {
        try await TestDatabase.withMigrated { database in
            let person = PersonRecord(id: PersonID(rawValue: "p1")!, name: "甲", idNumber: idNumber(born: "20020315", seq: "101"))
            try await SQLPersonRepository(database.sql).insert(person, at: t0)
            let accounts = SQLAccountRepository(database.sql)
            let account = AccountRecord(
                id: AccountID(rawValue: "a1")!, personID: person.id, login: person.idNumber.value,
                passwordHash: String(repeating: "h", count: 60), mustChangePassword: true)
            try await accounts.insert(account, at: t0)
            #expect(try await accounts.find(login: person.idNumber.value) == account)
            try await accounts.updatePassword(account.id, hash: String(repeating: "k", count: 60), at: t0)
            #expect(try await accounts.find(account.id)?.mustChangePassword == false)

            let sessions = SQLSessionRepository(database.sql)
            let hashA = String(repeating: "a", count: 64)
            let hashB = String(repeating: "b", count: 64)
            for hash in [hashA, hashB] {
                try await sessions.insert(SessionRecord(tokenHash: hash, accountID: account.id, createdAt: t0, expiresAt: t0.adding(seconds: 3600)))
            }
            #expect(try await sessions.findActiveHolder(tokenHash: hashA, now: t0.adding(seconds: 10))?.session != nil)
            #expect(try await sessions.findActiveHolder(tokenHash: hashA, now: t0.adding(seconds: 3600))?.session == nil)
            try await sessions.revokeAll(of: account.id, except: hashA, at: t0)
            #expect(try await sessions.findActiveHolder(tokenHash: hashB, now: t0)?.session == nil)
            #expect(try await sessions.findActiveHolder(tokenHash: hashA, now: t0)?.session != nil)
            try await sessions.revoke(tokenHash: hashA, at: t0)
            #expect(try await sessions.findActiveHolder(tokenHash: hashA, now: t0)?.session == nil)
        }
    }
}

@Suite("Values")
struct ValueTests {
    @Test("timestamps round-trip through their text form and sort as text")
    func timestamps() {
        for ms: Int64 in [0, 1, 999, 86_399_999, 1_764_000_000_123, -1] {
            let t = Timestamp(millisecondsSinceEpoch: ms)
            #expect(Timestamp(text: t.text) == t)
        }
        #expect(Timestamp(millisecondsSinceEpoch: 0).text == "1970-01-01T00:00:00.000Z")
        let a = Timestamp(text: "2026-11-25T02:00:00.000Z")!
        #expect(a.adding(seconds: 1).text > a.text)
        // 23:30 UTC is already the next day in China.
        #expect(Timestamp(text: "2026-11-25T16:30:00.000Z")!.chinaDate.iso == "2026-11-26")
        #expect(Timestamp(text: "2026-11-25T15:59:59.999Z")!.chinaDate.iso == "2026-11-25")
    }

    @Test("database URLs select the backend and never print a password")
    func locations() throws {
        #expect(try DatabaseLocation(url: "postgres://u:secret@db:5432/zhtj") == .postgres(url: "postgres://u:secret@db:5432/zhtj"))
        #expect(try DatabaseLocation(url: "sqlite:/tmp/a.sqlite") == .sqlite(path: "/tmp/a.sqlite"))
        #expect(try DatabaseLocation(url: "sqlite:///tmp/a.sqlite") == .sqlite(path: "/tmp/a.sqlite"))
        #expect(throws: DatabaseLocation.Invalid.unsupportedScheme("mysql")) { try DatabaseLocation(url: "mysql://x/y") }
        #expect(throws: DatabaseLocation.Invalid.self) { try DatabaseLocation(url: "sqlite:") }
        #expect(!"\(try DatabaseLocation(url: "postgres://u:secret@db/zhtj"))".contains("secret"))
    }
}

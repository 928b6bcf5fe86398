import Testing
@testable import Domain

/// The access matrix: every role against own org, child, sibling, parent, another school and
/// another province, for reading and writing.
@Suite("Authorization")
struct AuthorizationTests {
    static let tree = SampleTree()

    enum Role: String, CaseIterable, CustomTestStringConvertible {
        case branchAdmin, zongzhiAdmin, committeeAdmin, otherSchoolAdmin, member
        var testDescription: String { rawValue }
    }

    enum Relation: String, CaseIterable, CustomTestStringConvertible {
        case ownOrg, child, sibling, parent, anotherSchool, anotherProvince
        var testDescription: String { rawValue }
    }

    static func actor(_ role: Role) -> Actor {
        let t = tree
        let admin: Org? = switch role {
        case .branchAdmin: t.class1
        case .zongzhiAdmin: t.zongzhi
        case .committeeAdmin: t.college
        case .otherSchoolAdmin: t.otherSchool
        case .member: nil
        }
        return Actor(
            accountID: AccountID(rawValue: "a-\(role.rawValue.lowercased())")!,
            personID: PersonID(rawValue: "p-\(role.rawValue.lowercased())")!,
            memberBranch: OrgPlacement(t.class1), administeredOrgs: admin.map { [OrgPlacement($0)] } ?? [],
            mustChangePassword: false)
    }

    /// A person "p" who administers `orgs` and, if given, is a member of `branch`.
    static func person(administering orgs: [Org], memberOf branch: Org? = nil, mustChangePassword: Bool = false) -> Actor {
        Actor(
            accountID: AccountID(rawValue: "a")!, personID: PersonID(rawValue: "p")!, memberBranch: branch.map(OrgPlacement.init),
            administeredOrgs: orgs.map(OrgPlacement.init), mustChangePassword: mustChangePassword)
    }

    /// The org that stands in `relation` to the role's own org.
    static func target(_ role: Role, _ relation: Relation) -> Org? {
        let t = tree
        switch (role, relation) {
        case (.branchAdmin, .ownOrg), (.member, .ownOrg): return t.class1
        case (.branchAdmin, .child), (.member, .child): return nil  // branches are leaves
        case (.branchAdmin, .sibling), (.member, .sibling): return t.class2
        case (.branchAdmin, .parent), (.member, .parent): return t.zongzhi
        case (.zongzhiAdmin, .ownOrg): return t.zongzhi
        case (.zongzhiAdmin, .child): return t.class1
        case (.zongzhiAdmin, .sibling): return nil
        case (.zongzhiAdmin, .parent): return t.college
        case (.committeeAdmin, .ownOrg): return t.college
        case (.committeeAdmin, .child): return t.zongzhi
        case (.committeeAdmin, .sibling): return nil
        case (.committeeAdmin, .parent): return t.upc
        case (.otherSchoolAdmin, .ownOrg): return t.otherSchool
        case (.otherSchoolAdmin, .child): return t.otherBranch
        case (.otherSchoolAdmin, .sibling): return t.upc
        case (.otherSchoolAdmin, .parent): return t.qingdao
        case (.otherSchoolAdmin, .anotherSchool): return t.class1
        case (_, .anotherSchool): return t.otherBranch
        case (_, .anotherProvince): return t.njuBranch
        }
    }

    /// The rule: admins may act on their own org and below; members on no org.
    static func expected(_ role: Role, _ relation: Relation) -> Bool {
        role != .member && (relation == .ownOrg || relation == .child)
    }

    @Test("orgs: read and write allowed exactly on the admin's own org and below", arguments: Role.allCases, Relation.allCases)
    func orgMatrix(role: Role, relation: Relation) {
        guard let org = Self.target(role, relation) else { return }
        let actor = Self.actor(role)
        for action in [AccessAction.viewOrg, .listMembers, .editOrg] {
            let decision = authorize(actor, action, .org(OrgPlacement(org)))
            #expect(decision.isAllowed == Self.expected(role, relation), "\(role) \(action) \(relation) \(org.id)")
            if !decision.isAllowed { #expect(decision == .deny(Self.expectedDenial(role, relation)), "\(role) \(action) \(relation)") }
        }
    }

    /// Issue 12 item 3: an org above the actor's own orgs or branch is known to them (403-like
    /// `.outOfScope`); anything else outside their scope is `.unseen` (answered as not found).
    /// Every role here is also a member of class1, so upc (otherSchoolAdmin's "sibling") and
    /// class1 itself lie on its own branch's path.
    static func expectedDenial(_ role: Role, _ relation: Relation) -> AccessDenial {
        switch (role, relation) {
        case (_, .parent), (.member, .ownOrg), (.otherSchoolAdmin, .sibling), (.otherSchoolAdmin, .anotherSchool): .outOfScope
        default: .unseen
        }
    }

    @Test("issue 12 item 3: a refusal discloses nothing outside the caller's scope; above their own orgs, or a transfer's other party, it is a plain refusal")
    func disclosure() {
        let t = Self.tree
        let branchAdmin = Self.person(administering: [t.class1])
        let stranger = PersonID(rawValue: "p-stranger")!
        // Outside: a sibling's member, another school's org, a person with no org of theirs.
        #expect(authorize(branchAdmin, .viewMember, .member(stranger, branch: OrgPlacement(t.class2))) == .deny(.unseen))
        #expect(authorize(branchAdmin, .viewOrg, .org(OrgPlacement(t.otherSchool))) == .deny(.unseen))
        #expect(authorize(branchAdmin, .viewTransfer, .person(stranger, orgs: [OrgPlacement(t.class2), OrgPlacement(t.njuBranch)])) == .deny(.unseen))
        // Known: the orgs above their own, and their own member they may not review.
        #expect(authorize(branchAdmin, .viewOrg, .org(OrgPlacement(t.zongzhi))) == .deny(.outOfScope))
        #expect(authorize(branchAdmin, .reviewArchive, .member(stranger, branch: OrgPlacement(t.class1))) == .deny(.outOfScope))
        // A transfer's step at another org and its initiator: the transfer is on the actor's screen.
        #expect(authorize(branchAdmin, .decideTransferAsBranch, .org(OrgPlacement(t.njuBranch))) == .deny(.outOfScope))
        #expect(authorize(branchAdmin, .withdrawTransfer, .person(stranger, orgs: [])) == .deny(.outOfScope))
        // A notice is its own subject: a member below the publisher may not read it, nor know of it.
        let member = Self.person(administering: [], memberOf: t.class1)
        #expect(authorize(member, .readNotice, .org(OrgPlacement(t.college))) == .deny(.unseen))
        #expect(authorize(branchAdmin, .readNotice, .org(OrgPlacement(t.college))) == .allow)
        // What does not apply stays what it was.
        #expect(authorize(branchAdmin, .listMembers, .member(stranger, branch: OrgPlacement(t.njuBranch))) == .deny(.notApplicable))
    }

    @Test("members: read, identity and write follow the member's branch", arguments: Role.allCases, Relation.allCases)
    func memberMatrix(role: Role, relation: Relation) {
        guard let org = Self.target(role, relation), org.category.holdsMembers else { return }
        let actor = Self.actor(role)
        let stranger = PersonID(rawValue: "p-stranger")!
        for action in [AccessAction.viewMember, .viewMemberIdentity, .editMember] {
            let decision = authorize(actor, action, .member(stranger, branch: OrgPlacement(org)))
            #expect(decision.isAllowed == Self.expected(role, relation), "\(role) \(action) member in \(org.id)")
        }
    }

    @Test("ARC-11: a member reads and edits only themselves")
    func memberSelf() {
        let actor = Self.actor(.member)
        let own = AccessTarget.member(actor.personID, branch: OrgPlacement(Self.tree.class1))
        #expect(authorize(actor, .viewMember, own) == .allow)
        #expect(authorize(actor, .viewMemberIdentity, own) == .allow)
        #expect(authorize(actor, .editMember, own) == .allow)  // MEM-10
        let classmate = AccessTarget.member(PersonID(rawValue: "p-classmate")!, branch: OrgPlacement(Self.tree.class1))
        #expect(authorize(actor, .viewMember, classmate) == .deny(.unseen))
    }

    @Test("an admin of the central committee reaches every org")
    func centralAdmin() {
        let t = Self.tree
        let actor = Self.person(administering: [t.root])
        for org in [t.class1, t.otherBranch, t.njuBranch, t.root] {
            #expect(authorize(actor, .editOrg, .org(OrgPlacement(org))) == .allow)
        }
    }

    @Test("ADM-7: a cadre administering several orgs acts in each of them")
    func severalOrgs() {
        let t = Self.tree
        let actor = Self.person(administering: [t.class2, t.otherBranch])
        #expect(authorize(actor, .viewOrg, .org(OrgPlacement(t.class2))) == .allow)
        #expect(authorize(actor, .viewOrg, .org(OrgPlacement(t.otherBranch))) == .allow)
        #expect(authorize(actor, .viewOrg, .org(OrgPlacement(t.class1))) == .deny(.unseen))
    }

    @Test("ADM-6: nothing is allowed until the initial password is changed")
    func passwordChangeFirst() {
        let t = Self.tree
        let actor = Self.person(administering: [t.class1], memberOf: t.class1, mustChangePassword: true)
        for action in AccessAction.allCases {
            #expect(authorize(actor, action, .org(OrgPlacement(t.class1))) == .deny(.passwordChangeRequired))
            #expect(authorize(actor, action, .member(actor.personID, branch: OrgPlacement(t.class1))) == .deny(.passwordChangeRequired))
        }
    }

    @Test("ARC-3: archives are managed by the branch's admin or its direct parent's; ARC-6: reviewed by the upper committee only")
    func archiveActions() {
        let t = Self.tree
        let member = AccessTarget.member(PersonID(rawValue: "p-x")!, branch: OrgPlacement(t.class1))
        func decide(_ role: Role, _ action: AccessAction) -> Bool { authorize(Self.actor(role), action, member).isAllowed }
        #expect(decide(.branchAdmin, .manageArchive))
        #expect(decide(.zongzhiAdmin, .manageArchive))  // direct parent
        #expect(!decide(.committeeAdmin, .manageArchive))  // two levels up
        #expect(!decide(.otherSchoolAdmin, .manageArchive))
        #expect(!decide(.member, .manageArchive))
        #expect(decide(.committeeAdmin, .reviewArchive))  // 学院团委 is the upper committee of 1班
        #expect(!decide(.zongzhiAdmin, .reviewArchive))
        #expect(!decide(.branchAdmin, .reviewArchive))
        #expect(!decide(.otherSchoolAdmin, .reviewArchive))
        for role in [Role.branchAdmin, .zongzhiAdmin, .committeeAdmin] { #expect(decide(role, .viewArchive)) }
        #expect(!decide(.otherSchoolAdmin, .viewArchive))
        let own = AccessTarget.member(Self.actor(.member).personID, branch: OrgPlacement(t.class1))
        #expect(authorize(Self.actor(.member), .viewArchive, own) == .allow)  // ARC-11
        #expect(authorize(Self.actor(.member), .manageArchive, own) == .deny(.outOfScope))
    }

    @Test("ARC-3: the acting org is the branch for its admin, the direct parent for the parent's admin, none otherwise")
    func archiveActingOrg() {
        let branch = OrgPlacement(Self.tree.class1)
        #expect(Self.actor(.branchAdmin).archiveActingOrg(forBranch: branch) == Self.tree.class1.id)
        #expect(Self.actor(.zongzhiAdmin).archiveActingOrg(forBranch: branch) == branch.parentID)
        #expect(Self.actor(.committeeAdmin).archiveActingOrg(forBranch: branch) == nil)
        #expect(Self.actor(.member).archiveActingOrg(forBranch: branch) == nil)
    }

    @Test("actions that do not fit the target are denied")
    func notApplicable() {
        let actor = Self.actor(.committeeAdmin)
        #expect(authorize(actor, .listMembers, .member(actor.personID, branch: OrgPlacement(Self.tree.class1))) == .deny(.notApplicable))
        #expect(authorize(actor, .viewMember, .org(OrgPlacement(Self.tree.class1))) == .deny(.notApplicable))
    }
}

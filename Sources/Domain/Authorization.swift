/// Where an org sits in the tree: all an access decision needs to know about it.
public struct OrgPlacement: Hashable, Sendable {
    public let id: OrgID
    public let path: OrgPath
    public let category: OrgCategory
    /// The org that approves this org's archives (ARC-6).
    public let upperCommitteeID: OrgID?

    public init(id: OrgID, path: OrgPath, category: OrgCategory, upperCommitteeID: OrgID?) {
        self.id = id
        self.path = path
        self.category = category
        self.upperCommitteeID = upperCommitteeID
    }

    public init(_ org: Org) {
        self.init(id: org.id, path: org.path, category: org.category, upperCommitteeID: org.upperCommitteeID)
    }

    /// 直属上级: the org one level up.
    public var parentID: OrgID? { path.ids.count >= 2 ? path.ids[path.ids.count - 2] : nil }
}

/// Who is asking: a logged-in person with their member placement and admin appointments.
public struct Actor: Sendable, Equatable {
    public let accountID: AccountID
    public let personID: PersonID
    /// The branch the person is a member of, if they are a member.
    public let memberBranch: OrgPlacement?
    /// Every org the person is an admin of (ADM-3); several for a cadre with posts in
    /// several orgs (ADM-7).
    public let administeredOrgs: [OrgPlacement]
    /// ADM-6: nothing but changing the password until this is false.
    public let mustChangePassword: Bool

    public init(
        accountID: AccountID, personID: PersonID, memberBranch: OrgPlacement?,
        administeredOrgs: [OrgPlacement], mustChangePassword: Bool
    ) {
        self.accountID = accountID
        self.personID = personID
        self.memberBranch = memberBranch
        self.administeredOrgs = administeredOrgs
        self.mustChangePassword = mustChangePassword
    }

    public var isAdmin: Bool { !administeredOrgs.isEmpty }

    /// True when the actor is an admin of exactly this org.
    public func isAdmin(of org: OrgID) -> Bool { administeredOrgs.contains { $0.id == org } }

    /// MEM-2, MEM-6, MEM-9: the provincial committee (or 团中央) over `path`: an admin of a
    /// leading organ at most one level below the root whose subtree holds it.
    public func isTopLevelAdmin(over path: OrgPath) -> Bool {
        administeredOrgs.contains { $0.category == .leadingOrgan && $0.path.depth <= 1 && path.isWithin($0.path) }
    }

    /// The org's own admin or its direct parent's (ARC-3's pair, also for entering members and
    /// managing cadres).
    public func isAdminOfOrParent(_ org: OrgPlacement) -> Bool {
        if isAdmin(of: org.id) { return true }
        if let parent = org.parentID, isAdmin(of: parent) { return true }
        return false
    }

    /// True when the actor administers `path`: it is one of their orgs or lies below one.
    public func administers(_ path: OrgPath) -> Bool {
        administeredOrgs.contains { path.isWithin($0.path) }
    }

    /// ARC-3: the org an admin manages a member's archive as: the member's branch when they
    /// administer it, else its direct parent; nil when they are neither.
    public func archiveActingOrg(forBranch branch: OrgPlacement) -> OrgID? {
        if isAdmin(of: branch.id) { return branch.id }
        if let parent = branch.parentID, isAdmin(of: parent) { return parent }
        return nil
    }
}

/// Every verb the service authorises. Later capabilities add cases here, and so to the one
/// decision function below.
public enum AccessAction: String, Sendable, CaseIterable {
    case viewOrg = "view_org"
    case editOrg = "edit_org"
    case listMembers = "list_members"
    case viewMember = "view_member"
    /// See the full ID number rather than the masked one.
    case viewMemberIdentity = "view_member_identity"
    case editMember = "edit_member"
    /// See the archive's state and download its versions (ARC-11).
    case viewArchive = "view_archive"
    /// Upload, replace or withdraw the archive, and ask for a change (ARC-3, ARC-2a, ARC-10).
    case manageArchive = "manage_archive"
    /// Approve or reject an upload or a change request (ARC-6, ARC-10).
    case reviewArchive = "review_archive"
    /// Enter a member into a branch (MEM-1, MEM-3, MEM-4): its admin or its direct parent's.
    case enterMember = "enter_member"
    /// The member's own profile and development number (MEM-10, MEM-4): the member, the
    /// branch's admin or its direct parent's.
    case editMemberProfile = "edit_member_profile"
    /// Name, gender and ID number (MEM-2): only the provincial committee.
    case editMemberIdentity = "edit_member_identity"
    /// MEM-6: a top-level act, never a branch admin's.
    case removeMember = "remove_member"
    /// MEM-9: export the unverified and import the identity service's answers.
    case checkIdentities = "check_identities"
    /// See an org's cadres and their post history.
    case listCadres = "list_cadres"
    /// Give a person a post in an org or change it: the org's admin or its direct parent's.
    case manageCadres = "manage_cadres"
    /// The 书记 post: only the direct parent's admin ("若需变更团支书书记职务，请联系上级团组织管理员").
    case changeSecretary = "change_secretary"

    /// Create a direct sub-org (ORG-1: everything below the leading organs is created by its parent).
    case createSubOrg = "create_sub_org"
    /// Delete a sub-org once it is empty (ORG-10).
    case deleteOrg = "delete_org"
    /// Fill in an org's own information (ORG-5).
    case editOrgProfile = "edit_org_profile"
    /// See the full ID number of an org's secretary rather than the masked one.
    case viewOrgProfileIdentity = "view_org_profile_identity"
    /// See the entry progress of the levels below an org (ORG-9).
    case viewOrgProgress = "view_org_progress"
    /// ADM-1: generate a registration code for a direct sub-org (target: the sub-org).
    case issueRegistrationCode = "issue_registration_code"
    /// ADM-4: see and change an org's admins, directly or by request (target: the org).
    case manageAdmins = "manage_admins"
    /// ADM-4: approve or reject a request to change an org's admins (target: that org).
    case decideAdminChange = "decide_admin_change"
    /// ADM-5: generate a password-reset code for a person (target: the person and their orgs).
    case issuePasswordReset = "issue_password_reset"

    /// TRF-1: the member's own application (target: the member).
    case applyForTransfer = "apply_for_transfer"
    /// TRF-2, TRF-6, TRF-11: move a member out of their branch: its admin or its direct
    /// parent's (target: the member).
    case transferOut = "transfer_out"
    /// TRF-2: bring a member in: the destination branch's admin or its direct parent's
    /// (target: the destination).
    case transferIn = "transfer_in"
    /// TRF-4: a batch, by the 团委/团工委/团总支's own admin (target: that org).
    case batchTransfer = "batch_transfer"
    /// A step whose actor is one org's admins (TRF-3, TRF-8; target: that org).
    case decideTransferAsOrg = "decide_transfer_as_org"
    /// A step whose actor is a branch's admins or its direct parent's (TRF-1, TRF-3; target: the branch).
    case decideTransferAsBranch = "decide_transfer_as_branch"
    /// See a transfer and its steps: the member, and the admins over either end (target: the
    /// member with both ends).
    case viewTransfer = "view_transfer"
    /// TRF-1, TRF-6: withdraw a transfer: the person who started it (target: that person).
    case withdrawTransfer = "withdraw_transfer"
    /// GRD-1, GRD-3: mark branches' graduation as this org (target: the marking org): its own
    /// admin, or the provincial committee over it, who alone corrects a mark.
    case markGraduation = "mark_graduation"
    /// GRD-5: mark or revoke a member's delayed graduation (target: the member): an admin of a
    /// 团委 or 团总支 above the member's branch, or the provincial committee.
    case markDelayedGraduation = "mark_delayed_graduation"
    /// GRA-1, GRA-3: the 团(总)支部's own admin grades it.
    case gradeOrg = "grade_org"
    /// GRA-4: the org's upper committee (上级团委) reviews its grade.
    case reviewGrading = "review_grading"
    /// The org's grading year: its admins and every admin above.
    case viewGrading = "view_grading"
    /// 工作通知: publish to the org's subtree (target: the publishing org): its own admin.
    case publishNotice = "publish_notice"
    /// Read a notice (target: the publishing org): an admin of an org below it, or of it or above.
    case readNotice = "read_notice"
    /// Who has read a notice (target: the publishing org): its admins and every admin above.
    case viewNoticeReaders = "view_notice_readers"
    /// ACT-1: record, edit or withdraw a branch's organisational life (target: the branch): the
    /// branch's admin or its direct parent's.
    case recordActivity = "record_activity"
    /// ACT-1 年度团籍注册: a member reports their own year (target: the member).
    case submitRegistration = "submit_registration"
    /// ACT-1 年度团籍注册审批: approve or send back a member's registration (target: the
    /// branch): its admin, or its direct parent's for a branch without one.
    case decideRegistration = "decide_registration"
    /// RCT-1, RCT-3: submit a branch's self-check form (target: the branch): its own admin, or
    /// its direct parent's for a branch that has not checked itself.
    case selfCheck = "self_check"
    /// RCT-2, RCT-3: decide on a branch's form or mark it bottom 20 % (target: the branch): the
    /// direct parent's admin, never one further up.
    case decideRectification = "decide_rectification"
}

public enum AccessTarget: Sendable, Equatable {
    case org(OrgPlacement)
    case member(PersonID, branch: OrgPlacement)
    /// A person with every org they belong to: their member branch and the orgs where they hold
    /// a post (ADM-5 "the person's org").
    case person(PersonID, orgs: [OrgPlacement])
}

public enum AccessDecision: Sendable, Equatable {
    case allow
    case deny(AccessDenial)

    public var isAllowed: Bool { self == .allow }
}

public enum AccessDenial: Error, Sendable, Equatable {
    /// ADM-6: the initial password must be changed first.
    case passwordChangeRequired
    /// The target lies outside everything the actor administers, or is not the actor.
    case outOfScope
    /// The action does not apply to that kind of target (e.g. listing members of a member).
    case notApplicable
    /// Out of scope, and the target is something the actor may not even know exists: answered
    /// exactly as a target that does not exist is, so that a caller cannot probe which ids are
    /// real outside their scope (a person's record, another school's org).
    case unseen
}

extension Actor {
    /// Whether the actor may know that `target` exists. A member knows themselves; an admin,
    /// everything at or below their orgs; and everyone, the orgs above their own orgs and branch,
    /// whose names head every page they see.
    public func canSee(_ target: AccessTarget) -> Bool {
        switch target {
        case .org(let org):
            return administers(org.path) || administeredOrgs.contains { $0.path.isWithin(org.path) }
                || memberBranch?.path.isWithin(org.path) == true
        case .member(let person, let branch):
            return person == personID || administers(branch.path)
        case .person(let person, let orgs):
            return person == personID || orgs.contains { administers($0.path) }
        }
    }
}

extension AccessAction {
    /// False for the verbs whose target is another party of a record the actor was already
    /// shown (a transfer's step org or its initiator, a destination picked from a list): being
    /// refused there tells nothing about existence, and "not found" for a record on screen would
    /// mislead.
    var targetIsTheSubject: Bool {
        switch self {
        case .decideTransferAsOrg, .decideTransferAsBranch, .withdrawTransfer, .transferIn: false
        default: true
        }
    }
}

/// The one function that decides every access.
///
/// - An admin acts on their orgs and everything below them: orgs, and the members of the
///   branches there (RULES ARC-3, ARC-7, ARC-11 all scope by subtree).
/// - A member acts only on themselves (ARC-11 "a member sees … only their own"; MEM-10 lets
///   them edit their own profile).
/// - Siblings, parents and other branches of the tree are out of scope, whatever the level.
///
/// A denial for a target the actor may not know exists is `.unseen`, never `.outOfScope`
/// (issue 12: no answer reveals whether something outside the caller's scope exists).
public func authorize(_ actor: Actor, _ action: AccessAction, _ target: AccessTarget) -> AccessDecision {
    let decision = decide(actor, action, target)
    if decision == .deny(.outOfScope), action.targetIsTheSubject, !actor.canSee(target) { return .deny(.unseen) }
    return decision
}

private func decide(_ actor: Actor, _ action: AccessAction, _ target: AccessTarget) -> AccessDecision {
    if actor.mustChangePassword { return .deny(.passwordChangeRequired) }
    switch (action, target) {
    case (.viewOrg, .org(let org)), (.editOrg, .org(let org)), (.listMembers, .org(let org)):
        return actor.administers(org.path) ? .allow : .deny(.outOfScope)
    case (.viewMember, .member(let person, let branch)),
        (.viewMemberIdentity, .member(let person, let branch)),
        (.editMember, .member(let person, let branch)):
        if person == actor.personID { return .allow }
        return actor.administers(branch.path) ? .allow : .deny(.outOfScope)
    case (.viewArchive, .member(let person, let branch)):
        if person == actor.personID { return .allow }
        return actor.administers(branch.path) ? .allow : .deny(.outOfScope)
    case (.manageArchive, .member(_, let branch)):
        // ARC-3: the admin of the member's branch or of its direct parent.
        return actor.archiveActingOrg(forBranch: branch) != nil ? .allow : .deny(.outOfScope)
    case (.reviewArchive, .member(_, let branch)):
        // ARC-6: the upper committee of the member's branch, and only it; since uploads by
        // committees are verified at once (ARC-4), no org ever reviews its own upload.
        if let committee = branch.upperCommitteeID, actor.isAdmin(of: committee) { return .allow }
        return .deny(.outOfScope)
    case (.enterMember, .org(let org)), (.manageCadres, .org(let org)):
        return actor.isAdminOfOrParent(org) ? .allow : .deny(.outOfScope)
    case (.editMemberProfile, .member(let person, let branch)):
        if person == actor.personID { return .allow }
        return actor.isAdminOfOrParent(branch) ? .allow : .deny(.outOfScope)
    case (.editMemberIdentity, .member(_, let branch)), (.removeMember, .member(_, let branch)):
        return actor.isTopLevelAdmin(over: branch.path) ? .allow : .deny(.outOfScope)
    case (.checkIdentities, .org(let org)):
        return actor.isTopLevelAdmin(over: org.path) ? .allow : .deny(.outOfScope)
    case (.listCadres, .org(let org)):
        return actor.administers(org.path) ? .allow : .deny(.outOfScope)
    case (.changeSecretary, .org(let org)):
        if let parent = org.parentID, actor.isAdmin(of: parent) { return .allow }
        return .deny(.outOfScope)
    case (.enterMember, .member), (.manageCadres, .member), (.editMemberProfile, .org), (.editMemberIdentity, .org),
        (.removeMember, .org), (.checkIdentities, .member), (.listCadres, .member), (.changeSecretary, .member):
        return .deny(.notApplicable)
    case (.createSubOrg, .org(let org)):
        // The manual: each level's short names and categories are created by the admin of the
        // level above, one level at a time; an admin further up does not skip levels.
        return actor.isAdmin(of: org.id) ? .allow : .deny(.outOfScope)
    case (.deleteOrg, .org(let org)):
        // ORG-10: the parent that created it deletes it (decided).
        if let parent = org.parentID, actor.isAdmin(of: parent) { return .allow }
        return .deny(.outOfScope)
    case (.editOrgProfile, .org(let org)):
        // 组织信息 "由本级团组织管理员填写": the org's own admin; its parent fills the optional
        // fields only while creating it.
        return actor.isAdmin(of: org.id) ? .allow : .deny(.outOfScope)
    case (.viewOrgProfileIdentity, .org(let org)):
        // The org's own admins and its direct parent's, who know the secretary; higher levels see it masked.
        if actor.isAdmin(of: org.id) { return .allow }
        if let parent = org.parentID, actor.isAdmin(of: parent) { return .allow }
        return .deny(.outOfScope)
    case (.viewOrgProgress, .org(let org)):
        return actor.administers(org.path) ? .allow : .deny(.outOfScope)
    case (.createSubOrg, .member), (.deleteOrg, .member), (.editOrgProfile, .member), (.viewOrgProfileIdentity, .member),
        (.viewOrgProgress, .member):
        return .deny(.notApplicable)
    case (.issueRegistrationCode, .org(let org)), (.decideAdminChange, .org(let org)):
        // ADM-1, ADM-4: the direct parent's admin, and only it.
        guard let parent = org.parentID, actor.isAdmin(of: parent) else { return .deny(.outOfScope) }
        return .allow
    case (.manageAdmins, .org(let org)):
        // ADM-4: the org's own admin (by request) or its direct parent's (at once).
        if actor.isAdmin(of: org.id) { return .allow }
        if let parent = org.parentID, actor.isAdmin(of: parent) { return .allow }
        return .deny(.outOfScope)
    case (.issuePasswordReset, .person(_, let orgs)):
        // ADM-5: the admin of one of the person's orgs or of its direct parent.
        let allowed = orgs.contains { org in actor.isAdmin(of: org.id) || org.parentID.map(actor.isAdmin(of:)) == true }
        return allowed ? .allow : .deny(.outOfScope)
    case (.viewTransfer, _), (.withdrawTransfer, _):
        // Before the catch-all for `.person` targets below, which would deny them.
        return authorizeTransfer(actor, action, target)
    case (.issueRegistrationCode, _), (.manageAdmins, _), (.decideAdminChange, _), (.issuePasswordReset, _), (_, .person):
        return .deny(.notApplicable)
    case (.viewOrg, .member), (.editOrg, .member), (.listMembers, .member),
        (.viewMember, .org), (.viewMemberIdentity, .org), (.editMember, .org),
        (.viewArchive, .org), (.manageArchive, .org), (.reviewArchive, .org):
        return .deny(.notApplicable)
    default:
        // The transfer verbs. With them in this switch the compiler cannot prove it exhaustive
        // in reasonable time; whatever `authorizeTransfer` does not name, it denies.
        return authorizeTransfer(actor, action, target)
    }
}

/// The transfer and graduation verbs (TRF-1 … TRF-4, TRF-8, GRD-1 … GRD-5), apart so the compiler checks both switches
/// quickly; `authorize` is still the one entry.
private func authorizeTransfer(_ actor: Actor, _ action: AccessAction, _ target: AccessTarget) -> AccessDecision {
    switch (action, target) {
    case (.applyForTransfer, .member(let person, _)):
        return person == actor.personID ? .allow : .deny(.outOfScope)
    case (.transferOut, .member(_, let branch)):
        return actor.isAdminOfOrParent(branch) ? .allow : .deny(.outOfScope)
    case (.transferIn, .org(let org)), (.decideTransferAsBranch, .org(let org)):
        return actor.isAdminOfOrParent(org) ? .allow : .deny(.outOfScope)
    case (.batchTransfer, .org(let org)), (.decideTransferAsOrg, .org(let org)):
        return actor.isAdmin(of: org.id) ? .allow : .deny(.outOfScope)
    case (.viewTransfer, .person(let person, let ends)):
        if person == actor.personID { return .allow }
        return ends.contains { actor.administers($0.path) } ? .allow : .deny(.outOfScope)
    case (.withdrawTransfer, .person(let initiator, _)):
        return initiator == actor.personID ? .allow : .deny(.outOfScope)
    case (.markGraduation, .org(let org)):
        return actor.isAdmin(of: org.id) || actor.isTopLevelAdmin(over: org.path) ? .allow : .deny(.outOfScope)
    case (.markDelayedGraduation, .member(_, let branch)):
        let above = actor.administeredOrgs.contains {
            GraduationRules.markerCategories.contains($0.category) && $0.id != branch.id && branch.path.isWithin($0.path)
        }
        return above || actor.isTopLevelAdmin(over: branch.path) ? .allow : .deny(.outOfScope)
    default:
        return authorizeBranchYear(actor, action, target)
    }
}

/// The verbs of a branch's working year (GRA-1 … GRA-5), apart for the same reason.
private func authorizeBranchYear(_ actor: Actor, _ action: AccessAction, _ target: AccessTarget) -> AccessDecision {
    switch (action, target) {
    case (.gradeOrg, .org(let org)):
        return actor.isAdmin(of: org.id) ? .allow : .deny(.outOfScope)
    case (.reviewGrading, .org(let org)):
        // GRA-4: the direct upper committee, not one further up.
        if let committee = org.upperCommitteeID, actor.isAdmin(of: committee) { return .allow }
        return .deny(.outOfScope)
    case (.viewGrading, .org(let org)), (.viewNoticeReaders, .org(let org)):
        return actor.administers(org.path) ? .allow : .deny(.outOfScope)
    case (.recordActivity, .org(let org)), (.decideRegistration, .org(let org)):
        guard org.category.holdsMembers else { return .deny(.notApplicable) }
        return actor.isAdminOfOrParent(org) ? .allow : .deny(.outOfScope)
    case (.submitRegistration, .member(let person, _)):
        return actor.personID == person ? .allow : .deny(.outOfScope)
    case (.selfCheck, .org(let org)):
        guard org.category.holdsMembers else { return .deny(.notApplicable) }
        return actor.isAdminOfOrParent(org) ? .allow : .deny(.outOfScope)
    case (.decideRectification, .org(let org)):
        guard org.category.holdsMembers else { return .deny(.notApplicable) }
        if let parent = org.parentID, actor.isAdmin(of: parent) { return .allow }
        return .deny(.outOfScope)
    case (.publishNotice, .org(let org)):
        return actor.isAdmin(of: org.id) ? .allow : .deny(.outOfScope)
    case (.readNotice, .org(let org)):
        let below = actor.administeredOrgs.contains { $0.path.isWithin(org.path) }
        // The target is the publishing org, which a refused member's branch may lie below and so
        // know; the subject is the notice, and whoever may not read it may not know of it.
        return below || actor.administers(org.path) ? .allow : .deny(.unseen)
    default:
        return .deny(.notApplicable)
    }
}

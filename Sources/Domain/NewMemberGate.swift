/// ARC-9 in one place: an unverified new member cannot be transferred and is not counted in
/// any statistics of new members. Every caller (transfers, statistics, graduation) asks here.
public enum NewMemberGate {
    /// True when the member may be transferred and counted: members who joined before
    /// 2020-01-01 need no archive (ARC-1); newer ones need a verified identity.
    public static func admits(joinedOn: CivilDate, identityVerified: Bool) -> Bool {
        joinedOn < Member.archiveRequiredFrom || identityVerified
    }
}

/// ARC-8: the archive is due 30 days after the upper committee approved the joining.
public enum ArchiveDeadline {
    public static let days = 30

    public static func due(joinedOn: CivilDate) -> CivilDate { joinedOn.adding(days: days) }

    /// Overdue when a required archive has not been uploaded (or was rejected and not yet
    /// replaced) by the end of the due date. A pending upload is with the reviewer, not late.
    public static func isOverdue(joinedOn: CivilDate, status: ArchiveStatus, today: CivilDate) -> Bool {
        guard joinedOn >= Member.archiveRequiredFrom else { return false }
        guard status == .notUploaded || status == .rejected else { return false }
        return today > due(joinedOn: joinedOn)
    }
}

/// Members of an org's subtree grouped by what the new-member rules look at: the joining
/// day, whether identity is verified, and whether anything has been uploaded.
public struct MemberTally: Sendable, Equatable {
    public let joinedOn: CivilDate
    public let identityVerified: Bool
    public let archiveUploaded: Bool
    public let members: Int

    public init(joinedOn: CivilDate, identityVerified: Bool, archiveUploaded: Bool, members: Int) {
        self.joinedOn = joinedOn
        self.identityVerified = identityVerified
        self.archiveUploaded = archiveUploaded
        self.members = members
    }
}

/// New-member figures of an org (STA-1, ARC-12), with `counted` decided by `NewMemberGate`.
public struct NewMemberCounts: Sendable, Equatable {
    /// Members who joined on or after 2020-01-01 (ARC-1).
    public let newMembers: Int
    /// …with nothing uploaded yet (or every upload withdrawn).
    public let withoutArchive: Int
    /// …whose identity is verified.
    public let verified: Int
    /// …that statistics count (ARC-9).
    public let counted: Int
    public var unverified: Int { newMembers - verified }

    public init(_ tallies: [MemberTally]) {
        var newMembers = 0, withoutArchive = 0, verified = 0, counted = 0
        for tally in tallies where tally.joinedOn >= Member.archiveRequiredFrom {
            newMembers += tally.members
            if !tally.archiveUploaded { withoutArchive += tally.members }
            if tally.identityVerified { verified += tally.members }
            if NewMemberGate.admits(joinedOn: tally.joinedOn, identityVerified: tally.identityVerified) { counted += tally.members }
        }
        self.newMembers = newMembers
        self.withoutArchive = withoutArchive
        self.verified = verified
        self.counted = counted
    }
}

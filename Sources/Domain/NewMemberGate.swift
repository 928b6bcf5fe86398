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

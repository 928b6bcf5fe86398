/// Who uploaded a version: the level of the uploading org decides whether it needs approval
/// (ARC-4).
public enum UploaderLevel: Sendable, Equatable {
    /// 团的领导机关, 团委, 团工委: verified at once.
    case committee
    /// 团支部, 团总支: waits for the upper committee.
    case branch

    public init(_ category: OrgCategory) {
        self = category.isUpperCommitteeKind ? .committee : .branch
    }
}

/// Where an archive returns to when a pending upload is withdrawn.
public enum ArchiveResumption: String, Sendable, Equatable, Codable {
    case notUploaded = "not_uploaded"
    case rejected
    /// A verified archive whose change request was approved: the one new upload may be retried.
    case changeApproved = "change_approved"
}

/// The e-archive flow (RULES ARC-2a, ARC-4, ARC-5, ARC-6, ARC-10) as a pure state machine in
/// the swift-nio style: `apply(_:)` returns the next state and the effects the caller must
/// perform, or a refusal; it never performs I/O.
public enum ArchiveState: Sendable, Equatable {
    /// 尚未认证, nothing uploaded.
    case notUploaded
    /// Uploaded by a branch or 团总支, waiting for the upper committee (still 尚未认证).
    /// `latest` is the version under review; `resumes` is where a withdrawal returns to;
    /// `verifiedVersion` is the version that stays in force while a change is reviewed.
    case pending(latest: Int, resumes: ArchiveResumption, verifiedVersion: Int?)
    /// 团员身份已认证.
    case verified(version: Int)
    /// 认证不通过; the branch may replace the file.
    case rejected(latest: Int, verifiedVersion: Int?)
    /// Verified, and the member's org asked the upper committee to allow a change (ARC-10).
    case changeRequested(version: Int)
    /// Verified, and the change was allowed: exactly one new upload may follow.
    case changeApproved(version: Int)

    /// The status the API and pages show.
    public var status: ArchiveStatus {
        switch self {
        case .notUploaded: .notUploaded
        case .pending: .pending
        case .verified, .changeRequested, .changeApproved: .verified
        case .rejected: .rejected
        }
    }

    /// The newest stored version, if any.
    public var latestVersion: Int? {
        switch self {
        case .notUploaded: nil
        case .pending(let v, _, _), .verified(let v), .rejected(let v, _), .changeRequested(let v), .changeApproved(let v): v
        }
    }

    /// The version that verified the member, which stays in force while a replacement is
    /// reviewed (ARC-10: nothing is overwritten).
    public var verifiedVersion: Int? {
        switch self {
        case .notUploaded: nil
        case .pending(_, _, let v), .rejected(_, let v): v
        case .verified(let v), .changeRequested(let v), .changeApproved(let v): v
        }
    }

    /// ARC-9: a member counts as verified once any version has been approved.
    public var identityVerified: Bool { verifiedVersion != nil }
}

public enum ArchiveStatus: String, Sendable, Codable, CaseIterable {
    case notUploaded = "not_uploaded"
    case pending
    case verified
    case rejected

    /// The badge text users see (ARC-5).
    public var chineseName: String {
        switch self {
        case .notUploaded: "尚未上传"
        case .pending: "待审批"
        case .verified: "已认证"
        case .rejected: "认证不通过"
        }
    }
}

public enum ArchiveEvent: Sendable, Equatable {
    /// `version` is the number the new file is stored as: one more than the highest stored
    /// version, which only the store knows (withdrawn versions are kept and keep their numbers).
    case upload(UploaderLevel, version: Int)
    case approve
    case reject(reason: String)
    case withdraw
    case requestChange(reason: String)
    case approveChange
    case rejectChange(reason: String)
}

/// What the caller must do after a transition, in order. The operation centre's queue and
/// the rejection notice (ARC-6) need no effect of their own: they are read from the new state
/// and the recorded decisions.
public enum ArchiveEffect: Sendable, Equatable {
    /// Record the uploaded file as this version number.
    case storeVersion(Int)
    case recordDecision(ArchiveDecisionKind, version: Int?, reason: String?)
}

public enum ArchiveDecisionKind: String, Sendable, Codable, CaseIterable {
    case approve
    /// ARC-4: a committee-level upload verified at once.
    case autoApprove = "auto_approve"
    case reject
    case withdraw
    case changeRequest = "change_request"
    case changeApprove = "change_approve"
    case changeReject = "change_reject"
}

public enum ArchiveRefusal: Error, Sendable, Equatable {
    /// ARC-2a: "团员电子档案审批中，不能重复发起".
    case alreadyPending
    /// ARC-10: a verified archive changes only through an approved change request.
    case verifiedNeedsChangeRequest
    case changeRequestPending
    /// Approve/reject/withdraw on something that is not pending (e.g. a second approver).
    case notPending
    case noChangeRequest
    case changeRequestNotAllowed
    /// ARC-6: a rejection must carry a reason.
    case reasonRequired
    /// A reason too long for the record, or with characters that cannot be seen.
    case invalidReason(FreeTextProblem)
}

extension ArchiveState {
    /// ARC-6: the message the uploading org reads after a rejection.
    public static func rejectionNotice(reason: String) -> String {
        "您提交的团员电子档案未通过上级团组织审核，理由为：'\(reason)'。请根据上级审核意见重新修改并上传新的文件。"
    }

    /// The transition for `event`, or the reason it is refused.
    public func apply(_ event: ArchiveEvent) throws(ArchiveRefusal) -> (ArchiveState, [ArchiveEffect]) {
        switch (self, event) {
        // Uploads.
        case (.notUploaded, .upload(let level, let version)):
            return Self.upload(version: version, level: level, resumes: .notUploaded, verified: nil)
        case (.rejected(_, let verified), .upload(let level, let version)):
            return Self.upload(version: version, level: level, resumes: .rejected, verified: verified)
        case (.changeApproved(let verified), .upload(let level, let version)):
            return Self.upload(version: version, level: level, resumes: .changeApproved, verified: verified)
        case (.pending, .upload):
            throw .alreadyPending
        case (.verified, .upload):
            throw .verifiedNeedsChangeRequest
        case (.changeRequested, .upload):
            throw .changeRequestPending

        // Decisions on a pending upload.
        case (.pending(let latest, _, _), .approve):
            return (.verified(version: latest), [.recordDecision(.approve, version: latest, reason: nil)])
        case (.pending(let latest, _, let verified), .reject(let reason)):
            let reason = try Self.required(reason)
            return (.rejected(latest: latest, verifiedVersion: verified), [.recordDecision(.reject, version: latest, reason: reason)])
        case (.pending(let latest, let resumes, let verified), .withdraw):
            let back: ArchiveState
            switch resumes {
            case .notUploaded: back = verified.map { .verified(version: $0) } ?? .notUploaded
            // A withdrawn replacement leaves the archive rejected, as it was before.
            case .rejected: back = .rejected(latest: latest, verifiedVersion: verified)
            case .changeApproved: back = .changeApproved(version: verified ?? latest)
            }
            return (back, [.recordDecision(.withdraw, version: latest, reason: nil)])
        case (_, .approve), (_, .reject), (_, .withdraw):
            throw .notPending

        // Change requests (ARC-10).
        case (.verified(let version), .requestChange(let reason)):
            let reason = try Self.required(reason)
            return (.changeRequested(version: version), [.recordDecision(.changeRequest, version: version, reason: reason)])
        case (.changeRequested, .requestChange), (.changeApproved, .requestChange):
            throw .changeRequestPending
        case (_, .requestChange):
            throw .changeRequestNotAllowed
        case (.changeRequested(let version), .approveChange):
            return (.changeApproved(version: version), [.recordDecision(.changeApprove, version: version, reason: nil)])
        case (.changeRequested(let version), .rejectChange(let reason)):
            let reason = try Self.required(reason)
            return (.verified(version: version), [.recordDecision(.changeReject, version: version, reason: reason)])
        case (_, .approveChange), (_, .rejectChange):
            throw .noChangeRequest
        }
    }

    private static func upload(
        version: Int, level: UploaderLevel, resumes: ArchiveResumption, verified: Int?
    ) -> (ArchiveState, [ArchiveEffect]) {
        switch level {
        case .committee:
            return (.verified(version: version), [.storeVersion(version), .recordDecision(.autoApprove, version: version, reason: nil)])
        case .branch:
            return (.pending(latest: version, resumes: resumes, verifiedVersion: verified), [.storeVersion(version)])
        }
    }

    private static func required(_ reason: String) throws(ArchiveRefusal) -> String {
        let trimmed: String
        do { trimmed = try FreeText.checked(reason, as: .reason) } catch { throw .invalidReason(error) }
        guard !trimmed.isEmpty else { throw .reasonRequired }
        return trimmed
    }
}

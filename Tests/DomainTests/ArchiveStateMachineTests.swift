import Testing
@testable import Domain

/// The archive flow, exhaustively: every state against every event.
@Suite("Archive state machine (ARC-2a, ARC-4, ARC-5, ARC-6, ARC-10)")
struct ArchiveStateMachineTests {
    static let states: [ArchiveState] = [
        .notUploaded,
        .pending(latest: 1, resumes: .notUploaded, verifiedVersion: nil),
        .pending(latest: 3, resumes: .rejected, verifiedVersion: nil),
        .pending(latest: 4, resumes: .changeApproved, verifiedVersion: 3),
        .verified(version: 2),
        .rejected(latest: 2, verifiedVersion: nil),
        .rejected(latest: 5, verifiedVersion: 3),
        .changeRequested(version: 3),
        .changeApproved(version: 3),
    ]
    static let events: [ArchiveEvent] = [
        .upload(.branch, version: 7), .upload(.committee, version: 7), .approve, .reject(reason: "第3页不清晰"), .reject(reason: "  "), .withdraw,
        .requestChange(reason: "发展编号有误"), .requestChange(reason: ""), .approveChange, .rejectChange(reason: "理由不充分"),
    ]

    /// The expected outcome, written as a table independent of the implementation.
    static func expected(_ state: ArchiveState, _ event: ArchiveEvent) -> Result<ArchiveState, ArchiveRefusal> {
        switch (state, event) {
        case (.notUploaded, .upload(.branch, let n)): .success(.pending(latest: n, resumes: .notUploaded, verifiedVersion: nil))
        case (.notUploaded, .upload(.committee, let n)): .success(.verified(version: n))
        case (.rejected(_, let v), .upload(.branch, let n)): .success(.pending(latest: n, resumes: .rejected, verifiedVersion: v))
        case (.rejected, .upload(.committee, let n)): .success(.verified(version: n))
        case (.changeApproved(let v), .upload(.branch, let n)): .success(.pending(latest: n, resumes: .changeApproved, verifiedVersion: v))
        case (.changeApproved, .upload(.committee, let n)): .success(.verified(version: n))
        case (.pending, .upload): .failure(.alreadyPending)
        case (.verified, .upload): .failure(.verifiedNeedsChangeRequest)
        case (.changeRequested, .upload): .failure(.changeRequestPending)
        case (.pending(let l, _, _), .approve): .success(.verified(version: l))
        case (.pending, .reject(let r)) where r.trimmingWhitespace().isEmpty: .failure(.reasonRequired)
        case (.pending(let l, _, let v), .reject): .success(.rejected(latest: l, verifiedVersion: v))
        case (.pending(_, .notUploaded, _), .withdraw): .success(.notUploaded)
        case (.pending(let l, .rejected, let v), .withdraw): .success(.rejected(latest: l, verifiedVersion: v))
        case (.pending(_, .changeApproved, let v), .withdraw): .success(.changeApproved(version: v!))
        case (_, .approve), (_, .reject), (_, .withdraw): .failure(.notPending)
        case (.verified, .requestChange(let r)) where r.isEmpty: .failure(.reasonRequired)
        case (.verified(let v), .requestChange): .success(.changeRequested(version: v))
        case (.changeRequested, .requestChange), (.changeApproved, .requestChange): .failure(.changeRequestPending)
        case (_, .requestChange): .failure(.changeRequestNotAllowed)
        case (.changeRequested(let v), .approveChange): .success(.changeApproved(version: v))
        case (.changeRequested(let v), .rejectChange): .success(.verified(version: v))
        case (_, .approveChange), (_, .rejectChange): .failure(.noChangeRequest)
        default: fatalError("table incomplete for \(state) \(event)")
        }
    }

    @Test("every state × event pair matches the table", arguments: states)
    func exhaustive(state: ArchiveState) {
        for event in Self.events {
            let actual = Result { () throws(ArchiveRefusal) in try state.apply(event).0 }
            #expect(actual == Self.expected(state, event), "\(state) + \(event)")
        }
    }

    @Test("ARC-4: a branch upload queues for the upper committee; a committee upload is verified at once")
    func uploadEffects() throws {
        let (_, branch) = try ArchiveState.notUploaded.apply(.upload(.branch, version: 1))
        #expect(branch == [.storeVersion(1)])
        let (_, committee) = try ArchiveState.notUploaded.apply(.upload(.committee, version: 1))
        #expect(committee == [.storeVersion(1), .recordDecision(.autoApprove, version: 1, reason: nil)])
        #expect(UploaderLevel(.committee) == .committee)
        #expect(UploaderLevel(.workingCommittee) == .committee)
        #expect(UploaderLevel(.leadingOrgan) == .committee)
        #expect(UploaderLevel(.generalBranch) == .branch)
        #expect(UploaderLevel(.branch) == .branch)
    }

    @Test("ARC-6: a rejection records the trimmed reason and tells the uploader in the manual's words")
    func rejectionNotice() throws {
        let (state, effects) = try ArchiveState.pending(latest: 1, resumes: .notUploaded, verifiedVersion: nil)
            .apply(.reject(reason: "  第3页不清晰 "))
        #expect(state.status == .rejected)
        #expect(effects == [.recordDecision(.reject, version: 1, reason: "第3页不清晰")])
        #expect(
            ArchiveState.rejectionNotice(reason: "第3页不清晰")
                == "您提交的团员电子档案未通过上级团组织审核，理由为：'第3页不清晰'。请根据上级审核意见重新修改并上传新的文件。")
    }

    @Test("ARC-5: statuses and their badges")
    func statuses() {
        #expect(ArchiveState.notUploaded.status.chineseName == "尚未上传")
        #expect(ArchiveState.pending(latest: 1, resumes: .notUploaded, verifiedVersion: nil).status.chineseName == "待审批")
        #expect(ArchiveState.verified(version: 1).status.chineseName == "已认证")
        #expect(ArchiveState.rejected(latest: 1, verifiedVersion: nil).status.chineseName == "认证不通过")
        #expect(ArchiveState.changeRequested(version: 1).status == .verified)
    }

    @Test("ARC-10: a full change cycle keeps the member verified and never reuses a version number")
    func changeCycle() throws {
        var state = ArchiveState.notUploaded
        var versions: [Int] = []
        // The caller numbers uploads from what is stored: withdrawn versions keep their numbers.
        func upload() throws { try step(.upload(.branch, version: versions.count + 1)) }
        func step(_ e: ArchiveEvent) throws {
            let (next, effects) = try state.apply(e)
            for case .storeVersion(let v) in effects { versions.append(v) }
            state = next
        }
        try upload(); try step(.reject(reason: "模糊"))
        try upload(); try step(.approve)
        #expect(state == .verified(version: 2))
        try step(.requestChange(reason: "编号错误")); try step(.approveChange)
        try upload()
        #expect(state.identityVerified)  // the verified version stays in force during review
        try step(.withdraw)
        #expect(state == .changeApproved(version: 2))
        try upload(); try step(.reject(reason: "仍有错误"))
        #expect(state.verifiedVersion == 2)
        try upload(); try step(.approve)
        #expect(state == .verified(version: 5))
        #expect(versions == [1, 2, 3, 4, 5])
    }

    @Test("ARC-9: new members count only once verified; members from before 2020 always")
    func gate() {
        #expect(NewMemberGate.admits(joinedOn: date("2019-12-31"), identityVerified: false))
        #expect(!NewMemberGate.admits(joinedOn: date("2020-01-01"), identityVerified: false))
        #expect(NewMemberGate.admits(joinedOn: date("2020-01-01"), identityVerified: true))
        #expect(!ArchiveState.pending(latest: 1, resumes: .notUploaded, verifiedVersion: nil).identityVerified)
        #expect(!ArchiveState.rejected(latest: 1, verifiedVersion: nil).identityVerified)
        #expect(ArchiveState.verified(version: 1).identityVerified)
    }

    @Test("ARC-8: due 30 days after joining; overdue only while nothing acceptable was uploaded")
    func deadline() {
        let joined = date("2026-10-01")
        #expect(ArchiveDeadline.due(joinedOn: joined) == date("2026-10-31"))
        #expect(!ArchiveDeadline.isOverdue(joinedOn: joined, status: .notUploaded, today: date("2026-10-31")))
        #expect(ArchiveDeadline.isOverdue(joinedOn: joined, status: .notUploaded, today: date("2026-11-01")))
        #expect(ArchiveDeadline.isOverdue(joinedOn: joined, status: .rejected, today: date("2026-11-01")))
        #expect(!ArchiveDeadline.isOverdue(joinedOn: joined, status: .pending, today: date("2026-11-01")))
        #expect(!ArchiveDeadline.isOverdue(joinedOn: date("2019-01-01"), status: .notUploaded, today: date("2026-11-01")))
    }
}

import Domain
import Foundation
import PDFInspection
import Persistence
import Testing

@testable import App
@testable import Persistence

@Suite("Page view models")
struct PagesViewModelTests {
    typealias F = PageFixtures

    @Test("/members: one status option per filter, in order, the chosen one selected")
    func statusOptions() {
        let options = MembersPage.statusOptions(selected: .unverified)
        #expect(options.map(\.value) == ["", "not_uploaded", "pending", "verified", "rejected", "unverified"])
        #expect(options.map(\.label) == ["全部", "尚未上传", "待审批", "已认证", "认证不通过", "身份尚未认证"])
        #expect(options.filter(\.selected).map(\.value) == ["unverified"])
        #expect(MembersPage.statusOptions(selected: .all).filter(\.selected).map(\.value) == [""])
    }

    @Test("/members: rows show masked ID numbers and mark old members 无需上传; the next page keeps the filter")
    func memberRows() {
        let row = MemberArchiveRow(member: F.record(), archiveID: nil, state: .notUploaded)
        let old = MemberArchiveRow(
            member: F.record(joinedOn: CivilDate(year: 2018, month: 5, day: 4)!), archiveID: nil, state: .notUploaded)
        let org = F.org(F.school, "计算机科学与技术学院团委")
        let page = MembersPage.make(
            org: org, orgs: [(org, 0)], status: .notUploaded, q: "", rows: [row, old], next: MemberListCursor(rawValue: "upc-cs-2020-1.p-c1-09"),
            today: CivilDate(year: 2026, month: 11, day: 25)!)
        #expect(page.rows.map(\.idNumber) == ["370***********1278", "370***********1278"])
        #expect(!page.rows.contains { $0.idNumber.contains(F.fullIDNumber) })
        #expect(page.rows[0].statusName == "尚未上传")
        #expect(page.rows[0].overdue)
        #expect(page.rows[1].statusName == "无需上传")
        #expect(page.rows[0].href == "/members/p-c1-03")
        #expect(page.next == "/members?org=upc-cs&status=not_uploaded&cursor=upc-cs-2020-1.p-c1-09")
        #expect(page.summary == "计算机科学与技术学院团委：本页 2 名团员")
    }

    static func memberPage(_ state: ArchiveState, status: ArchiveStatus, manage: Bool = true, review: Bool = false) -> MemberPage {
        MemberPage.make(
            F.record(), described: F.described(status: status), state: state,
            may: .init(manage: manage, review: review, seesNotice: true), names: .init(), policy: InspectionPolicy(), csrf: "t+k")
    }

    @Test("member page: the action offered follows the archive's state", arguments: [
        (ArchiveState.notUploaded, ArchiveStatus.notUploaded, "上传档案", false, false),
        (.rejected(latest: 1, verifiedVersion: nil), .rejected, "替换档案", false, false),
        (.changeApproved(version: 1), .verified, "上传修改后的档案", false, false),
        (.pending(latest: 1, resumes: .notUploaded, verifiedVersion: nil), .pending, nil, true, false),
        (.verified(version: 1), .verified, nil, false, true),
        (.changeRequested(version: 1), .verified, nil, false, false),
    ] as [(ArchiveState, ArchiveStatus, String?, Bool, Bool)])
    func memberActions(_ state: ArchiveState, _ status: ArchiveStatus, upload: String?, withdraw: Bool, change: Bool) {
        let page = Self.memberPage(state, status: status)
        #expect(page.upload?.label == upload)
        #expect((page.withdrawAction != nil) == withdraw)
        #expect((page.changeAction != nil) == change)
        #expect(page.idNumber == "370***********1278")
        if let upload = page.upload {
            #expect(upload.action == "/members/p-c1-03/archive?csrf=t%2Bk")
            #expect(upload.done == "/members/p-c1-03?done=uploaded")
            #expect(upload.pagesRule == "12页")
        }
        // Without the right to manage, no form at all.
        let viewer = Self.memberPage(state, status: status, manage: false)
        #expect(viewer.upload == nil && viewer.withdrawAction == nil && viewer.changeAction == nil)
    }

    @Test("member page: reviewers get the review link only while something waits for them; old members get no form")
    func memberReviewLink() {
        let pending = Self.memberPage(.pending(latest: 1, resumes: .notUploaded, verifiedVersion: nil), status: .pending, review: true)
        #expect(pending.reviewHref == "/inbox/archives/a-1")
        #expect(Self.memberPage(.changeRequested(version: 1), status: .verified, review: true).reviewHref == "/inbox/archives/a-1")
        #expect(Self.memberPage(.verified(version: 1), status: .verified, review: true).reviewHref == nil)
        let old = MemberPage.make(
            F.record(joinedOn: CivilDate(year: 2018, month: 5, day: 4)!), described: F.described(status: .notUploaded), state: .notUploaded,
            may: .init(manage: true, review: true, seesNotice: true), names: .init(), policy: InspectionPolicy(), csrf: "t")
        #expect(old.upload == nil)
        #expect(old.statusName == "无需上传")
    }

    @Test("review page: approve and reject labels and actions for an upload and for a change request")
    func reviewDecision() throws {
        let archive = ArchiveID(rawValue: "a-1")!
        let upload = try #require(ReviewPage.decision(for: archive, state: .pending(latest: 1, resumes: .notUploaded, verifiedVersion: nil)))
        #expect(upload.approveLabel == "审批通过")
        #expect(upload.rejectLabel == "不通过")
        #expect(upload.approveAction == "/inbox/archives/a-1/approve")
        #expect(upload.rejectAction == "/inbox/archives/a-1/reject")
        let change = try #require(ReviewPage.decision(for: archive, state: .changeRequested(version: 1)))
        #expect(change.approveLabel == "同意修改")
        #expect(change.rejectLabel == "驳回申请")
        #expect(change.approveAction == "/inbox/archives/a-1/change/approve")
        #expect(change.rejectAction == "/inbox/archives/a-1/change/reject")
        #expect(ReviewPage.decision(for: archive, state: .verified(version: 1)) == nil)
        #expect(ReviewPage.typeName(.changeRequested(version: 1)) == "团员电子档案修改申请")
    }

    @Test("review page: each thumbnail links its full-size image; ID numbers masked; closed when nothing waits")
    func reviewThumbnails() {
        let id = ArchiveID(rawValue: "a-1")!
        let version = ArchiveVersionRecord(
            archiveID: id, version: 2, sha256: String(repeating: "a", count: 64), bytes: 2048, pages: 12,
            uploadedBy: PersonID(rawValue: "p-c1-01")!, uploadedByOrg: F.branchID, uploadedAt: testNow, inspection: "{}")
        let archive = ArchiveRecord(
            id: id, memberID: PersonID(rawValue: "p-c1-03")!, state: .verified(version: 2), pendingSince: nil, reviewerOrgID: nil,
            revision: 1)
        let page = ReviewPage.make(archive, F.record(), shown: (version, orgName: "1班团支部"), openChange: nil, canReview: true, csrf: "t")
        #expect(page.thumbnails.count == 12)
        #expect(page.thumbnails[2].src == "/archives/a-1/versions/2/pages/3.png?w=200")
        #expect(page.thumbnails[2].full == "/archives/a-1/versions/2/pages/3.png?w=1200")
        #expect(page.idNumber == "370***********1278")
        #expect(page.closed)
        #expect(page.decision == nil)
        #expect(page.version?.memberHref == "/members/p-c1-03")
        #expect(page.version?.repair == nil)
    }

    @Test("ARC-6: the reviewer is told when the file had to be repaired to be read, with the parser's warning")
    func repairedFileIsShown() throws {
        var report = InspectionReport(accepted: true, refusal: nil, detectedType: "application/pdf", bytes: 2048, sha256: String(repeating: "a", count: 64))
        report.repaired = true
        report.warnings = 2
        report.repairReason = "offset 580: expected n n obj"
        let repaired = ArchiveVersionRecord(
            archiveID: ArchiveID(rawValue: "a-1")!, version: 1, sha256: report.sha256, bytes: 2048, pages: 12,
            uploadedBy: PersonID(rawValue: "p-c1-01")!, uploadedByOrg: F.branchID, uploadedAt: testNow,
            inspection: String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
        let repair = try #require(ReviewPage.repair(of: repaired))
        #expect(repair.notice.contains("已自动修复"))
        #expect(repair.notice.contains("2 处警告"))
        #expect(repair.detail == "offset 580: expected n n obj")
        report.repaired = false
        let clean = ArchiveVersionRecord(
            archiveID: repaired.archiveID, version: 1, sha256: report.sha256, bytes: 2048, pages: 12, uploadedBy: repaired.uploadedBy,
            uploadedByOrg: F.branchID, uploadedAt: testNow, inspection: String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
        #expect(ReviewPage.repair(of: clean) == nil)
    }

    @Test("ARC-12: each home alert links by its own kind, never by reading its message")
    func homeAlerts() {
        let org = F.org(F.school, "计算机科学与技术学院团委")
        // In an unusual order on purpose: each link follows its own alert's kind.
        let alerts = [ArchiveAlert(kind: .unverified, members: 2), ArchiveAlert(kind: .notUploaded, members: 1)]
        let counts = NewMemberCounts([
            MemberTally(joinedOn: CivilDate(year: 2021, month: 5, day: 4)!, identityVerified: true, archiveUploaded: true, members: 3),
            MemberTally(joinedOn: CivilDate(year: 2021, month: 5, day: 4)!, identityVerified: false, archiveUploaded: true, members: 1),
            MemberTally(joinedOn: CivilDate(year: 2021, month: 5, day: 4)!, identityVerified: false, archiveUploaded: false, members: 1),
        ])
        let page = HomePage.make(orgs: [org], shown: org, counts: counts, alerts: alerts, waitingCount: 100, moreWaiting: true)
        #expect(page.alerts.map(\.href) == ["/members?org=upc-cs&status=unverified", "/members?org=upc-cs&status=not_uploaded"])
        #expect(page.alerts.map(\.message) == ["组织内有团员身份尚未认证：2 人", "组织内有团员档案尚未上传：1 人"])
        #expect(page.waiting == "100+")
        #expect(page.unverified == 2)
        #expect(page.switcher == nil)
        let two = HomePage.make(
            orgs: [org, F.org(OrgID(rawValue: "nju")!, "南京大学团委")], shown: org,
            counts: NewMemberCounts([]), alerts: [], waitingCount: 0, moreWaiting: false)
        #expect(two.alerts.isEmpty)
        #expect(two.switcher?.orgs.map(\.selected) == [true, false])
    }

    @Test("inbox: tabs for all types, the current one active; next page keeps the type")
    func inboxTabs() {
        let page = InboxPage.make(type: .archiveApproval, items: [], nextCursor: "c&1")
        #expect(
            page.tabs.map(\.href) == [
                "/inbox", "/inbox?type=archive_approval", "/inbox?type=archive_change_request", "/inbox?type=admin_change",
                "/inbox?type=transfer_approval", "/inbox?type=branch_assignment", "/inbox?type=grading_review",
                "/inbox?type=grading_result", "/inbox?type=registration_approval",
            ])
        #expect(page.tabs.map(\.label).suffix(4) == ["分配团支部", "对标定级复核", "对标定级复核结果", "年度团籍注册审批"])
        #expect(page.tabs.map(\.active) == [false, true, false, false, false, false, false, false, false])
        #expect(page.next == "/inbox?type=archive_approval&cursor=c%261")
    }
}

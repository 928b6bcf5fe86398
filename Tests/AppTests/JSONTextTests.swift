import Domain
import Foundation
import Persistence
import Testing

@testable import App

/// `JSONText` must write what `JSONEncoder` writes, value for value: the member list is
/// written by hand and every other answer by `JSONEncoder`, and clients must not tell them apart.
@Suite("JSON written by hand")
struct JSONTextTests {
    /// The same JSON value (key order aside), compared as Foundation parses them.
    func sameValue(_ a: Data, _ b: Data) throws -> Bool {
        let x = try JSONSerialization.jsonObject(with: a, options: [.fragmentsAllowed]) as? NSObject
        let y = try JSONSerialization.jsonObject(with: b, options: [.fragmentsAllowed]) as? NSObject
        return x != nil && x == y
    }

    func written(_ page: Page<MemberResponse>) -> Data {
        var json = JSONText()
        json.object { json in
            json.key("items")
            json.array { json in for item in page.items { item.write(to: &json) } }
            json.field("nextCursor", page.nextCursor)
        }
        return Data(json.buffer.readableBytesView)
    }

    func record(name: String, developmentNumber: String?, joinedOn: String, branchName: String, status: IdentityCheckStatus) throws
        -> MemberRecord
    {
        let today = CivilDate(year: 2026, month: 12, day: 1)!
        let member = Member(
            personID: PersonID(unchecked: "p-json-1"), name: name, idNumber: try IDNumber("37021120020315123X", today: today),
            branchID: OrgID(unchecked: "b-1"), joinedOn: CivilDate(iso: joinedOn)!,
            developmentNumber: developmentNumber.flatMap(DevelopmentNumber.init))
        return MemberRecord(
            member: member,
            branch: OrgPlacement(
                id: OrgID(unchecked: "b-1"), path: OrgPath([OrgID(unchecked: "root"), OrgID(unchecked: "b-1")]), category: .branch,
                upperCommitteeID: OrgID(unchecked: "root")),
            branchName: branchName, identityStatus: status)
    }

    @Test("a member page: escapes, Chinese, absent optionals and the cursor match JSONEncoder's")
    func memberPage() throws {
        let awkward = "引号\"反斜杠\\换行\n制表\t回车\r\u{0001}\u{001F}退格\u{0008}换页\u{000C}/斜杠 😀 \u{2028}"
        let today = CivilDate(year: 2026, month: 12, day: 1)!
        let pages: [Page<MemberResponse>] = [
            Page(
                items: [
                    MemberResponse(
                        try record(name: awkward, developmentNumber: "2020370200101", joinedOn: "2020-05-04", branchName: "计算机学院2020级1班团支部",
                            status: .passed), showFullIDNumber: false, today: today),
                    MemberResponse(
                        try record(name: "杨帆", developmentNumber: nil, joinedOn: "2015-05-04", branchName: awkward, status: .unverified),
                        showFullIDNumber: true, today: nil),
                ], nextCursor: "p-json-1"),
            Page(items: [], nextCursor: nil),
        ]
        for page in pages {
            let encoded = try JSONEncoder.api.encode(page)
            let hand = written(page)
            #expect(try sameValue(encoded, hand), "\(String(decoding: hand, as: UTF8.self))")
        }
        // Absent, not null, where JSONEncoder leaves a nil out.
        let last = String(decoding: written(pages[1]), as: UTF8.self)
        #expect(last == #"{"items":[]}"#)
        let second = String(decoding: written(Page(items: [pages[0].items[1]], nextCursor: nil)), as: UTF8.self)
        #expect(!second.contains("developmentNumber") && !second.contains("overAge"))
    }

    @Test("an import's answer: members, failed rows with their reasons, and next match JSONEncoder's")
    func importAnswer() throws {
        let today = CivilDate(year: 2026, month: 12, day: 1)!
        let awkward = "引号\"反斜杠\\换行\n"
        let member = try record(name: awkward, developmentNumber: "2022370200101", joinedOn: "2022-05-04", branchName: "2班团支部", status: .unverified)
        var outcome = ImportWorkflow.MemberOutcome()
        outcome.created = [member]
        outcome.newMembers = [member]
        outcome.failed = [
            ImportWorkflow.FailedRow(row: 7, reasons: ["手机号码应为11位数字", awkward]), ImportWorkflow.FailedRow(row: 12, reasons: []),
        ]
        let answers = [
            MemberImportResponse(outcome, org: OrgID(unchecked: "b-1"), today: today),
            MemberImportResponse(ImportWorkflow.MemberOutcome(), org: OrgID(unchecked: "b-1"), today: today),
        ]
        for answer in answers {
            var json = JSONText()
            answer.write(to: &json)
            let hand = Data(json.buffer.readableBytesView)
            #expect(try sameValue(try JSONEncoder.api.encode(answer), hand), "\(String(decoding: hand, as: UTF8.self))")
        }
    }

    @Test("an entry's audit detail is what JSONEncoder with sorted keys writes")
    func entryDetail() {
        let detail = MemberRecordWorkflow.entryDetail(branch: OrgID(unchecked: "upc-cs-2020-2"), joinedOn: CivilDate(year: 2022, month: 5, day: 4)!)
        #expect(detail == MemberRecordWorkflow.json(["branch": "upc-cs-2020-2", "joinedOn": "2022-05-04"]))
    }
}

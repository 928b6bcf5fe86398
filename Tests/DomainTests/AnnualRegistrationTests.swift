import Domain
import Testing

@Suite("Annual registration 年度团籍注册 (ACT-1)")
struct AnnualRegistrationTests {
    @Test("ACT-1: submitted, it waits; approved, it is final; sent back with a reason, the member reports again")
    func transitions() throws {
        let (pending, submitted) = try AnnualRegistrationState.notSubmitted.on(.submit(summary: "  按时参加组织生活  "))
        #expect(pending == .pending)
        #expect(submitted == .recordSubmission(summary: "按时参加组织生活"))
        #expect(throws: RegistrationProblem.alreadyPending) { try pending.on(.submit(summary: "再交一次")) }

        let (rejected, sentBack) = try pending.on(.reject(reason: "总结过于简略"))
        #expect(rejected == .rejected(reason: "总结过于简略"))
        #expect(sentBack == .recordDecision(approved: false, reason: "总结过于简略"))
        #expect(throws: RegistrationProblem.notPending) { try rejected.on(.approve) }
        let (again, _) = try rejected.on(.submit(summary: "补充了团费交纳和志愿服务情况"))
        #expect(again == .pending)

        let (approved, decision) = try again.on(.approve)
        #expect(approved == .approved)
        #expect(decision == .recordDecision(approved: true, reason: nil))
        for event: AnnualRegistrationState.Event in [.submit(summary: "x"), .approve, .reject(reason: "x")] {
            #expect(throws: RegistrationProblem.alreadyApproved) { try approved.on(event) }
        }
        #expect(throws: RegistrationProblem.notPending) { try AnnualRegistrationState.notSubmitted.on(.approve) }
    }

    @Test("ACT-1: a report needs a summary and a sending-back a reason, both as free text")
    func texts() {
        #expect(throws: RegistrationProblem.summaryRequired) { try AnnualRegistrationState.notSubmitted.on(.submit(summary: " \n ")) }
        #expect(throws: RegistrationProblem.reasonRequired) { try AnnualRegistrationState.pending.on(.reject(reason: "  ")) }
        #expect(throws: RegistrationProblem.self) { try AnnualRegistrationState.notSubmitted.on(.submit(summary: "a\u{0}b")) }
        #expect(throws: RegistrationProblem.self) {
            try AnnualRegistrationState.pending.on(.reject(reason: String(repeating: "长", count: 501)))
        }
    }

    @Test("ACT-1: this year and the one just ended are open; no other year")
    func years() throws {
        let today = CivilDate(year: 2026, month: 1, day: 10)!
        #expect(AnnualRegistrationRules.openYears(today: today) == 2025...2026)
        try AnnualRegistrationRules.checkYear(2025, today: today)
        try AnnualRegistrationRules.checkYear(2026, today: today)
        #expect(throws: RegistrationProblem.yearClosed(year: 2024, open: 2025...2026)) {
            try AnnualRegistrationRules.checkYear(2024, today: today)
        }
        #expect(throws: RegistrationProblem.yearClosed(year: 2027, open: 2025...2026)) {
            try AnnualRegistrationRules.checkYear(2027, today: today)
        }
    }
}

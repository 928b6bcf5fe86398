import Foundation
import Logging
import Persistence
import ServiceLifecycle

/// Every rule that fires with time, as of one instant: TRF-7's default approval, TRF-6's
/// return, GRD-4's June-1 conversion, GRA-4's 12-31 12:00 grading lock.
struct CalendarRules: Sendable {
    let transfers: TransferWorkflow
    let graduation: GraduationWorkflow
    let grading: GradingWorkflow
    /// This process, as the sweep lease names it.
    var holder = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString)"
    /// The lease coordinates processes, so it runs on the machine's clock, never on the rules'
    /// instant: an operator's `rules run --at` a year ahead must not hold off the server's sweeps.
    var leaseClock: any TimeSource = SystemTimeSource()

    static let lease = "calendar_rules"
    /// Far longer than a sweep takes; an instance that dies mid-sweep holds off the others this long.
    static let leaseMilliseconds: Int64 = 10 * 60 * 1000

    /// What one run decided.
    struct Outcome: Sendable, Equatable {
        var autoApproved = 0
        var returned = 0
        var branchesConverted = 0
        var membersGraduated = 0
        var gradingYearsLocked = 0
        /// Another instance held the sweep lease, so this run looked at nothing.
        var skipped = false

        var decisions: Int { autoApproved + returned + branchesConverted + membersGraduated + gradingYearsLocked }
        var decidedAnything: Bool { decisions > 0 }
    }

    /// One sweep, when no other instance is sweeping (decisions are guarded by revisions and keys
    /// anyway; the lease spares the database a second instance doing the same reads and losing).
    func run(at now: Timestamp) async throws -> Outcome {
        let leases = transfers.database.repositories.sweepLeases
        let start = leaseClock.now().millisecondsSinceEpoch
        guard try await leases.acquire(Self.lease, holder: holder, now: start, until: start + Self.leaseMilliseconds) else {
            Telemetry.sweep(skipped: true, decided: 0)
            return Outcome(skipped: true)
        }
        do {
            // Graduation first: a member who graduates today is a graduate for today's transfers.
            let graduated = try await graduation.sweep(at: now)
            let swept = try await transfers.sweep(at: now)
            let locked = try await grading.sweep(at: now)
            try await leases.release(Self.lease, holder: holder)
            let outcome = Outcome(
                autoApproved: swept.autoApproved, returned: swept.returned, branchesConverted: graduated.branchesConverted,
                membersGraduated: graduated.membersGraduated, gradingYearsLocked: locked)
            Telemetry.sweep(skipped: false, decided: outcome.decisions)
            return outcome
        } catch {
            try? await leases.release(Self.lease, holder: holder)
            throw error
        }
    }
}

/// Runs the calendar rules at start-up and then every `interval`, until shutdown. The timer
/// only says when to look: what is due is read from the database, so a restart or a second
/// instance neither loses nor repeats a decision.
struct RuleSweepService: Service {
    let rules: CalendarRules
    let clock: any TimeSource
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // Shutdown cancels the sleep; that is the way out, not a failure of the service.
        do { try await sweepUntilShutdown() } catch is CancellationError {}
    }

    private func sweepUntilShutdown() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let outcome = try await rules.run(at: clock.now())
                    if outcome.decidedAnything {
                        logger.info(
                            "calendar rules",
                            metadata: [
                                "auto_approved": "\(outcome.autoApproved)", "returned": "\(outcome.returned)",
                                "branches_graduated": "\(outcome.branchesConverted)", "members_graduated": "\(outcome.membersGraduated)",
                                "grading_years_locked": "\(outcome.gradingYearsLocked)",
                            ])
                    }
                } catch is CancellationError {
                    return
                } catch {
                    // The next round tries again; nothing was half-written (each decision is a transaction).
                    logger.error("calendar rules failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}

/// `zhtj rules run --at`: the calendar rules as of `instant`, once, on the configured
/// database (for operators catching up by hand, and for tests walking through a school year).
public func runCalendarRules(config: AppConfig, at instant: Timestamp, logger: Logger) async throws -> CalendarRuleOutcome {
    let database = try await openDatabase(config: config, logger: logger)
    do {
        try await Migrator(database: database, logger: logger).migrate()
        let clock = FixedTimeSource(instant)
        let rules = CalendarRules(
            transfers: TransferWorkflow(database: database, clock: clock), graduation: GraduationWorkflow(database: database, clock: clock),
            grading: GradingWorkflow(database: database, clock: clock))
        // An operator's run waits its turn behind another instance's sweep (they are short),
        // rather than doing nothing; after 30 s it says so.
        var outcome = try await rules.run(at: instant)
        for _ in 0..<60 where outcome.skipped {
            try await Task.sleep(for: .milliseconds(500))
            outcome = try await rules.run(at: instant)
        }
        try await database.close()
        return CalendarRuleOutcome(
            autoApproved: outcome.autoApproved, returned: outcome.returned, branchesGraduated: outcome.branchesConverted,
            membersGraduated: outcome.membersGraduated, gradingYearsLocked: outcome.gradingYearsLocked, skipped: outcome.skipped)
    } catch {
        try? await database.close()
        throw error
    }
}

/// What `zhtj rules run` decided.
public struct CalendarRuleOutcome: Sendable, Equatable {
    public let autoApproved: Int
    public let returned: Int
    public let branchesGraduated: Int
    public let membersGraduated: Int
    /// GRA-4: grading years whose 12-31 12:00 lock this run recorded.
    public let gradingYearsLocked: Int
    /// Another instance was sweeping at that moment: nothing was looked at; run it again later.
    public let skipped: Bool
}

/// An ISO-8601 instant as operators type it: `2027-06-01T00:00:00+08:00`, `…Z`, with or
/// without fractional seconds.
public func parseInstant(_ text: String) -> Timestamp? {
    let plain = ISO8601DateFormatter()
    if let date = plain.date(from: text) { return Timestamp(date) }
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return fractional.date(from: text).map(Timestamp.init)
}

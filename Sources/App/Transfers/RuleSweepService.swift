import Foundation
import Logging
import Persistence
import ServiceLifecycle

/// Runs the calendar rules (`TransferWorkflow.sweep`) at start-up and then every `interval`,
/// until shutdown. The timer only says when to look: what is due is read from the database,
/// so a restart or a second instance neither loses nor repeats a decision.
struct RuleSweepService: Service {
    let transfers: TransferWorkflow
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
                    let outcome = try await transfers.sweep(at: clock.now())
                    if outcome.autoApproved + outcome.returned > 0 {
                        logger.info(
                            "calendar rules", metadata: ["auto_approved": "\(outcome.autoApproved)", "returned": "\(outcome.returned)"])
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
public func runCalendarRules(config: AppConfig, at instant: Timestamp, logger: Logger) async throws -> (autoApproved: Int, returned: Int) {
    let database = try await openDatabase(config: config, logger: logger)
    do {
        try await Migrator(database: database, logger: logger).migrate()
        let outcome = try await TransferWorkflow(database: database, clock: FixedTimeSource(instant)).sweep(at: instant)
        try await database.close()
        return (outcome.autoApproved, outcome.returned)
    } catch {
        try? await database.close()
        throw error
    }
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

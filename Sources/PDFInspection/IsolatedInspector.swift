#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Inspects uploads in a child process (`zhtj-inspect inspect --json …`) so that qpdf, poppler
/// and libmagic never parse untrusted bytes inside the server (ARC-2).
///
/// The child limits its own CPU time and address space (`setrlimit`) before reading the file;
/// the parent enforces the wall clock (SIGKILL), caps what the child may print, and turns every
/// way the child can fail — a crash, a kill, a timeout, garbage on stdout — into a `damaged`
/// refusal whose `failure` says what happened. The one exception is a child the wall clock
/// stopped while it had used under half that time on the CPU (`starved`): the host was too busy
/// to judge the file, which is refused as inspection unavailable, to be tried again. Waiting happens on a dedicated thread, never on
/// the cooperative pool or an event loop; at most `queue.limits.concurrency` children run at
/// once, and the rest wait in an ``InspectionQueue``: bounded, and fair between lanes (orgs).
public struct IsolatedInspector: Sendable {
    /// What one child may spend.
    public struct Limits: Sendable, Equatable, Codable {
        /// CPU time (RLIMIT_CPU); the kernel ends the child with SIGXCPU.
        public var cpuSeconds: Int
        /// Address space (RLIMIT_AS); allocations beyond it fail and poppler aborts.
        public var memoryBytes: Int
        /// Real time from spawn to exit; the parent kills the child with SIGKILL after it. Time
        /// spent queued behind other inspections does not count.
        public var wallSeconds: Double

        // Measured by scripts/measure-inspector on 2026-12-02 (release zhtj-inspect, 2 shared
        // AMD EPYC cores under other builds, Debian bookworm: qpdf 11.3.0, poppler 22.12.0,
        // file 5.44): all 44 corpus files inspected with the server's arguments, and pages 1–12
        // of every file the child opens rendered at 1200 px, plus a generated 12-page 19 MiB scan.
        //
        //   inspect  45 runs  worst 0.96 s wall, 0.96 s CPU  (bug_325_a.pdf, refused damaged)
        //   render  118 runs  worst 0.63 s wall, 0.63 s CPU  (pclm-in.pdf page 1; the 19 MiB
        //                     scan's pages 0.59 s)
        //
        // The one render that never ends (shared-unnamed-field.pdf, a loop in poppler's form
        // code) is the hostile case the limits are for, not real work.

        /// CPU seconds a child gets by default: about 4× the worst real file measured (see
        /// ``measuredWorstCase``), so a file that spins is stopped in seconds, not after 20.
        public static let defaultCPUSeconds = 4
        /// Wall-clock seconds a child gets by default, about 6× the worst real case: above the
        /// CPU limit, because a child also waits for the disk and shares two cores with the
        /// server and the other children.
        public static let defaultWallSeconds: Double = 6
        /// The worst real case `scripts/measure-inspector` found (2026-12-02), inspection and
        /// rendering alike; the defaults above keep a margin of 4–6× over it.
        public static let measuredWorstCase = (wallSeconds: 0.96, cpuSeconds: 0.96)

        public init(
            cpuSeconds: Int = Limits.defaultCPUSeconds, memoryBytes: Int = 1 << 30,
            wallSeconds: Double = Limits.defaultWallSeconds
        ) {
            self.cpuSeconds = cpuSeconds
            self.memoryBytes = memoryBytes
            self.wallSeconds = wallSeconds
        }
    }

    /// Why a render in the child failed.
    public enum RenderFailure: Error, Equatable, CustomStringConvertible {
        /// The child ran but could not render (detail from its stderr).
        case failed(String)
        /// The child misbehaved: `timeout`, `starved`, `cpu`, `memory`, `crashed(SIGSEGV)`, …
        case child(String)
        /// No child was started: the queue is full (renders wait unbounded today, so this is
        /// for a caller with a bounded render lane).
        case busy(InspectionQueueFull)

        public var description: String {
            switch self {
            case .failed(let detail): "render failed: \(detail)"
            case .child(let failure): "render child failed: \(failure)"
            case .busy(let full): "render not started: queue full (\(full.bound.rawValue))"
            }
        }
    }

    /// The `zhtj-inspect` (or `zhtj`) binary (absolute, or relative to the working directory).
    public let executable: String
    /// What each child may spend.
    public let limits: Limits
    /// Where inspections and renders wait for a child slot.
    public let queue: InspectionQueue

    /// JSON reports are small (kilobytes for a 12-page form); more than this is not a report.
    static let reportOutputLimit = 8 * 1024 * 1024
    /// A PNG of a page at most 4096 pixels wide.
    static let renderOutputLimit = 64 * 1024 * 1024

    /// - Parameters:
    ///   - executable: `zhtj-inspect`, usually the one beside the server's binary; a `zhtj`
    ///     works too (its `inspect` subcommand takes the same arguments, and starts slower).
    ///   - maximumConcurrentChildren: inspections beyond this wait (suspended, not blocking),
    ///     without a bound.
    public init(
        executable: String, limits: Limits = Limits(),
        maximumConcurrentChildren: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.init(executable: executable, limits: limits, queue: .unbounded(concurrency: maximumConcurrentChildren))
    }

    /// - Parameters:
    ///   - queue: how many children run at once, and how many callers may wait (in all, and
    ///     per lane) before ``inspect(fileAt:policy:sha256:lane:)`` refuses with
    ///     ``InspectionQueueFull``.
    public init(executable: String, limits: Limits = Limits(), queue: InspectionQueue.Limits) {
        self.executable = executable
        self.limits = limits
        self.queue = InspectionQueue(limits: queue, retryAfterSeconds: Int(limits.wallSeconds.rounded(.up)))
    }

    /// The lane renders wait in: page images are one lane beside the orgs' uploads, taking
    /// their turn with them but never refused for a full queue (a review page asks for twelve
    /// at once, and each is rendered once and cached).
    public static let renderLane = "render"
    /// The lane of callers that name none.
    public static let defaultLane = "default"

    /// The arguments the child is run with (after the executable; `zhtj-inspect` skips the
    /// leading `inspect`, `zhtj` needs it), e.g.
    /// `inspect --json --max-bytes 20971520 --min-pages 12 --max-pages 12 --limit-cpu 20
    /// --limit-memory 1073741824 -- FILE`.
    public func inspectArguments(fileAt path: String, policy: InspectionPolicy) -> [String] {
        inspectArguments(fileAt: path, policy: policy, sha256: nil)
    }

    /// As ``inspectArguments(fileAt:policy:)``, with `--sha256 HEX` when `sha256` is 64 hex
    /// digits (lower-cased); any other value is left out, and the child hashes the file itself.
    public func inspectArguments(fileAt path: String, policy: InspectionPolicy, sha256: String?) -> [String] {
        var arguments = [
            "inspect", "--json",
            "--max-bytes", String(policy.maximumBytes),
            "--min-pages", String(policy.pageRange.lowerBound),
            "--max-pages", String(policy.pageRange.upperBound),
        ]
        if policy.acceptsImages { arguments += ["--images", "--max-image-pixels", String(policy.maximumImagePixels)] }
        if let sha256, PDFInspector.isSHA256Hex(sha256) { arguments += ["--sha256", sha256.lowercased()] }
        return arguments + limitArguments + ["--", path]
    }

    /// `inspect --render-page N --width W --output - …limits -- FILE`.
    public func renderArguments(fileAt path: String, page: Int, maxWidth: Int, maximumBytes: Int) -> [String] {
        [
            "inspect", "--render-page", String(page), "--width", String(maxWidth), "--output", "-",
            "--max-bytes", String(maximumBytes),
        ] + limitArguments + ["--", path]
    }

    private var limitArguments: [String] {
        ["--limit-cpu", String(limits.cpuSeconds), "--limit-memory", String(limits.memoryBytes)]
    }

    /// Inspects the file in a child process. Never throws: every outcome is a report.
    ///
    /// Empty and over-size files are refused here from `stat` alone, before any child starts, so
    /// a hostile huge file is never parsed (nor hashed: its `sha256` is empty).
    public func inspect(fileAt path: String, policy: InspectionPolicy) async -> InspectionReport {
        await inspect(fileAt: path, policy: policy, sha256: nil)
    }

    /// As ``inspect(fileAt:policy:)``, for a caller that already knows the content's SHA-256
    /// (the upload path hashes while it receives): `sha256`, lower-case hex, is passed to the
    /// child as `--sha256`, which reports it as the file's hash instead of reading all of the
    /// file again to compute it. The child does not check it — it is the caller's own hash of
    /// the file the caller wrote, and the caller stores what it hashed; a wrong value would
    /// simply be reported back. Nil, or anything but 64 hex digits, and the child hashes the
    /// file itself. The empty-file report always carries the hash of no bytes, and an over-size
    /// file's report none.
    public func inspect(fileAt path: String, policy: InspectionPolicy, sha256 knownSHA256: String?) async
        -> InspectionReport
    {
        do {
            return try await inspect(fileAt: path, policy: policy, sha256: knownSHA256, lane: Self.defaultLane)
        } catch {
            return failureReport(
                bytes: 0, failure: "queue_full", detail: "\(error.bound.rawValue) bound reached", refusal: .inspectionUnavailable)
        }
    }

    /// As ``inspect(fileAt:policy:sha256:)``, waiting for a child slot in `lane` (the uploading
    /// org): lanes are served in turn, so one org's burst does not hold up another org's file.
    /// A task cancelled while it waits or while its child runs gets a `cancelled` report (the
    /// child is killed).
    ///
    /// - Throws: ``InspectionQueueFull`` when the queue, or the lane's share of it, is full; the
    ///   file was not looked at.
    public func inspect(fileAt path: String, policy: InspectionPolicy, sha256 knownSHA256: String?, lane: String)
        async throws(InspectionQueueFull) -> InspectionReport
    {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            let problem = String(cString: strerror(errno))
            return failureReport(
                bytes: 0, failure: "io", detail: "cannot stat \(path): \(problem)", refusal: .damaged)
        }
        let size = Int(info.st_size)
        if size == 0 { return PDFInspector.emptyReport() }
        if size > policy.maximumBytes { return PDFInspector.tooLargeReport(bytes: size, policy: policy) }

        let outcome = try await runChild(
            arguments: inspectArguments(fileAt: path, policy: policy, sha256: knownSHA256),
            outputLimit: Self.reportOutputLimit, lane: lane)
        return report(from: outcome, bytes: size)
    }

    /// Renders page `page` (1-based) to PNG in a child process, under the same limits.
    public func render(
        fileAt path: String, page: Int, maxWidth: Int, maximumBytes: Int = InspectionPolicy().maximumBytes
    ) async throws(RenderFailure) -> Data {
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await runChild(
                arguments: renderArguments(fileAt: path, page: page, maxWidth: maxWidth, maximumBytes: maximumBytes),
                outputLimit: Self.renderOutputLimit, lane: Self.renderLane)
        } catch {
            throw .busy(error)
        }
        if case .exited(0) = outcome.termination, outcome.stdout.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            return Data(outcome.stdout)
        }
        if case .exited = outcome.termination {
            throw .failed(PlainText.trimmed(String(decoding: outcome.stderr, as: UTF8.self)))
        }
        throw .child(Self.classify(outcome).failure)
    }

    // MARK: - Running the child

    private func runChild(arguments: [String], outputLimit: Int, lane: String) async throws(InspectionQueueFull)
        -> ChildProcess.Outcome
    {
        let cancelled = ChildProcess.Outcome(termination: .cancelled, stdout: [], stderr: [], elapsedSeconds: 0)
        do {
            try await queue.acquire(lane: lane, bounded: lane != Self.renderLane)
        } catch let full as InspectionQueueFull {
            throw full
        } catch {
            return cancelled
        }
        if Task.isCancelled {
            queue.release()
            return cancelled
        }
        let child = ChildProcess()
        var environment = ProcessInfo.processInfo.environment
        // A crashing child should die at once, not spend seconds symbolicating a backtrace.
        environment["SWIFT_BACKTRACE"] = "enable=no"
        // glibc reserves 64 MiB of address space per malloc arena; keep RLIMIT_AS for the file.
        environment["MALLOC_ARENA_MAX"] = "2"
        let executable = executable
        let childEnvironment = environment
        let wallSeconds = limits.wallSeconds
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ChildProcess.Outcome, Never>) in
                // A serial queue of its own runs on libdispatch's overcommitting pool: a thread
                // that blocks in poll and waitpid never holds back the cooperative pool.
                DispatchQueue(label: "zhtj-inspect-wait").async {
                    continuation.resume(
                        returning: child.run(
                            executable: executable, arguments: arguments, environment: childEnvironment,
                            wallSeconds: wallSeconds, stdoutLimit: outputLimit))
                }
            }
        } onCancel: {
            child.cancel()
        }
        queue.release()
        return outcome
    }

    /// Decodes the child's report, or explains why there is none.
    func report(from outcome: ChildProcess.Outcome, bytes: Int) -> InspectionReport {
        if case .exited(let status) = outcome.termination, status == 0 || status == 1,
            let report = try? JSONDecoder().decode(InspectionReport.self, from: Data(outcome.stdout)),
            report.accepted == (report.refusal == nil), report.accepted == (status == 0)
        {
            return report
        }
        let classified = Self.classify(outcome)
        return failureReport(bytes: bytes, failure: classified.failure, detail: classified.detail, refusal: classified.refusal)
    }

    private func failureReport(bytes: Int, failure: String, detail: String?, refusal: Refusal) -> InspectionReport {
        InspectionReport(
            accepted: false, refusal: refusal, detectedType: "application/octet-stream", bytes: bytes, sha256: "",
            failure: failure, failureDetail: detail)
    }


    /// Names what went wrong with a child that produced no usable report.
    static func classify(_ outcome: ChildProcess.Outcome) -> (failure: String, detail: String?, refusal: Refusal) {
        let stderr = String(decoding: outcome.stderr, as: UTF8.self)
        let tail = stderr.isEmpty ? nil : PlainText.trimmed(stderr.suffix(2000))
        let elapsed = "after \(PlainText.oneDecimal(outcome.elapsedSeconds)) s"
        func joined(_ parts: String?...) -> String { parts.compactMap { $0 }.joined(separator: "; ") }
        // What poppler, glib, libstdc++, cairo and the Swift runtime print when malloc fails.
        let memoryMarkers = ["out of memory", "bad_alloc", "failed to allocate", "cannot allocate", "could not allocate"]
        let lowered = stderr.lowercased()
        let ranOutOfMemory = memoryMarkers.contains { lowered.contains($0) }

        switch outcome.termination {
        case .timedOut where outcome.cpuSeconds < outcome.elapsedSeconds / 2:
            // The wall clock ran out while the child mostly waited for a core or the disk: the
            // host was too busy, and the same file may well pass in a moment.
            return ("starved", joined(elapsed, "cpu \(PlainText.oneDecimal(outcome.cpuSeconds)) s", tail), .inspectionUnavailable)
        case .timedOut:
            return ("timeout", joined(elapsed, "cpu \(PlainText.oneDecimal(outcome.cpuSeconds)) s", tail), .timedOut)
        case .signalled(SIGXCPU):
            return ("cpu", joined(elapsed, tail), .timedOut)
        case .signalled(let signal) where ranOutOfMemory:
            return ("memory", joined("signal \(signalName(signal))", elapsed, tail), .memoryExhausted)
        case .signalled(let signal):
            return ("crashed(\(signalName(signal)))", joined(elapsed, tail), .damaged)
        case .exited(let status) where ranOutOfMemory:
            return ("memory", joined("exit \(status)", elapsed, tail), .memoryExhausted)
        case .exited(InspectorCommand.Status.limits):
            // The child could not put its limits or its write ban on itself and read nothing:
            // the host is at fault, not the file.
            return ("limits", joined(elapsed, tail), .inspectionUnavailable)
        case .exited(let status) where status == 0 || status == 1:
            let output = String(decoding: outcome.stdout.prefix(200), as: UTF8.self)
            return ("bad_output", joined(elapsed, "stdout: \(output)", tail), .damaged)
        case .exited(let status):
            return ("exit(\(status))", joined(elapsed, tail), .damaged)
        case .outputTooLarge:
            return ("output_too_large", joined(elapsed, tail), .damaged)
        case .cancelled:
            return ("cancelled", elapsed, .inspectionUnavailable)
        case .spawnFailed(let code):
            return ("spawn_failed", String(cString: strerror(code)), .inspectionUnavailable)
        case .pollFailed(let code):
            return ("poll_failed", joined(String(cString: strerror(code)), elapsed), .inspectionUnavailable)
        }
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        case SIGILL: "SIGILL"
        case SIGFPE: "SIGFPE"
        case SIGKILL: "SIGKILL"
        case SIGXCPU: "SIGXCPU"
        case SIGTRAP: "SIGTRAP"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}

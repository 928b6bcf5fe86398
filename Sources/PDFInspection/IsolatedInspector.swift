import Foundation

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
/// refusal whose `failure` says what happened. Waiting happens on a dedicated thread, never on
/// the cooperative pool or an event loop; at most `maximumConcurrentChildren` children run at
/// once (a burst of uploads queues rather than forking a process each).
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

        public init(cpuSeconds: Int = 20, memoryBytes: Int = 1 << 30, wallSeconds: Double = 30) {
            self.cpuSeconds = cpuSeconds
            self.memoryBytes = memoryBytes
            self.wallSeconds = wallSeconds
        }
    }

    /// Why a render in the child failed.
    public enum RenderFailure: Error, Equatable, CustomStringConvertible {
        /// The child ran but could not render (detail from its stderr).
        case failed(String)
        /// The child misbehaved: `timeout`, `cpu`, `memory`, `crashed(SIGSEGV)`, …
        case child(String)

        public var description: String {
            switch self {
            case .failed(let detail): "render failed: \(detail)"
            case .child(let failure): "render child failed: \(failure)"
            }
        }
    }

    /// The `zhtj-inspect` (or `zhtj`) binary (absolute, or relative to the working directory).
    public let executable: String
    /// What each child may spend.
    public let limits: Limits
    private let gate: ConcurrencyGate

    /// JSON reports are small (kilobytes for a 12-page form); more than this is not a report.
    static let reportOutputLimit = 8 * 1024 * 1024
    /// A PNG of a page at most 4096 pixels wide.
    static let renderOutputLimit = 64 * 1024 * 1024

    /// - Parameters:
    ///   - executable: `zhtj-inspect`, usually the one beside the server's binary; a `zhtj`
    ///     works too (its `inspect` subcommand takes the same arguments, and starts slower).
    ///   - maximumConcurrentChildren: inspections beyond this wait (suspended, not blocking).
    public init(
        executable: String, limits: Limits = Limits(),
        maximumConcurrentChildren: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.executable = executable
        self.limits = limits
        self.gate = ConcurrencyGate(permits: max(1, maximumConcurrentChildren))
    }

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
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            let problem = String(cString: strerror(errno))
            return failureReport(
                bytes: 0, failure: "io", detail: "cannot stat \(path): \(problem)", refusal: .damaged)
        }
        let size = Int(info.st_size)
        if size == 0 { return PDFInspector.emptyReport() }
        if size > policy.maximumBytes { return PDFInspector.tooLargeReport(bytes: size, policy: policy) }

        let outcome = await runChild(
            arguments: inspectArguments(fileAt: path, policy: policy, sha256: knownSHA256),
            outputLimit: Self.reportOutputLimit)
        return report(from: outcome, bytes: size)
    }

    /// Renders page `page` (1-based) to PNG in a child process, under the same limits.
    public func render(
        fileAt path: String, page: Int, maxWidth: Int, maximumBytes: Int = InspectionPolicy().maximumBytes
    ) async throws(RenderFailure) -> Data {
        let outcome = await runChild(
            arguments: renderArguments(fileAt: path, page: page, maxWidth: maxWidth, maximumBytes: maximumBytes),
            outputLimit: Self.renderOutputLimit)
        if case .exited(0) = outcome.termination, outcome.stdout.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            return Data(outcome.stdout)
        }
        if case .exited = outcome.termination {
            throw .failed(String(decoding: outcome.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        throw .child(Self.classify(outcome).failure)
    }

    // MARK: - Running the child

    private func runChild(arguments: [String], outputLimit: Int) async -> ChildProcess.Outcome {
        await gate.acquire()
        if Task.isCancelled {
            gate.release()
            return ChildProcess.Outcome(termination: .cancelled, stdout: [], stderr: [], elapsedSeconds: 0)
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
                let thread = Thread {
                    continuation.resume(
                        returning: child.run(
                            executable: executable, arguments: arguments, environment: childEnvironment,
                            wallSeconds: wallSeconds, stdoutLimit: outputLimit))
                }
                thread.name = "zhtj-inspect-wait"
                thread.start()
            }
        } onCancel: {
            child.cancel()
        }
        gate.release()
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
        let tail = stderr.isEmpty ? nil : String(stderr.suffix(2000)).trimmingCharacters(in: .whitespacesAndNewlines)
        let elapsed = String(format: "after %.1f s", outcome.elapsedSeconds)
        func joined(_ parts: String?...) -> String { parts.compactMap { $0 }.joined(separator: "; ") }
        // What poppler, glib, libstdc++, cairo and the Swift runtime print when malloc fails.
        let memoryMarkers = ["out of memory", "bad_alloc", "failed to allocate", "cannot allocate", "could not allocate"]
        let lowered = stderr.lowercased()
        let ranOutOfMemory = memoryMarkers.contains { lowered.contains($0) }

        switch outcome.termination {
        case .timedOut:
            return ("timeout", joined(elapsed, tail), .timedOut)
        case .signalled(SIGXCPU):
            return ("cpu", joined(elapsed, tail), .timedOut)
        case .signalled(let signal) where ranOutOfMemory:
            return ("memory", joined("signal \(signalName(signal))", elapsed, tail), .memoryExhausted)
        case .signalled(let signal):
            return ("crashed(\(signalName(signal)))", joined(elapsed, tail), .damaged)
        case .exited(let status) where ranOutOfMemory:
            return ("memory", joined("exit \(status)", elapsed, tail), .memoryExhausted)
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

/// A counting semaphore for async callers: `acquire` suspends (never blocks a thread) while
/// every permit is out.
final class ConcurrencyGate: Sendable {
    private let state: Mutex

    init(permits: Int) {
        state = Mutex(permits: permits)
    }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if state.takePermitOrEnqueue(continuation) { continuation.resume() }
        }
    }

    func release() {
        state.releasePermit()?.resume()
    }

    /// NSLock-guarded state; `@unchecked` because the lock is what makes it safe.
    private final class Mutex: @unchecked Sendable {
        private let lock = NSLock()
        private var permits: Int
        private var waiters: [CheckedContinuation<Void, Never>] = []

        init(permits: Int) { self.permits = permits }

        /// True when a permit was taken; otherwise the continuation waits for `releasePermit`.
        func takePermitOrEnqueue(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if permits > 0 {
                permits -= 1
                return true
            }
            waiters.append(continuation)
            return false
        }

        /// Hands the permit to the longest waiter (returned, to resume outside the lock), or
        /// puts it back.
        func releasePermit() -> CheckedContinuation<Void, Never>? {
            lock.lock()
            defer { lock.unlock() }
            if waiters.isEmpty {
                permits += 1
                return nil
            }
            return waiters.removeFirst()
        }
    }
}

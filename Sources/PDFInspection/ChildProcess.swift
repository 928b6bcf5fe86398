import NIOConcurrencyHelpers
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one child process to completion on a thread of its own, with a wall-clock deadline and a
/// cap on what it may print.
///
/// Everything here blocks (poll, read, waitpid), which is why it never runs on Swift's
/// cooperative pool or an event-loop thread: ``IsolatedInspector`` hands it to a serial dispatch
/// queue of its own (a thread of the overcommitting pool) and awaits the outcome through a continuation.
final class ChildProcess: @unchecked Sendable {
    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)
        /// The wall clock ran out and the child was killed (SIGKILL).
        case timedOut
        /// stdout exceeded its cap and the child was killed.
        case outputTooLarge
        /// The awaiting task was cancelled and the child was killed.
        case cancelled
        /// posix_spawn failed with this errno.
        case spawnFailed(Int32)
        /// Waiting on the child's pipes failed with this errno; the child was killed.
        case pollFailed(Int32)
    }

    struct Outcome {
        var termination: Termination
        var stdout: [UInt8]
        /// The end of stderr (the last `stderrLimit` bytes), for logs.
        var stderr: [UInt8]
        var elapsedSeconds: Double
        /// User plus system CPU time the child used (from wait4), 0 when it was not reaped here.
        var cpuSeconds: Double = 0
    }

    private let lock = NIOLock()
    private var cancelRequested = false

    /// Asks the running child to be killed; safe from any thread, any time.
    func cancel() {
        lock.lock()
        cancelRequested = true
        lock.unlock()
    }

    private var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelRequested
    }

    /// Blocks until the child has ended and been reaped.
    func run(
        executable: String, arguments: [String], environment: [String: String], wallSeconds: Double,
        stdoutLimit: Int, stderrLimit: Int = 8 * 1024
    ) -> Outcome {
        let started = monotonicSeconds()
        var outcome = run(
            executable: executable, arguments: arguments, environment: environment, started: started,
            wallSeconds: wallSeconds, stdoutLimit: stdoutLimit, stderrLimit: stderrLimit)
        // Set on the returned value: a `defer` would run after the result was copied out.
        outcome.elapsedSeconds = monotonicSeconds() - started
        return outcome
    }

    private func run(
        executable: String, arguments: [String], environment: [String: String], started: Double, wallSeconds: Double,
        stdoutLimit: Int, stderrLimit: Int
    ) -> Outcome {
        var outcome = Outcome(termination: .spawnFailed(0), stdout: [], stderr: [], elapsedSeconds: 0)

        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) else {
            outcome.termination = .spawnFailed(errno)
            return outcome
        }
        guard makePipe(&errPipe) else {
            outcome.termination = .spawnFailed(errno)
            close(outPipe[0])
            close(outPipe[1])
            return outcome
        }

        let pid: pid_t
        switch spawn(executable, arguments, environment, stdout: outPipe[1], stderr: errPipe[1]) {
        case .failure(let code):
            for descriptor in outPipe + errPipe { close(descriptor) }
            outcome.termination = .spawnFailed(code)
            return outcome
        case .success(let value):
            pid = value
        }
        close(outPipe[1])
        close(errPipe[1])
        defer {
            close(outPipe[0])
            close(errPipe[0])
        }

        let deadline = started + wallSeconds
        var killedFor: Termination?
        func terminate(for reason: Termination) {
            guard killedFor == nil else { return }
            killedFor = reason
            // The child is still unreaped here, so the pid cannot have been reused.
            _ = kill(pid, SIGKILL)
        }

        // Read both pipes until both close (or the child is killed).
        var open = [outPipe[0], errPipe[0]]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var killedAt: Double?
        while !open.isEmpty {
            if killedFor == nil {
                if isCancelled { terminate(for: .cancelled) } else if monotonicSeconds() >= deadline { terminate(for: .timedOut) }
                if killedFor != nil { killedAt = monotonicSeconds() }
            }
            // A killed child closes its pipes at once; if they stay open, something else holds
            // them, and what they still carry no longer matters.
            if let killedAt, monotonicSeconds() - killedAt > 1 { break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let remaining = max(0, deadline - monotonicSeconds())
            // Wake at least every 50 ms to notice cancellation.
            let timeout = Int32(min(50, (remaining * 1000).rounded(.up)))
            let ready = poll(&fds, nfds_t(fds.count), killedFor == nil ? timeout : 50)
            if ready < 0 {
                let code = errno
                // EINTR, and EAGAIN/ENOMEM under memory pressure, are transient: wait a little
                // and look again (the deadline and cancellation are checked on the next turn).
                if code == EINTR || code == EAGAIN || code == ENOMEM {
                    usleep(5_000)
                    continue
                }
                // poll itself failed for good (it should not): stop the child rather than spin,
                // and say so instead of calling it a timeout.
                terminate(for: .pollFailed(code))
                break
            }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                if count <= 0 {
                    open.removeAll { $0 == entry.fd }
                    continue
                }
                if entry.fd == outPipe[0] {
                    outcome.stdout.append(contentsOf: buffer[0..<count])
                    if outcome.stdout.count > stdoutLimit {
                        terminate(for: .outputTooLarge)
                        killedAt = monotonicSeconds()
                        outcome.stdout.removeAll()
                        open.removeAll { $0 == entry.fd }
                    }
                } else {
                    outcome.stderr.append(contentsOf: buffer[0..<count])
                    if outcome.stderr.count > 2 * stderrLimit {
                        outcome.stderr.removeFirst(outcome.stderr.count - stderrLimit)
                    }
                }
            }
        }
        if outcome.stderr.count > stderrLimit { outcome.stderr.removeFirst(outcome.stderr.count - stderrLimit) }

        // Both pipes closed: the child is exiting (or closed them and lingers, so keep the clock).
        var status: Int32 = 0
        var usage = rusage()
        var pause: useconds_t = 1_000
        while true {
            let result = wait4(pid, &status, killedFor == nil ? WNOHANG : 0, &usage)
            if result == pid { break }
            if result < 0 {
                if errno == EINTR { continue }
                // ECHILD: someone else reaped it (SIGCHLD ignored); judge by the output alone.
                outcome.termination = killedFor ?? .exited(0)
                return outcome
            }
            if isCancelled { terminate(for: .cancelled) } else if monotonicSeconds() >= deadline { terminate(for: .timedOut) }
            if killedFor == nil {
                usleep(pause)
                pause = min(pause * 2, 20_000)
            }
        }
        outcome.cpuSeconds = seconds(usage.ru_utime) + seconds(usage.ru_stime)
        if let killedFor {
            outcome.termination = killedFor
        } else if status & 0x7f == 0 {
            outcome.termination = .exited((status >> 8) & 0xff)
        } else {
            outcome.termination = .signalled(status & 0x7f)
        }
        return outcome
    }

    /// Close-on-exec pipe ends: no other child the server starts meanwhile may inherit them.
    private func makePipe(_ ends: inout [Int32]) -> Bool {
        #if canImport(Glibc)
        // pipe2 is a GNU extension the Glibc module does not export; it is in every glibc since
        // 2.9. Atomic close-on-exec matters: pipe + fcntl leaves a window in which a child
        // spawned by another thread inherits the write end and holds our pipe open.
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
        guard let symbol = dlsym(nil, "pipe2") else { return false }
        let pipe2 = unsafeBitCast(symbol, to: Pipe2.self)
        return ends.withUnsafeMutableBufferPointer { pipe2($0.baseAddress, O_CLOEXEC) } == 0
        #else
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
        #endif
    }

    private enum SpawnResult {
        case success(pid_t)
        case failure(Int32)
    }

    private func spawn(
        _ executable: String, _ arguments: [String], _ environment: [String: String], stdout: Int32, stderr: Int32
    ) -> SpawnResult {
        #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Nothing else of the server's (sockets, database files) reaches the child.
        #if canImport(Glibc)
        // glibc 2.34+ (a GNU extension, hence looked up); without it close-on-exec still covers
        // every descriptor Foundation, NIO and this file open.
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
        }
        let closeOthers: Int32 = 0
        #else
        let closeOthers = Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif

        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals the server ignores or blocks (SIGPIPE above all) would otherwise stay ignored
        // in the child across exec; it gets the defaults and an empty mask.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGXCPU, SIGXFSZ, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) | closeOthers))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        return result == 0 ? .success(pid) : .failure(result)
    }
}

private func seconds(_ time: timeval) -> Double {
    Double(time.tv_sec) + Double(time.tv_usec) / 1e6
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

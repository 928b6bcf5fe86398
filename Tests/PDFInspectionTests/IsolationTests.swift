import Foundation
import PDFInspection
import Testing

/// The parent side of isolation: limits trip in the child, every way a child can fail becomes a
/// `damaged` refusal with a `failure` for the logs, and the parent carries on (ARC-2).
@Suite("Isolation")
struct IsolationTests {
    static let policy = InspectionPolicy(pageRange: 1...12)

    /// After a child failed, the same inspector still inspects a good file: the parent survived.
    /// `attempts` > 1 for an inspector whose wall clock is so short that a good file can
    /// outlast it on a loaded machine: only a timeout is tried again.
    static func expectStillWorks(_ inspector: IsolatedInspector, attempts: Int = 1) async throws {
        let scratch = try Scratch()
        let path = try scratch.write(TestPDF.scannedForm(pages: 12, imageWidth: 30, imageHeight: 42), named: "ok.pdf")
        var report = await inspector.inspect(fileAt: path, policy: InspectionPolicy())
        for _ in 1..<max(1, attempts) where ["timeout", "starved"].contains(report.failure) {
            report = await inspector.inspect(fileAt: path, policy: InspectionPolicy())
        }
        #expect(report.accepted, "\(report.failure ?? "") \(report.failureDetail ?? "")")
    }

    @Test("CPU limit: an amplification bomb (forms drawing forms, 10^8 draws) is stopped by RLIMIT_CPU")
    func cpuLimit() async throws {
        let scratch = try Scratch()
        let bomb = try scratch.write(TestPDF.amplificationBomb(), named: "bomb.pdf")
        let inspector = try #require(
            TestEnvironment.isolatedInspector(limits: .init(cpuSeconds: 1, memoryBytes: 1 << 30, wallSeconds: 20)))
        let report = await inspector.inspect(fileAt: bomb, policy: Self.policy)
        // `failure == "cpu"` proves which limit fired (a wall-clock bound would only measure the machine's load).
        #expect(report.failure == "cpu", "\(report.failure ?? "none") \(report.failureDetail ?? "")")
        #expect(report.refusal == Refusal(code: .damaged, message: "文件处理超时，可能已损坏，无法读取"))
        #expect(!report.accepted)
        try await Self.expectStillWorks(inspector)
    }

    @Test("wall clock: the parent kills a child that outlives wallSeconds")
    func wallClock() async throws {
        let scratch = try Scratch()
        let bomb = try scratch.write(TestPDF.amplificationBomb(), named: "bomb.pdf")
        let inspector = try #require(
            TestEnvironment.isolatedInspector(limits: .init(cpuSeconds: 60, memoryBytes: 1 << 30, wallSeconds: 1)))
        let report = await inspector.inspect(fileAt: bomb, policy: Self.policy)
        // The bomb keeps its core busy, so this is `timeout`, unless the machine gave it under
        // half a core for that second (`starved`); either way the wall clock ended it.
        #expect(["timeout", "starved"].contains(report.failure), "\(report.failure ?? "none") \(report.failureDetail ?? "")")
        #expect(report.refusal == (report.failure == "timeout" ? Refusal.timedOut : Refusal.inspectionUnavailable))
        #expect(report.bytes > 0)
        // The full suite on PostgreSQL keeps both cores busy: a good file can need more than 1 s.
        try await Self.expectStillWorks(inspector, attempts: 5)
    }

    @Test("memory limit: an image that decodes to 1 GiB does not fit under RLIMIT_AS 512 MiB")
    func memoryLimit() async throws {
        let scratch = try Scratch()
        // 16000 × 16000 pixels × 4 bytes ≈ 1 GiB of cairo surface, from a ~600-byte file.
        let path = try scratch.write(TestPDF.hugeImage(width: 16_000, height: 16_000), named: "huge.pdf")
        let inspector = try #require(
            TestEnvironment.isolatedInspector(limits: .init(cpuSeconds: 20, memoryBytes: 512 << 20, wallSeconds: 20)))
        let report = await inspector.inspect(fileAt: path, policy: Self.policy)
        #expect(report.failure == "memory", "\(report.failure ?? "none") \(report.failureDetail ?? "")")
        #expect(report.refusal == Refusal(code: .damaged, message: "文件处理所需内存过多，可能已损坏，无法读取"))
        try await Self.expectStillWorks(inspector)
    }

    // MARK: - Children that misbehave in every other way (stand-ins for a crashing zhtj)

    /// A shell script standing in for `zhtj`, ready to run.
    ///
    /// Executing a file just written can fail with ETXTBSY while a process that another test
    /// forked meanwhile still holds the write descriptor (a test artifact: the real zhtj is never
    /// being written), so the script is probed until it runs before it is handed out.
    static func fakeChild(
        _ scratch: borrowing Scratch, _ script: String, name: String = "fake-zhtj", concurrency: Int = 2, wallSeconds: Double = 2
    ) async throws -> IsolatedInspector {
        let path = try scratch.write(Array("#!/bin/sh\n[ \"$1\" = probe ] && exit 0\n\(script)\n".utf8), named: name)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        for attempt in 0..<40 {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: path)
            probe.arguments = ["probe"]
            do {
                try probe.run()
                probe.waitUntilExit()
                break
            } catch {
                if attempt == 39 { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        return IsolatedInspector(
            executable: path, limits: .init(cpuSeconds: 5, memoryBytes: 1 << 30, wallSeconds: wallSeconds),
            maximumConcurrentChildren: concurrency)
    }

    @Test(
        "a crash, garbage, a flood, a bad exit or no executable all become damaged with a failure",
        arguments: [
            ("kill -SEGV $$", "crashed(SIGSEGV)"),
            ("echo 'Out of memory' >&2; kill -ABRT $$", "memory"),
            ("echo 'not json'; exit 0", "bad_output"),
            ("echo '{\"accepted\":true}'; exit 0", "bad_output"),
            ("head -c 20000000 /dev/zero", "output_too_large"),
            ("echo 'usage' >&2; exit 64", "exit(64)"),
        ])
    func misbehavingChild(script: String, failure: String) async throws {
        let scratch = try Scratch()
        let file = try scratch.write(Array("%PDF-1.4\n".utf8), named: "any.pdf")
        let inspector = try await Self.fakeChild(scratch, script)
        let report = await inspector.inspect(fileAt: file, policy: Self.policy)
        #expect(report.failure == failure, "\(report.failure ?? "none") \(report.failureDetail ?? "")")
        #expect(report.refusal?.code == .damaged)
        #expect(report.refusal != Refusal.inspectionUnavailable)
        #expect(!report.accepted)
    }

    @Test(
        "a child the wall clock stops while it barely used the CPU was starved by the host: inspection unavailable (try again), not a damaged file",
        arguments: [
            "exec sleep 30",
            // Closes its pipes and lingers: the clock still runs.
            "exec >/dev/null 2>&1; sleep 30",
        ])
    func starvedChild(script: String) async throws {
        let scratch = try Scratch()
        let file = try scratch.write(Array("%PDF-1.4\n".utf8), named: "any.pdf")
        let inspector = try await Self.fakeChild(scratch, script)
        let report = await inspector.inspect(fileAt: file, policy: Self.policy)
        #expect(report.failure == "starved", "\(report.failure ?? "none") \(report.failureDetail ?? "")")
        #expect(report.refusal == Refusal.inspectionUnavailable)
        #expect(report.failureDetail?.contains("cpu 0.0 s") == true, "\(report.failureDetail ?? "")")
    }

    @Test("a child that could not apply its limits or its write ban (exit 3) read nothing: the service is unavailable, the file is not called damaged")
    func limitsNotApplied() async throws {
        let scratch = try Scratch()
        let file = try scratch.write(Array("%PDF-1.4\n".utf8), named: "any.pdf")
        let inspector = try await Self.fakeChild(scratch, "echo 'the write ban could not be applied: Invalid argument' >&2; exit 3")
        let report = await inspector.inspect(fileAt: file, policy: Self.policy)
        #expect(report.failure == "limits")
        #expect(report.refusal == Refusal.inspectionUnavailable)
        #expect(report.failureDetail?.contains("write ban") == true)
    }

    @Test("ARC-2: a failed child's detail names the time it ran, not 0.0 s")
    func elapsedTimeInFailure() async throws {
        let scratch = try Scratch()
        let file = try scratch.write(Array("%PDF-1.4\n".utf8), named: "any.pdf")
        let inspector = try await Self.fakeChild(scratch, "sleep 0.5; kill -SEGV $$")
        let report = await inspector.inspect(fileAt: file, policy: Self.policy)
        #expect(report.failure == "crashed(SIGSEGV)")
        let detail = try #require(report.failureDetail)
        let seconds = try #require(detail.firstMatch(of: /after (\d+\.\d) s/).flatMap { Double($0.1) }, "\(detail)")
        #expect(seconds >= 0.4, "\(detail)")
    }

    @Test("a child that cannot be started is a service failure, not the user's file")
    func spawnFailure() async throws {
        let scratch = try Scratch()
        let file = try scratch.write(Array("%PDF-1.4\n".utf8), named: "any.pdf")
        let report = await IsolatedInspector(executable: "/nonexistent/zhtj").inspect(fileAt: file, policy: Self.policy)
        #expect(report.failure == "spawn_failed")
        #expect(report.refusal == Refusal.inspectionUnavailable)
        let missing = await IsolatedInspector(executable: "/nonexistent/zhtj").inspect(fileAt: scratch.path("nope.pdf"), policy: Self.policy)
        #expect(missing.failure == "io")
    }

    @Test("cancelling the awaiting task kills the child")
    func cancellation() async throws {
        let scratch = try Scratch()
        let file = try scratch.write(Array("%PDF-1.4\n".utf8), named: "any.pdf")
        // A wall limit far beyond the cancellation: on a loaded machine the test's own sleep can
        // resume seconds late (a CI run saw "timeout" with a 2 s limit), and the point is which
        // of the two ends the child.
        let inspector = try await Self.fakeChild(scratch, "exec sleep 30", wallSeconds: 25)
        let task = Task { await inspector.inspect(fileAt: file, policy: Self.policy) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let report = await task.value
        #expect(report.failure == "cancelled")
    }

    @Test("at most maximumConcurrentChildren run at once; the rest queue without blocking threads")
    func concurrencyGate() async throws {
        let scratch = try Scratch()
        let file = try scratch.write(Array("%PDF-1.4\n".utf8), named: "any.pdf")
        // Each child records itself, sleeps, and prints a report.
        let log = scratch.path("log")
        let report = #"{"accepted":false,"refusal":{"code":"damaged","message":"x"},"detectedType":"application/pdf","bytes":9,"sha256":"","encrypted":false,"repaired":false,"warnings":0,"pageSizes":[],"images":[],"imagesNotMeasured":0}"#
        let script = "echo start >> \(log); sleep 0.3; echo end >> \(log); echo '\(report)'; exit 1"
        let inspector = try await Self.fakeChild(scratch, script, concurrency: 2)
        let reports = await withTaskGroup(of: InspectionReport.self) { group in
            for _ in 0..<6 { group.addTask { await inspector.inspect(fileAt: file, policy: Self.policy) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.allSatisfy { $0.refusal?.message == "x" && $0.failure == nil })
        // Replay the log: never more than two started and not yet ended.
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        var running = 0
        var peak = 0
        for line in lines {
            running += line == "start" ? 1 : -1
            peak = max(peak, running)
        }
        #expect(lines.count == 12)
        #expect(peak <= 2)
    }

    @Test("the arguments the child is started with")
    func arguments() {
        let inspector = IsolatedInspector(executable: "/usr/bin/zhtj", limits: .init(cpuSeconds: 7, memoryBytes: 123, wallSeconds: 9))
        #expect(
            inspector.inspectArguments(fileAt: "-weird name.pdf", policy: InspectionPolicy(maximumBytes: 1000, pageRange: 3...5))
                == [
                    "inspect", "--json", "--max-bytes", "1000", "--min-pages", "3", "--max-pages", "5", "--limit-cpu", "7",
                    "--limit-memory", "123", "--", "-weird name.pdf",
                ])
    }

    @Test("--sha256: the parent's hash is passed on and reported as is; without it, or malformed, the child hashes")
    func knownHash() async throws {
        let scratch = try Scratch()
        let bytes = TestPDF.scannedForm(pages: 12, imageWidth: 30, imageHeight: 42)
        let path = try scratch.write(bytes, named: "form.pdf")
        let actual = try GeneratedFileTests.sha256sum(path)
        let inspector = try #require(TestEnvironment.isolatedInspector())
        let policy = InspectionPolicy()

        let hashed = await inspector.inspect(fileAt: path, policy: policy)
        #expect(hashed.sha256 == actual)
        // The same report when the parent already knows the hash (upper case is lower-cased).
        #expect(await inspector.inspect(fileAt: path, policy: policy, sha256: actual) == hashed)
        #expect(await inspector.inspect(fileAt: path, policy: policy, sha256: actual.uppercased()) == hashed)
        // The child does not check it: a different hash is the caller's statement, reported back.
        // (The upload path passes the hash of the very temp file it wrote and later stores.)
        let other = String(repeating: "0123456789abcdef", count: 4)
        let trusted = await inspector.inspect(fileAt: path, policy: policy, sha256: other)
        #expect(trusted.sha256 == other)
        #expect(trusted.accepted && trusted.pages == 12)
        // Nil or not 64 hex digits: not passed, the child hashes.
        #expect(await inspector.inspect(fileAt: path, policy: policy, sha256: nil) == hashed)
        #expect(await inspector.inspect(fileAt: path, policy: policy, sha256: "abc") == hashed)
        #expect(await inspector.inspect(fileAt: path, policy: policy, sha256: String(repeating: "g", count: 64)) == hashed)

        #expect(
            inspector.inspectArguments(fileAt: path, policy: policy, sha256: other.uppercased()).contains(["--sha256", other]))
        #expect(!inspector.inspectArguments(fileAt: path, policy: policy, sha256: "abc").contains("--sha256"))
        #expect(inspector.inspectArguments(fileAt: path, policy: policy) == inspector.inspectArguments(fileAt: path, policy: policy, sha256: nil))

        // Refused before any child: the empty file's hash is of no bytes, the over-size file's none.
        let empty = try scratch.write([], named: "empty.pdf")
        #expect(await inspector.inspect(fileAt: empty, policy: policy, sha256: other).sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let small = InspectionPolicy(maximumBytes: 100, pageRange: 12...12)
        #expect(await inspector.inspect(fileAt: path, policy: small, sha256: other).sha256 == "")
    }
}

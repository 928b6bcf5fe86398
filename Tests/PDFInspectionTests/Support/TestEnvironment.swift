import Foundation
import PDFInspection
import Testing

/// Where things are, relative to this source file (symlinks resolved), and scratch space.
enum TestEnvironment {
    /// The repository root: this file is Tests/PDFInspectionTests/Support/TestEnvironment.swift.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The shared real-world corpus (never copied into the repository).
    static let corpus: URL = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/corpus/visible", isDirectory: true)

    static func corpusFile(_ name: String) -> String { corpus.appendingPathComponent(name).path }

    /// The `zhtj` binary that the isolated inspector runs: `ZHTJ_EXECUTABLE`, else the one next
    /// to the test bundle (`swift build --build-tests` builds it there), else `.build/debug/zhtj`.
    /// Nil unless it answers `zhtj inspect --help` (the subcommand is wired into ZHTJ.swift).
    static let zhtj: String? = {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["ZHTJ_EXECUTABLE"] { candidates.append(explicit) }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(bundleDirectory.appendingPathComponent("zhtj").path)
        candidates.append(repositoryRoot.appendingPathComponent(".build/debug/zhtj").path)
        return candidates.first { path in
            guard FileManager.default.isExecutableFile(atPath: path) else { return false }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["inspect", "--help"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
    }()

    /// The isolated inspector over the built binary; records a failure (and returns nil) when
    /// the binary lacks `inspect`, so hostile-file tests never silently skip.
    static func isolatedInspector(
        limits: IsolatedInspector.Limits = .init(), sourceLocation: SourceLocation = #_sourceLocation
    ) -> IsolatedInspector? {
        guard let zhtj else {
            Issue.record(
                "no zhtj binary with an `inspect` subcommand: build it (swift build --build-tests) with Inspect.self in ZHTJ.subcommands, or set ZHTJ_EXECUTABLE",
                sourceLocation: sourceLocation)
            return nil
        }
        return IsolatedInspector(executable: zhtj, limits: limits)
    }

    /// A fresh directory for one test; removed by `cleanUp`.
    static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("pdfinspection-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ bytes: [UInt8], named name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Runs a tool (qpdf) and returns its exit status.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A scratch directory removed at the end of a test.
struct Scratch: ~Copyable {
    let url: URL

    init() throws { url = try TestEnvironment.scratchDirectory() }

    func write(_ bytes: [UInt8], named name: String) throws -> String {
        try TestEnvironment.write(bytes, named: name, in: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Generated files shared by several tests (built once per test run).
enum Fixtures {
    /// 12 A4 pages, each a 620×877 grey image (≈ 544 KB a page, 75 DPI): the shape of a
    /// scanned 《入团志愿书》.
    static let twelvePageForm: [UInt8] = TestPDF.scannedForm(pages: 12)
}

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

    /// True when the corpus folder is there.
    static let corpusPresent = FileManager.default.fileExists(atPath: corpus.appendingPathComponent("MANIFEST.tsv").path)

    /// Whether the corpus tests run: where the corpus is present, and always under `CI=true`,
    /// where an absent corpus must fail them rather than skip them silently.
    static let runsCorpusTests = corpusPresent || ProcessInfo.processInfo.environment["CI"] == "true"

    /// The trait of every test that reads the corpus: a clone without `../shared` skips them.
    static let corpusTrait = ConditionTrait.enabled(if: runsCorpusTests, "the corpus (../shared/corpus/visible) is absent")

    /// The inspecting child the isolated inspector runs: `ZHTJ_INSPECTOR`, else the
    /// `zhtj-inspect` next to the test bundle (`swift build --build-tests` builds it there),
    /// else `.build/debug/zhtj-inspect`.
    static let inspector: String? = executable(named: "zhtj-inspect", environment: "ZHTJ_INSPECTOR")

    /// The `zhtj` binary (for `zhtj inspect`): `ZHTJ_EXECUTABLE`, else as ``inspector``.
    static let zhtj: String? = executable(named: "zhtj", environment: "ZHTJ_EXECUTABLE")

    /// The first candidate that answers `inspect --help` (both binaries take it).
    private static func executable(named name: String, environment variable: String) -> String? {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment[variable] { candidates.append(explicit) }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(bundleDirectory.appendingPathComponent(name).path)
        candidates.append(repositoryRoot.appendingPathComponent(".build/debug/\(name)").path)
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
    }

    /// The isolated inspector over the built `zhtj-inspect`; records a failure (and returns
    /// nil) when there is none, so hostile-file tests never silently skip.
    static func isolatedInspector(
        limits: IsolatedInspector.Limits = .init(), sourceLocation: SourceLocation = #_sourceLocation
    ) -> IsolatedInspector? {
        guard let inspector else {
            Issue.record(
                "no zhtj-inspect binary: build it (swift build --build-tests, or swift build --product zhtj-inspect), or set ZHTJ_INSPECTOR",
                sourceLocation: sourceLocation)
            return nil
        }
        return IsolatedInspector(executable: inspector, limits: limits)
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

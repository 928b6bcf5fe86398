import ArgumentParser
import Foundation
import PDFInspection

/// `zhtj inspect FILE`: the child process that parses an uploaded PDF for the server (ARC-2).
///
/// The server never parses uploads itself: ``IsolatedInspector`` runs this command with
/// `--json` and resource limits, and reads one line of JSON from stdout. Exit status 0 means
/// accepted, 1 refused; anything else (a usage error, a signal) is a failed inspection.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect an archive PDF (ARC-2) and print the report as JSON; exit 0 accepted, 1 refused.",
        discussion: """
            Resource limits are applied before the file is read; by default the same as the \
            server's (20 s CPU, 1 GiB address space); 0 turns one off. With --sha256 the report \
            carries that hash instead of one computed here (the server passes the hash it took \
            while receiving the upload). With --render-page the command renders that page to PNG \
            instead of inspecting.
            """)

    @Argument(help: "The file to inspect (its name does not matter; the content decides).")
    var file: String

    @Flag(name: .customLong("json"), help: "Print one line of compact JSON (what the server reads).")
    var compact = false

    @Option(name: .customLong("max-bytes"), help: "Refuse files larger than this many bytes.")
    var maximumBytes = InspectionPolicy().maximumBytes

    @Option(name: .customLong("min-pages"), help: "The fewest pages accepted.")
    var minimumPages = InspectionPolicy().pageRange.lowerBound

    @Option(name: .customLong("max-pages"), help: "The most pages accepted.")
    var maximumPages = InspectionPolicy().pageRange.upperBound

    @Option(name: .customLong("limit-cpu"), help: "CPU seconds before the kernel stops this process (0: no limit).")
    var cpuSeconds = IsolatedInspector.Limits().cpuSeconds

    @Option(name: .customLong("limit-memory"), help: "Address-space bytes this process may use (0: no limit).")
    var memoryBytes = IsolatedInspector.Limits().memoryBytes

    @Option(
        name: .customLong("sha256"),
        help: ArgumentHelp(
            "The file's SHA-256 (64 hex digits), already computed by the caller: reported as the file's hash, not recomputed nor checked.",
            valueName: "hex"))
    var sha256: String?

    @Option(name: .customLong("render-page"), help: "Render this page (1-based) to PNG instead of inspecting.")
    var renderPage: Int?

    @Option(name: .customLong("width"), help: "With --render-page: the PNG's width in pixels at most.")
    var width = 600

    @Option(name: .customLong("output"), help: "With --render-page: the PNG file to write; - for stdout.")
    var output: String?

    func validate() throws {
        guard maximumBytes > 0 else { throw ValidationError("--max-bytes must be positive") }
        guard minimumPages >= 0, minimumPages <= maximumPages else {
            throw ValidationError("--min-pages must be at most --max-pages")
        }
        guard cpuSeconds >= 0, memoryBytes >= 0 else { throw ValidationError("limits must not be negative") }
        if let sha256, !PDFInspector.isSHA256Hex(sha256) {
            throw ValidationError("--sha256 must be 64 hexadecimal digits")
        }
        if renderPage != nil {
            guard output != nil else { throw ValidationError("--render-page needs --output FILE (or - for stdout)") }
            guard (1...PDFInspector.maximumRenderWidth).contains(width) else {
                throw ValidationError("--width must be 1…\(PDFInspector.maximumRenderWidth)")
            }
        }
    }

    func run() throws {
        // System data first (libmagic's database), then the limits, then the file.
        PDFInspector.prepare()
        do {
            try ResourceLimits.apply(
                cpuSeconds: cpuSeconds > 0 ? cpuSeconds : nil, addressSpaceBytes: memoryBytes > 0 ? memoryBytes : nil)
        } catch {
            FileHandle.standardError.write(Data("zhtj inspect: \(error)\n".utf8))
            throw ExitCode(3)
        }
        if let renderPage, let output {
            try render(page: renderPage, to: output)
            return
        }
        let policy = InspectionPolicy(maximumBytes: maximumBytes, pageRange: minimumPages...maximumPages)
        let report = PDFInspector.inspect(fileAt: file, policy: policy, sha256: sha256?.lowercased())
        let encoder = JSONEncoder()
        encoder.outputFormatting = compact ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var json = try encoder.encode(report)
        json.append(0x0A)
        FileHandle.standardOutput.write(json)
        if !report.accepted { throw ExitCode(1) }
    }

    private func render(page: Int, to output: String) throws {
        let png: Data
        do {
            png = try PDFInspector.render(fileAt: file, page: page, maxWidth: width, maximumBytes: maximumBytes)
        } catch {
            FileHandle.standardError.write(Data("zhtj inspect: cannot render page \(page): \(error)\n".utf8))
            throw ExitCode(1)
        }
        if output == "-" {
            FileHandle.standardOutput.write(png)
        } else {
            try png.write(to: URL(fileURLWithPath: output))
        }
    }
}

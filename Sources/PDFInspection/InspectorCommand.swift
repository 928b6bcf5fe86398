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

/// The inspecting child's command line: what `zhtj-inspect` parses by hand and `zhtj inspect`
/// fills from its own options, so both run exactly this code.
///
/// The server (``IsolatedInspector``) runs it with `--json` and resource limits and reads one
/// line of JSON from stdout. Exit status: 0 accepted (or the page rendered), 1 refused (or the
/// page could not be rendered), anything else — a usage error (64), limits or the write ban that
/// cannot be set (3), a signal — is a failed inspection, which the server reports as `damaged`.
public struct InspectorCommand: Sendable, Equatable {
    /// The file to inspect (its name does not matter; the content decides).
    public var file: String
    /// One line of compact JSON (what the server reads) instead of pretty-printed JSON.
    public var compact = false
    public var maximumBytes = InspectionPolicy().maximumBytes
    public var minimumPages = InspectionPolicy().pageRange.lowerBound
    public var maximumPages = InspectionPolicy().pageRange.upperBound
    /// Accept PNG and JPEG images too (attachments).
    public var acceptsImages = false
    /// With `acceptsImages`: the most pixels an image may have.
    public var maximumImagePixels = InspectionPolicy().maximumImagePixels
    /// CPU seconds before the kernel stops the process; 0: no limit.
    public var cpuSeconds = IsolatedInspector.Limits().cpuSeconds
    /// Address-space bytes the process may use; 0: no limit.
    public var memoryBytes = IsolatedInspector.Limits().memoryBytes
    /// The file's SHA-256, already computed by the caller: reported, not recomputed nor checked.
    public var sha256: String?
    /// Render this page (1-based) to PNG instead of inspecting.
    public var renderPage: Int?
    /// With `renderPage`: the PNG's width in pixels at most.
    public var width = 600
    /// With `renderPage`: the PNG file to write; `-` for stdout.
    public var output: String?
    /// Instead of inspecting: apply the write ban, try to change `file` in every way the ban
    /// forbids, and report which attempts the kernel refused (operators check a host with it).
    public var checkWriteBan = false

    public init(file: String) {
        self.file = file
    }

    /// Exit statuses besides 0 (accepted) and 1 (refused).
    public enum Status {
        /// A bad command line (BSD `EX_USAGE`, as ArgumentParser uses).
        public static let usage: Int32 = 64
        /// The resource limits or the write ban could not be applied, so nothing was read.
        public static let limits: Int32 = 3
        /// `--check-write-ban`: some attempt to change the file succeeded.
        public static let writeBanBroken: Int32 = 4
    }

    /// A command line that does not make sense; the text says why.
    public struct UsageError: Error, CustomStringConvertible, Equatable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// `zhtj-inspect --help`.
    public static let usage = """
        usage: zhtj-inspect [inspect] [options] [--] FILE

        Inspects an archive PDF (ARC-2) and prints the report as JSON.
        Exit status: 0 accepted (or the page rendered), 1 refused (or the page not rendered),
        64 usage error, 3 limits or the write ban could not be applied (nothing read), 4 with
        --check-write-ban a change the ban let through; anything else (a signal,
        another status) is a crash of the parser, which the server reports as `damaged`.

          --json                one line of compact JSON (what the server reads)
          --max-bytes N         refuse files larger than N bytes (default 20971520)
          --min-pages N         the fewest pages accepted (default 12)
          --max-pages N         the most pages accepted (default 12)
          --images              accept a PNG or JPEG image too (attachments), its structure checked
          --max-image-pixels N  with --images: the most pixels an image may have (default 100000000)
          --limit-cpu S         CPU seconds before the kernel stops this process (default \(IsolatedInspector.Limits().cpuSeconds); 0: none)
          --limit-memory BYTES  address space this process may use (default 1073741824; 0: none)
          --sha256 HEX          the file's SHA-256 as the caller computed it: reported, not recomputed
          --render-page N       render page N (1-based) to PNG instead of inspecting
          --width W             with --render-page: at most W pixels wide (default 600)
          --output FILE         with --render-page: the PNG to write; - for stdout
          --check-write-ban     apply the write ban, try to change FILE in every way it forbids
                                and print what the kernel refused (exit 0 all refused, 4 not)

        Before it reads FILE the process bans itself, by a seccomp filter, from changing any
        file: the server trusts the staged upload after inspection because of it.
        """

    /// Parses `arguments` (without the program name). A leading `inspect` is skipped, so the
    /// server passes the same arguments to `zhtj-inspect` as to `zhtj`.
    public static func parse(_ arguments: [String]) throws(UsageError) -> InspectorCommand {
        var remaining = arguments[...]
        if remaining.first == "inspect" { remaining.removeFirst() }
        var file: String?
        var command = InspectorCommand(file: "")
        func value(of option: String) throws(UsageError) -> String {
            guard let value = remaining.popFirst() else { throw UsageError("\(option) needs a value") }
            return value
        }
        func number(of option: String) throws(UsageError) -> Int {
            let text = try value(of: option)
            guard let number = Int(text) else { throw UsageError("\(option) needs a whole number, not '\(text)'") }
            return number
        }
        while let argument = remaining.popFirst() {
            switch argument {
            case "--json": command.compact = true
            case "--max-bytes": command.maximumBytes = try number(of: argument)
            case "--min-pages": command.minimumPages = try number(of: argument)
            case "--max-pages": command.maximumPages = try number(of: argument)
            case "--images": command.acceptsImages = true
            case "--max-image-pixels": command.maximumImagePixels = try number(of: argument)
            case "--limit-cpu": command.cpuSeconds = try number(of: argument)
            case "--limit-memory": command.memoryBytes = try number(of: argument)
            case "--sha256": command.sha256 = try value(of: argument)
            case "--render-page": command.renderPage = try number(of: argument)
            case "--width": command.width = try number(of: argument)
            case "--output": command.output = try value(of: argument)
            case "--check-write-ban": command.checkWriteBan = true
            case "--":
                guard file == nil, remaining.count == 1 else { throw UsageError("exactly one FILE after --") }
                file = remaining.popFirst()
            case _ where argument.hasPrefix("-") && argument != "-":
                throw UsageError("unknown option \(argument)")
            default:
                guard file == nil else { throw UsageError("exactly one FILE, got '\(file!)' and '\(argument)'") }
                file = argument
            }
        }
        guard let file else { throw UsageError("missing FILE") }
        command.file = file
        try command.validate()
        return command
    }

    /// The checks `zhtj inspect` makes too.
    public func validate() throws(UsageError) {
        guard maximumBytes > 0 else { throw UsageError("--max-bytes must be positive") }
        guard minimumPages >= 0, minimumPages <= maximumPages else {
            throw UsageError("--min-pages must be at most --max-pages")
        }
        guard maximumImagePixels > 0 else { throw UsageError("--max-image-pixels must be positive") }
        guard cpuSeconds >= 0, memoryBytes >= 0 else { throw UsageError("limits must not be negative") }
        if let sha256, !PDFInspector.isSHA256Hex(sha256) {
            throw UsageError("--sha256 must be 64 hexadecimal digits")
        }
        if renderPage != nil {
            guard output != nil else { throw UsageError("--render-page needs --output FILE (or - for stdout)") }
            guard (1...PDFInspector.maximumRenderWidth).contains(width) else {
                throw UsageError("--width must be 1…\(PDFInspector.maximumRenderWidth)")
            }
        }
    }

    /// Applies the limits, then inspects (or renders), writing to stdout; returns the exit status.
    /// `program` names the command in messages on stderr.
    public func run(program: String) -> Int32 {
        // System data first (libmagic's database), then the render's output file (the one file
        // this process writes), then the limits and the write ban, then the upload.
        PDFInspector.prepare()
        var outputDescriptor: Int32 = 1
        if renderPage != nil, let output, output != "-" {
            outputDescriptor = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard outputDescriptor >= 0 else {
                PlainText.writeError("\(program): cannot create \(output): \(String(cString: strerror(errno)))\n")
                return 1
            }
        }
        do {
            try ResourceLimits.apply(
                cpuSeconds: cpuSeconds > 0 ? cpuSeconds : nil, addressSpaceBytes: memoryBytes > 0 ? memoryBytes : nil)
            try WriteBan.apply()
        } catch {
            PlainText.writeError("\(program): \(error)\n")
            return Status.limits
        }
        if checkWriteBan {
            let attempts = WriteBan.attempts(on: file)
            for attempt in attempts { print("\(attempt.name): \(attempt.refused ? "refused" : "ALLOWED")") }
            return attempts.allSatisfy(\.refused) ? 0 : Status.writeBanBroken
        }
        if let renderPage {
            return render(page: renderPage, to: outputDescriptor, program: program)
        }
        let policy = InspectionPolicy(
            maximumBytes: maximumBytes, pageRange: minimumPages...maximumPages, acceptsImages: acceptsImages,
            maximumImagePixels: maximumImagePixels)
        let report = PDFInspector.inspect(fileAt: file, policy: policy, sha256: sha256?.lowercased())
        let encoder = JSONEncoder()
        encoder.outputFormatting = compact ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding a report cannot fail; were it to, the parent would get no report (`bad_output`).
        var json = (try? encoder.encode(report)) ?? Data()
        json.append(0x0A)
        PlainText.emit(json, to: 1)
        return report.accepted ? 0 : 1
    }

    private func render(page: Int, to output: Int32, program: String) -> Int32 {
        do {
            let png = try PDFInspector.render(fileAt: file, page: page, maxWidth: width, maximumBytes: maximumBytes)
            guard PlainText.emit(png, to: output), output == 1 || close(output) == 0 else {
                PlainText.writeError("\(program): cannot write the PNG: \(String(cString: strerror(errno)))\n")
                return 1
            }
            return 0
        } catch {
            PlainText.writeError("\(program): cannot render page \(page): \(error)\n")
            return 1
        }
    }

    /// The whole of `zhtj-inspect`: parse, run, exit status.
    public static func main(_ arguments: [String], program: String) -> Int32 {
        if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
            print(usage)
            return 0
        }
        do {
            return try parse(arguments).run(program: program)
        } catch {
            PlainText.writeError("\(program): \(error)\n\(usage)\n")
            return Status.usage
        }
    }
}

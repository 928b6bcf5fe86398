import ArgumentParser
import Foundation
import PDFInspection

/// `zhtj inspect FILE`: inspects an archive PDF (ARC-2) for people, with the same code as the
/// `zhtj-inspect` child the server runs (``InspectorCommand``).
///
/// Exit status 0 means accepted, 1 refused, 64 a usage error, 3 limits or the write ban that
/// could not be set, 4 (`--check-write-ban`) a change the ban let through;
/// anything else is a crash of the parser, which the server reports as `damaged`.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect an archive PDF (ARC-2) and print the report as JSON; exit 0 accepted, 1 refused.",
        discussion: """
            Exit status: 0 accepted (or, with --render-page, the page rendered); 1 refused (or the \
            page could not be rendered); 64 a usage error; 3 the resource limits or the write ban \
            could not be applied, so the file was not read; 4 with --check-write-ban, a change \
            the ban let through; anything else (a signal, another status) is a \
            crash of the parser, which the server reports as damaged.

            Resource limits are applied before the file is read; by default the same as the \
            server's (\(IsolatedInspector.Limits().cpuSeconds) s CPU, 1 GiB address space); 0 turns one \
            off (the server also kills its child after \(Int(IsolatedInspector.Limits.defaultWallSeconds)) s \
            of wall-clock time). With --sha256 the report carries that hash instead of one computed \
            here (the server passes the hash it took while receiving the upload). With \
            --render-page the command renders that page to PNG instead of inspecting. Before it \
            reads the file the process bans itself, by a seccomp filter, from changing any file \
            (the one it renders to is opened first); --check-write-ban shows that the kernel \
            enforces it. The server runs the same code as the smaller `zhtj-inspect`.
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

    @Flag(name: .customLong("images"), help: "Accept a PNG or JPEG image too (attachments), its structure checked.")
    var acceptsImages = false

    @Option(name: .customLong("max-image-pixels"), help: "With --images: the most pixels an image may have.")
    var maximumImagePixels = InspectionPolicy().maximumImagePixels

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

    @Flag(
        name: .customLong("check-write-ban"),
        help: "Apply the write ban, try to change the file in every way it forbids and print what the kernel refused (exit 0 all refused, 4 not).")
    var checkWriteBan = false

    private var command: InspectorCommand {
        var command = InspectorCommand(file: file)
        command.compact = compact
        command.maximumBytes = maximumBytes
        command.minimumPages = minimumPages
        command.maximumPages = maximumPages
        command.acceptsImages = acceptsImages
        command.maximumImagePixels = maximumImagePixels
        command.cpuSeconds = cpuSeconds
        command.memoryBytes = memoryBytes
        command.sha256 = sha256
        command.renderPage = renderPage
        command.width = width
        command.output = output
        command.checkWriteBan = checkWriteBan
        return command
    }

    func validate() throws {
        do {
            try command.validate()
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let status = command.run(program: "zhtj inspect")
        if status != 0 { throw ExitCode(status) }
    }
}

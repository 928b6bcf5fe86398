import Foundation
import PDFInspection
import Testing

/// Thumbnails (in process and through the child) and the `zhtj inspect` / `zhtj-inspect` command line.
@Suite("Render and command")
struct RenderAndCommandTests {
    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ png: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](png)
        guard bytes.count > 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { return nil }
        func int(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20))
    }

    @Test("a page renders to a PNG of the requested width, in A4 proportion")
    func renderInProcess() throws {
        let scratch = try Scratch()
        let path = try scratch.write(Fixtures.twelvePageForm, named: "form.pdf")
        let png = try PDFInspector.render(fileAt: path, page: 12, maxWidth: 200)
        let size = try #require(Self.pngSize(png))
        #expect(size.width == 200)
        #expect(size.height == Int((200 * TestPDF.a4Height / TestPDF.a4Width).rounded()))
        #expect(throws: PDFInspector.RenderError.noSuchPage(13)) {
            try PDFInspector.render(fileAt: path, page: 13, maxWidth: 200)
        }
    }

    @Test("the child renders too, and a render that cannot happen is an error, not a crash")
    func renderIsolated() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(Fixtures.twelvePageForm, named: "form.pdf")
        let inspector = try #require(TestEnvironment.isolatedInspector())
        let png = try await inspector.render(fileAt: path, page: 1, maxWidth: 300)
        #expect(Self.pngSize(png)?.width == 300)
        await #expect(throws: IsolatedInspector.RenderFailure.self) {
            try await inspector.render(fileAt: path, page: 0, maxWidth: 300)
        }
    }

    @Test(
        "zhtj inspect FILE and zhtj-inspect FILE: pretty JSON with `pages`, exit 0 accepted / 1 refused; --render-page writes a PNG",
        arguments: [("zhtj", ["inspect"]), ("zhtj-inspect", []), ("zhtj-inspect", ["inspect"])])
    func commandLine(binary: String, prefix: [String]) throws {
        guard let executable = binary == "zhtj" ? TestEnvironment.zhtj : TestEnvironment.inspector else {
            Issue.record("no \(binary) binary: swift build --build-tests")
            return
        }
        func run(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
            try Self.run(executable, prefix + arguments)
        }
        let scratch = try Scratch()
        let form = try scratch.write(Fixtures.twelvePageForm, named: "form.pdf")
        let nine = try scratch.write(TestPDF.scannedForm(pages: 9, imageWidth: 20, imageHeight: 28), named: "nine.pdf")

        let accepted = try run([form])
        #expect(accepted.status == 0)
        #expect(accepted.stdout.contains("\"pages\" : 12"), "pretty JSON by default")
        #expect(accepted.stdout.split(separator: "\n").count > 10)

        let refused = try run(["--json", nine])
        #expect(refused.status == 1)
        #expect(refused.stdout.split(separator: "\n").count == 1, "--json is one line")
        #expect(refused.stdout.contains("必须上传12页完整的电子版《入团志愿书》，当前为9页"))

        let output = scratch.path("thumb.png")
        let render = try run(["--render-page", "2", "--width", "160", "--output", output, form])
        #expect(render.status == 0)
        #expect(Self.pngSize(try Data(contentsOf: URL(fileURLWithPath: output)))?.width == 160)

        let usage = try run(["--min-pages", "5", "--max-pages", "4", form])
        #expect(usage.status != 0 && usage.status != 1, "a usage error is neither verdict")

        // --sha256 HEX is reported as given (lower-cased), not recomputed; anything else is a usage error.
        let given = String(repeating: "AB", count: 32)
        let known = try run(["--json", "--sha256", given, form])
        #expect(known.status == 0)
        #expect(known.stdout.contains("\"sha256\":\"\(given.lowercased())\""))
        let badHash = try run(["--json", "--sha256", "xyz", form])
        #expect(badHash.status != 0 && badHash.status != 1, "a malformed --sha256 is a usage error")
    }

    @Test(
        "the child bans itself from changing any file before it reads one: every way to alter a writable file is refused, and it stays as it was",
        arguments: ["zhtj", "zhtj-inspect"])
    func writeBan(binary: String) throws {
        guard let executable = binary == "zhtj" ? TestEnvironment.zhtj : TestEnvironment.inspector else {
            Issue.record("no \(binary) binary: swift build --build-tests")
            return
        }
        guard WriteBan.isSupported else { return }
        let scratch = try Scratch()
        let path = try scratch.write(Fixtures.twelvePageForm, named: "staged.pdf")
        // Writable by its owner: only the ban stands between the child and the file.
        #expect(chmod(path, 0o644) == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let check = try Self.run(executable, (binary == "zhtj" ? ["inspect"] : []) + ["--check-write-ban", path])
        let lines = check.stdout.split(separator: "\n")
        #expect(check.status == 0, "\(check.stdout)")
        #expect(lines.count >= 13)
        for name in ["open for writing", "open with truncation", "reopen through /proc/self/fd for writing", "truncate",
            "change its mode", "rename it", "hard-link it", "unlink it", "trace the parent"]
        {
            #expect(lines.contains("\(name): refused"), "\(name)")
        }
        #expect(!check.stdout.contains("ALLOWED"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted() == ["staged.pdf"])

        // The inspection under the same ban still reads the file.
        let inspected = try Self.run(executable, (binary == "zhtj" ? ["inspect"] : []) + ["--json", path])
        #expect(inspected.status == 0)
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

import BlobStore
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PDFInspection
import Persistence
import TestSupport
import Testing

@testable import App

/// An inspector that renders nothing itself and records what it was asked.
final class RecordingInspector: ArchiveInspector, @unchecked Sendable {
    struct RenderCall: Equatable, Sendable {
        let path: String
        let page: Int
        let maxWidth: Int
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
    private let lock = NSLock()
    private var recorded: [RenderCall] = []

    var calls: [RenderCall] { lock.withLock { recorded } }

    func inspect(fileAt path: String, policy: InspectionPolicy, sha256: String?, lane: String) async throws -> InspectionReport {
        fatalError("not used by page images")
    }

    func render(fileAt path: String, page: Int, maxWidth: Int, maximumBytes: Int) async throws -> Data {
        lock.withLock { recorded.append(RenderCall(path: path, page: page, maxWidth: maxWidth)) }
        return Data(Self.png)
    }
}

@Suite("Page resources and images")
struct PagesResourceTests {
    @Test("thumbnails go through the injected inspector, once per page and width")
    func thumbnailsUseInjectedInspector() async throws {
        try await TestDatabase.withLocation { location in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-thumbs-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = AppConfig(
                dataDirectory: folder.path, database: location, port: 0, bcryptCost: 4, inspectorExecutable: "/nonexistent/zhtj")
            let database = try await openDatabase(config: config, logger: TestDatabase.logger)
            let blobs = try FileBlobStore(root: folder.path)
            let digest = try await blobs.put(makePDF(pages: 2))
            let inspector = RecordingInspector()
            let services = AppServices(config: config, database: database, clock: FixedTimeSource(testNow), blobs: blobs, inspector: inspector)
            let thumbnails = Thumbnails(services: services)
            let first = try await thumbnails.png(sha256: digest.sha256, page: 2, width: 400, logger: TestDatabase.logger)
            let again = try await thumbnails.png(sha256: digest.sha256, page: 2, width: 400, logger: TestDatabase.logger)
            try await database.close()
            #expect(Array(first) == RecordingInspector.png)
            #expect(again == first)
            let calls = inspector.calls
            #expect(calls.count == 1)
            #expect(calls.first?.page == 2)
            #expect(calls.first?.maxWidth == 400)
            #expect(calls.first?.path == (try await blobs.verifiedPath(digest.sha256)))
        }
    }

    @Test("the layout links the stylesheet and script by content hash; those answer immutable, the plain names briefly")
    func hashedAssets() async throws {
        try await withDemoApp { client in
            let login = try await client.page("/", nil)
            let css = try attribute(login.html, "href", startingWith: "/static/app.")
            let js = try attribute(login.html, "src", startingWith: "/static/app.")
            let renderer = PageRenderer.bundled
            #expect(css == renderer.assets.css.href)
            #expect(js == renderer.assets.js.href)
            let cssBytes = try Data(contentsOf: PageRenderer.resources.appendingPathComponent("Static/app.css"))
            let hash = cssBytes.sha256Hex.prefix(StaticAssets.hashLength)
            #expect(css == "/static/app.\(hash).css")

            for path in [css, js] {
                let response = try await client.page(path, nil)
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
            }
            let cssResponse = try await client.page(css, nil)
            #expect(Array(buffer: cssResponse.body) == Array(cssBytes))
            #expect(cssResponse.headers[.contentType] == "text/css; charset=utf-8")
            let plain = try await client.page("/static/app.css", nil)
            #expect(plain.headers[.cacheControl] == "public, max-age=3600")
            #expect(try await client.page("/static/app.0000000000000000.css", nil).status == .notFound)
            #expect(try await client.page("/static/other.js", nil).status == .notFound)
        }
    }

    @Test("start-up refuses a missing or unparsable template, naming the file")
    func brokenTemplates() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhtj-templates-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try PageRenderer.resources
        try FileManager.default.copyItem(at: source, to: folder)
        #expect(throws: Never.self) { try PageRenderer(resources: folder) }

        let review = folder.appendingPathComponent("Templates/review.mustache")
        try "<p>{{#closed}}未闭合</p>".write(to: review, atomically: true, encoding: .utf8)
        let unparsable = #expect(throws: PageResourceError.self) { try PageRenderer(resources: folder) }
        #expect(unparsable?.description.contains("review.mustache does not parse") == true)

        try FileManager.default.removeItem(at: review)
        let missing = #expect(throws: PageResourceError.self) { try PageRenderer(resources: folder) }
        #expect(missing?.description.contains("review.mustache") == true)
    }
}

extension Data {
    var sha256Hex: String { SHA256.hash(data: self).map { String(format: "%02x", $0) }.joined() }
}

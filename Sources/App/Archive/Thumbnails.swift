import Foundation
import Logging
import PDFInspection

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Page images for the review page, rendered on demand by the inspector's child process (the
/// server never parses a PDF itself) and cached on disk under `<data-dir>/thumbnails/` by the
/// file's SHA-256, the page and the width, so each image is rendered once.
struct Thumbnails {
    let services: AppServices

    static let thumbnailWidth = 200
    static let fullWidth = 1200
    static let widths = [200, 400, 800, 1200]

    /// The nearest supported width at or above the one asked for (the cache holds few sizes).
    static func width(for wanted: Int?) -> Int {
        guard let wanted else { return thumbnailWidth }
        return widths.first { $0 >= wanted } ?? widths[widths.count - 1]
    }

    var directory: String { (services.config.dataDirectory as NSString).appendingPathComponent("thumbnails") }

    func png(sha256: String, page: Int, width: Int, logger: Logger) async throws -> Data {
        guard PDFInspector.isSHA256Hex(sha256) else { throw ServiceRefusal.notFound }
        let sha = sha256.lowercased()
        let folder = (directory as NSString).appendingPathComponent(String(sha.prefix(2)))
        let file = (folder as NSString).appendingPathComponent("\(sha)-p\(page)-w\(width).png")
        if let cached = FileManager.default.contents(atPath: file), !cached.isEmpty { return cached }

        let source: String
        do {
            source = try await services.blobs.verifiedPath(sha)
        } catch {
            logger.critical("archive blob failed verification", metadata: ["sha256": .string(sha), "error": "\(error)"])
            throw ServiceRefusal.thumbnailUnavailable
        }
        let png: Data
        do {
            png = try await services.inspector.render(
                fileAt: source, page: page, maxWidth: width, maximumBytes: services.config.archivePolicy.maximumBytes)
        } catch IsolatedInspector.RenderFailure.busy(let full) {
            throw full
        } catch {
            logger.error("page render failed", metadata: ["sha256": .string(sha), "page": "\(page)", "error": "\(error)"])
            throw ServiceRefusal.thumbnailUnavailable
        }
        // Written to a temp file and renamed, so a concurrent reader never sees half an image.
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let temp = (folder as NSString).appendingPathComponent(".\(UUID().uuidString).tmp")
            try png.write(to: URL(fileURLWithPath: temp))
            if rename(temp, file) != 0 { try? FileManager.default.removeItem(atPath: temp) }
        } catch {
            logger.warning("thumbnail not cached", metadata: ["error": "\(error)"])
        }
        return png
    }
}

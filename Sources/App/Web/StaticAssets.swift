import Crypto
import Domain
import Foundation
import Hummingbird
import NIOCore

/// The pages' stylesheet and script, read once from `Resources/Static/` and served under a name
/// carrying a prefix of their SHA-256 (`app.<hash>.css`), so browsers may keep them for a year
/// and a new build is fetched at once. The plain name still answers, with a short cache, for
/// bookmarks and tools that do not know the hash.
struct StaticAssets: Sendable {
    /// One file.
    struct Asset: Sendable {
        let plainName: String
        let hashedName: String
        let contentType: String
        let bytes: ByteBuffer

        /// The hashed URL the layout links.
        var href: String { PageRoute.staticAsset(hashedName).href }
    }

    let css: Asset
    let js: Asset

    /// Hex digits of the SHA-256 kept in the name: plenty to tell builds apart.
    static let hashLength = 16

    /// Reads the files from `directory`; a missing one stops start-up.
    init(directory: URL) throws(PageResourceError) {
        css = try Self.load(directory, "app", "css", type: "text/css; charset=utf-8")
        js = try Self.load(directory, "app", "js", type: "text/javascript; charset=utf-8")
    }

    private static func load(_ directory: URL, _ stem: String, _ ext: String, type: String) throws(PageResourceError) -> Asset {
        let url = directory.appendingPathComponent("\(stem).\(ext)")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .missing(url.path) }
        let hash = SHA256.hash(data: data).lowercaseHex.prefix(hashLength)
        return Asset(
            plainName: "\(stem).\(ext)", hashedName: "\(stem).\(hash).\(ext)", contentType: type, bytes: ByteBuffer(bytes: data))
    }

    /// The answer for `/static/{name}`: immutable under the hashed name, an hour under the plain
    /// one, nil for anything else.
    func response(for name: String) -> Response? {
        for asset in [css, js] {
            let cache: String
            switch name {
            case asset.hashedName: cache = "public, max-age=31536000, immutable"
            case asset.plainName: cache = "public, max-age=3600"
            default: continue
            }
            return Response(
                status: .ok, headers: [.contentType: asset.contentType, .cacheControl: cache], body: .init(byteBuffer: asset.bytes))
        }
        return nil
    }
}

/// Why the page resources could not be loaded at start-up.
struct PageResourceError: Error, CustomStringConvertible {
    let description: String

    static func missing(_ path: String) -> PageResourceError {
        PageResourceError(description: "page resource missing: \(path)")
    }
}

import Foundation
import Hummingbird
import NIOCore

/// A verified PDF served with `ETag` (its SHA-256), a UTF-8 `Content-Disposition` filename
/// (RFC 6266 / RFC 5987) and single `Range` requests (206), so slow school networks can
/// resume an interrupted download.
struct PDFDownload {
    let path: String
    let bytes: Int
    let sha256: String
    let filename: String
    /// For clients that ignore `filename*`.
    let asciiFilename: String
    /// An attachment may be an image (its type as the inspector read it from the content).
    var contentType = "application/pdf"

    var etag: String { "\"\(sha256)\"" }

    /// `filename*` carries the Chinese name; `filename` an ASCII fallback for old clients.
    var contentDisposition: String {
        let allowed = CharacterSet.alphanumerics.subtracting(CharacterSet(charactersIn: "^")).union(CharacterSet(charactersIn: "-._~"))
        let encoded = filename.unicodeScalars.map { scalar -> String in
            if scalar.isASCII, allowed.contains(scalar) { return String(scalar) }
            return String(scalar).utf8.map { String(format: "%%%02X", $0) }.joined()
        }.joined()
        return "attachment; filename=\"\(asciiFilename)\"; filename*=UTF-8''\(encoded)"
    }

    enum ByteRange: Equatable { case full, partial(ClosedRange<Int>), unsatisfiable }

    /// Parses a single `bytes=` range; anything else is served whole, as RFC 9110 allows.
    static func range(_ header: String?, size: Int) -> ByteRange {
        guard let header, header.hasPrefix("bytes="), size > 0 else { return .full }
        let spec = header.dropFirst("bytes=".count)
        guard !spec.contains(",") else { return .full }
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return .full }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { return .unsatisfiable }
            return .partial(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(parts[0]), start >= 0 else { return .full }
        if start >= size { return .unsatisfiable }
        let end = parts[1].isEmpty ? size - 1 : min(Int(parts[1]) ?? -1, size - 1)
        guard end >= start else { return .full }
        return .partial(start...end)
    }

    func response(for request: Request, context: some RequestContext) async throws -> Response {
        var headers: HTTPFields = [
            .contentType: contentType,
            .eTag: etag,
            .contentDisposition: contentDisposition,
            .acceptRanges: "bytes",
            // Personal records: the browser may keep it, shared caches may not.
            .cacheControl: "private, no-cache",
        ]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
            return Response(status: .notModified, headers: headers)
        }
        var range = Self.range(request.headers[.range], size: bytes)
        // A range against a different representation is ignored (If-Range).
        if let ifRange = request.headers[.ifRange], ifRange != etag { range = .full }
        let fileIO = FileIO()
        switch range {
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(bytes)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .full:
            headers[.contentLength] = String(bytes)
            let body = try await fileIO.loadFile(path: path, context: context)
            return Response(status: .ok, headers: headers, body: body)
        case .partial(let r):
            headers[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound)/\(bytes)"
            headers[.contentLength] = String(r.count)
            let body = try await fileIO.loadFile(path: path, range: r, context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
    }
}

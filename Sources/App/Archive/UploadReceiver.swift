import BlobStore
import Foundation
import Hummingbird
import NIOCore

/// Streams an upload body into a blob-store temp file while it is hashed, refusing it as
/// soon as it passes the size limit. Accepts a raw `application/pdf` body or
/// `multipart/form-data` with the file in the field `file` (exactly one such part: a second
/// is refused with 400 `duplicate_file`).
struct UploadReceiver {
    let maximumBytes: Int
    /// Attachments: a raw `image/png` or `image/jpeg` body is taken too (the content decides).
    var acceptsImages = false

    /// Multipart framing around the file: boundaries and part headers.
    static let multipartAllowance = 64 * 1024

    enum Kind { case raw, multipart(boundary: String) }

    /// Decides from the headers alone, before any of the body is read.
    func kind(of request: Request) throws -> Kind {
        let type = request.headers[.contentType] ?? ""
        let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let limit: Int
        let kind: Kind
        switch mediaType {
        case "application/pdf", "application/octet-stream":
            kind = .raw
            limit = maximumBytes
        // `where` binds to its own pattern only, so each image type carries it.
        case "image/png" where acceptsImages, "image/jpeg" where acceptsImages:
            kind = .raw
            limit = maximumBytes
        case "multipart/form-data":
            guard let boundary = Self.parameter("boundary", in: type) else { throw ServiceRefusal.unsupportedUploadType }
            kind = .multipart(boundary: boundary)
            limit = maximumBytes + Self.multipartAllowance
        default:
            throw ServiceRefusal.unsupportedUploadType
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw ServiceRefusal.tooLarge(limitBytes: maximumBytes)
        }
        return kind
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Reads the body into `upload`. Throws 413 the moment the file passes the limit. Returns
    /// the file name a multipart part gave (as typed; callers clean it), nil for a raw body.
    @discardableResult
    func receive(_ request: Request, kind: Kind, into upload: BlobUpload) async throws -> String? {
        switch kind {
        case .raw:
            var total = 0
            for try await buffer in request.body {
                total += buffer.readableBytes
                if total > maximumBytes { throw ServiceRefusal.tooLarge(limitBytes: maximumBytes) }
                try buffer.withUnsafeReadableBytes { try upload.write($0) }
            }
        case .multipart(let boundary):
            let sink = MultipartFileSink(upload: upload, maximumBytes: maximumBytes)
            let parser = MultipartParser(boundary: boundary)
            parser.onHeader = { name, value in sink.header(name, value) }
            parser.onBody = { buffer in sink.body(&buffer) }
            parser.onPartComplete = { sink.partComplete() }
            var total = 0
            for try await buffer in request.body {
                total += buffer.readableBytes
                if total > maximumBytes + Self.multipartAllowance { throw ServiceRefusal.tooLarge(limitBytes: maximumBytes) }
                do {
                    try parser.execute(buffer)
                } catch {
                    throw ServiceRefusal.badRequest("multipart 表单格式不正确")
                }
                if let error = sink.error { throw error }
            }
            if let error = sink.error { throw error }
            guard sink.sawFile else { throw ServiceRefusal.missingFileField }
            return sink.fileName
        }
        return nil
    }
}

/// Collects the part named `file` of a multipart body; the parser's callbacks are
/// synchronous and run on the receiving task, so no locking is needed.
final class MultipartFileSink: @unchecked Sendable {
    let upload: BlobUpload
    let maximumBytes: Int
    private var inFilePart = false
    private var currentIsFile = false
    private(set) var sawFile = false
    /// The `filename` of the file part's Content-Disposition.
    private(set) var fileName: String?
    private(set) var error: ServiceRefusal?
    private var written = 0

    init(upload: BlobUpload, maximumBytes: Int) {
        self.upload = upload
        self.maximumBytes = maximumBytes
    }

    func header(_ name: String, _ value: String) {
        guard name.lowercased() == "content-disposition" else { return }
        let fieldName = UploadReceiver.parameter("name", in: value)
        // Two files in one form: which one was meant is a guess, so neither is taken.
        if fieldName == "file", sawFile || currentIsFile, error == nil { error = .duplicateFileField }
        currentIsFile = fieldName == "file" && !sawFile
        inFilePart = currentIsFile
        if currentIsFile { fileName = UploadReceiver.parameter("filename", in: value) }
    }

    func body(_ buffer: inout ByteBuffer) {
        guard inFilePart, error == nil else { return }
        written += buffer.readableBytes
        if written > maximumBytes {
            error = .tooLarge(limitBytes: maximumBytes)
            return
        }
        do {
            try buffer.withUnsafeReadableBytes { try upload.write($0) }
        } catch {
            self.error = .internalError
        }
    }

    func partComplete() {
        if currentIsFile { sawFile = true }
        inFilePart = false
        currentIsFile = false
    }
}

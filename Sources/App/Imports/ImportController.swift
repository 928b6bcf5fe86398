import Domain
import Foundation
import Hummingbird
import NIOCore
import Persistence

/// An uploaded spreadsheet: the raw body (any content type but a form), or the multipart
/// field `file`; other multipart fields (the page's `kind`) come along as text.
struct ImportUpload {
    /// The largest spreadsheet taken (the reader's own file limit).
    static let maximumBytes = 20 << 20

    let file: Data
    let fields: [String: String]

    static func read(_ request: Request) async throws -> ImportUpload {
        let type = request.headers[.contentType] ?? ""
        let media = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let multipart = media == "multipart/form-data"
        let limit = maximumBytes + (multipart ? UploadReceiver.multipartAllowance : 0)
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw ServiceRefusal.tooLarge(limitBytes: maximumBytes)
        }
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: limit) } catch is NIOTooManyBytesError {
            throw ServiceRefusal.tooLarge(limitBytes: maximumBytes)
        }
        guard multipart else {
            if body.readableBytes == 0 { throw ServiceRefusal.emptyUpload }
            return ImportUpload(file: Data(buffer: body), fields: [:])
        }
        guard let boundary = UploadReceiver.parameter("boundary", in: type) else { throw ServiceRefusal.unsupportedUploadType }
        let parts = MultipartParts()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in parts.header(name, value) }
        parser.onBody = { buffer in parts.body(&buffer) }
        parser.onPartComplete = { parts.complete() }
        do { try parser.execute(body) } catch { throw ServiceRefusal.badRequest("multipart 表单格式不正确") }
        if parts.files > 1 { throw ImportRefusal.duplicateFile }
        guard let file = parts.values["file"] else { throw ImportRefusal.missingFile }
        if file.isEmpty { throw ServiceRefusal.emptyUpload }
        var fields: [String: String] = [:]
        for (name, value) in parts.values where name != "file" { fields[name] = String(decoding: value, as: UTF8.self) }
        return ImportUpload(file: file, fields: fields)
    }
}

/// Collects the parts of a multipart body by field name (the body is already capped).
private final class MultipartParts {
    var values: [String: Data] = [:]
    var files = 0
    private var current: String?
    private var buffer = Data()

    func header(_ name: String, _ value: String) {
        guard name.lowercased() == "content-disposition" else { return }
        current = UploadReceiver.parameter("name", in: value)
        if current == "file" { files += 1 }
    }

    func body(_ chunk: inout ByteBuffer) {
        guard current != nil else { return }
        buffer.append(contentsOf: chunk.readableBytesView)
    }

    func complete() {
        if let current, values[current] == nil { values[current] = buffer }
        current = nil
        buffer = Data()
    }
}

/// `GET …/children/template.xlsx`, `POST …/children/import`, `GET …/members/template.xlsx?kind=`,
/// `POST …/members/import?kind=`.
struct ImportController {
    let imports: ImportWorkflow

    func register(on api: RouterGroup<AppRequestContext>, uploads: RouterGroup<AppRequestContext>) {
        api.get(SiteRoute.orgChildrenTemplate(nil).pattern) { request, context in
            let (data, name) = try await imports.childrenTemplate(try context.requireActor(), org: try context.orgID())
            return Self.xlsx(data, filename: name)
        }
        api.get(SiteRoute.orgMembersTemplate(nil).pattern) { request, context in
            let kind = try Self.kind(request.uri.queryParameters["kind"].map(String.init))
            let (data, name) = try await imports.memberTemplate(try context.requireActor(), org: try context.orgID(), kind: kind)
            return Self.xlsx(data, filename: name)
        }
        uploads.post(SiteRoute.orgChildrenImport(nil).pattern) { request, context -> ChildrenImportResponse in
            let actor = try context.requireActor()
            let org = try context.orgID()
            let upload = try await ImportUpload.read(request)
            return ChildrenImportResponse(try await imports.importChildren(actor, org: org, file: upload.file, logger: context.logger))
        }
        uploads.post(SiteRoute.orgMembersImport(nil).pattern) { request, context -> MemberImportResponse in
            let actor = try context.requireActor()
            let org = try context.orgID()
            let kind = try Self.kind(request.uri.queryParameters["kind"].map(String.init))
            let upload = try await ImportUpload.read(request)
            let outcome = try await imports.importMembers(actor, org: org, kind: kind, file: upload.file, logger: context.logger)
            return MemberImportResponse(outcome, org: org, today: imports.members.today)
        }
    }

    static func kind(_ raw: String?) throws -> MemberTemplate {
        guard let raw, let kind = MemberTemplate(rawValue: raw) else { throw ImportRefusal.unknownKind(raw ?? "") }
        return kind
    }

    static func xlsx(_ data: Data, filename: String) -> Response {
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "template.xlsx"
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                .contentDisposition: "attachment; filename=\"template.xlsx\"; filename*=UTF-8''\(encoded)",
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}

struct FailedRowResponse: Encodable, Equatable {
    let row: Int
    let reasons: [String]
    init(_ f: ImportWorkflow.FailedRow) {
        row = f.row
        reasons = f.reasons
    }
}

struct ChildrenImportResponse: ResponseEncodable {
    let created: [OrgDetailsResponse]
    let existing: [OrgResponse]
    let failed: [FailedRowResponse]

    init(_ o: ImportWorkflow.ChildrenOutcome) {
        created = o.created.map(OrgDetailsResponse.init)
        existing = o.existing.map { OrgResponse($0) }
        failed = o.failed.map(FailedRowResponse.init)
    }
}

/// ID numbers masked: these are lists.
struct MemberImportResponse: ResponseEncodable {
    let created: [MemberResponse]
    let existing: [MemberResponse]
    let failed: [FailedRowResponse]
    let newMembers: [MemberResponse]
    /// ARC-13: the members page filtered to the archives still to upload, when there are new members.
    let next: String?

    init(_ o: ImportWorkflow.MemberOutcome, org: OrgID, today: CivilDate) {
        created = o.created.map { MemberResponse($0, showFullIDNumber: false, today: today) }
        existing = o.existing.map { MemberResponse($0, showFullIDNumber: false, today: today) }
        failed = o.failed.map(FailedRowResponse.init)
        newMembers = o.newMembers.map { MemberResponse($0, showFullIDNumber: false, today: today) }
        next = o.newMembers.isEmpty ? nil : PageRoute.members(org: org, status: .notUploaded).href
    }

    /// Written by hand (`JSONText`): a 10,000-row import answers with 10,000 members, and
    /// `JSONEncoder` spent a third of the import's time on them (measured with `perf`).
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var json = JSONText(capacity: 400 * (created.count + existing.count + newMembers.count) + 200 * failed.count + 256)
        write(to: &json)
        return json.response
    }
}

extension MemberImportResponse: JSONTextWritable {
    func write(to json: inout JSONText) {
        json.object { json in
            for (name, members) in [("created", created), ("existing", existing)] as [(StaticString, [MemberResponse])] {
                json.key(name)
                json.array { json in for member in members { member.write(to: &json) } }
            }
            json.key("failed")
            json.array { json in
                for row in failed {
                    json.object { json in
                        json.field("row", row.row)
                        json.field("reasons", row.reasons)
                    }
                }
            }
            json.key("newMembers")
            json.array { json in for member in newMembers { member.write(to: &json) } }
            json.field("next", next)
        }
    }
}

import Domain
import Foundation
import Hummingbird
import Persistence

/// The org tree's administration API (ORG-1 … ORG-10): reference data, sub-orgs one at a time,
/// deletion, each org's information and the entry progress. Decodes, calls the workflows,
/// encodes; decides nothing itself.
struct OrgAdministrationController {
    let subOrgs: SubOrgWorkflow
    let profiles: OrgProfileWorkflow
    let progress: EntryProgressWorkflow

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.reference.pattern, use: reference)
        group.post(SiteRoute.orgChildren(nil).pattern, use: create)
        group.post(SiteRoute.orgChildrenPreview(nil).pattern, use: preview)
        group.delete(SiteRoute.org(nil).pattern, use: delete)
        group.get(SiteRoute.orgProfile(nil).pattern, use: profile)
        group.patch(SiteRoute.orgProfile(nil).pattern, use: updateProfile)
        group.get(SiteRoute.orgProgress(nil).pattern, use: entryProgress)
    }

    @Sendable func reference(request: Request, context: AppRequestContext) async throws -> ReferenceResponse {
        _ = try context.requireActor()
        return .current
    }

    @Sendable func preview(request: Request, context: AppRequestContext) async throws -> SubOrgPreviewResponse {
        let draft = try await request.decode(as: SubOrgBody.self, context: context).draft
        return SubOrgPreviewResponse(try await subOrgs.check(try context.requireActor(), parent: try context.orgID(), draft))
    }

    @Sendable func create(request: Request, context: AppRequestContext) async throws -> Response {
        let draft = try await request.decode(as: SubOrgBody.self, context: context).draft
        let created = try await subOrgs.create(try context.requireActor(), parent: try context.orgID(), draft)
        var response = try OrgDetailsResponse(created).response(from: request, context: context).withStatus(.created)
        response.headers[.location] = SiteRoute.org(created.org.id).path
        return response
    }

    @Sendable func delete(request: Request, context: AppRequestContext) async throws -> Response {
        try await subOrgs.delete(try context.requireActor(), try context.orgID())
        return Response(status: .noContent)
    }

    @Sendable func profile(request: Request, context: AppRequestContext) async throws -> OrgProfileResponse {
        OrgProfileResponse(try await profiles.profile(try context.requireActor(), try context.orgID()))
    }

    @Sendable func updateProfile(request: Request, context: AppRequestContext) async throws -> OrgProfileResponse {
        let edit = try await request.decode(as: ProfilePatchBody.self, context: context).edit
        return OrgProfileResponse(try await profiles.update(try context.requireActor(), try context.orgID(), edit))
    }

    @Sendable func entryProgress(request: Request, context: AppRequestContext) async throws -> ProgressResponse {
        var level: Int?
        if let raw = request.uri.queryParameters["level"] {
            guard let n = Int(String(raw)), n >= 1 else { throw ServiceRefusal.badRequest("level 应为正整数") }
            level = n
        }
        return ProgressResponse(try await progress.progress(try context.requireActor(), try context.orgID(), only: level))
    }
}

/// A JSON value read as text: strings as they are, numbers as their digits, null as nil. Counts
/// arrive as numbers from programs and as text from forms; the domain parses both alike.
struct LooseText: Decodable, Equatable {
    let text: String?

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { text = nil }
        else if let s = try? c.decode(String.self) { text = s }
        else if let i = try? c.decode(Int.self) { text = String(i) }
        else if let d = try? c.decode(Double.self) { text = String(d) }
        else if let b = try? c.decode(Bool.self) { text = String(b) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a string or a number") }
    }
}

struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// `POST /api/v1/orgs/{orgId}/children` and `…/preview`.
struct SubOrgBody: Decodable {
    let draft: SubOrgDraft

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        func text(_ key: String) throws -> String? { try c.decodeIfPresent(LooseText.self, forKey: AnyKey(stringValue: key))?.text }
        var fields: [OrgProfileField: String?] = [:]
        for field in OrgProfileField.allCases where c.contains(AnyKey(stringValue: field.rawValue)) {
            fields[field] = try text(field.rawValue)
        }
        draft = SubOrgDraft(
            shortName: try text("shortName") ?? text("name") ?? "", category: try text("category") ?? "",
            industryCategory: try text("industryCategory"), fullName: try text("fullName"), profileFields: fields)
    }
}

/// `PATCH /api/v1/orgs/{orgId}/profile`: a key that is present sets (or, null or "", clears)
/// its field; an absent key leaves it. Keys of the answer that are not fields are ignored, so a
/// client may send back what it read.
struct ProfilePatchBody: Decodable {
    let edit: OrgProfileEdit

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        func text(_ key: String) throws -> String? { try c.decodeIfPresent(LooseText.self, forKey: AnyKey(stringValue: key))?.text }
        var edit = OrgProfileEdit()
        for field in OrgProfileField.allCases where c.contains(AnyKey(stringValue: field.rawValue)) {
            switch field {
            case .shortName, .fullName, .category, .industryCategory: continue
            // Masked as it was read: sending it back unchanged is not a change.
            case .secretaryIdNumber:
                let value = try text(field.rawValue)
                if let value, value.contains("*") { continue }
                edit.fields[field] = value
            default: edit.fields[field] = try text(field.rawValue)
            }
        }
        edit.shortName = try text("shortName") ?? text("name")
        edit.fullName = try text("fullName")
        edit.category = try text("category")
        if c.contains(AnyKey(stringValue: "industryCategory")) { edit.industryCategory = .some(try text("industryCategory")) }
        self.edit = edit
    }
}

import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Persistence

/// 批量创建下级组织 (ORG-6) and 批量导入团员团干部 (MEM-8, ARC-13): a template download, a
/// multipart upload form (no JavaScript; its CSRF token in the action's query, checked by
/// `PageMiddleware`), and the results on the same page. The same `ImportWorkflow` as the API.
extension PagesController {
    @Sendable func childrenImportPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let parent = try await services.subOrgs.parent(visitor.actor, try context.orgID())
        return renderer.page(
            .childrenImport, ChildrenImportPage.make(org: parent.org, csrf: visitor.csrf), title: "批量创建下级组织", visitor: visitor,
            active: .orgs)
    }

    @Sendable func childrenImportSubmit(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgID = try context.orgID()
        let parent = try await services.subOrgs.parent(visitor.actor, orgID)
        do {
            let upload = try await ImportUpload.read(request)
            let outcome = try await services.imports.importChildren(visitor.actor, org: orgID, file: upload.file, logger: context.logger)
            return renderer.page(
                .childrenImport, ChildrenImportPage.make(org: parent.org, csrf: visitor.csrf, outcome: outcome), title: "批量创建下级组织",
                visitor: visitor, active: .orgs)
        } catch {
            let entry = try inPlace(error, context)
            return renderer.page(
                .childrenImport, ChildrenImportPage.make(org: parent.org, csrf: visitor.csrf, error: entry.message), title: "批量创建下级组织",
                visitor: visitor, active: .orgs, status: entry.status)
        }
    }

    @Sendable func memberImportPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let org = try await memberImportOrg(visitor, try context.orgID())
        return renderer.page(
            .memberImport, MemberImportPage.make(org: org, csrf: visitor.csrf), title: "批量导入团员团干部", visitor: visitor, active: .members)
    }

    @Sendable func memberImportSubmit(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgID = try context.orgID()
        let org = try await memberImportOrg(visitor, orgID)
        var kind: MemberTemplate?
        do {
            let upload = try await ImportUpload.read(request)
            let chosen = try ImportController.kind(upload.fields["kind"] ?? request.uri.queryParameters["kind"].map(String.init))
            kind = chosen
            let outcome = try await services.imports.importMembers(
                visitor.actor, org: orgID, kind: chosen, file: upload.file, logger: context.logger)
            return renderer.page(
                .memberImport, MemberImportPage.make(org: org, csrf: visitor.csrf, kind: chosen, outcome: outcome),
                title: "批量导入团员团干部", visitor: visitor, active: .members)
        } catch {
            let entry = try inPlace(error, context)
            return renderer.page(
                .memberImport, MemberImportPage.make(org: org, csrf: visitor.csrf, kind: kind, error: entry.message), title: "批量导入团员团干部",
                visitor: visitor, active: .members, status: entry.status)
        }
    }

    /// The org, after the visitor's right to import either template into it.
    func memberImportOrg(_ visitor: PageVisitor, _ id: OrgID) async throws -> Org {
        do { return try await services.imports.target(visitor.actor, org: id, kind: .branchMembers) } catch let denial as AccessDenial {
            do { return try await services.imports.target(visitor.actor, org: id, kind: .ownCadres) } catch { throw denial }
        }
    }
}

struct ImportFailedRowView {
    let row: Int
    let reasons: [String]
}

struct ChildrenImportPage {
    let orgName: String
    let backHref: String
    let templateHref: String
    let action: String
    let error: String?
    let done: Bool
    let summary: String
    let failed: [ImportFailedRowView]
    let created: [Line]
    let existing: [Line]
    let tabs: [OrgTab]
    var anyFailed = false
    var anyCreated = false
    var anyExisting = false

    struct Line { let name: String; let fullName: String; let href: String }

    static func make(org: Org, csrf: String, outcome: ImportWorkflow.ChildrenOutcome? = nil, error: String? = nil) -> ChildrenImportPage {
        var page = ChildrenImportPage(
            orgName: org.fullName, backHref: PageRoute.orgs(org: org.id).href, templateHref: SiteRoute.orgChildrenTemplate(org.id).path,
            action: PageRoute.childrenImport(org.id, csrf: csrf).href, error: error, done: outcome != nil,
            summary: outcome.map { "新创建 \($0.created.count) 个，已存在 \($0.existing.count) 个，未创建 \($0.failed.count) 行。" } ?? "",
            failed: (outcome?.failed ?? []).map { ImportFailedRowView(row: $0.row, reasons: $0.reasons) },
            created: (outcome?.created ?? []).map { Line(name: $0.org.name, fullName: $0.org.fullName, href: PageRoute.orgProfile($0.org.id).href) },
            existing: (outcome?.existing ?? []).map { Line(name: $0.name, fullName: $0.fullName, href: PageRoute.orgProfile($0.id).href) },
            tabs: OrgTab.tabs(org: org.id, active: .childrenImport, mayHaveSubOrgs: true))
        page.anyFailed = !page.failed.isEmpty
        page.anyCreated = !page.created.isEmpty
        page.anyExisting = !page.existing.isEmpty
        return page
    }
}

struct MemberImportPage {
    let orgName: String
    let action: String
    let templates: [Template]
    let kinds: [Choice]
    let error: String?
    let done: Bool
    let summary: String
    let failed: [ImportFailedRowView]
    let created: [Line]
    let existing: [Line]
    /// ARC-13: where the new members' archives are uploaded.
    let nextHref: String?
    let newCount: Int
    let tabs: [OrgTab]
    var anyFailed = false
    var anyCreated = false
    var anyExisting = false

    struct Template { let label: String; let href: String; let id: String }
    struct Line { let name: String; let idNumber: String; let branch: String; let joinedOn: String; let isNew: Bool; let href: String }

    static func make(
        org: Org, csrf: String, kind: MemberTemplate? = nil, outcome: ImportWorkflow.MemberOutcome? = nil, error: String? = nil
    ) -> MemberImportPage {
        func line(_ r: MemberRecord) -> Line {
            Line(
                name: r.member.name, idNumber: IDNumber.mask(r.member.idNumber.value), branch: r.branchName, joinedOn: r.member.joinedOn.iso,
                isNew: r.member.joinedOn >= Member.archiveRequiredFrom, href: PageRoute.memberRecord(r.member.personID).href)
        }
        let newCount = outcome?.newMembers.count ?? 0
        var page = MemberImportPage(
            orgName: org.fullName, action: PageRoute.memberImport(org.id, csrf: csrf).href,
            templates: MemberTemplate.allCases.map {
                Template(label: "下载“导入\($0.title)”模板", href: SiteRoute.orgMembersTemplate(org.id).path + "?kind=" + $0.rawValue, id: "template-\($0.rawValue)")
            },
            kinds: MemberTemplate.allCases.map {
                Choice(value: $0.rawValue, label: "导入" + $0.title, selected: $0 == (kind ?? .branchMembers))
            },
            error: error, done: outcome != nil,
            summary: outcome.map { "新导入 \($0.created.count) 人（其中2020年1月1日及以后入团的新团员 \($0.newMembers.count) 人），已存在 \($0.existing.count) 人，未导入 \($0.failed.count) 行。" } ?? "",
            failed: (outcome?.failed ?? []).map { ImportFailedRowView(row: $0.row, reasons: $0.reasons) },
            created: (outcome?.created ?? []).map(line), existing: (outcome?.existing ?? []).map(line),
            nextHref: newCount > 0 ? PageRoute.members(org: org.id, status: .notUploaded).href : nil, newCount: newCount,
            tabs: OrgTab.tabs(org: org.id, active: .memberImport, mayHaveSubOrgs: !org.category.holdsMembers))
        page.anyFailed = !page.failed.isEmpty
        page.anyCreated = !page.created.isEmpty
        page.anyExisting = !page.existing.isEmpty
        return page
    }
}

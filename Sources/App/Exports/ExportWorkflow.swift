import Domain
import Foundation
import Persistence
import Spreadsheet

/// The lists that download as .xlsx (issue 9 item 7): one per list page.
enum ExportKind: String, CaseIterable, Sendable {
    case members
    case children
    case cadres
    case progress
    case registrationCodes = "registration-codes"
    /// 团内大数据 (STA-1): the statistics page's figures, a sheet each.
    case stats

    /// The file's Chinese name before the org's name: "团员列表-计算机学院团委.xlsx".
    var title: String {
        switch self {
        case .members: "团员列表"
        case .children: "下级组织"
        case .cadres: "团干部列表"
        case .progress: "录入进度"
        case .registrationCodes: "注册码"
        case .stats: "团内大数据"
        }
    }
}

/// An export's bytes and the name the browser saves it under.
struct ExportFile: Sendable {
    static let contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    let filename: String
    let data: Data
    let rows: Int

    /// `attachment` with the Chinese name in `filename*` (RFC 5987) and an ASCII fallback.
    var contentDisposition: String {
        PDFDownload(path: "", bytes: 0, sha256: "", filename: filename, asciiFilename: "export.xlsx").contentDisposition
    }
}

/// Refusals of the exports, in `ErrorCatalogue`.
enum ExportRefusal: Error, Equatable {
    /// More rows than one file may carry (`ExportWorkflow.rowLimit`).
    case tooManyRows(limit: Int)
}

/// Builds each list's .xlsx from the same workflows the list pages and the JSON API call, so an
/// export shows exactly what its list shows. Files are built in memory; no list may exceed
/// `rowLimit` rows (a province-wide member list is exported org by org).
struct ExportWorkflow: Sendable {
    /// 50,000 rows: about 8 MB of xlsx and 60 MB of memory at most while building.
    static let rowLimit = 50_000
    /// Rows read per query when walking the member list.
    static let pageSize = 1_000

    let orgs: OrgWorkflow
    let subOrgs: SubOrgWorkflow
    let cadres: CadreWorkflow
    let progress: EntryProgressWorkflow
    let admins: AdminWorkflow
    let statistics: StatisticsWorkflow
    let clock: any TimeSource

    var today: CivilDate { clock.now().chinaDate }

    func export(_ kind: ExportKind, _ actor: Actor, org id: OrgID) async throws -> ExportFile {
        switch kind {
        case .members: try await members(actor, org: id)
        case .children: try await children(actor, org: id)
        case .cadres: try await cadreList(actor, org: id)
        case .progress: try await progressReport(actor, org: id)
        case .registrationCodes: try await registrationCodes(actor, org: id)
        case .stats: try await statisticsReport(actor, org: id)
        }
    }

    /// STA-1: each figure of the statistics page as a sheet of 项目 and 数量, and an overview.
    func statisticsReport(_ actor: Actor, org id: OrgID) async throws -> ExportFile {
        let s = try await statistics.statistics(actor, org: id)
        let summary = s.summary
        let columns = [ColumnSpec("项目", width: 30, format: .text), ColumnSpec("数量", width: 12)]
        var sheets = [
            WorksheetContent(
                name: "概况", columns: [ColumnSpec("项目", width: 90, format: .text)],
                rows: [[.text(summary.archives)], [.text(summary.grading)], [.text(summary.key)]])
        ]
        for figure in s.figures {
            let total = figure.bars.map(\.count).reduce(0, +)
            sheets.append(
                WorksheetContent(
                    name: figure.shortTitle, columns: columns,
                    rows: figure.bars.map { [.text($0.label), .number(Double($0.count))] } + [[.text("合计"), .number(Double(total))]]))
        }
        return try file(.stats, s.org, sheets, rows: sheets.map(\.rows.count).reduce(0, +))
    }

    // MARK: the lists

    /// 团员列表 of the subtree; the ID number is whole only where `Domain.authorize` allows
    /// `.viewMemberIdentity` for that member, masked otherwise.
    func members(_ actor: Actor, org id: OrgID) async throws -> ExportFile {
        let org = try await orgs.org(actor, id)
        var records: [MemberRecord] = []
        var cursor: MemberListCursor? = nil
        repeat {
            let page = try await orgs.members(actor, of: id, cursor: cursor, limit: Self.pageSize)
            records += page.items
            guard records.count <= Self.rowLimit else { throw ExportRefusal.tooManyRows(limit: Self.rowLimit) }
            cursor = page.nextCursor.flatMap(MemberListCursor.init(rawValue:))
        } while cursor != nil
        let today = today
        let rows: [[CellValue]] = records.map { record in
            let m = record.member
            let full = Domain.authorize(actor, .viewMemberIdentity, .member(m.personID, branch: record.branch)).isAllowed
            return [
                .text(m.name), .text(m.gender.chineseName), .text(full ? m.idNumber.value : m.idNumber.masked), .text(record.branchName),
                Self.date(m.joinedOn), .text(m.developmentNumber?.value ?? ""), .text(record.isOverAge(on: today) ? "是" : "否"),
                .text(record.identityStatus.chineseName), .text(m.needsArchive ? "是" : "否"),
            ]
        }
        let sheet = WorksheetContent(
            name: "团员列表",
            columns: [
                ColumnSpec("姓名", width: 12), ColumnSpec("性别", width: 6), ColumnSpec("身份证号", width: 22, format: .text),
                ColumnSpec("所在团支部", width: 36), ColumnSpec("入团时间", width: 12, format: .date),
                ColumnSpec("发展团员编号", width: 22, format: .text), ColumnSpec("超龄", width: 6), ColumnSpec("实名认证", width: 10),
                ColumnSpec("需上传电子档案", width: 14),
            ], rows: rows)
        return try file(.members, org, [sheet], rows: rows.count)
    }

    /// 下级组织 of 组织管理: the live direct sub-orgs with their counts.
    func children(_ actor: Actor, org id: OrgID) async throws -> ExportFile {
        let (parent, children) = try await subOrgs.children(actor, of: id)
        guard children.count <= Self.rowLimit else { throw ExportRefusal.tooManyRows(limit: Self.rowLimit) }
        let rows: [[CellValue]] = children.map { d in
            [
                .text(d.org.name), .text(d.org.fullName), .text(d.org.category.chineseName), .text(d.industryCategory?.chineseName ?? ""),
                .number(Double(d.adminCount)), .number(Double(d.memberCount)), .number(Double(d.subOrgCount)),
                .text(d.completeness.infoComplete ? "是" : "否"),
            ]
        }
        let sheet = WorksheetContent(
            name: "下级组织",
            columns: [
                ColumnSpec("组织简称", width: 24, format: .text), ColumnSpec("组织全称", width: 48, format: .text), ColumnSpec("组织类别", width: 14),
                ColumnSpec("单位所属行业类别", width: 16), ColumnSpec("管理员数", width: 10), ColumnSpec("团员数", width: 10),
                ColumnSpec("下级组织数", width: 10), ColumnSpec("组织信息完整", width: 12),
            ], rows: rows)
        return try file(.children, parent.org, [sheet], rows: rows.count)
    }

    /// 团干部列表 of one org. The cadre's ID number is whole where the actor may see it for a
    /// person placed in this org.
    func cadreList(_ actor: Actor, org id: OrgID) async throws -> ExportFile {
        let (org, list) = try await cadres.cadres(actor, of: id)
        let placement = OrgPlacement(org)
        let rows: [[CellValue]] = list.map { c in
            let full = Domain.authorize(actor, .viewMemberIdentity, .member(c.personID, branch: placement)).isAllowed
            return [
                .text(c.name), .text(full ? c.idNumber.value : c.idNumber.masked), .text(c.title), .text(c.isAdmin ? "是" : "否"),
                .text(c.mobile ?? ""), .text(c.memberBranchName ?? ""),
            ]
        }
        let sheet = WorksheetContent(
            name: "团干部列表",
            columns: [
                ColumnSpec("姓名", width: 12), ColumnSpec("身份证号", width: 22, format: .text), ColumnSpec("团内职务", width: 12),
                ColumnSpec("管理员", width: 8), ColumnSpec("手机号码", width: 14, format: .text), ColumnSpec("所在团支部", width: 36),
            ], rows: rows)
        return try file(.cadres, org, [sheet], rows: rows.count)
    }

    /// 录入进度 (ORG-9): one sheet per level ("三级组织", …), laid out as the progress JSON.
    func progressReport(_ actor: Actor, org id: OrgID) async throws -> ExportFile {
        let report = ProgressResponse(try await progress.progress(actor, id))
        var sheets: [WorksheetContent] = []
        var total = 0
        let columns = [
            ColumnSpec("组织简称", width: 24, format: .text), ColumnSpec("组织全称", width: 48, format: .text), ColumnSpec("组织类别", width: 14),
            ColumnSpec("上级组织", width: 36), ColumnSpec("是否已登录", width: 10), ColumnSpec("组织信息是否完整", width: 14),
            ColumnSpec("未填写的信息", width: 30), ColumnSpec("是否已创建下级组织", width: 16), ColumnSpec("下级组织数", width: 10),
            ColumnSpec("团干部数", width: 10), ColumnSpec("团员数", width: 10), ColumnSpec("组织管理员", width: 20),
            ColumnSpec("联系电话", width: 14, format: .text),
        ]
        func yes(_ b: Bool) -> CellValue { .text(b ? "是" : "否") }
        for level in report.levels {
            let items = level.items ?? []
            total += items.count
            guard total <= Self.rowLimit else { throw ExportRefusal.tooManyRows(limit: Self.rowLimit) }
            let rows: [[CellValue]] = items.map { i in
                [
                    .text(i.shortName), .text(i.fullName), .text(i.categoryName), .text(i.parentName.value ?? ""), yes(i.loggedIn),
                    yes(i.infoComplete), .text(i.missing.map(\.label).joined(separator: "、")),
                    i.mayHaveSubOrgs ? yes(i.hasSubOrgs) : .text("—"), .number(Double(i.subOrgCount)), .number(Double(i.cadreCount)),
                    .number(Double(i.memberCount)), .text(i.admins.joined(separator: "、")), .text(i.phone.value ?? ""),
                ]
            }
            sheets.append(WorksheetContent(name: level.name, columns: columns, rows: rows))
        }
        if sheets.isEmpty { sheets.append(WorksheetContent(name: "录入进度", columns: columns)) }
        return try file(.progress, try await orgs.org(actor, id), sheets, rows: total)
    }

    /// ADM-1: a fresh code for every direct sub-org (the old codes stop working). A side
    /// effect: callers reach it only by POST or by a bearer-token GET.
    func registrationCodes(_ actor: Actor, org id: OrgID) async throws -> ExportFile {
        let parent = try await orgs.org(actor, id)
        let issued = try await admins.generateForAllChildren(actor, parent: id)
        let rows: [[CellValue]] = issued.map {
            [.text($0.org.name), .text($0.org.fullName), .text($0.code.value), .text(PageKit.chinaTime($0.expiresAt))]
        }
        let sheet = WorksheetContent(
            name: "注册码",
            columns: [
                ColumnSpec("组织简称", width: 24, format: .text), ColumnSpec("组织全称", width: 48, format: .text),
                ColumnSpec("注册码", width: 12, format: .text), ColumnSpec("有效期至", width: 18, format: .text),
            ], rows: rows)
        return try file(.registrationCodes, parent, [sheet], rows: rows.count)
    }

    // MARK: helpers

    static func date(_ d: CivilDate) -> CellValue { .date(SpreadsheetDate(year: d.year, month: d.month, day: d.day)) }

    /// "团员列表-<org>-2026-12-02.xlsx"; characters a file system refuses become "_".
    func file(_ kind: ExportKind, _ org: Org, _ sheets: [WorksheetContent], rows: Int) throws -> ExportFile {
        let data = try WorkbookBuilder(sheets: sheets).build()
        let unsafe = CharacterSet(charactersIn: "/\\:*?\"<>|").union(.controlCharacters)
        let name = String(String.UnicodeScalarView(org.name.unicodeScalars.map { unsafe.contains($0) ? "_" : $0 }))
        return ExportFile(filename: "\(kind.title)-\(name)-\(today.iso).xlsx", data: data, rows: rows)
    }
}

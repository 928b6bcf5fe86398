import Domain
import Foundation
import Logging
import Persistence
import Spreadsheet

/// The Excel imports (ORG-6, MEM-8, issue 9 items 2, 6 and 7): the two kinds of template and
/// the uploads that fill them. Every row goes through the same workflow call as a single
/// entry (`SubOrgWorkflow.create`, `MemberRecordWorkflow.enter`, `CadreWorkflow.setPost`),
/// which authorises and writes the row in one transaction: a row exists completely or not at all.
struct ImportWorkflow: Sendable {
    let subOrgs: SubOrgWorkflow
    let members: MemberRecordWorkflow
    let cadres: CadreWorkflow

    var repositories: Repositories { members.repositories }

    /// A row that was not created, with its sheet row number and every reason.
    struct FailedRow: Sendable, Equatable {
        let row: Int
        let reasons: [String]
    }

    // MARK: Sub-orgs (ORG-6)

    static let shortNameHeader = "组织简称"
    static let categoryHeader = "组织类别"
    static let industryHeader = "行业类别"
    static let fullNameHeader = "组织全称"
    static let childrenSheetName = "下级组织"
    static let instructionsSheetName = "填写说明"

    /// The template: 组织简称, 组织类别 (a drop-down of the categories this org may create) and
    /// 行业类别 (optional), and the 填写说明 sheet.
    func childrenTemplate(_ actor: Actor, org id: OrgID) async throws -> (Data, filename: String) {
        let parent = try await subOrgs.parent(actor, id)
        let categories = SubOrgDraft.creatableCategories.filter { parent.org.category.mayParent($0) }
        var builder = WorkbookBuilder()
        builder.addSheet(
            WorksheetContent(
                name: Self.childrenSheetName,
                columns: [
                    ColumnSpec("*" + Self.shortNameHeader, width: 34, format: .text),
                    ColumnSpec("*" + Self.categoryHeader, width: 16, choices: categories.map(\.chineseName)),
                    ColumnSpec(Self.industryHeader, width: 16, choices: IndustryCategory.allCases.map(\.rawValue)),
                ]))
        let lines = [
            "批量创建下级组织 · 填写说明",
            "上级组织：\(parent.org.fullName)",
            "1. 每行填写一个下级组织，带 * 的列为必填项；请勿修改第一行的列名，可增加其他列（导入时忽略）。",
            "2. 组织类别请从下拉列表中选择：" + categories.map(\.chineseName).joined(separator: "、") + "。",
            "3. 组织简称须符合其类别的命名规则，如团支部为“单位/区划名称+团支部”或“入学年份级+班号+班团支部”（如“2017级1班团支部”）。",
            "4. 组织全称由系统按上级组织自动生成；创建后组织简称、全称、类别和行业类别均不可修改，请仔细核对。",
            "5. 上传后，每一行要么完整创建，要么不创建；有错误的行会列出行号和原因，修改后可重新上传整个文件，已创建的组织不会重复创建。",
        ]
        builder.addSheet(
            WorksheetContent(
                name: Self.instructionsSheetName, columns: [ColumnSpec("说明", width: 110)], rows: lines.map { [.text($0)] },
                freezesHeader: false))
        return (try builder.build(), "批量创建下级组织模板.xlsx")
    }

    struct ChildrenOutcome: Sendable {
        var created: [OrgDetails] = []
        var existing: [Org] = []
        var failed: [FailedRow] = []
    }

    func importChildren(_ actor: Actor, org id: OrgID, file: Data, logger: Logger) async throws -> ChildrenOutcome {
        _ = try await subOrgs.parent(actor, id)
        let (sheet, _) = try ImportSheet.read(file, key: Self.shortNameHeader, preferred: [Self.childrenSheetName])
        if !sheet.has(Self.categoryHeader) { throw ImportRefusal.missingColumns([Self.categoryHeader]) }
        let headers = [Self.shortNameHeader, Self.categoryHeader, Self.industryHeader, Self.fullNameHeader]
        var outcome = ChildrenOutcome()
        var dataRows = 0
        for row in sheet.rows where !sheet.isBlank(row, headers: headers) {
            dataRows += 1
            let name = ImportCell.text(sheet.cell(row, Self.shortNameHeader))
            let industry = ImportCell.text(sheet.cell(row, Self.industryHeader))
            let full = ImportCell.text(sheet.cell(row, Self.fullNameHeader))
            let draft = SubOrgDraft(
                shortName: name, category: ImportCell.text(sheet.cell(row, Self.categoryHeader)),
                industryCategory: industry.isEmpty ? nil : industry, fullName: full.isEmpty ? nil : full)
            if !name.isEmpty, let there = try await subOrgs.existingChild(actor, of: id, shortName: name) {
                outcome.existing.append(there)
                continue
            }
            do {
                outcome.created.append(try await subOrgs.create(actor, parent: id, draft))
            } catch {
                outcome.failed.append(FailedRow(row: row.number, reasons: Self.reasons(error, logger: logger)))
            }
        }
        if dataRows == 0 { throw ImportRefusal.noRows }
        logger.info(
            "children import",
            metadata: ["created": "\(outcome.created.count)", "existing": "\(outcome.existing.count)", "failed": "\(outcome.failed.count)"])
        return outcome
    }

    // MARK: Members and cadres (MEM-8)

    static let instructionsMarker = "模板类型："

    /// Rows per transaction of a member import: large enough that commits stop mattering,
    /// small enough that other writers wait at most a moment for the write lock.
    static let batchSize = 500

    /// The template of `kind`: its sheet is named after the kind (the marker that tells the two
    /// apart), ID number, development number and mobile formatted as text, drop-downs where the
    /// domain has a list, and a 填写说明 sheet.
    func memberTemplate(_ actor: Actor, org id: OrgID, kind: MemberTemplate) async throws -> (Data, filename: String) {
        let org = try await target(actor, org: id, kind: kind)
        var builder = WorkbookBuilder()
        let specs = kind.columns.map { column -> ColumnSpec in
            let choices: [String] =
                switch column.field {
                case .gender: ["男", "女"]
                case .ethnicity: MemberVocabulary.ethnicities
                case .education: MemberVocabulary.educations
                case .politicalStatus: MemberVocabulary.politicalStatuses
                case .post: CadrePostTitle.all.map(\.rawValue)
                default: []
                }
            let width: Double =
                switch column.field {
                case .idNumber, .developmentNumber: 22
                case .branch, .address, .workplace, .email: 28
                default: 13
                }
            return ColumnSpec(column.header, width: width, format: column.text ? .text : .general, choices: choices)
        }
        builder.addSheet(WorksheetContent(name: kind.title, columns: specs))
        var lines = [
            "导入\(kind.title) · 填写说明",
            Self.instructionsMarker + kind.title + "（“导入本级团干部”和“导入下级团支部团员团干部”的模板不可混用）",
            "导入到：\(org.fullName)",
            "1. 每行填写一人，带 * 的列为必填项；请勿修改第一行的列名和工作表名称。",
            "2. 身份证号、发展团员编号、手机号码三列已设置为文本格式，请勿改为数字格式，否则 Excel 会丢失身份证号的末几位。",
            "3. 入团时间填写日期，如 2021-05-04、2021/5/4 或 2021年5月4日。",
            "4. 2017年1月1日及以后入团的团员（新疆自2016年1月1日起）须填写发展团员编号，前四位须为入团年份。",
            "5. 性别、民族、学历、政治面貌、团内职务请从下拉列表中选择；政治面貌不填即为共青团员。",
            "6. 录入后以身份证号登录，初始密码为身份证号后8位，首次登录须修改。",
            "7. 有错误的行会列出行号和全部原因，其余行正常导入；修改后可重新上传整个文件，已导入的人员不会重复导入。",
        ]
        switch kind {
        case .branchMembers:
            lines.append("8. 所在团支部填写本组织或其下级团支部的简称或全称（简称重名时请填全称）；团支部管理员导入本支部时可不填。")
            lines.append("9. 2020年1月1日及以后入团的新团员，导入后须上传电子档案。")
        case .ownCadres:
            lines.append("8. 本模板导入本组织的团干部：团内职务为必填项。已在系统中的人员只增加职务；新人员同时建立账号。")
        }
        builder.addSheet(
            WorksheetContent(
                name: Self.instructionsSheetName, columns: [ColumnSpec("说明", width: 110)], rows: lines.map { [.text($0)] },
                freezesHeader: false))
        return (try builder.build(), "导入\(kind.title)模板.xlsx")
    }

    /// The org a template of `kind` is for, after the actor's right to enter members there
    /// (`branch_members`) or to manage its cadres (`own_cadres`).
    func target(_ actor: Actor, org id: OrgID, kind: MemberTemplate) async throws -> Org {
        guard let org = try await repositories.orgs.find(id) else { throw ServiceRefusal.notFound }
        switch kind {
        case .branchMembers: try require(actor, .enterMember, .org(OrgPlacement(org)))
        case .ownCadres: try require(actor, .manageCadres, .org(OrgPlacement(org)))
        }
        return org
    }

    struct MemberOutcome: Sendable {
        var created: [MemberRecord] = []
        var existing: [MemberRecord] = []
        var failed: [FailedRow] = []
        /// Created members who joined on or after 2020-01-01 (ARC-13: their archives are due).
        var newMembers: [MemberRecord] = []
    }

    func importMembers(_ actor: Actor, org id: OrgID, kind: MemberTemplate, file: Data, logger: Logger) async throws -> MemberOutcome {
        let org = try await target(actor, org: id, kind: kind)
        let nameHeader = MemberDraft.Field.name.chineseName
        let other = MemberTemplate.allCases.first { $0 != kind }!
        let (sheet, _) = try ImportSheet.read(file, key: nameHeader, preferred: [kind.title])
        // MEM-8: the sheet named after the other kind, or the other kind's header row.
        let branchHeader = MemberDraft.Field.branch.chineseName
        if ImportSheet.normalise(sheet.sheetName) == ImportSheet.normalise(other.title) { throw ImportRefusal.wrongTemplate }
        switch kind {
        case .branchMembers where !sheet.has(branchHeader) && sheet.has(MemberDraft.Field.idNumber.chineseName):
            throw ImportRefusal.wrongTemplate
        case .ownCadres where sheet.has(branchHeader):
            throw ImportRefusal.wrongTemplate
        default: break
        }
        let missing = kind.columns.filter { $0.required && !sheet.has($0.field.chineseName) }.map(\.field.chineseName)
        if !missing.isEmpty { throw ImportRefusal.missingColumns(missing) }

        let branches = kind == .branchMembers ? try await BranchIndex(org: org, repositories: repositories) : nil
        let headers = kind.columns.map(\.field.chineseName)
        let today = members.today
        var outcome = MemberOutcome()
        var dataRows = 0
        var resolved: [String: Result<Org, BranchIndex.BranchProblem>] = [:]
        // Rows that passed the cell checks wait here and are written `batchSize` at a time, in
        // one transaction each (a savepoint per row): one commit per batch, not per row.
        var pending: [(number: Int, row: MemberRecordWorkflow.EntryRow)] = []
        func flush() async throws {
            guard !pending.isEmpty else { return }
            let results = try await members.enter(actor, rows: pending.map(\.row))
            for ((number, _), result) in zip(pending, results) {
                switch result {
                case .success(.entered(let record)):
                    outcome.created.append(record)
                    if record.member.joinedOn >= Member.archiveRequiredFrom { outcome.newMembers.append(record) }
                case .success(.alreadyThere(let record)): outcome.existing.append(record)
                case .failure(let denial as AccessDenial):
                    outcome.failed.append(FailedRow(row: number, reasons: [ErrorCatalogue.entry(denial).message]))
                case .failure(let error): outcome.failed.append(FailedRow(row: number, reasons: Self.reasons(error, logger: logger)))
                }
            }
            pending.removeAll(keepingCapacity: true)
        }
        for row in sheet.rows where !sheet.isBlank(row, headers: headers) {
            dataRows += 1
            var draft = MemberDraft()
            var early: [String] = []
            for column in kind.columns where column.field != .branch {
                let cell = sheet.cell(row, column.field.chineseName)
                switch column.field {
                case .idNumber where ImportCell.lostDigits(cell):
                    early.append("身份证号被 Excel 存成了数字，末几位已丢失；请将该列设置为文本格式后重新填写")
                case .developmentNumber where ImportCell.lostDigits(cell) && ImportCell.text(cell).count > 15:
                    early.append("发展团员编号被 Excel 存成了数字，末几位已丢失；请将该列设置为文本格式后重新填写")
                case .joinedOn: draft.set(.joinedOn, ImportCell.joinDate(cell))
                default: draft.set(column.field, ImportCell.text(cell))
                }
            }
            var into = org
            if let branches {
                // Most rows name one of a few branches: each text is resolved once.
                let text = ImportCell.text(sheet.cell(row, branchHeader))
                let resolution = resolved[text] ?? branches.resolve(text)
                resolved[text] = resolution
                switch resolution {
                case .success(let branch):
                    into = branch
                    if !Domain.authorize(actor, .enterMember, .org(OrgPlacement(branch))).isAllowed {
                        early.append("无权向“\(branch.name)”录入团员：只有该团支部及其直接上级组织的管理员可以录入")
                    }
                case .failure(let problem): early.append(problem.reason)
                }
            }
            if !early.isEmpty {
                // Every reason at once: the domain's on what is there, beside the cells' own.
                var problems: [MemberDraftProblem] = []
                do { _ = try draft.validated(branchCategory: .branch, today: today) } catch { problems = error.problems }
                problems.removeAll { $0 == .required(.idNumber) && early.contains(where: { $0.hasPrefix("身份证号") }) }
                outcome.failed.append(FailedRow(row: row.number, reasons: early + ErrorCatalogue.reasons(problems)))
                continue
            }
            if kind == .ownCadres && !org.category.holdsMembers {
                do {
                    if let there = try await cadreAlreadyThere(draft, in: org) {
                        outcome.existing.append(there)
                    } else {
                        outcome.created.append(try await cadre(actor, draft, in: org))
                    }
                } catch let denial as AccessDenial {
                    outcome.failed.append(FailedRow(row: row.number, reasons: [ErrorCatalogue.entry(denial).message]))
                } catch {
                    outcome.failed.append(FailedRow(row: row.number, reasons: Self.reasons(error, logger: logger)))
                }
                continue
            }
            pending.append((row.number, MemberRecordWorkflow.EntryRow(branch: into, draft: draft)))
            if pending.count >= Self.batchSize { try await flush() }
        }
        try await flush()
        outcome.failed.sort { $0.row < $1.row }
        if dataRows == 0 { throw ImportRefusal.noRows }
        logger.info(
            "member import",
            metadata: [
                "kind": "\(kind.rawValue)", "created": "\(outcome.created.count)", "existing": "\(outcome.existing.count)",
                "failed": "\(outcome.failed.count)",
            ])
        return outcome
    }

    /// A re-uploaded cadre row: the person already holds that post in `org`. (A member row's
    /// re-upload is found inside the batch's transaction, `MemberRecordWorkflow.enter(_:rows:)`.)
    func cadreAlreadyThere(_ draft: MemberDraft, in org: Org) async throws -> MemberRecord? {
        guard let number = try? IDNumber(draft.idNumber.trimmingWhitespaceAndNewlines, today: members.today),
            let person = try await repositories.memberRecords.person(withIDNumber: number)
        else { return nil }
        let title = draft.post.trimmingWhitespaceAndNewlines
        guard try await repositories.cadres.posts(of: person.id).contains(where: { $0.orgID == org.id && $0.title == title }) else {
            return nil
        }
        return try await repositories.members.find(person.id)
    }

    /// `own_cadres` in an org that holds no members (a committee): a cadre post for a person
    /// the system knows (a member elsewhere); people it does not know are refused with the way on.
    func cadre(_ actor: Actor, _ draft: MemberDraft, in org: Org) async throws -> MemberRecord {
        var problems: [MemberDraftProblem] = []
        do { _ = try draft.validated(branchCategory: .branch, today: members.today) } catch {
            problems = error.problems.filter {
                if case .membership(.notABranch) = $0 { return false }
                return true
            }
        }
        if draft.post.trimmingWhitespaceAndNewlines.isEmpty { problems.append(.required(.post)) }
        if !problems.isEmpty { throw MemberDraftRejection(problems) }
        guard let number = try? IDNumber(draft.idNumber.trimmingWhitespaceAndNewlines, today: members.today),
            let person = try await repositories.memberRecords.person(withIDNumber: number),
            let record = try await repositories.members.find(person.id)
        else { throw ImportRowRefusal.cadreNotInSystem }
        if record.member.name != draft.name.trimmingWhitespaceAndNewlines { throw ImportRowRefusal.cadreNameMismatch }
        _ = try await cadres.setPost(actor, org: org.id, person: person.id, title: draft.post, expectExisting: false)
        return record
    }

    /// The Chinese reasons of a row's refusal: every reason of a draft, else the message.
    static func reasons(_ error: any Error, logger: Logger) -> [String] {
        if let refusal = error as? ImportRowRefusal { return [refusal.message] }
        // A row the checks before the insert let through but the schema refused (a record
        // written meanwhile, or one at odds with the rest): the admin learns which value clashes.
        if case .unique = ConstraintViolation(error), let reason = uniqueReason(ConstraintViolation(error)!) { return [reason] }
        guard let entry = ErrorCatalogue.entry(for: error) else {
            // The result code, never the database's message: it may quote the row's values.
            logger.error("import row failed", metadata: [
                "error": "\(String(reflecting: type(of: error)))",
                "database_code": "\(DatabaseResultCode(error)?.description ?? "-")",
            ])
            return [ErrorCatalogue.entry(ServiceRefusal.internalError).message]
        }
        return entry.reasons ?? [entry.message]
    }
}

extension ImportWorkflow {
    /// The clashing value of a unique constraint, in the words of the template's columns; nil for
    /// a constraint no row value explains (that one is logged as an internal error).
    static func uniqueReason(_ violation: ConstraintViolation) -> String? {
        // SQLite names "table.column", PostgreSQL "table.table_column_key": both carry both.
        if violation.concerns("accounts") && violation.concerns("login") {
            return "该身份证号已是系统中另一账号的登录名，无法为其开通账号，请联系上级团委核实"
        }
        if violation.concerns("id_number") { return "该身份证号已被系统中的其他人员使用，请核对身份证号" }
        if violation.concerns("development_number") { return "该发展团员编号已被系统中的其他团员使用，请核对发展团员编号" }
        return nil
    }
}

/// One row's refusal that only the import makes.
enum ImportRowRefusal: Error {
    case cadreNotInSystem
    case cadreNameMismatch

    var message: String {
        switch self {
        case .cadreNameMismatch: "姓名与系统中该身份证号的人员不一致，请核对后重新填写"
        case .cadreNotInSystem:
            "该人员尚未在系统中录入：请先在其所在团支部录入为团员（或由其通过注册码注册为管理员），再导入本级团干部职务"
        }
    }
}

/// The branches a `branch_members` row may name: the org itself when it is a branch, and the
/// live branches of its subtree, by short name and by full name.
struct BranchIndex: Sendable {
    let root: Org
    let byFullName: [String: Org]
    let byShortName: [String: [Org]]

    init(org: Org, repositories: Repositories) async throws {
        root = org
        let all = try await repositories.orgs.subtree(of: org.path, limit: 100_000).filter { $0.category.holdsMembers }
        var full: [String: Org] = [:]
        var short: [String: [Org]] = [:]
        for branch in all {
            full[ImportSheet.normalise(branch.fullName)] = branch
            short[ImportSheet.normalise(branch.name), default: []].append(branch)
        }
        byFullName = full
        byShortName = short
    }

    func resolve(_ text: String) -> Result<Org, BranchProblem> {
        let key = ImportSheet.normalise(text)
        if key.isEmpty {
            return root.category.holdsMembers ? .success(root) : .failure(BranchProblem("请填写所在团支部"))
        }
        if let org = byFullName[key] { return .success(org) }
        let matches = byShortName[key] ?? []
        if matches.count == 1 { return .success(matches[0]) }
        if matches.count > 1 { return .failure(BranchProblem("所在团支部“\(text)”有重名，请填写团支部全称")) }
        return .failure(BranchProblem("所在团支部“\(text)”不是本组织或其下级的团支部，请填写团支部的简称或全称"))
    }

    struct BranchProblem: Error, Sendable { let reason: String; init(_ reason: String) { self.reason = reason } }
}

extension Result where Failure == BranchIndex.BranchProblem {
    var reason: String? { if case .failure(let p) = self { p.reason } else { nil } }
}

extension AppServices {
    /// The imports are made of the workflows they call; nothing of their own to keep.
    var imports: ImportWorkflow { ImportWorkflow(subOrgs: subOrgs, members: memberRecords, cadres: cadres) }
}

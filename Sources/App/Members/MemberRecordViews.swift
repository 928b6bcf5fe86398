import Domain
import Foundation
import Persistence

// MARK: 录入团员团干部

/// The single-entry form; after a refusal it shows every reason and keeps what was typed.
struct MemberEntryPage {
    let orgName: String
    let backHref: String
    let action: String
    let csrf: String
    let error: String?
    let reasons: [String]
    let name: String
    let genders: [Choice]
    let idNumber: String
    let ethnicities: [Choice]
    let educations: [Choice]
    let politicalStatuses: [Choice]
    let joinedOn: String
    let developmentNumber: String
    let mobile: String
    let email: String
    let address: String
    let workplace: String
    let posts: [Choice]
    /// 批量导入 with the templates (MEM-8).
    var bulkHref: String = ""

    static func make(org: Org, csrf: String, draft: MemberDraft = MemberDraft(), error: String? = nil, reasons: [String] = []) -> MemberEntryPage {
        MemberEntryPage(
            orgName: org.fullName, backHref: PageRoute.members(org: org.id).href, action: PageRoute.memberEntry(org.id).href, csrf: csrf,
            error: error, reasons: reasons, name: draft.name,
            genders: Choice.list(["男", "女"], selected: MemberDraft.gender(draft.gender)?.chineseName, blank: "请选择"),
            idNumber: draft.idNumber,
            ethnicities: Choice.list(MemberVocabulary.ethnicities, selected: draft.ethnicity.isEmpty ? "汉族" : draft.ethnicity),
            educations: Choice.list(MemberVocabulary.educations, selected: draft.education, blank: "请选择"),
            politicalStatuses: Choice.list(MemberVocabulary.politicalStatuses, selected: draft.politicalStatus.isEmpty ? MemberVocabulary.defaultPoliticalStatus : draft.politicalStatus),
            joinedOn: draft.joinedOn, developmentNumber: draft.developmentNumber, mobile: draft.mobile, email: draft.email,
            address: draft.address, workplace: draft.workplace,
            posts: Choice.list(CadrePostTitle.all.map(\.rawValue), selected: draft.post, blank: "无（普通团员）"),
            bulkHref: PageRoute.memberImportForm(org.id).href)
    }

    /// The draft a posted form carries.
    static func draft(_ form: PageForm) -> MemberDraft {
        var draft = MemberDraft()
        for field in MemberDraft.Field.allCases {
            if let value = form[field.rawValue] { draft.set(field, value) }
        }
        return draft
    }
}

// MARK: A member's record

struct MemberRecordPage {
    let backHref: String
    let archiveHref: String
    let name: String
    let idNumber: String
    let gender: String
    let branchName: String
    let joinedOn: String
    let developmentNumber: String
    let overAge: Bool
    let identityStatus: String
    let identityStatusName: String
    let removal: RemovalInfo?
    let facts: [Fact]
    let posts: String?
    let error: String?
    let reasons: [String]
    let edit: EditForm?
    let remove: RemoveForm?
    let history: [HistoryLine]
    let checks: [HistoryLine]
    /// GRD-5: 延迟毕业, for admins who may mark it on a member of a branch marked with a month.
    var delay: DelaySection? = nil
    /// ACT-1: the meetings, lessons and activities the member attended, newest first.
    var participation: [Participation] = []

    struct Participation {
        let date: String
        let kindName: String
        let topic: String
        let branchName: String
    }

    struct DelaySection {
        let csrf: String
        let branchMonth: String
        let current: DelayInForce?
        /// The form, while no delay is in force.
        let markAction: String?
        let month: String
        let reason: String
    }

    struct DelayInForce {
        let month: String
        let reason: String
        let markedAt: String
        let revokeAction: String
    }

    struct Fact { let label: String; let value: String }
    struct RemovalInfo { let reason: String; let at: String }
    struct HistoryLine { let at: String; let text: String }

    struct EditForm {
        let action: String
        let csrf: String
        /// MEM-2: the name and ID number fields, only for the provincial committee.
        let identity: IdentityFields?
        let developmentNumber: String
        let ethnicities: [Choice]
        let educations: [Choice]
        let politicalStatuses: [Choice]
        let mobile: String
        let email: String
        let address: String
        let workplace: String
    }

    struct IdentityFields { let name: String; let idNumber: String }

    struct RemoveForm { let action: String; let csrf: String }

    static func actionName(_ action: MemberAuditAction) -> String {
        switch action {
        case .enter: "录入"
        case .profile: "修改资料"
        case .identity: "修改姓名/性别/身份证号"
        case .remove: "删除"
        case .identityCheck: "实名认证结果"
        case .cadrePost: "团内职务变更"
        }
    }

    static func make(_ d: MemberRecordWorkflow.Detail, csrf: String, isSelf: Bool, error: String? = nil, reasons: [String] = []) -> MemberRecordPage {
        let m = d.record.member
        let p = d.profile
        func show(_ v: String?) -> String { (v?.isEmpty ?? true) ? "—" : v! }
        let facts = [
            Fact(label: "民族", value: show(p.ethnicity)), Fact(label: "学历", value: show(p.education)),
            Fact(label: "政治面貌", value: show(p.politicalStatus)), Fact(label: "手机号码", value: show(p.mobile)),
            Fact(label: "电子邮箱", value: show(p.email)), Fact(label: "现居住地", value: show(p.address)),
            Fact(label: "工作单位/学校", value: show(p.workplace)),
        ]
        let id = m.personID
        let edit = d.mayEditProfile
            ? EditForm(
                action: PageRoute.memberRecordEdit(id).href, csrf: csrf,
                identity: d.mayEditIdentity ? IdentityFields(name: m.name, idNumber: m.idNumber.value) : nil,
                developmentNumber: m.developmentNumber?.value ?? "",
                ethnicities: Choice.list(MemberVocabulary.ethnicities, selected: p.ethnicity, blank: "请选择"),
                educations: Choice.list(MemberVocabulary.educations, selected: p.education, blank: "请选择"),
                politicalStatuses: Choice.list(MemberVocabulary.politicalStatuses, selected: p.politicalStatus, blank: "请选择"),
                mobile: p.mobile ?? "", email: p.email ?? "", address: p.address ?? "", workplace: p.workplace ?? "")
            : nil
        let full = d.seesFullIDNumber
        let history = d.audit.reversed().map { e -> HistoryLine in
            var text = actionName(e.action)
            if let changes = try? JSONDecoder().decode([FieldChange].self, from: Data(e.detail.utf8)) {
                text += "：" + changes.map { c in
                    let r = FieldChangeResponse(c, showFullIDNumber: full)
                    return "\(r.fieldName) \(r.before ?? "（空）") → \(r.after ?? "（空）")"
                }.joined(separator: "；")
            } else if let fields = try? JSONDecoder().decode([String: String].self, from: Data(e.detail.utf8)), let reason = fields["reason"] {
                text += "：" + reason
            }
            return HistoryLine(at: PageKit.chinaTime(e.at), text: text)
        }
        let checks = d.identityChecks.reversed().map {
            HistoryLine(at: PageKit.chinaTime($0.recordedAt), text: $0.status.chineseName + ($0.source == .recordChange ? "（姓名或身份证号已修改，待重新核验）" : ""))
        }
        return MemberRecordPage(
            backHref: isSelf ? PageRoute.mine().href : PageRoute.members(org: d.record.branch.id).href,
            archiveHref: isSelf ? PageRoute.mine().href : PageRoute.member(id).href,
            name: m.name, idNumber: full ? m.idNumber.value : m.idNumber.masked, gender: m.gender.chineseName, branchName: d.record.branchName,
            joinedOn: m.joinedOn.iso, developmentNumber: m.developmentNumber?.value ?? "—", overAge: d.overAge,
            identityStatus: d.record.identityStatus.rawValue, identityStatusName: d.record.identityStatus.chineseName,
            removal: d.removal.map { RemovalInfo(reason: $0.reason, at: PageKit.chinaTime($0.removedAt)) }, facts: facts,
            posts: d.posts.isEmpty ? nil : d.posts.map(\.title).joined(separator: "、"), error: error, reasons: reasons, edit: edit,
            remove: d.mayRemove ? RemoveForm(action: PageRoute.memberRemoval(id).href, csrf: csrf) : nil, history: history, checks: checks)
    }

    /// The edit a posted form asks for: only the fields the form carries.
    static func edit(_ form: PageForm) -> MemberProfileEdit {
        MemberProfileEdit(
            name: form["name"], gender: nil, idNumber: form["idNumber"], developmentNumber: form["developmentNumber"],
            ethnicity: form["ethnicity"], education: form["education"], politicalStatus: form["politicalStatus"], mobile: form["mobile"],
            email: form["email"], address: form["address"], workplace: form["workplace"])
    }
}

// MARK: 团干部列表

struct CadresPage {
    let orgName: String
    let orgOptions: [OrgOption]
    let switchAction: String
    let csrf: String
    let error: String?
    let rows: [Row]
    let addAction: String
    let posts: [Choice]
    let history: [HistoryRow]
    /// 导出Excel: the org's cadres (`ExportKind.cadres`).
    let exportHref: String

    struct Row {
        let name: String
        let idNumber: String
        let post: String
        let admin: Bool
        let mobile: String
        let branch: String
        let action: String
        let personId: String
        let choices: [Choice]
    }

    struct HistoryRow { let at: String; let name: String; let from: String; let to: String; let by: String }

    static func make(
        org: Org, choices orgs: [(Org, Int)], cadres: [CadreListRow],
        history: [(change: CadrePostChange, personName: String, changedByName: String)], csrf: String, error: String? = nil
    ) -> CadresPage {
        let titles = CadrePostTitle.all.map(\.rawValue)
        return CadresPage(
            orgName: org.fullName,
            orgOptions: orgs.map { OrgOption(id: $0.0.id.rawValue, name: $0.0.name, indent: String(repeating: "　", count: $0.1), selected: $0.0.id == org.id) },
            switchAction: PageRoute.cadres(org.id).href.components(separatedBy: "?")[0], csrf: csrf, error: error,
            rows: cadres.map { c in
                Row(
                    name: c.name, idNumber: c.idNumber.masked, post: c.title, admin: c.isAdmin, mobile: c.mobile ?? "—",
                    branch: c.memberBranchName ?? "—", action: PageRoute.cadrePost(org.id).href, personId: c.personID.rawValue,
                    choices: Choice.list(titles, selected: CadrePostTitle(title: c.title)?.rawValue))
            },
            addAction: PageRoute.cadrePost(org.id).href, posts: Choice.list(titles, selected: nil, blank: "请选择"),
            history: history.map {
                HistoryRow(at: PageKit.chinaTime($0.change.changedAt), name: $0.personName, from: $0.change.fromTitle ?? "（新任）",
                    to: $0.change.toTitle, by: $0.changedByName)
            }, exportHref: PageRoute.orgExport(org.id, .cadres).href)
    }
}

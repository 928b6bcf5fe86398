import Domain
import Foundation
import Persistence

/// The tabs the three org pages share: 下级组织 · 组织信息 · 录入进度.
struct OrgTab {
    let href: String
    let label: String
    let active: Bool

    enum Kind { case subOrgs, profile, progress, childrenImport, memberImport, activities, registrations, rectification, statistics }

    static func tabs(org: OrgID, active: Kind, mayHaveSubOrgs: Bool) -> [OrgTab] {
        var tabs: [OrgTab] = []
        if mayHaveSubOrgs { tabs.append(OrgTab(href: PageRoute.orgs(org: org).href, label: "下级组织", active: active == .subOrgs)) }
        tabs.append(OrgTab(href: PageRoute.orgProfile(org).href, label: "组织信息", active: active == .profile))
        if mayHaveSubOrgs { tabs.append(OrgTab(href: PageRoute.orgProgress(org).href, label: "录入进度", active: active == .progress)) }
        if mayHaveSubOrgs {
            tabs.append(OrgTab(href: PageRoute.childrenImportForm(org).href, label: "批量创建下级组织", active: active == .childrenImport))
        }
        tabs.append(OrgTab(href: PageRoute.memberImportForm(org).href, label: "批量导入团员团干部", active: active == .memberImport))
        // ACT-1: a branch's organisational life.
        if !mayHaveSubOrgs { tabs.append(OrgTab(href: PageRoute.activities(org).href, label: "三会两制一课", active: active == .activities)) }
        if !mayHaveSubOrgs {
            tabs.append(OrgTab(href: PageRoute.registrations(org).href, label: "年度团籍注册审批", active: active == .registrations))
        }
        // RCT-1 … RCT-4: a branch's self-check; its sub-branches' list for an org above them.
        tabs.append(
            OrgTab(
                href: mayHaveSubOrgs ? PageRoute.rectificationBranches(org).href : PageRoute.rectification(org).href, label: "组织整顿",
                active: active == .rectification))
        tabs.append(OrgTab(href: PageRoute.statistics(org).href, label: "团内大数据", active: active == .statistics))
        return tabs
    }
}

extension Choice {
    static func categories(selected: String) -> [Choice] {
        SubOrgDraft.creatableCategories.map { Choice(value: $0.rawValue, label: $0.chineseName, selected: $0.rawValue == selected) }
    }

    /// The industry categories, with a "请选择" first.
    static func industries(selected: String?) -> [Choice] {
        list(IndustryCategory.allCases.map(\.rawValue), selected: selected, blank: "请选择")
    }
}

/// 组织管理: the sub-orgs of one org, the create-one form and its full-name step (ORG-1, ORG-3, ORG-10).
struct OrgsPage {
    let switcher: Switcher?
    let tabs: [OrgTab]
    let orgName: String
    let orgFullName: String
    let orgCategory: String
    let summary: String
    let rows: [Row]
    let error: String?
    /// Present when the visitor may create sub-orgs here.
    let create: CreateForm?
    /// The second step: the checked draft with its generated full name, for correction.
    let preview: Preview?
    /// Shown to a branch admin, whose org has no sub-orgs (ORG-7).
    let noSubOrgs: String?
    /// 导出Excel: the direct sub-orgs (`ExportKind.children`); nil for a branch.
    let exportHref: String?

    struct Switcher {
        let action: String
        let orgs: [OrgOption]
    }

    struct Row {
        let shortName: String
        let fullName: String
        let categoryName: String
        let industry: String
        let admins: Int
        let members: Int
        let complete: Bool
        let profileHref: String
        /// ORG-10: only an empty sub-org can be deleted; nil otherwise.
        let delete: Delete?
    }

    struct Delete {
        let action: String
        let csrf: String
        let name: String
    }

    struct CreateForm {
        let action: String
        let csrf: String
        let shortName: String
        let categories: [Choice]
        let industries: [Choice]
        let hint: String
    }

    struct Preview {
        let action: String
        let csrf: String
        let shortName: String
        let category: String
        let categoryName: String
        let industry: String
        let industryName: String
        let generatedFullName: String
        let fullName: String
        let upperCommittee: String
        let backHref: String
    }

    /// What the create form holds: empty, or what the admin typed when it was refused.
    struct Typed {
        var shortName = ""
        var category = OrgCategory.branch.rawValue
        var industry: String?
    }

    static func make(
        parent: OrgDetails, children: [OrgDetails], choices: [(org: Org, depth: Int)], mayCreate: Bool, mayDelete: Bool, csrf: String,
        typed: Typed = Typed(), preview: Preview? = nil, error: String? = nil
    ) -> OrgsPage {
        let org = parent.org
        let rows = children.map { child in
            let deletable = mayDelete
                && OrgDeletion.problems(
                    category: child.org.category, admins: child.adminCount, members: child.memberCount, subOrgs: child.subOrgCount
                ).isEmpty
            return Row(
                shortName: child.org.name, fullName: child.org.fullName, categoryName: child.org.category.chineseName,
                industry: child.industryCategory?.rawValue ?? "未选择", admins: child.adminCount, members: child.memberCount,
                complete: child.completeness.infoComplete, profileHref: PageRoute.orgProfile(child.org.id).href,
                delete: deletable ? Delete(action: PageRoute.orgDelete(child.org.id).href, csrf: csrf, name: child.org.name) : nil)
        }
        let options = choices.map {
            OrgOption(id: $0.org.id.rawValue, name: $0.org.name, indent: String(repeating: "　", count: $0.depth), selected: $0.org.id == org.id)
        }
        let create =
            mayCreate && !org.category.holdsMembers
            ? CreateForm(
                action: PageRoute.orgCreatePreview(org.id).href, csrf: csrf, shortName: typed.shortName,
                categories: Choice.categories(selected: typed.category),
                industries: Choice.industries(selected: typed.industry ?? parent.industryCategory?.rawValue),
                hint: "组织简称命名规则：基层团组织为“单位/行政区划名称+团委/团总支/团支部”，如“北控集团团委”“包装车间团支部”；"
                    + "学校班级团支部为“(专业)入学年份级+班号+班团支部”，如“2017级1班团支部”“计算机专业2017级3班团支部”。")
            : nil
        return OrgsPage(
            switcher: options.count > 1 ? Switcher(action: PageRoute.orgs().path, orgs: options) : nil,
            tabs: OrgTab.tabs(org: org.id, active: .subOrgs, mayHaveSubOrgs: !org.category.holdsMembers), orgName: org.name,
            orgFullName: org.fullName, orgCategory: org.category.chineseName, summary: "直属下级组织 \(children.count) 个", rows: rows,
            error: error, create: preview == nil ? create : nil, preview: preview,
            noSubOrgs: org.category.holdsMembers ? "团支部是组织树的末端，团员编入团支部，不能再创建下级组织。" : nil,
            exportHref: org.category.holdsMembers ? nil : PageRoute.orgExport(org.id, .children).href)
    }

    static func preview(_ accepted: SubOrgDraft.Accepted, parent: OrgDetails, csrf: String, upperCommitteeName: String) -> Preview {
        Preview(
            action: PageRoute.orgCreate(parent.org.id).href, csrf: csrf, shortName: accepted.org.name,
            category: accepted.org.category.rawValue, categoryName: accepted.org.category.chineseName,
            industry: accepted.industryCategory?.rawValue ?? "", industryName: accepted.industryCategory?.rawValue ?? "未选择（由该组织管理员填写）",
            generatedFullName: accepted.generatedFullName, fullName: accepted.org.fullName, upperCommittee: upperCommitteeName,
            backHref: PageRoute.orgs(org: parent.org.id).href)
    }
}

/// 组织信息: the org's information form, required fields marked and the missing ones listed (ORG-5, ORG-8).
struct OrgProfilePage {
    let tabs: [OrgTab]
    let orgName: String
    let action: String
    let csrf: String
    let editable: Bool
    let error: String?
    let reasons: [String]
    let complete: Bool
    let missing: [String]
    let entry: String
    let fixed: [Fixed]
    /// The industry category: chosen once (ORG-4), then shown fixed.
    let industry: Industry
    let fields: [Field]

    struct Fixed {
        let label: String
        let value: String
    }

    struct Industry {
        let required: Bool
        let value: String
        /// True while not chosen yet and the visitor may choose it.
        let choosable: Bool
        let options: [Choice]
        let schoolDomain: Bool
    }

    struct Field {
        let name: String
        let label: String
        let value: String
        let required: Bool
        let missing: Bool
        let hint: String?
        /// `numeric` for counts, `tel`, `email` or `text`.
        let inputMode: String
        let maxLength: Int
    }

    static func make(_ view: OrgProfileView, csrf: String, typed: [OrgProfileField: String]? = nil, error: String? = nil, reasons: [String] = []) -> OrgProfilePage {
        let d = view.details
        let completeness = d.completeness
        let required = Set(OrgProfileField.required(for: d.org.category))
        let infoFields: [OrgProfileField] = [
            .phone, .email, .administrativeStaffing, .administrativeStaffed, .publicServiceStaffing, .publicServiceStaffed,
            .secretaryName, .secretaryIdNumber, .secretaryMobile, .youthCount, .partyRecommendedCount,
        ]
        let fields = infoFields.map { field -> Field in
            var value = d.profile.value(of: field) ?? ""
            if field == .secretaryIdNumber, !view.showsFullIDNumber, !value.isEmpty { value = IDNumber.mask(value) }
            if let typed, let t = typed[field] { value = t }
            let hint: String? =
                switch field {
                case .youthCount: "不能超过10000"
                case .partyRecommendedCount: "不能超过1000"
                case .administrativeStaffing, .administrativeStaffed, .publicServiceStaffing, .publicServiceStaffed: "没有须填“0”"
                case .secretaryMobile: "11位手机号码"
                default: nil
                }
            let mode =
                switch field {
                case .phone, .secretaryMobile: "tel"
                case .email: "email"
                case .secretaryIdNumber, .secretaryName: "text"
                default: "numeric"
                }
            return Field(
                name: field.rawValue, label: field.label, value: value, required: required.contains(field),
                missing: completeness.missing.contains(field), hint: hint, inputMode: mode,
                maxLength: field == .email ? 100 : field == .secretaryName ? 50 : field == .phone ? 20 : 18)
        }
        let industry = Industry(
            required: required.contains(.industryCategory), value: d.industryCategory?.rawValue ?? "未选择",
            choosable: d.industryCategory == nil && view.editable, options: Choice.industries(selected: typed?[.industryCategory]),
            schoolDomain: d.industryCategory?.isSchoolDomain ?? false)
        let entry =
            d.org.category.holdsMembers
            ? "已录入团员 \(completeness.memberCount) 名（至少 \(completeness.membersNeeded) 名）"
            : "已录入团干部 \(completeness.cadreCount) 名（至少 \(completeness.cadresNeeded) 名）"
        return OrgProfilePage(
            tabs: OrgTab.tabs(org: d.org.id, active: .profile, mayHaveSubOrgs: !d.org.category.holdsMembers), orgName: d.org.name,
            action: PageRoute.orgProfileSave(d.org.id).href, csrf: csrf, editable: view.editable, error: error, reasons: reasons,
            complete: completeness.infoComplete, missing: completeness.missing.map(\.label), entry: entry,
            fixed: [
                Fixed(label: "组织类别", value: d.org.category.chineseName), Fixed(label: "组织简称", value: d.org.name),
                Fixed(label: "组织全称", value: d.org.fullName),
            ],
            industry: industry, fields: fields)
    }
}

/// 录入进度: one level below the org at a time, with the manual's summary line (ORG-9).
struct OrgProgressPage {
    let tabs: [OrgTab]
    let orgName: String
    let levels: [OrgTab]
    let summary: String?
    let rows: [Row]
    let empty: String
    /// 导出Excel: every level's progress (`ExportKind.progress`).
    let exportHref: String

    struct Row {
        let shortName: String
        let parentName: String
        let categoryName: String
        let loggedIn: String
        let complete: String
        let subOrgs: String
        let admins: String
        let phone: String
        let missing: String
    }

    static func make(_ progress: EntryProgress, asOf: String) -> OrgProgressPage {
        let shown = progress.levels.first { $0.counts != nil }
        let levels = progress.levels.map {
            OrgTab(href: PageRoute.orgProgress(progress.org.id, level: $0.level).href, label: "\($0.name)录入情况", active: $0.level == shown?.level)
        }
        var summary: String?
        if let shown, let c = shown.counts {
            summary = "截至\(asOf)，\(shown.name)共有\(shown.total)个，其中\(c.loggedIn)个已登录系统，\(shown.total - c.loggedIn)个未登录系统；"
                + "\(c.infoComplete)个已完整录入本组织信息，\(shown.total - c.infoComplete)个未完整录入本组织信息；"
                + "\(c.withSubOrgs)个已创建直属下级组织，\(c.mayHaveSubOrgs - c.withSubOrgs)个未创建直属下级组织（团支部不设下级组织）。"
        }
        let rows = (shown?.rows ?? []).map { row in
            let d = row.details
            let completeness = d.completeness
            return Row(
                shortName: d.org.name, parentName: row.parentName ?? "", categoryName: d.org.category.chineseName,
                loggedIn: row.loggedIn ? "是" : "否", complete: completeness.infoComplete ? "是" : "否",
                subOrgs: d.org.category.holdsMembers ? "—" : (d.subOrgCount > 0 ? "是" : "否"),
                admins: row.adminNames.isEmpty ? "尚未注册" : row.adminNames.joined(separator: "、"), phone: d.profile.phone ?? "",
                missing: completeness.missing.map(\.label).joined(separator: "、"))
        }
        return OrgProgressPage(
            tabs: OrgTab.tabs(org: progress.org.id, active: .progress, mayHaveSubOrgs: true), orgName: progress.org.name, levels: levels,
            summary: summary, rows: rows, empty: progress.levels.isEmpty ? "本组织尚未创建下级组织。" : "该级没有组织。",
            exportHref: PageRoute.orgExport(progress.org.id, .progress).href)
    }
}

import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Persistence

/// The transfer pages (TRF-1 … TRF-11): a member's application and history, an org's 办理转出 /
/// 办理转入 lists with the forms it may start, and one transfer's page where its current step
/// is decided. Everything goes through `TransferWorkflow`, as the API does; a refusal is shown
/// on the page it came from, with the catalogue's message.
extension PagesController {
    // MARK: 我的组织关系转接 (TRF-1)

    @Sendable func myTransfersPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        guard visitor.isMember else { throw PageRedirect(to: visitor.home) }
        let q = request.uri.queryParameters["q"].map(String.init)
        let view = try await myTransfersView(visitor, q: q)
        return renderer.page(.myTransfers, view, title: "组织关系转接", visitor: visitor, active: .transfers, flash: PageFlash.of(request))
    }

    func myTransfersView(_ visitor: PageVisitor, q: String?, chosen: String? = nil, reason: String? = nil, error: String? = nil) async throws
        -> MyTransfersPage
    {
        let me = visitor.actor.personID
        guard let record = try await services.database.repositories.members.find(me) else { throw ServiceRefusal.notFound }
        let history = try await services.transfers.history(visitor.actor, member: me)
        return MyTransfersPage(
            memberName: record.member.name, branchName: record.branchName, csrf: visitor.csrf, action: PageRoute.myTransferApply.href,
            search: try await destinationSearch(PageRoute.myTransfers(), q: q, checked: chosen, excluding: record.branch.id),
            reason: reason, error: error, open: history.first { $0.transfer.state.isOpen }.map(TransferRowView.init),
            history: history.map(TransferRowView.init))
    }

    @Sendable func myTransferApply(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        guard visitor.isMember else { throw PageRedirect(to: visitor.home) }
        let form = try await PageForm.read(request)
        let chosen = form["toOrgId"] ?? ""
        do {
            guard let destination = OrgID(rawValue: chosen) else { throw ServiceRefusal.badRequest("请先按名称查找并选择转入的团组织") }
            _ = try await services.transfers.submit(
                visitor.actor,
                .init(kind: .apply, members: [visitor.actor.personID], destination: destination, reason: form["reason"] ?? ""))
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await myTransfersView(visitor, q: form["q"], chosen: chosen, reason: form["reason"], error: entry.message)
            return renderer.page(.myTransfers, view, title: "组织关系转接", visitor: visitor, active: .transfers, status: entry.status)
        }
        return PageKit.redirect(.myTransfers(done: .transferSubmitted))
    }

    /// The destination search of a form: orgs whose name holds `q` (the registration page's
    /// search), the form's own org left out.
    func destinationSearch(_ form: PageRoute, q: String?, checked: String?, excluding own: OrgID, keep: [Choice] = []) async throws
        -> DestinationSearch
    {
        let found = try await services.admins.searchOrgs(q ?? "").filter { $0.id != own }
        return DestinationSearch(
            searchAction: form.path, keep: keep, q: q, results: DestinationOption.list(found, checked: checked),
            none: !(q ?? "").isEmpty && found.isEmpty)
    }

    // MARK: 办理转出 / 办理转入 (TRF-2, TRF-4, TRF-6, TRF-11)

    /// The kinds an org starts from its pages: a branch its members' moves, a 团委/团工委/团总支
    /// a batch between its branches (TRF-4).
    static func startableKinds(_ org: Org) -> [TransferKind] {
        if org.category.holdsMembers { return [.transferOut, .transferIn, .graduate, .dropout] }
        if [.committee, .workingCommittee, .generalBranch].contains(org.category) { return [.batch] }
        return []
    }

    static func formName(_ kind: TransferKind) -> String {
        switch kind {
        case .transferOut: "办理转出"
        case .transferIn: "办理转入"
        case .batch: "批量接转"
        case .graduate: "学社衔接"
        case .dropout: "辍学返回"
        case .apply: "申请转接"
        }
    }

    @Sendable func orgTransfersPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgID = try pathOrg(context)
        let raw = request.uri.queryParameters["direction"].map(String.init) ?? TransferDirection.outgoing.rawValue
        guard let direction = TransferDirection(rawValue: raw) else { throw ServiceRefusal.badRequest("direction 应为 in 或 out") }
        let items = try await services.transfers.list(visitor.actor, org: orgID, outgoing: direction == .outgoing, status: nil, limit: 100)
        let org = try await services.admins.org(orgID)
        let view = OrgTransfersPage(
            orgName: org.fullName,
            tabs: TransferDirection.allCases.map {
                .init(href: PageRoute.orgTransfers(orgID, direction: $0).href, label: "办理\($0.label)", active: $0 == direction)
            },
            starts: Self.startableKinds(org).map {
                .init(href: PageRoute.transferForm(orgID, kind: $0).href, label: Self.formName($0), id: "start-\($0.rawValue)")
            } + (Domain.authorize(visitor.actor, .markGraduation, .org(OrgPlacement(org))).isAllowed
                ? [.init(href: PageRoute.graduation(orgID).href, label: "毕业生标注", id: "start-graduation")] : []),
            directionName: direction.label, items: items.map(TransferRowView.init))
        return renderer.page(.orgTransfers, view, title: "组织关系转接", visitor: visitor, active: .transfers, flash: PageFlash.of(request))
    }

    /// What a transfer form holds when it is shown again after a refusal.
    struct TransferFormDraft {
        var q: String?
        var from: OrgID?
        var members: Set<String> = []
        var destination: String?
        var name = ""
        var idNumber = ""
        var outcome: String?
        var channel: String?
        var keptMonths = ""
        var reason = ""
    }

    func transferFormView(_ visitor: PageVisitor, org orgID: OrgID, kind: TransferKind, draft: TransferFormDraft, error: String? = nil)
        async throws -> TransferFormPage
    {
        let org = try await services.admins.org(orgID)
        guard Self.startableKinds(org).contains(kind) else { throw ServiceRefusal.badRequest("该组织不能在此办理\(Self.formName(kind))") }
        let actor = visitor.actor
        var member: TransferFormPage.MemberSelect?
        var identity: TransferFormPage.Identity?
        var batch: TransferFormPage.Batch?
        var destination: DestinationSearch?
        var graduate: TransferFormPage.Graduate?
        switch kind {
        case .transferIn:
            identity = .init(name: draft.name, idNumber: draft.idNumber)
        case .batch:
            let branches = try await services.transfers.branches(actor, below: orgID)
            let source = draft.from.flatMap { id in branches.first { $0.id == id } }
            let candidates = try await source.asyncMap { try await services.transfers.members(actor, of: $0.id).members } ?? []
            batch = .init(
                fromAction: PageRoute.transferForm(orgID, kind: kind).path, kind: kind.rawValue, fromId: source?.id.rawValue,
                sources: [Choice(value: "", label: "请选择转出的团支部", selected: source == nil)]
                    + branches.map { Choice(value: $0.id.rawValue, label: $0.name, selected: $0.id == source?.id) },
                members: candidates.map {
                    .init(value: $0.member.personID.rawValue, label: $0.member.name, checked: draft.members.contains($0.member.personID.rawValue))
                },
                destinations: [Choice(value: "", label: "请选择转入的团支部", selected: draft.destination == nil)]
                    + branches.filter { $0.id != source?.id }.map {
                        Choice(value: $0.id.rawValue, label: $0.name, selected: $0.id.rawValue == draft.destination)
                    },
                limit: TransferRules.batchLimit)
        case .transferOut, .graduate, .dropout, .apply:
            let own = try await services.transfers.members(actor, of: orgID).members
            member = .init(
                options: [Choice(value: "", label: "请选择团员", selected: draft.members.isEmpty)]
                    + own.map {
                        Choice(value: $0.member.personID.rawValue, label: $0.member.name, selected: draft.members.contains($0.member.personID.rawValue))
                    })
            destination = try await destinationSearch(
                .transferForm(orgID, kind: kind), q: draft.q, checked: draft.destination, excluding: orgID,
                keep: [Choice(value: kind.rawValue, label: "kind", selected: true)])
            if kind == .graduate {
                graduate = .init(
                    outcomes: [Choice(value: "", label: "请选择毕业去向", selected: draft.outcome == nil)]
                        + GraduateOutcome.allCases.map { Choice(value: $0.rawValue, label: $0.chineseName, selected: $0.rawValue == draft.outcome) },
                    channels: [Choice(value: "", label: "请选择转接渠道", selected: draft.channel == nil)]
                        + GraduateChannel.allCases.map { Choice(value: $0.rawValue, label: $0.chineseName, selected: $0.rawValue == draft.channel) },
                    keptMonths: draft.keptMonths)
            }
        }
        return TransferFormPage(
            orgName: org.fullName, kindName: Self.formName(kind), rule: Self.formRule(kind),
            backHref: PageRoute.orgTransfers(orgID, direction: kind == .transferIn ? .incoming : .outgoing).href, csrf: visitor.csrf,
            action: PageRoute.transferSubmit(orgID).href, kind: kind.rawValue, error: error, member: member, identity: identity, batch: batch,
            search: destination, graduate: graduate, reason: draft.reason)
    }

    static func formRule(_ kind: TransferKind) -> String {
        switch kind {
        case .transferOut: "由团员所在团支部（或其直接上级）发起，经转入方审批后生效。2020年1月1日后发展、团员身份尚未认证的新团员不能转接。"
        case .transferIn: "由转入团支部发起，按姓名和身份证号查找团员；经转出方审批后生效。"
        case .batch: "团委、团工委、团总支在所辖两个团支部之间直接转接，一次至多\(TransferRules.batchLimit)人，无需审批；其中有身份未认证的新团员时整批不予办理。"
        case .graduate: "毕业生学社衔接：5月1日至8月31日提交，9月1日至9月30日审批；按毕业去向选择转接渠道和转入组织。"
        case .dropout: "辍学团员返回户籍所在地或居住地团组织。"
        case .apply: "团员本人申请。"
        }
    }

    @Sendable func transferFormPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgID = try pathOrg(context)
        let query = request.uri.queryParameters
        guard let kind = TransferKind(rawValue: query["kind"].map(String.init) ?? "out") else { throw ServiceRefusal.badRequest("未知的转接类型") }
        var draft = TransferFormDraft()
        draft.q = query["q"].map(String.init)
        draft.from = query["from"].flatMap { OrgID(rawValue: String($0)) }
        let view = try await transferFormView(visitor, org: orgID, kind: kind, draft: draft)
        return renderer.page(.transferForm, view, title: Self.formName(kind), visitor: visitor, active: .transfers)
    }

    @Sendable func transferSubmitPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await admin(request, context)
        let orgID = try pathOrg(context)
        let form = try await PageForm.read(request)
        guard let kind = TransferKind(rawValue: form["kind"] ?? "") else { throw ServiceRefusal.badRequest("未知的转接类型") }
        var draft = TransferFormDraft()
        draft.from = form["from"].flatMap { OrgID(rawValue: $0) }
        draft.members = Set(form.all("memberId").filter { !$0.isEmpty })
        draft.destination = form["toOrgId"].flatMap { $0.isEmpty ? nil : $0 }
        draft.name = form["name"] ?? ""
        draft.idNumber = form["idNumber"] ?? ""
        draft.outcome = form["outcome"].flatMap { $0.isEmpty ? nil : $0 }
        draft.channel = form["channel"].flatMap { $0.isEmpty ? nil : $0 }
        draft.keptMonths = form["keptMonths"] ?? ""
        draft.reason = form["reason"] ?? ""
        do {
            var people: [PersonID] = form.all("memberId").compactMap { PersonID(rawValue: $0) }
            var destination = draft.destination.flatMap { OrgID(rawValue: $0) }
            if kind == .transferIn {
                people = [try await services.transfers.memberToTransferIn(visitor.actor, into: orgID, name: draft.name, idNumber: draft.idNumber)]
                destination = orgID
            }
            guard let destination else {
                throw ServiceRefusal.badRequest(kind == .batch ? "请选择转入的团支部" : "请先按名称查找并选择转入的团组织")
            }
            var submission = TransferWorkflow.Submission(kind: kind, members: people, destination: destination, reason: draft.reason)
            try submission.graduate(outcome: draft.outcome, channel: draft.channel)
            if !draft.keptMonths.isEmpty {
                guard let months = Int(draft.keptMonths) else { throw ServiceRefusal.badRequest("保留月数应为整数") }
                submission.keptMonths = months
            }
            let started = try await services.transfers.submit(visitor.actor, submission)
            if started.count == 1, let only = started.first { return PageKit.redirect(.transfer(only.id, done: .transferSubmitted)) }
            return PageKit.redirect(.orgTransfers(orgID, direction: .outgoing, done: .transferSubmitted))
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await transferFormView(visitor, org: orgID, kind: kind, draft: draft, error: entry.message)
            return renderer.page(.transferForm, view, title: Self.formName(kind), visitor: visitor, active: .transfers, status: entry.status)
        }
    }

    // MARK: One transfer, and its decisions (TRF-3, TRF-7)

    func transferView(_ visitor: PageVisitor, _ id: String, error: String? = nil) async throws -> TransferPage {
        let (record, kept) = try await services.transfers.detail(visitor.actor, id)
        let rights = try await services.transfers.rights(visitor.actor, on: record)
        var rejection: String?
        if case .rejected(_, let why) = record.transfer.state { rejection = why }
        let back: PageRoute = visitor.isAdmin ? .inbox() : .myTransfers()
        return TransferPage(
            backHref: back.href, csrf: visitor.csrf, kindName: record.transfer.kind.chineseName, memberName: record.memberName,
            fromName: record.source.name, toName: record.destination.name, reason: record.reason,
            outcome: record.outcome.map { outcome in record.channel.map { "\(outcome.chineseName)，\($0.chineseName)" } ?? outcome.chineseName },
            status: record.transfer.state.status.rawValue, statusName: record.transfer.state.status.chineseName,
            createdAt: PageKit.chinaTime(record.createdAt), rejectionReason: rejection, error: error,
            steps: TransferStepView.progress(record, kept: kept),
            kept: kept.map {
                .init(
                    at: PageKit.chinaTime($0.at), stepName: $0.step?.chineseName ?? "—", decisionName: TransferPage.decisionName($0.decision),
                    actorName: $0.actorName ?? ($0.actorID == nil ? "系统" : "—"), reason: $0.reason)
            },
            decide: rights.decide ? .init(approveAction: PageRoute.transferApprove(id).href, rejectAction: PageRoute.transferReject(id).href) : nil,
            assign: rights.assign
                ? .init(
                    action: PageRoute.transferAssign(id).href,
                    branches: [Choice(value: "", label: "请选择团支部", selected: true)]
                        + rights.assignable.map { Choice(value: $0.id.rawValue, label: $0.name, selected: false) }) : nil,
            withdrawAction: rights.withdraw ? PageRoute.transferWithdraw(id).href : nil)
    }

    @Sendable func transferPage(request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await visitor(request, context)
        let view = try await transferView(visitor, try context.transferID())
        return renderer.page(.transfer, view, title: "组织关系转接", visitor: visitor, active: .transfers, flash: PageFlash.of(request))
    }

    func decideTransfer(_ request: Request, _ context: AppRequestContext, _ verb: TransferVerb) async throws -> Response {
        let visitor = try await visitor(request, context)
        let id = try context.transferID()
        let form = try await PageForm.read(request)
        var done: PageFlash =
            switch verb {
            case .approve: .transferApproved
            case .reject: .transferRejected
            case .withdraw: .transferWithdrawn
            case .assign: .transferAssigned
            }
        do {
            let decision: TransferWorkflow.Decision
            switch verb {
            case .approve: decision = .approve
            case .reject: decision = .reject(reason: form["reason"] ?? "")
            case .withdraw: decision = .withdraw
            case .assign:
                guard let branch = form["branchId"].flatMap({ OrgID(rawValue: $0) }) else {
                    throw ServiceRefusal.badRequest("请选择要分配的团支部")
                }
                decision = .assign(branch: branch)
            }
            let decided = try await services.transfers.decide(visitor.actor, transfer: id, decision)
            if verb == .approve, case .completed = decided.transfer.state { done = .transferCompleted }
        } catch {
            let entry = try PageKit.refusalShownInPlace(error, context)
            let view = try await transferView(visitor, id, error: entry.message)
            return renderer.page(.transfer, view, title: "组织关系转接", visitor: visitor, active: .transfers, status: entry.status)
        }
        return PageKit.redirect(.transfer(id, done: done))
    }
}

import Domain
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import PDFInspection
import Spreadsheet
import Persistence

/// A refusal as a client receives it: an HTTP status, a stable snake_case code for programs
/// and a Chinese message for people. Rendered as `{"error":{"code","message"}}` by the API and
/// as an error page by the pages; only `ErrorCatalogue` makes them.
public struct AppError: HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Extra headers, e.g. `Retry-After` on 429.
    public var headers: HTTPFields = [:]
    /// Every reason of a refusal that has several (a draft's or a member record's problems),
    /// sent as `error.reasons` beside `message`, which joins them.
    public var reasons: [String]? = nil

    fileprivate init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:], reasons: [String]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.reasons = reasons
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }()

    struct Body: Encodable {
        struct Inner: Encodable { let code: String; let message: String; var reasons: [String]? = nil }
        let error: Inner
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bodyBytes)))
    }

    /// `{"error":{"code","message"}}`, for answers written below the router (a 408).
    var bodyBytes: [UInt8] {
        // Two strings cannot fail to encode. Sorted keys: the same refusal is the same bytes on
        // every route (an unseen record and a missing one must not differ even in key order).
        Array((try? Self.encoder.encode(Body(error: .init(code: code, message: message, reasons: reasons)))) ?? Data())
    }
}

/// The workflows' own refusals, beside the domain's (`ArchiveRefusal`, `AccessDenial`) and the
/// inspector's (`Refusal`). Each is one entry of `ErrorCatalogue`.
enum ServiceRefusal: Error, Equatable {
    // Sessions and accounts (ADM-6)
    case unauthenticated
    case sessionExpired
    case invalidCredentials
    case missingCredentials
    case tooManyAttempts(retryAfterSeconds: Int)
    case wrongCurrentPassword
    case weakPassword(String)
    case passwordConfirmationMismatch
    case passwordChangeRequired
    case forbidden
    // Lookups
    case notFound
    case archiveNotFound
    case archiveVersionNotFound
    case targetOrgNotFound
    // Requests
    case badRequest(String)
    case tooLarge(limitBytes: Int)
    case emptyUpload
    case missingFileField
    /// A multipart upload with more than one part named `file`.
    case duplicateFileField
    case unsupportedUploadType
    /// A JSON endpoint sent another content type.
    case jsonRequired
    /// A request body over the endpoint's limit (JSON or a form, not an upload).
    case requestTooLarge(limitBytes: Int)
    /// A free-text field that is too long or carries control characters.
    case invalidText(FreeTextProblem)
    /// The client took too long to send its headers or paused inside the body.
    case requestTimeout
    /// The path exists, the method does not; `allow` lists those that do.
    case methodNotAllowed(allow: [String])
    /// The client went away before its upload was answered; nothing was stored for it.
    case clientGone
    // Archives
    case archiveNotRequired
    case archiveChanged
    case archiveUnavailable
    case thumbnailUnavailable
    /// A page form or cookie-authenticated API call without its CSRF token.
    case csrfRejected
    /// A state-changing request sent from another site (`Origin`, `Sec-Fetch-Site`).
    case crossSiteRequest
    // Transfers (ARC-9, TRF-5)
    case memberNotVerified
    /// The member already has a transfer that is not finished.
    case transferPending(name: String)
    /// A decision on a transfer that no longer waits on any step.
    case transferNotPending
    /// TRF-2: no member has both the name and the ID number 办理转入 gave.
    case transferMemberNotFound
    /// GRD-5: the member already has a delayed graduation in force.
    case delayExists
    // Member records and cadres (MEM-2, MEM-6, MEM-9, 团干部管理)
    /// MEM-2: name, gender and ID number are the provincial committee's to change.
    case identityFieldsProvinceOnly
    /// The 书记 post changes only through the parent org's admin.
    case secretaryNeedsParent
    case cadrePostExists
    case cadrePostNotFound
    case unknownCadrePost
    case personNotFound
    case memberRemoved
    case invalidIdentityFile(IdentityCheckFile.FileProblem)
    case databaseUnavailable
    /// `/readyz`: the blob store does not take a file (full or read-only disk).
    case storageUnavailable
    case internalError
}

/// Every refusal of every module mapped to its status, code and Chinese message, in one
/// place. The API's error middleware and the pages' error pages both read it.
enum ErrorCatalogue {
    /// The client's view of `error`; nil for errors that are not refusals (bugs, outages),
    /// which become `internalError` with their details only in the log.
    static func entry(for error: any Error) -> AppError? {
        switch error {
        case let error as AppError: error
        case let refusal as ServiceRefusal: entry(refusal)
        case let refusal as ArchiveRefusal: entry(refusal)
        case let refusal as AdminRefusal: entry(refusal)
        case let denial as AccessDenial: entry(denial)
        case let refused as InspectionRefused: entry(inspection: refused.refusal)
        case let problem as FreeTextProblem: entry(ServiceRefusal.invalidText(problem))
        case let rejection as MemberDraftRejection: entry(rejection)
        case let rejection as TransferRejection: entry(rejection)
        case let refusal as TransferRefusal: entry(refusal)
        case let refusal as GraduationRefusal: entry(refusal)
        case let refused as GradingRefused: entry(refused)
        case let problem as NoticeProblem: entry(problem)
        case let problem as ActivityProblem: entry(problem)
        case let problem as RegistrationProblem: entry(problem)
        case AttachmentProblem.tooMany(let limit): AppError(.conflict, "too_many_attachments", "每条记录最多\(limit)个附件，请先撤回不需要的附件")
        case AttachmentProblem.withdrawn: AppError(.conflict, "attachment_withdrawn", "该附件已撤回")
        case let refused as RectificationRefused: entry(refused)
        case let refused as MemberRemoval.Refused: entry(refused)
        // The body stream ends in a parse error when a client stops sending mid-body.
        case is HTTPParserError: entry(ServiceRefusal.badRequest("请求格式不正确或未发送完整"))
        case is NIOTooManyBytesError: entry(ServiceRefusal.requestTooLarge(limitBytes: AppRequestContext.maximumBodyBytes))
        case let full as InspectionQueueFull:
            AppError(.serviceUnavailable, "inspection_queue_full", "文件检查排队已满，请稍后重试", headers: [.retryAfter: String(full.retryAfterSeconds)])
        case let change as ConcurrentChange where change.table.hasPrefix("org"): orgChanged
        case let change as ConcurrentChange where change.table == "transfers":
            AppError(.conflict, "transfer_changed", "该转接刚刚已由其他管理员处理，请刷新后查看")
        case let change as ConcurrentChange where change.table == "rectification_entries":
            AppError(.conflict, "rectification_changed", "整顿记录刚刚已由其他管理员更新，请刷新后查看")
        case let change as ConcurrentChange where change.table.hasPrefix("activit"):
            AppError(.conflict, "activity_changed", "该记录刚刚已被修改或撤回，请刷新后查看")
        case let change as ConcurrentChange where change.table == "registrations":
            AppError(.conflict, "registration_changed", "该年度团籍注册刚刚已被提交或审批，请刷新后查看")
        case let change as ConcurrentChange where change.table == "grading_entries":
            AppError(.conflict, "grading_changed", "对标定级结果刚刚已由其他管理员更新，请刷新后查看")
        case is ConcurrentChange: entry(ServiceRefusal.archiveChanged)
        case let rejection as SubOrgRejection: entry(rejection)
        case let rejection as OrgProfileRejection: entry(rejection)
        case let change as OrgFixedFieldChange: entry(change)
        case let refused as OrgDeletionRefused: entry(refused)
        case let refused as ExportRefusal: entry(refused)
        case let refused as ImportRefusal: entry(refused)
        case let error as HTTPError: entry(http: error)
        case is DecodingError: entry(ServiceRefusal.badRequest("请求内容格式不正确"))
        case let error where DatabaseOverload.matches(error):
            AppError(.serviceUnavailable, "service_busy", "系统繁忙，请稍后重试", headers: [.retryAfter: "2"])
        default: nil
        }
    }

    static let internalError = entry(ServiceRefusal.internalError)

    static func entry(_ refusal: ServiceRefusal) -> AppError {
        switch refusal {
        case .unauthenticated: AppError(.unauthorized, "unauthenticated", "请先登录")
        case .sessionExpired: AppError(.unauthorized, "session_invalid", "登录已失效，请重新登录")
        case .invalidCredentials: AppError(.unauthorized, "invalid_credentials", "账号或密码错误")
        case .missingCredentials: AppError(.unprocessableContent, "missing_credentials", "请输入账号和密码")
        case .tooManyAttempts(let wait):
            // The account-wide delays start at a second: "1 minute" would overstate them.
            AppError(
                .tooManyRequests, "too_many_attempts", wait < 60 ? "登录失败次数过多，请\(wait)秒后再试" : "登录失败次数过多，请\((wait + 59) / 60)分钟后再试",
                headers: [.retryAfter: String(wait)])
        case .wrongCurrentPassword: AppError(.unprocessableContent, "wrong_current_password", "当前密码不正确")
        case .weakPassword(let problem): AppError(.unprocessableContent, "weak_password", problem)
        case .passwordConfirmationMismatch: AppError(.unprocessableContent, "password_mismatch", "两次输入的新密码不一致")
        case .passwordChangeRequired: AppError(.forbidden, "password_change_required", "首次登录请先修改初始密码")
        case .forbidden: AppError(.forbidden, "forbidden", "无权访问该资源")
        case .notFound: AppError(.notFound, "not_found", "请求的资源不存在")
        case .archiveNotFound: AppError(.notFound, "archive_not_found", "该团员尚未上传电子档案")
        case .archiveVersionNotFound: AppError(.notFound, "archive_version_not_found", "该版本的档案不存在")
        case .targetOrgNotFound: AppError(.notFound, "org_not_found", "目标团组织不存在")
        case .badRequest(let message): AppError(.badRequest, "bad_request", message)
        case .tooLarge(let limit): AppError(.contentTooLarge, "too_large", "文件超过\(limit / (1024 * 1024))MB，请压缩后重新上传")
        case .emptyUpload: AppError(.badRequest, "empty", "文件为空")
        case .missingFileField: AppError(.badRequest, "missing_file", "请选择要上传的PDF文件（表单字段 file）")
        case .duplicateFileField: AppError(.badRequest, "duplicate_file", "一次只能上传一个PDF文件（表单中只能有一个 file 字段）")
        case .clientGone:
            // nginx's 499: nobody reads it, but the log and the error middleware see a refusal.
            AppError(.init(code: 499, reasonPhrase: "Client Closed Request"), "client_closed_request", "连接已断开，本次上传已取消")
        case .unsupportedUploadType:
            AppError(.unsupportedMediaType, "unsupported_media_type", "请以 application/pdf 或 multipart/form-data 上传文件")
        case .archiveNotRequired: AppError(.unprocessableContent, "archive_not_required", "该团员于2020年1月1日前入团，无需上传电子档案")
        case .archiveChanged: AppError(.conflict, "archive_changed", "该档案刚刚已被他人处理，请刷新后查看最新状态")
        case .archiveUnavailable: AppError(.internalServerError, "archive_unavailable", "档案文件校验失败，已通知管理员，请稍后再试")
        case .thumbnailUnavailable: AppError(.internalServerError, "thumbnail_unavailable", "页面预览生成失败，请下载 PDF 查看")
        case .csrfRejected: AppError(.forbidden, "csrf_rejected", "页面已过期或请求来源无效，请返回刷新页面后重试。")
        case .crossSiteRequest: AppError(.forbidden, "cross_site_request", "不接受从其他网站发起的操作，请在本系统页面中操作。")
        case .jsonRequired: AppError(.unsupportedMediaType, "unsupported_media_type", "请以 application/json 格式提交请求内容")
        case .requestTooLarge(let limit): AppError(.contentTooLarge, "too_large", "请求内容超过\(limit / 1024)KB，请精简后重试")
        case .invalidText(let problem): AppError(.unprocessableContent, "invalid_text", message(problem))
        case .requestTimeout: AppError(.requestTimeout, "request_timeout", "请求发送超时，请检查网络后重试")
        case .methodNotAllowed(let allow):
            AppError(.methodNotAllowed, "method_not_allowed", "该地址不支持此请求方法", headers: [.allow: allow.joined(separator: ", ")])
        case .memberNotVerified:
            AppError(.conflict, "member_not_verified", "该团员为2020年1月1日后发展的新团员，团员身份尚未认证，不能转接组织关系")
        case .transferPending(let name): AppError(.conflict, "transfer_pending", "\(name)已有一项正在办理的组织关系转接，请待其办结后再发起")
        case .transferNotPending: entry(TransferRefusal.notPending)
        case .transferMemberNotFound:
            AppError(.unprocessableContent, "transfer_member_not_found", "未找到姓名与身份证号均相符的团员，请核对后重新输入")
        case .delayExists: AppError(.conflict, "delay_exists", "该团员已标注延迟毕业；如需修改，请先撤销原标注")
        case .identityFieldsProvinceOnly:
            AppError(.forbidden, "identity_fields_province_only", "姓名、性别和身份证号只能由省级团委管理员修改，请联系上级团组织")
        case .secretaryNeedsParent: AppError(.forbidden, "secretary_needs_parent", "变更团组织书记职务须由上级团组织管理员办理")
        case .cadrePostExists: AppError(.conflict, "cadre_post_exists", "该人员在本组织已有团内职务，请使用职务变更")
        case .cadrePostNotFound: AppError(.notFound, "cadre_post_not_found", "该人员在本组织没有团内职务")
        case .unknownCadrePost:
            AppError(.unprocessableContent, "unknown_post", "团内职务应为以下之一：" + CadrePostTitle.all.map(\.rawValue).joined(separator: "、"))
        case .personNotFound: AppError(.notFound, "person_not_found", "该人员不存在")
        case .memberRemoved: AppError(.conflict, "member_removed", "该团员已被删除，记录仅供查阅")
        case .invalidIdentityFile(let problem):
            switch problem {
            case .empty: AppError(.unprocessableContent, "invalid_identity_file", "核验结果文件为空")
            case .notUTF8: AppError(.unprocessableContent, "invalid_identity_file", "核验结果文件须为 UTF-8 编码的 CSV 文件")
            case .wrongHeader:
                AppError(
                    .unprocessableContent, "invalid_identity_file",
                    "核验结果文件的第一行应为：" + IdentityCheckFile.answerHeader.joined(separator: ","))
            }
        case .databaseUnavailable: AppError(.serviceUnavailable, "database_unavailable", "数据库暂不可用")
        case .storageUnavailable: AppError(.serviceUnavailable, "storage_unavailable", "文件存储暂不可用")
        case .internalError: AppError(.internalServerError, "internal_error", "服务器内部错误，请稍后重试")
        }
    }

    /// The archive state machine's refusals (ARC-2a, ARC-6, ARC-10).
    static func entry(_ refusal: ArchiveRefusal) -> AppError {
        switch refusal {
        case .reasonRequired: AppError(.unprocessableContent, "reason_required", "请填写理由")
        case .invalidReason(let problem): entry(ServiceRefusal.invalidText(problem))
        case .alreadyPending: AppError(.conflict, "archive_pending", "团员电子档案审批中，不能重复发起")
        case .verifiedNeedsChangeRequest:
            AppError(.conflict, "archive_verified", "该团员电子档案已认证，如需修改请先提交修改申请并经上级团委批准")
        case .changeRequestPending: AppError(.conflict, "change_request_pending", "修改申请正在审批中")
        case .notPending: AppError(.conflict, "archive_not_pending", "该档案当前不在待审批状态，可能已被其他审批人处理")
        case .noChangeRequest: AppError(.conflict, "no_change_request", "没有待审批的修改申请")
        case .changeRequestNotAllowed: AppError(.conflict, "archive_not_verified", "只有已认证的档案才能申请修改")
        }
    }

    /// A member's record that fails its rules (MEM-1, MEM-3, MEM-4, MEM-5, ORG-7): 422 with
    /// every reason, also one by one in `reasons`.
    // MARK: Transfers (TRF-1 … TRF-11, ARC-9)

    /// Every rule a transfer breaks, the gate's first; the status and code are the first's.
    static func entry(_ rejection: TransferRejection) -> AppError {
        func names(_ ids: [PersonID]) -> String { ids.map { rejection.names[$0] ?? $0.rawValue }.joined(separator: "、") }
        let entries: [(HTTPResponse.Status, String, String)] = rejection.problems.map { problem in
            switch problem {
            case .membersNotVerified(let ids):
                (.conflict, "member_not_verified", "以下团员为2020年1月1日后发展的新团员，团员身份尚未认证，不能转接组织关系：\(names(ids))")
            case .archiveChangePending(let ids):
                (.conflict, "archive_change_pending", "以下团员的电子档案变更申请尚待上级团委审批，审批后方可转接：\(names(ids))")
            case .noMembers: (.unprocessableContent, "transfer_no_members", "请选择要转接的团员")
            case .sameBranch: (.unprocessableContent, "transfer_same_branch", "转入团组织不能是团员当前所在的团支部")
            case .oneMemberOnly: (.unprocessableContent, "transfer_one_member", "一次只能转接一名团员；多名团员请使用批量接转")
            case .batchNotByCommittee:
                (.unprocessableContent, "batch_not_allowed", "批量接转只能由团委、团工委或团总支办理，团的领导机关和团支部不能办理")
            case .batchOutsideInitiator: (.unprocessableContent, "batch_outside_org", "批量接转只能在本组织下属的两个不同团支部之间进行")
            case .batchSingleSourceBranch: (.unprocessableContent, "batch_several_sources", "批量接转的团员须来自同一个团支部")
            case .batchTooLarge(let maximum): (.unprocessableContent, "batch_too_large", "批量接转一次最多\(maximum)名团员")
            case .graduateWindowClosed: (.unprocessableContent, "graduate_window_closed", "学社衔接申请时间为每年5月1日至8月31日")
            case .outcomeRequired: (.unprocessableContent, "outcome_required", "请选择毕业去向")
            case .channelNotAllowed(.employed, .householdTownship?):
                (.unprocessableContent, "channel_not_allowed", "已就业的毕业生不能通过“暂未就业”渠道转回户籍所在地乡镇（街道）团组织")
            case .channelNotAllowed(.furtherStudy, _):
                (.unprocessableContent, "channel_not_allowed", "升学的毕业生应转入新就读学校的团组织，不能转回户籍所在地")
            case .channelNotAllowed(let outcome, _):
                (.unprocessableContent, "channel_not_allowed", "毕业去向为“\(outcome.chineseName)”时不能选择该转接方式")
            case .destinationDoesNotFitChannel(let channel):
                (.unprocessableContent, "destination_not_fit", "所选转入团组织与转接方式不符：\(Self.channelDestination(channel))")
            case .keptTooLong(let maximum): (.unprocessableContent, "kept_too_long", "暂未就业的毕业生保留在学校的时间最长为\(maximum)个月")
            case .provinceRequiresBranch: (.unprocessableContent, "branch_required", "转入北京、广东、福建的组织关系须指定到具体团支部")
            case .dropoutNeedsBranch: (.unprocessableContent, "dropout_needs_branch", "退学团员须转回户籍所在地乡镇（街道）的团支部")
            case .reasonRequired: (.unprocessableContent, "reason_required", "请填写转接原因")
            case .invalidReason(let problem): (.unprocessableContent, "invalid_text", message(problem))
            }
        }
        let reasons = entries.map(\.2)
        let first = entries.first ?? (.unprocessableContent, "invalid_transfer", "")
        return AppError(first.0, first.1, reasons.joined(separator: "；"), reasons: reasons)
    }

    static func entry(_ refusal: GraduationRefusal) -> AppError {
        func name(_ id: OrgID) -> String { refusal.names[id] ?? id.rawValue }
        let entries: [(HTTPResponse.Status, String, String)] = refusal.problems.map { problem in
            switch problem {
            case .markNeedsMonthOrReason:
                (.unprocessableContent, "mark_needs_month_or_reason", "请填写预计毕业年月，或在无法确定时填写原因，二者只能填写其一")
            case .noBranches: (.unprocessableContent, "mark_no_branches", "请选择要标注的团支部")
            case .markerNotSchoolCommittee:
                (.forbidden, "marker_not_school_committee", "毕业年月只能由学校领域的团委或团总支标注，团的领导机关和团支部不能标注")
            case .notABranchBelow(let id): (.unprocessableContent, "mark_not_branch_below", "“\(name(id))”不是本组织下属的团支部")
            case .alreadyMarked(let id):
                (.conflict, "graduation_mark_final", "“\(name(id))”已标注毕业年月，标注后不能修改；如需更正，请联系省级团委")
            case .invalidReason(let problem): (.unprocessableContent, "invalid_text", message(problem))
            case .branchNotGraduating: (.unprocessableContent, "branch_not_graduating", "该团员所在团支部尚未标注预计毕业年月，不能标注延迟毕业")
            case .delayNotLater(let month):
                (.unprocessableContent, "delay_not_later", "延迟毕业年月须晚于所在团支部的预计毕业年月（\(month.year)年\(month.month)月）")
            case .delayReasonRequired: (.unprocessableContent, "reason_required", "请填写延迟毕业原因")
            case .noDelayToRevoke: (.conflict, "no_delay", "该团员没有延迟毕业标注，无需撤销")
            case .alreadyGraduated: (.conflict, "already_graduated", "该团员已毕业，请通过学社衔接办理组织关系转接")
            }
        }
        let reasons = entries.map(\.2)
        let first = entries.first ?? (.unprocessableContent, "invalid_graduation_mark", "")
        return AppError(first.0, first.1, reasons.joined(separator: "；"), reasons: reasons)
    }

    static func entry(_ refused: RectificationRefused) -> AppError {
        let org = refused.orgName.map { "“\($0)”" } ?? "该团支部"
        switch refused.refusal {
        case .locked:
            return AppError(.conflict, "self_check_locked", "\(org)的自检表“较差”项为0且已通过上级审核，不能再修改")
        case .outsideCampaign:
            return AppError(.unprocessableContent, "self_check_outside_campaign", "自检表在每年9月至12月提交，提交的为当前月份的数据")
        case .branchCheckedItself:
            return AppError(.conflict, "branch_checked_itself", "\(org)已自行提交自检表，上级不能再代为填写")
        case .nothingToDecide:
            return AppError(.conflict, "no_self_check_pending", "\(org)没有待审核的自检表")
        case .tooManyPoor:
            return AppError(.unprocessableContent, "self_check_too_many_poor", "\(org)的自检表“较差”项为10项及以上，不能审核通过，请点击“不通过”退回整改")
        case .notMarkable(.qualified(let status)):
            return AppError(
                .unprocessableContent, "bottom20_not_markable", "\(org)的整顿状态为\(status.chineseName)，“较差”项已为0，不能勾选为排名后20%团支部")
        case .notMarkable(.category(let category)):
            return AppError(
                .unprocessableContent, "bottom20_not_markable", "\(org)为\(category.chineseName)，暂不列入本次整顿范围，不能勾选为排名后20%团支部")
        case .notMarkable(.foundedRecently(let date)):
            return AppError(
                .unprocessableContent, "bottom20_not_markable",
                "\(org)成立于\(date.year)年\(date.month)月\(date.day)日，成立未满3个月，不能勾选为排名后20%团支部")
        case .alreadyKey:
            return AppError(.conflict, "already_key_rectification", "\(org)已列入重点整顿")
        case .notCurrentYear:
            return AppError(.unprocessableContent, "rectification_not_current_year", "只能提交或审核本年度的整顿数据")
        }
    }

    static func entry(_ problem: ActivityProblem) -> AppError {
        switch problem {
        case .topicRequired: AppError(.unprocessableContent, "activity_topic_required", "请填写主题")
        case .invalidText(let problem): AppError(.unprocessableContent, "invalid_text", message(problem))
        case .heldInFuture: AppError(.unprocessableContent, "activity_in_future", "只能记录已经开展的活动，日期不能晚于今天")
        case .attendeeNotMember: AppError(.unprocessableContent, "attendee_not_member", "参加人员须为本团支部的团员")
        case .withdrawn: AppError(.conflict, "activity_withdrawn", "该记录已撤回，不能再修改")
        }
    }

    static func entry(_ problem: RegistrationProblem) -> AppError {
        switch problem {
        case .summaryRequired: AppError(.unprocessableContent, "registration_summary_required", "请填写年度个人总结")
        case .reasonRequired: AppError(.unprocessableContent, "reason_required", "退回年度团籍注册须填写原因")
        case .invalidText(let problem): AppError(.unprocessableContent, "invalid_text", message(problem))
        case .yearClosed(let year, let open):
            AppError(.unprocessableContent, "registration_year_closed", "\(year)年度不在注册期内，只能注册\(open.lowerBound)年度或\(open.upperBound)年度")
        case .alreadyPending: AppError(.conflict, "registration_pending", "该年度的团籍注册已提交，正在等待团支部审批")
        case .alreadyApproved: AppError(.conflict, "registration_approved", "该年度的团籍注册已审批通过，不能再修改")
        case .notPending: AppError(.conflict, "registration_not_pending", "该年度团籍注册不在待审批状态")
        case .notAMember: AppError(.conflict, "registration_not_member", "该团员已不在团员名册中，不能注册")
        }
    }

    static func entry(_ problem: NoticeProblem) -> AppError {
        switch problem {
        case .titleRequired: AppError(.unprocessableContent, "notice_title_required", "请填写通知标题")
        case .textRequired: AppError(.unprocessableContent, "notice_text_required", "请填写通知正文")
        case .invalidText(let problem): AppError(.unprocessableContent, "invalid_text", message(problem))
        case .nothingBelow: AppError(.unprocessableContent, "notice_nothing_below", "团支部没有下级组织，不能发布工作通知")
        }
    }

    static func entry(_ refused: GradingRefused) -> AppError {
        let org = refused.orgName.map { "“\($0)”" } ?? "该组织"
        switch refused.refusal {
        case .outOfScope(.category(let category)):
            return AppError(
                .unprocessableContent, "grading_out_of_scope",
                "\(org)为\(category.chineseName)，不纳入“对标定级”范围（团委、团工委、流动团员团支部、待接转团支部不参加）")
        case .outOfScope(.foundedRecently(let date)):
            return AppError(
                .unprocessableContent, "grading_out_of_scope",
                "\(org)成立于\(date.year)年\(date.month)月\(date.day)日，成立6个月以内的团支部不纳入“对标定级”范围")
        case .changesExhausted:
            return AppError(.conflict, "grading_changes_exhausted", "上级复核前自评结果最多允许修改3次，修改次数已用完")
        case .lockedByReview:
            return AppError(.conflict, "grading_reviewed", "上级团委已完成复核，自评结果不允许修改")
        case .yearLocked:
            return AppError(.conflict, "grading_year_locked", "每年12月31日中午12:00起锁定当年的对标定级结果，不允许再修改")
        case .notSelfGraded:
            return AppError(.conflict, "grading_not_self_graded", "\(org)尚未完成自评，完成自评后才能复核")
        case .notCurrentYear:
            return AppError(.unprocessableContent, "grading_not_current_year", "只能对本年度进行自评或复核")
        }
    }

    static func channelDestination(_ channel: GraduateChannel) -> String {
        switch channel {
        case .specialPool: "参军入伍应转入特殊单位专属库"
        case .delayedGraduationOrg: "延迟毕业应转入延迟毕业团组织"
        case .countyFloating, .residenceTownship, .householdTownship, .originTownship: "应转入流动团员团支部"
        case .keptAtSchool: "保留在校应转入本校的团支部（出国(境)学习的转入出国(境)学习研究团员团支部）"
        case .employerOrg, .employerTownship, .newSchool: "该团组织不接收此类转接"
        }
    }

    static func entry(_ refusal: TransferRefusal) -> AppError {
        switch refusal {
        case .notPending: AppError(.conflict, "transfer_not_pending", "该转接已办结、被驳回或已撤回，无需再次处理")
        case .wrongStep, .assignmentIsNotAutomatic: AppError(.conflict, "transfer_wrong_step", "该转接当前不在此环节")
        case .branchNotUnderDestination: AppError(.unprocessableContent, "branch_not_under_destination", "请选择本组织下属的团支部")
        case .reasonRequired: AppError(.unprocessableContent, "reason_required", "驳回时请填写理由")
        case .invalidReason(let problem): AppError(.unprocessableContent, "invalid_text", message(problem))
        case .withdrawalWindowClosed: AppError(.conflict, "withdrawal_window_closed", "学社衔接申请只能在5月1日至8月31日期间撤回")
        }
    }

    static func entry(_ rejection: MemberDraftRejection) -> AppError {
        let reasons = self.reasons(rejection.problems)
        return AppError(.unprocessableContent, "invalid_member", reasons.joined(separator: "；"), reasons: reasons)
    }

    /// The Chinese reason of each problem, in order, without repeats.
    static func reasons(_ problems: [MemberDraftProblem]) -> [String] {
        var seen = Set<String>()
        return problems.map { reason($0) }.filter { seen.insert($0).inserted }
    }

    static func reason(_ problem: MemberDraftProblem) -> String {
        switch problem {
        case .required(let field): "请填写\(field.chineseName)"
        case .invalidText(let field, let p):
            switch p.kind {
            case .tooLong(let maximum): "\(field.chineseName)不能超过\(maximum)个字"
            case .invisibleCharacter: "\(field.chineseName)含有不可见的控制字符，请删除后重新填写"
            }
        case .invalidIDNumber(let invalid):
            switch invalid {
            case .wrongLength: "身份证号应为18位"
            case .badCharacters: "身份证号只能由17位数字和末位数字或X组成"
            case .unknownRegion: "身份证号前两位不是有效的省级行政区划代码"
            case .impossibleBirthDate: "身份证号中的出生日期不存在"
            case .birthDateInFuture: "身份证号中的出生日期晚于今天"
            case .checkDigitMismatch: "身份证号校验位不正确，请核对后重新填写"
            }
        case .genderMismatch(let g): "性别与身份证号不符（按身份证号应为\(g.chineseName)）"
        case .unknownGender: "性别应填写“男”或“女”"
        case .unknownEthnicity: "民族应填写民族全称，如“汉族”“回族”"
        case .unknownEducation: "学历应为以下之一：" + MemberVocabulary.educations.joined(separator: "、")
        case .unknownPoliticalStatus: "政治面貌应为以下之一：" + MemberVocabulary.politicalStatuses.joined(separator: "、")
        case .unknownPost: entry(ServiceRefusal.unknownCadrePost).message
        case .invalidJoinDate: "入团时间应为日期，如“2020-05-04”"
        case .invalidDevelopmentNumber: "发展团员编号格式不正确：应为8至20位数字，前四位为入团年份"
        case .invalidMobile: "手机号码应为11位数字"
        case .invalidEmail: "电子邮箱格式不正确"
        case .membership(let violation):
            switch violation {
            case .emptyName: "请填写姓名"
            case .tooYoungToJoin(let minimum, let age):
                "入团年龄不符合规定：须年满\(minimum)周岁方可入团（2017年1月1日前入团为12周岁，新疆均为13周岁），该团员入团时\(age)周岁"
            case .joinDateInFuture: "入团时间不能晚于今天"
            case .joinDateBeforeBirth: "入团时间早于身份证号中的出生日期"
            case .developmentNumberRequired: "2017年1月1日及以后入团的团员（新疆自2016年1月1日起）须填写发展团员编号"
            case .developmentNumberYearMismatch(let joinYear, let numberYear):
                "发展团员编号前四位（\(numberYear)）与入团年份（\(joinYear)）不一致"
            case .notABranch(let category): "团员只能录入团支部，不能直接录入\(category.chineseName)"
            }
        case .developmentNumberTaken(let branch): "发展团员编号已被“\(branch)”的团员使用，请联系上级团组织协助核实"
        case .alreadyMember(let branch): "该身份证号的团员已在“\(branch)”，一名团员只能在一个团支部"
        case .idNumberTaken: "该身份证号已属于系统中的另一人员"
        }
    }

    /// MEM-6: a removal whose confirmation does not match the record.
    static func entry(_ refused: MemberRemoval.Refused) -> AppError {
        let reasons = refused.problems.map { problem -> String in
            switch problem {
            case .nameMismatch: "输入的姓名与该团员记录不一致"
            case .idNumberMismatch: "输入的身份证号与该团员记录不一致"
            case .reasonRequired: "请填写删除理由"
            case .invalidReason(let p): message(p)
            }
        }
        return AppError(.unprocessableContent, "removal_not_confirmed", reasons.joined(separator: "；"), reasons: reasons)
    }

    /// MEM-9: why a line of the identity service's answer file was not applied.
    static func reason(_ problem: IdentityCheckFile.LineProblem) -> String {
        switch problem {
        case .wrongFieldCount(let found): "应为4或5列（编号,姓名,公民身份号码,核验结果[,说明]），实际为\(found)列"
        case .unknownPersonID: "编号格式不正确"
        case .missingName: "缺少姓名"
        case .missingIDNumber: "缺少公民身份号码"
        case .unknownResult(let value): "核验结果“\(value)”无法识别，应为“一致”或“不一致”"
        case .duplicate(let first): "与第\(first)行重复"
        case .unknownPerson: "本组织范围内没有该编号的人员"
        case .recordMismatch: "姓名或公民身份号码与系统记录不一致（可能在导出后已修改），请重新导出核验"
        }
    }

    /// `Domain.authorize`'s denials.
    static func entry(_ denial: AccessDenial) -> AppError {
        switch denial {
        case .passwordChangeRequired: entry(ServiceRefusal.passwordChangeRequired)
        case .outOfScope, .notApplicable: entry(ServiceRefusal.forbidden)
        // The very answer a missing id gets, byte for byte.
        case .unseen: entry(ServiceRefusal.notFound)
        }
    }

    /// The inspector's refusals keep its message (it names the page count it found); the
    /// status is decided here.
    static func entry(inspection refusal: Refusal) -> AppError {
        let status: HTTPResponse.Status =
            switch refusal.code {
            case .empty: .badRequest
            case .tooLarge: .contentTooLarge
            case .notPDF: .unsupportedMediaType
            case .encrypted, .damaged, .wrongPageCount: .unprocessableContent
            }
        return AppError(status, refusal.code.rawValue, refusal.message)
    }

    /// Hummingbird's own errors (bad JSON, unknown route, body too large).
    static func entry(http error: HTTPError) -> AppError {
        switch error.status {
        case .notFound: entry(ServiceRefusal.notFound)
        case .contentTooLarge: AppError(.contentTooLarge, "too_large", "上传内容过大")
        case .methodNotAllowed: AppError(.methodNotAllowed, "method_not_allowed", "不支持该请求方法")
        case .unsupportedMediaType: AppError(.unsupportedMediaType, "unsupported_media_type", "不支持的内容类型")
        case .badRequest: entry(ServiceRefusal.badRequest("请求内容格式不正确"))
        case .unauthorized: entry(ServiceRefusal.unauthenticated)
        case .forbidden: entry(ServiceRefusal.forbidden)
        default:
            error.status.code >= 500 ? internalError : AppError(error.status, "http_\(error.status.code)", "请求无法处理")
        }
    }

    /// What is wrong with a typed text, naming the field.
    static func message(_ problem: FreeTextProblem) -> String {
        let label =
            switch problem.field {
            case .reason: "理由"
            case .search: "查询内容"
            case .name: "名称"
            case .topic: "主题"
            case .noticeText: "正文"
            }
        switch problem.kind {
        case .tooLong(let maximum): return "\(label)不能超过\(maximum)个字"
        case .invisibleCharacter: return "\(label)含有不可见的控制字符，请删除后重新填写"
        }
    }

    /// An error page's heading: by the entry's status, but a refused form says it has expired.
    static func title(for entry: AppError) -> String {
        entry.code == "csrf_rejected" ? "请求已失效" : title(for: entry.status)
    }

    /// A page's heading for an error status.
    static func title(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "请求有误"
        case 403: "无权访问"
        case 404: "页面不存在"
        case 405: "不支持该操作"
        case 408: "请求超时"
        case 409: "操作冲突"
        case 413: "文件过大"
        case 422: "无法处理"
        case 429: "请稍后再试"
        case 503: "服务繁忙"
        case 500...: "服务器错误"
        default: "出错了"
        }
    }
}

extension ErrorCatalogue {
    /// Admin onboarding (ADM-1 … ADM-5). A wrong code gets one message whether or not a code
    /// (or, for resets, an account) exists elsewhere.
    static func entry(_ refusal: AdminRefusal) -> AppError {
        switch refusal {
        case .registrationCode(let code):
            switch code {
            case .wrong: AppError(.unprocessableContent, "registration_code_invalid", "注册码不正确，请核对所选组织和注册码（注册码区分大小写）")
            case .expired: AppError(.unprocessableContent, "registration_code_expired", "注册码已过期（有效期20天），请联系上级组织管理员重新生成")
            case .used: AppError(.conflict, "registration_code_used", "该注册码已被使用，每个注册码只能使用一次，请联系上级组织管理员重新生成")
            case .superseded:
                AppError(.conflict, "registration_code_superseded", "该注册码已失效：上级组织已为本组织生成了新的注册码，请使用最新的注册码")
            }
        case .resetCode(let code):
            switch code {
            case .wrong: AppError(.unprocessableContent, "reset_code_invalid", "账号或重置码不正确（重置码区分大小写）")
            case .expired: AppError(.unprocessableContent, "reset_code_expired", "重置码已过期（有效期48小时），请联系组织管理员重新生成")
            case .used: AppError(.conflict, "reset_code_used", "该重置码已被使用，每个重置码只能使用一次，请联系组织管理员重新生成")
            case .superseded: AppError(.conflict, "reset_code_superseded", "该重置码已失效：管理员已生成了新的重置码，请使用最新的重置码")
            }
        case .tooManyCodeAttempts(let wait):
            AppError(
                .tooManyRequests, "too_many_attempts", wait < 60 ? "尝试次数过多，请\(wait)秒后再试" : "尝试次数过多，请\((wait + 59) / 60)分钟后再试",
                headers: [.retryAfter: String(wait)])
        case .invalidRegistration(let list):
            AppError(.unprocessableContent, "registration_invalid", list.reasons.joined(separator: "；"))
        case .roster(let problem):
            switch problem {
            case .notACadre: AppError(.unprocessableContent, "not_a_cadre", "管理员必须是本组织的团干部，请先为其录入本组织的团内职务")
            case .alreadyAdmin: AppError(.conflict, "already_admin", "该人员已是本组织的管理员")
            case .full: AppError(.conflict, "admins_full", "该组织已有2名管理员，每个组织最多2名管理员；如需更换，请由上级组织管理员撤销或替换现有管理员")
            case .notAnAdmin: AppError(.conflict, "not_an_admin", "被替换或撤销的人员不是本组织的管理员")
            }
        case .accountPasswordMismatch:
            AppError(.conflict, "account_exists", "该身份证号已开通账号，请填写该账号现有的登录密码；如忘记密码，请联系组织管理员获取重置码")
        case .changeRequestPending: AppError(.conflict, "admin_change_pending", "该人员的管理员变更申请正在等待上级组织审批，请勿重复提交")
        case .changeRequestNotPending: AppError(.conflict, "admin_change_not_pending", "该申请已处理，可能已被上级组织的其他管理员审批")
        case .reasonRequired: AppError(.unprocessableContent, "reason_required", "请填写理由")
        case .noAccount: AppError(.notFound, "account_not_found", "该人员尚未开通登录账号")
        case .revokeNeedsParent: AppError(.forbidden, "revoke_needs_parent", "撤销本组织管理员须由上级组织管理员操作")
        case .noChildren: AppError(.conflict, "no_children", "本组织尚无下级组织，请先创建下级组织")
        }
    }
}

extension JSONEncoder {
    /// The API's encoder: plain `/` in strings (Foundation escapes them as `\/` by default).
    /// One shared instance, never mutated: a new one per answer was an allocation per request.
    static let api: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}

// MARK: The org tree (ORG-3 … ORG-10)

extension ErrorCatalogue {
    static let orgChanged = AppError(.conflict, "org_changed", "该组织信息刚刚已被他人修改，请刷新后重新填写")

    /// Several reasons: the message lists them all, `reasons` one by one.
    static func listing(_ status: HTTPResponse.Status, _ code: String, _ reasons: [String]) -> AppError {
        var error = AppError(status, code, reasons.joined(separator: "；"))
        error.reasons = reasons
        return error
    }

    /// A sub-org draft's problems; a name that is already there alone is a conflict, not a bad draft.
    static func entry(_ rejection: SubOrgRejection) -> AppError {
        let reasons = rejection.problems.map(message)
        if rejection.problems == [.shortNameTaken] { return listing(.conflict, "org_exists", reasons) }
        return listing(.unprocessableContent, "invalid_org", reasons)
    }

    static func entry(_ rejection: OrgProfileRejection) -> AppError {
        listing(.unprocessableContent, "invalid_org_profile", rejection.problems.map(message))
    }

    /// ORG-4.
    static func entry(_ change: OrgFixedFieldChange) -> AppError {
        let names = change.fields.map(\.label).joined(separator: "、")
        return AppError(.conflict, "org_field_immutable", "\(names)填写后不可修改（组织简称、组织全称、组织类别、行业类别一经确定不能更改）")
    }

    /// ORG-10.
    static func entry(_ refused: OrgDeletionRefused) -> AppError {
        listing(.conflict, "org_not_empty", refused.problems.map(message))
    }

    static func message(_ problem: SubOrgProblem) -> String {
        switch problem {
        case .shortNameMissing: "请填写组织简称"
        case .shortNameText(.tooLong(let maximum)): "组织简称不能超过\(maximum)个字"
        case .shortNameText(.invisibleCharacter): "组织简称含有不可见的控制字符，请删除后重新填写"
        case .shortNamePattern(let category): shortNamePattern(category)
        case .shortNameTaken: "本组织下已有同名的下级组织，请核对组织简称"
        case .categoryMissing: "请选择组织类别"
        case .categoryUnknown: "组织类别无效，请从下拉选项中选择"
        case .fullNameTooLong(let maximum): "组织全称不能超过\(maximum)个字"
        case .fullNameText: "组织全称含有不可见的控制字符或换行，请删除后重新填写"
        case .categoryNotCreatable(.leadingOrgan): "团的领导机关已由系统初始化，无需创建"
        case .categoryNotCreatable(let category): "“\(category.chineseName)”由系统自动生成，不能手工创建"
        case .parentHoldsMembers: "团支部不能创建下级组织：团员只编入团支部"
        case .categoryNotAllowed(let parent, let child): "\(parent.chineseName)下不能创建\(child.chineseName)"
        case .parentDeleted: "该组织已删除，不能创建下级组织"
        case .profile(let problem): message(problem)
        }
    }

    /// ORG-3's pattern for the category, with an example from the manual.
    static func shortNamePattern(_ category: OrgCategory) -> String {
        switch category {
        case .leadingOrgan: "团的领导机关简称应为“团+行政区划名称+委”，如“团山东省委”"
        case .committee: "团委简称应为“单位/区划名称+团委”，如“北控集团团委”"
        case .workingCommittee: "团工委简称应为“单位/区划名称+团工委”，如“高新区团工委”"
        case .generalBranch: "团总支简称应为“单位/区划名称+团总支”，如“计算机学院2020级团总支”"
        case .branch: "团支部简称应为“单位/区划名称+团支部”或“入学年份级+班号+班团支部”，如“2017级1班团支部”"
        default: "\(category.chineseName)简称应为“单位/区划名称+团支部”，如“建国门街道流动团员团支部”"
        }
    }

    static func message(_ problem: OrgProfileProblem) -> String {
        switch problem {
        case .outOfRange(let field, let maximum): "\(field.label)应为0至\(maximum)之间的整数"
        case .invalidPhone: "联系电话格式不正确，应为7至20位数字，可含“-”"
        case .invalidEmail: "电子邮箱格式不正确"
        case .invalidMobile: "书记手机号码应为11位手机号码"
        case .secretaryName(.tooLong(let maximum)): "书记姓名不能超过\(maximum)个字"
        case .secretaryName(.invisibleCharacter): "书记姓名含有不可见的控制字符，请删除后重新填写"
        case .secretaryIdNumber(let invalid): "书记身份证号码" + idNumberProblem(invalid)
        case .notAnInteger(let field): "\(field.label)应填写整数，没有须填“0”"
        case .unknownIndustryCategory: "单位所属行业类别无效，请从选项中选择"
        }
    }

    /// MEM-1's reasons, after the field's name.
    static func idNumberProblem(_ invalid: IDNumber.Invalid) -> String {
        switch invalid {
        case .wrongLength: "应为18位"
        case .badCharacters: "只能由数字组成，最后一位可为X"
        case .unknownRegion: "的地区码不存在"
        case .impossibleBirthDate: "中的出生日期不存在"
        case .birthDateInFuture: "中的出生日期晚于今天"
        case .checkDigitMismatch: "校验位不正确，请核对"
        }
    }

    static func message(_ problem: OrgDeletionProblem) -> String {
        switch problem {
        case .leadingOrgan: "团的领导机关不能删除"
        case .hasAdmins(let n): "该组织还有\(n)名管理员，请先撤销管理员"
        case .hasMembers(let n): "该组织还有\(n)名团员，请先转出团员"
        case .hasSubOrgs(let n): "该组织还有\(n)个下级组织，请先删除下级组织"
        }
    }
}

// MARK: Exports (issue 9 item 7)

extension ErrorCatalogue {
    static func entry(_ refused: ExportRefusal) -> AppError {
        switch refused {
        case .tooManyRows(let limit):
            AppError(.unprocessableContent, "export_too_large", "导出内容超过\(limit)行，请按下级组织分别导出")
        }
    }
}

// MARK: Imports (issue 9 items 2, 6, 7)

extension ErrorCatalogue {
    static func entry(_ refused: ImportRefusal) -> AppError {
        switch refused {
        case .missingColumns(let names):
            AppError(
                .unprocessableContent, "import_missing_column",
                "表格缺少必填列：" + names.joined(separator: "、") + "。请使用本系统下载的模板，不要修改第一行的列名", reasons: names)
        case .wrongTemplate: AppError(.unprocessableContent, "import_wrong_template", MemberTemplate.mixedTemplatesMessage)
        case .noRows: AppError(.unprocessableContent, "import_no_rows", "表格中没有需要导入的数据行，请在模板第二行起填写后重新上传")
        case .unknownKind(let kind):
            AppError(.badRequest, "import_unknown_kind", "模板类型“\(kind)”无效，应为 branch_members（下级团支部团员团干部）或 own_cadres（本级团干部）")
        case .missingFile: AppError(.badRequest, "missing_file", "请选择要上传的 Excel 文件（表单字段 file）")
        case .duplicateFile: AppError(.badRequest, "duplicate_file", "一次只能上传一个 Excel 文件（表单中只能有一个 file 字段）")
        case .unreadable(let error): entry(spreadsheet: error)
        }
    }

    /// Every refusal of the spreadsheet reader; nothing of the file was created.
    static func entry(spreadsheet error: SpreadsheetError) -> AppError {
        switch error {
        case .notASpreadsheet:
            AppError(.unsupportedMediaType, "not_a_spreadsheet", "上传的文件不是 Excel 表格（.xlsx）或 CSV 文件，请使用下载的模板填写后上传")
        case .legacyExcel:
            AppError(.unsupportedMediaType, "legacy_excel", "不支持 Excel 97-2003 格式（.xls），请在 Excel 中“另存为” .xlsx 格式后重新上传")
        case .openDocument:
            AppError(.unsupportedMediaType, "open_document", "不支持 .ods 格式，请在 WPS 或 LibreOffice 中“另存为” Excel（.xlsx）格式后重新上传")
        case .encrypted: AppError(.unprocessableContent, "spreadsheet_encrypted", "表格设置了打开密码，请取消密码保护后重新上传")
        case .tooLarge(let limit): AppError(.contentTooLarge, "too_large", "文件超过\(limit / (1024 * 1024))MB，请分批导入")
        case .uncompressedTooLarge:
            AppError(.unprocessableContent, "spreadsheet_too_large", "表格解压后内容过大或结构异常，无法读取；请将数据复制到新下载的模板中，分批导入")
        case .tooManyEntries: AppError(.unprocessableContent, "spreadsheet_damaged", "表格文件结构异常，无法读取；请将数据复制到新下载的模板中重新上传")
        case .tooManyRows(let limit): AppError(.unprocessableContent, "spreadsheet_too_many_rows", "一个工作表最多\(limit)行，请分批导入")
        case .tooManyColumns(let limit): AppError(.unprocessableContent, "spreadsheet_too_many_columns", "表格的列数超过\(limit)列，请删除多余的列后重新上传")
        case .unsafeXML:
            AppError(.unprocessableContent, "spreadsheet_unsafe", "表格文件含有不允许的内容（外部实体声明），已拒绝；请将数据复制到新下载的模板中重新上传")
        case .malformedXML, .missingPart, .damaged:
            AppError(.unprocessableContent, "spreadsheet_damaged", "表格文件已损坏或编码无法识别，无法读取；请用 Excel 重新保存为 .xlsx（或 UTF-8/GBK 编码的 CSV）后上传")
        }
    }
}

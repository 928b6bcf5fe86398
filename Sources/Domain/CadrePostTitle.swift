/// The posts a cadre may hold in an org (团内职务), as the registration and cadre forms list
/// them. Sent and returned as the Chinese name.
///
/// Existing records may carry a qualified title such as 团支部书记; `CadrePost.title` stays a
/// string so those remain readable.
public enum CadrePostTitle: String, Codable, Sendable, CaseIterable {
    case secretary = "书记"
    case deputySecretary = "副书记"
    case organisationCommissioner = "组织委员"
    case publicityCommissioner = "宣传委员"
    case cultureAndSportsCommissioner = "文体委员"
    case welfareCommissioner = "生活委员"
    case committeeMember = "委员"

    public var chineseName: String { rawValue }
}

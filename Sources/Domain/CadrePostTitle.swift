/// A league post (团内职务) a cadre holds in one org. Sent and returned as its Chinese name.
///
/// The list is the real system's post picker. Titles stored before this type existed (the
/// demo's "团支部书记", "团总支书记") are read through `init?(title:)`, which knows them.
public enum CadrePostTitle: String, Sendable, Codable, CaseIterable {
    case secretary = "书记"
    case deputySecretary = "副书记"
    case organisation = "组织委员"
    case publicity = "宣传委员"
    case cultureAndSports = "文体委员"
    case study = "学习委员"
    case life = "生活委员"
    case committeeMember = "委员"
    case other = "其他团干部"

    /// Every post, in the order the picker shows them.
    public static let all: [CadrePostTitle] = allCases

    /// The post a stored or typed title names, or nil for an unknown one.
    public init?(title: String) {
        let t = title.trimmingWhitespace()
        if let known = CadrePostTitle(rawValue: t) { self = known; return }
        // "团支部书记", "团总支书记", "团委书记": the secretary of that kind of org.
        if t.hasSuffix("书记") {
            self = t.hasSuffix("副书记") ? .deputySecretary : .secretary
            return
        }
        return nil
    }

    /// The secretary's post changes only through the parent org's admin (团干部职务变更:
    /// "若需变更团支书书记职务，请联系上级团组织管理员").
    public var isSecretary: Bool { self == .secretary }

    public var chineseName: String { rawValue }
}

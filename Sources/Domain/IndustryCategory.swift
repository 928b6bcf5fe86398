/// 单位所属行业类别: the sector of the unit an org belongs to (ORG-5, ORG-11).
///
/// Sent and returned as its Chinese name, the way admins read and type it; the raw value is
/// that name, so a stored value and an API value are the same string.
public enum IndustryCategory: String, Codable, Sendable, CaseIterable {
    case university = "普通高等学校"
    case vocationalSchool = "中等职业学校"
    case highSchool = "普通高中"
    case middleSchool = "初中"
    case governmentAgency = "机关"
    case publicInstitution = "事业单位"
    case stateOwnedEnterprise = "国有企业"
    case privateEnterprise = "非公企业"
    case rural = "农村"
    case urbanCommunity = "城市社区"
    case socialOrganisation = "社会组织"
    case other = "其他"

    public var chineseName: String { rawValue }

    /// ORG-11: schools are the domain where graduation marks and 学社衔接 apply (GRD-1).
    public var isSchoolDomain: Bool {
        switch self {
        case .university, .vocationalSchool, .highSchool, .middleSchool: true
        default: false
        }
    }
}

import Domain

extension DemoDataSet {
    /// What each demo org's admin would have filled in (ORG-5): every org has an industry
    /// category (the schools' orgs 普通高等学校, the leading organs 机关) and complete
    /// information, except 计算机学院2020级2班团支部, left without its secretary's mobile and its
    /// youth count so the progress report (ORG-9) has an incomplete org to show.
    public var orgInformation: [OrgID: (industry: IndustryCategory, profile: OrgProfile)] {
        var out: [OrgID: (industry: IndustryCategory, profile: OrgProfile)] = [:]
        for (index, org) in orgs.enumerated() {
            // The secretary: whoever holds a 书记 post of the org (团支部书记, 团总支书记 included).
            let secretary = people.first { person in
                person.posts.contains { $0.org == org.id && $0.title.hasSuffix("书记") && !$0.title.hasPrefix("副") }
            }
            let serial = String(format3: index + 1)
            var profile = OrgProfile(
                secretaryName: secretary?.name, secretaryIdNumber: secretary?.idNumber.value,
                secretaryMobile: "13800000" + serial, youthCount: org.category.holdsMembers ? 40 : 1200,
                partyRecommendedCount: org.category.holdsMembers ? 2 : 35)
            switch org.category {
            case .leadingOrgan:
                profile.phone = "0532-86980" + serial
                profile.email = "\(org.id.rawValue)@zhtj-demo.cn"
                (profile.administrativeStaffing, profile.administrativeStaffed) = (12, 10)
                (profile.publicServiceStaffing, profile.publicServiceStaffed) = (4, 3)
            case .committee, .workingCommittee:
                (profile.administrativeStaffing, profile.administrativeStaffed) = (2, 2)
                (profile.publicServiceStaffing, profile.publicServiceStaffed) = (1, 0)
            default:
                break
            }
            if org.id.rawValue == Self.incompleteOrg {
                profile.secretaryMobile = nil
                profile.youthCount = nil
            }
            out[org.id] = (org.category == .leadingOrgan ? .governmentAgency : .university, profile)
        }
        return out
    }

    /// The demo org whose information is left incomplete (ORG-8, ORG-9).
    public static let incompleteOrg = "upc-cs-2020-2"
}

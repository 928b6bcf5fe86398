@testable import Domain

/// A valid ID number from region, birth date and a three-digit sequence (its parity is the gender).
func idNumber(_ region: String = "370211", born: String, seq: String = "123") -> IDNumber {
    try! IDNumber(IDNumber.completing(region + born + seq), today: CivilDate(year: 2026, month: 11, day: 25)!)
}

func date(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

/// A tree shaped like the demo: two provinces, a city, two schools, committees, a 团总支 and branches.
struct SampleTree {
    let root, shandong, qingdao, upc, college, zongzhi, class1, class2, otherSchool, otherBranch, jiangsu, njuBranch: Org

    init() {
        root = try! Org.root(id: OrgID(rawValue: "tzy")!, name: "团中央")
        shandong = try! root.child(id: OrgID(rawValue: "sd")!, name: "团山东省委", category: .leadingOrgan)
        qingdao = try! shandong.child(id: OrgID(rawValue: "sd-qd")!, name: "团青岛市委", category: .leadingOrgan)
        upc = try! qingdao.child(id: OrgID(rawValue: "upc")!, name: "中国石油大学（华东）团委", category: .committee)
        college = try! upc.child(id: OrgID(rawValue: "upc-cs")!, name: "计算机科学与技术学院团委", category: .committee)
        zongzhi = try! college.child(id: OrgID(rawValue: "upc-cs-2020")!, name: "计算机学院2020级团总支", category: .generalBranch)
        class1 = try! zongzhi.child(id: OrgID(rawValue: "upc-cs-2020-1")!, name: "计算机学院2020级1班团支部", category: .branch)
        class2 = try! zongzhi.child(id: OrgID(rawValue: "upc-cs-2020-2")!, name: "计算机学院2020级2班团支部", category: .branch)
        otherSchool = try! qingdao.child(id: OrgID(rawValue: "qdu")!, name: "青岛大学团委", category: .committee)
        otherBranch = try! otherSchool.child(id: OrgID(rawValue: "qdu-1")!, name: "2021级1班团支部", category: .branch)
        jiangsu = try! root.child(id: OrgID(rawValue: "js")!, name: "团江苏省委", category: .leadingOrgan)
        njuBranch = try! jiangsu.child(id: OrgID(rawValue: "js-1")!, name: "某团支部", category: .branch)
    }
}

import Testing
@testable import Domain

@Suite("Org tree (ORG-1, ORG-2, ORG-3, ORG-7)")
struct OrgTreeTests {
    let tree = SampleTree()

    @Test("the upper committee is the nearest 团委, 团工委 or leading organ above")
    func upperCommittee() {
        #expect(tree.class1.upperCommitteeID == tree.college.id)  // through the 团总支
        #expect(tree.zongzhi.upperCommitteeID == tree.college.id)
        #expect(tree.college.upperCommitteeID == tree.upc.id)
        #expect(tree.upc.upperCommitteeID == tree.qingdao.id)
        #expect(tree.njuBranch.upperCommitteeID == tree.jiangsu.id)
        #expect(tree.root.upperCommitteeID == nil)
    }

    @Test("a working committee is an upper committee too")
    func workingCommittee() throws {
        let gwh = try tree.qingdao.child(id: OrgID(rawValue: "gwh")!, name: "某园区团工委", category: .workingCommittee)
        let branch = try gwh.child(id: OrgID(rawValue: "gwh-1")!, name: "某企业团支部", category: .branch)
        #expect(branch.upperCommitteeID == gwh.id)
    }

    @Test("subtree membership is by ancestry")
    func subtree() {
        #expect(tree.class1.isWithin(tree.class1))
        #expect(tree.class1.isWithin(tree.zongzhi))
        #expect(tree.class1.isWithin(tree.root))
        #expect(!tree.class1.isWithin(tree.class2))
        #expect(!tree.zongzhi.isWithin(tree.class1))
        #expect(!tree.otherBranch.isWithin(tree.upc))
        #expect(tree.class1.path.ids.map(\.rawValue) == ["tzy", "sd", "sd-qd", "upc", "upc-cs", "upc-cs-2020", "upc-cs-2020-1"])
    }

    @Test("a path whose prefix is another id's prefix is not inside it")
    func prefixTrap() throws {
        let a = try tree.qingdao.child(id: OrgID(rawValue: "ab")!, name: "甲团委", category: .committee)
        let b = try tree.qingdao.child(id: OrgID(rawValue: "abc")!, name: "乙团委", category: .committee)
        #expect(!b.isWithin(a))
    }

    @Test("paths round-trip through their stored form")
    func pathEncoding() {
        #expect(OrgPath(encoded: tree.class1.path.encoded) == tree.class1.path)
        #expect(OrgPath(encoded: "/tzy/SD/") == nil)
        #expect(OrgPath(encoded: "tzy/sd") == nil)
        #expect(OrgPath(encoded: "//") == nil)
    }

    @Test("ORG-2/ORG-7: branches are leaves; committees sit only under committees or leading organs")
    func categoryPlacement() {
        #expect(throws: Org.CreationError.categoryNotAllowed(parent: .branch, child: .branch)) {
            try tree.class1.child(id: OrgID(rawValue: "x")!, name: "小组", category: .branch)
        }
        #expect(throws: Org.CreationError.categoryNotAllowed(parent: .generalBranch, child: .committee)) {
            try tree.zongzhi.child(id: OrgID(rawValue: "x")!, name: "某团委", category: .committee)
        }
        #expect(throws: Org.CreationError.categoryNotAllowed(parent: .committee, child: .leadingOrgan)) {
            try tree.upc.child(id: OrgID(rawValue: "x")!, name: "团某市委", category: .leadingOrgan)
        }
        #expect(throws: Org.CreationError.emptyName) {
            try tree.upc.child(id: OrgID(rawValue: "x")!, name: "  ", category: .branch)
        }
        // A 团总支 neither holds members nor approves archives (ARC-4).
        #expect(!OrgCategory.generalBranch.holdsMembers && !OrgCategory.generalBranch.isUpperCommitteeKind)
    }

    @Test("ORG-3: the full name is generated from the ancestry below leading organs, unless given")
    func fullNames() throws {
        #expect(tree.upc.fullName == "中国石油大学（华东）团委")
        #expect(tree.college.fullName == "中国石油大学（华东）团委计算机科学与技术学院团委")
        let named = try tree.upc.child(id: OrgID(rawValue: "y")!, name: "某学院团委", category: .committee, fullName: "共青团某学院委员会")
        #expect(named.fullName == "共青团某学院委员会")
    }

    @Test("identifiers use a URL- and LIKE-safe alphabet")
    func identifiers() {
        #expect(OrgID(rawValue: "upc-cs-2020-1") != nil)
        #expect(OrgID(rawValue: "UPC") == nil)
        #expect(OrgID(rawValue: "a_b") == nil)
        #expect(OrgID(rawValue: "a%") == nil)
        #expect(OrgID(rawValue: "a/b") == nil)
        #expect(OrgID(rawValue: "") == nil)
        #expect(OrgID(rawValue: String(repeating: "a", count: 65)) == nil)
    }
}

@Suite("Admins (ADM-3)")
struct OrgAdminsTests {
    let org = OrgID(rawValue: "upc-cs-2020-1")!
    func person(_ s: String) -> PersonID { PersonID(rawValue: s)! }

    @Test("ADM-3: at most two admins, each a cadre of the org")
    func atMostTwoCadres() throws {
        let posts = ["a", "b", "c"].map { CadrePost(personID: person($0), orgID: org, title: "委员") }
        var admins = OrgAdmins(orgID: org)
        #expect(try admins.appoint(person("a"), cadrePosts: posts) == 1)
        #expect(throws: OrgAdmins.AppointmentError.alreadyAdmin) { try admins.appoint(person("a"), cadrePosts: posts) }
        #expect(try admins.appoint(person("b"), cadrePosts: posts) == 2)
        #expect(throws: OrgAdmins.AppointmentError.full) { try admins.appoint(person("c"), cadrePosts: posts) }
    }

    @Test("ADM-3: a cadre of another org cannot be appointed")
    func mustBeCadreOfThisOrg() {
        let elsewhere = CadrePost(personID: person("a"), orgID: OrgID(rawValue: "other")!, title: "书记")
        var admins = OrgAdmins(orgID: org)
        #expect(throws: OrgAdmins.AppointmentError.notACadreOfOrg) { try admins.appoint(person("a"), cadrePosts: [elsewhere]) }
    }
}

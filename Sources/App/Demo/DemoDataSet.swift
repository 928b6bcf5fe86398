import Domain
import Foundation

/// The demo data set: a realistic slice of the tree with members, cadres and admins, built
/// deterministically so that `fixtures/demo-accounts.json` describes it exactly.
public struct DemoDataSet: Sendable {
    public struct Person: Sendable {
        public let id: PersonID
        public let name: String
        public let idNumber: IDNumber
        /// nil for cadres who are not members (teachers in committees).
        public let membership: (branch: OrgID, joinedOn: CivilDate, developmentNumber: DevelopmentNumber?)?
        public let posts: [(org: OrgID, title: String, admin: Bool)]
        public let password: String
        public let mustChangePassword: Bool
    }

    /// One demo login as `fixtures/demo-accounts.json` lists it.
    public struct RoleAccount: Codable, Sendable, Equatable {
        public let account: String
        public let password: String
        public let orgId: String
        public let memberId: String?
    }

    public let orgs: [Org]
    public let people: [Person]
    public let roles: [String: RoleAccount]

    /// The password of every demo account except the one still on its initial password.
    public static let password = "Zhtj@2026"
    /// When the demo's orgs were founded (before they were entered), for GRA-2.
    public static let foundedOn = CivilDate(year: 2020, month: 9, day: 1)!

    public static func make() -> DemoDataSet {
        var orgs: [Org] = []
        func add(_ parent: Org?, _ id: String, _ name: String, _ category: OrgCategory, fullName: String? = nil) -> Org {
            let org: Org
            if let parent {
                org = try! parent.child(id: OrgID(rawValue: id)!, name: name, category: category, fullName: fullName)
            } else {
                org = try! Org.root(id: OrgID(rawValue: id)!, name: name)
            }
            orgs.append(org)
            return org
        }
        let tzy = add(nil, "tzy", "团中央", .leadingOrgan)
        let sd = add(tzy, "sd", "团山东省委", .leadingOrgan)
        let qd = add(sd, "sd-qd", "团青岛市委", .leadingOrgan)
        let upc = add(qd, "upc", "中国石油大学（华东）团委", .committee, fullName: "共青团中国石油大学（华东）委员会")
        let cs = add(upc, "upc-cs", "计算机科学与技术学院团委", .committee, fullName: "共青团中国石油大学（华东）计算机科学与技术学院委员会")
        let zongzhi = add(cs, "upc-cs-2020", "计算机学院2020级团总支", .generalBranch)
        let c1 = add(zongzhi, "upc-cs-2020-1", "计算机学院2020级1班团支部", .branch)
        let c2 = add(zongzhi, "upc-cs-2020-2", "计算机学院2020级2班团支部", .branch)
        let qdu = add(qd, "qdu", "青岛大学团委", .committee, fullName: "共青团青岛大学委员会")
        let wx = add(qdu, "qdu-wx", "文学院团委", .committee, fullName: "共青团青岛大学文学院委员会")
        let wx1 = add(wx, "qdu-wx-2021-1", "文学院2021级1班团支部", .branch)
        let js = add(tzy, "js", "团江苏省委", .leadingOrgan)
        let nj = add(js, "js-nj", "团南京市委", .leadingOrgan)
        let nju = add(nj, "nju", "南京大学团委", .committee, fullName: "共青团南京大学委员会")
        let njucs = add(nju, "nju-cs-2021-1", "计算机科学与技术系2021级1班团支部", .branch)

        var people: [Person] = []
        var sequence = 0
        func person(
            _ id: String, _ name: String, region: String, born: String, male: Bool,
            member: (Org, String, String?)? = nil, posts: [(Org, String, Bool)] = [],
            initialPassword: Bool = false
        ) -> Person {
            sequence += 1
            // Sequence digits: two from a counter, the last one's parity gives the gender.
            let seq = String(format3: (sequence % 50) * 2 + (male ? 1 : 0) + 100)
            let raw = IDNumber.completing(region + born + seq)
            let idNumber = try! IDNumber(raw, today: CivilDate(year: 2026, month: 1, day: 1)!)
            let membership = member.map { (branch, joined, number) in
                (branch: branch.id, joinedOn: CivilDate(iso: joined)!, developmentNumber: number.flatMap(DevelopmentNumber.init))
            }
            let p = Person(
                id: PersonID(rawValue: id)!, name: name, idNumber: idNumber, membership: membership,
                posts: posts.map { (org: $0.0.id, title: $0.1, admin: $0.2) },
                password: initialPassword ? idNumber.initialPassword : DemoDataSet.password,
                mustChangePassword: initialPassword)
            people.append(p)
            return p
        }

        // Cadres of the leading organs and committees: staff, not members of any branch.
        let staff: [(String, String, String, String, Bool, Org)] = [
            ("p-tzy-admin", "王建国", "110105", "19800312", true, tzy),
            ("p-sd-admin", "李晓燕", "370102", "19850721", false, sd),
            ("p-qd-admin", "张志强", "370202", "19870905", true, qd),
            ("p-upc-admin", "刘海波", "370211", "19880117", true, upc),
            ("p-upccs-admin", "陈静", "370211", "19910426", false, cs),
            ("p-qdu-admin", "赵磊", "370203", "19890630", true, qdu),
            ("p-qduwx-admin", "孙丽", "370203", "19920218", false, wx),
            ("p-js-admin", "周涛", "320102", "19840809", true, js),
            ("p-nj-admin", "吴敏", "320106", "19861123", false, nj),
            ("p-nju-admin", "郑浩", "320106", "19900514", true, nju),
        ]
        for (id, name, region, born, male, org) in staff {
            _ = person(id, name, region: region, born: born, male: male, posts: [(org, "书记", true)])
        }

        // 计算机学院2020级1班: the branch every demo journey runs through.
        let branchSecretary = person(
            "p-c1-01", "杨帆", region: "370211", born: "20020315", male: true,
            member: (c1, "2017-05-04", "2017370200101"),
            posts: [(c1, "团支部书记", true)])
        let zongzhiSecretary = person(
            "p-c1-02", "徐晨", region: "370283", born: "20020822", male: false,
            member: (c1, "2017-12-09", "2017370200102"),
            posts: [(zongzhi, "团总支书记", true), (c1, "组织委员", false)])
        let memberNew = person(
            "p-c1-03", "马晓东", region: "370211", born: "20021108", male: true, member: (c1, "2020-10-15", "2020370200103"))
        let memberNew2 = person(
            "p-c1-04", "胡雪", region: "370212", born: "20030203", male: false, member: (c1, "2021-05-04", "2021370200104"))
        let memberOld = person(
            "p-c1-05", "林子豪", region: "370214", born: "20020520", male: true, member: (c1, "2018-05-04", "2018370200105"))
        let memberInitial = person(
            "p-c1-06", "何佳琪", region: "370211", born: "20030917", male: false, member: (c1, "2022-05-04", "2022370200106"),
            initialPassword: true)
        let c1Rest: [(String, String, String, String, Bool, String, String?)] = [
            ("p-c1-07", "郭子涵", "370281", "20020101", true, "2016-05-04", nil),
            ("p-c1-08", "罗文静", "370211", "20020614", false, "2019-05-04", "2019370200108"),
            ("p-c1-09", "高宇航", "370285", "20021030", true, "2020-05-04", "2020370200109"),
            ("p-c1-10", "梁诗涵", "370211", "20030311", false, "2020-12-01", "2020370200110"),
            ("p-c1-11", "宋嘉怡", "370202", "20020408", false, "2021-11-20", "2021370200111"),
            ("p-c1-12", "唐浩然", "370211", "20021219", true, "2019-12-09", "2019370200112"),
        ]
        for (id, name, region, born, male, joined, number) in c1Rest {
            _ = person(id, name, region: region, born: born, male: male, member: (c1, joined, number), initialPassword: true)
        }

        // 计算机学院2020级2班.
        let c2People: [(String, String, String, String, Bool, String, String?)] = [
            ("p-c2-01", "韩梅", "370211", "20020707", false, "2017-05-04", "2017370200201"),
            ("p-c2-02", "冯俊杰", "370203", "20021212", true, "2018-05-04", "2018370200202"),
            ("p-c2-03", "曹雨欣", "370211", "20030119", false, "2020-05-04", "2020370200203"),
            ("p-c2-04", "彭博", "370282", "20020926", true, "2020-11-11", "2020370200204"),
            ("p-c2-05", "曾思远", "370211", "20021003", true, "2021-05-04", "2021370200205"),
            ("p-c2-06", "谢欣怡", "370213", "20020228", false, "2016-11-20", nil),
            ("p-c2-07", "董明", "370211", "20020505", true, "2022-05-04", "2022370200207"),
            ("p-c2-08", "袁梦琪", "370211", "20030606", false, "2019-05-04", "2019370200208"),
            ("p-c2-09", "邓凯", "370211", "20020818", true, "2020-12-09", "2020370200209"),
            ("p-c2-10", "许婷", "370211", "20021111", false, "2021-10-01", "2021370200210"),
        ]
        for (index, (id, name, region, born, male, joined, number)) in c2People.enumerated() {
            _ = person(
                id, name, region: region, born: born, male: male, member: (c2, joined, number),
                posts: index == 0 ? [(c2, "团支部书记", true)] : [], initialPassword: index != 0)
        }

        // A branch of the second school in the same city.
        let wxPeople: [(String, String, String, String, Bool, String, String?)] = [
            ("p-wx-01", "蒋文博", "370203", "20030410", true, "2018-05-04", "2018370200301"),
            ("p-wx-02", "沈佳怡", "370202", "20030721", false, "2019-05-04", "2019370200302"),
            ("p-wx-03", "韦一鸣", "370203", "20031005", true, "2021-05-04", "2021370200303"),
            ("p-wx-04", "秦可欣", "370211", "20030112", false, "2021-11-20", "2021370200304"),
            ("p-wx-05", "陆子轩", "370203", "20030830", true, "2022-05-04", "2022370200305"),
            ("p-wx-06", "姚雨桐", "370214", "20031222", false, "2020-05-04", "2020370200306"),
            ("p-wx-07", "潘俊", "370203", "20030303", true, "2017-05-04", "2017370200307"),
            ("p-wx-08", "钟晓", "370203", "20030909", false, "2022-10-10", "2022370200308"),
        ]
        for (index, (id, name, region, born, male, joined, number)) in wxPeople.enumerated() {
            _ = person(
                id, name, region: region, born: born, male: male, member: (wx1, joined, number),
                posts: index == 0 ? [(wx1, "团支部书记", true)] : [], initialPassword: index != 0)
        }

        // A branch in another province.
        let njuPeople: [(String, String, String, String, Bool, String, String?)] = [
            ("p-nju-01", "江浩宇", "320106", "20030115", true, "2018-05-04", "2018320100401"),
            ("p-nju-02", "范思琪", "320102", "20030428", false, "2019-05-04", "2019320100402"),
            ("p-nju-03", "石磊", "320106", "20030713", true, "2021-05-04", "2021320100403"),
            ("p-nju-04", "金雨", "320111", "20031026", false, "2021-10-20", "2021320100404"),
            ("p-nju-05", "魏然", "320106", "20030219", true, "2022-05-04", "2022320100405"),
            ("p-nju-06", "贾宁", "320104", "20030605", false, "2020-06-01", "2020320100406"),
        ]
        for (index, (id, name, region, born, male, joined, number)) in njuPeople.enumerated() {
            _ = person(
                id, name, region: region, born: born, male: male, member: (njucs, joined, number),
                posts: index == 0 ? [(njucs, "团支部书记", true)] : [], initialPassword: index != 0)
        }

        func role(_ p: Person, org: Org) -> RoleAccount {
            RoleAccount(
                account: p.idNumber.value, password: p.password, orgId: org.id.rawValue,
                memberId: p.membership == nil ? nil : p.id.rawValue)
        }
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id.rawValue, $0) })
        let roles: [String: RoleAccount] = [
            "branch_admin": role(branchSecretary, org: c1),
            "zongzhi_admin": role(zongzhiSecretary, org: zongzhi),
            "committee_admin": role(byID["p-upccs-admin"]!, org: cs),
            "other_school_admin": role(byID["p-qdu-admin"]!, org: qdu),
            "member_new": role(memberNew, org: c1),
            "member_new_2": role(memberNew2, org: c1),
            "member_old": role(memberOld, org: c1),
            "member_initial": role(memberInitial, org: c1),
            // MEM-2, MEM-6, MEM-9: 团山东省委's admin, who alone changes a member's name, gender
            // or ID number, removes members and runs the real-name check.
            "province_admin": role(byID["p-sd-admin"]!, org: sd),
            // Issue 10: both sides of a transfer log in: the sibling branch of the same 团总支,
            // and a branch of the second school.
            "sibling_branch_admin": role(byID["p-c2-01"]!, org: c2),
            "other_branch_admin": role(byID["p-wx-01"]!, org: wx1),
        ]
        return DemoDataSet(orgs: orgs, people: people, roles: roles)
    }
}

extension DemoDataSet {
    /// `{"roles": {ROLE: {"account", "password", "orgId", "memberId"?}}}`, keys sorted, as
    /// committed in `fixtures/demo-accounts.json`.
    public func accountsJSON() throws -> String {
        struct File: Encodable { let roles: [String: RoleAccount] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(File(roles: roles)), as: UTF8.self)
    }
}

extension String {
    /// Zero-padded to three digits.
    init(format3 value: Int) {
        let s = String(value % 1000)
        self = String(repeating: "0", count: 3 - s.count) + s
    }
}

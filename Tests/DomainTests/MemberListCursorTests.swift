import Domain
import Testing

@Suite("MemberListCursor")
struct MemberListCursorTests {
    @Test("a cursor's text reads back as the same (branch, person) pair")
    func roundTrip() throws {
        let cursor = MemberListCursor(branch: OrgID(rawValue: "upc-cs-2020-1")!, person: PersonID(rawValue: "p-c1-09")!)
        #expect(cursor.rawValue == "upc-cs-2020-1.p-c1-09")
        #expect(MemberListCursor(rawValue: cursor.rawValue) == cursor)
    }

    @Test("anything but two ids joined by one dot is no cursor")
    func refused() {
        for raw in ["", ".", "p-c1-09", "upc.", ".p-c1-09", "a.b.c", "UPC.p1", "upc.p 1", "upc.%00"] {
            #expect(MemberListCursor(rawValue: raw) == nil, "\(raw)")
        }
    }
}

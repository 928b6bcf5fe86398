import Domain
import Testing

@Suite("Hexadecimal")
struct HexTests {
    @Test("digests are written as two lowercase digits per byte")
    func hex() {
        #expect([UInt8]([0x00, 0x0f, 0xab, 0xff, 0x10]).lowercaseHex == "000fabff10")
        #expect([UInt8]().lowercaseHex == "")
    }
}

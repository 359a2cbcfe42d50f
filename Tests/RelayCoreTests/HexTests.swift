import Testing
@testable import RelayCore

@Suite struct HexTests {
    @Test func roundTrip() {
        let bytes: [UInt8] = [0x00, 0x0f, 0xab, 0xff]
        #expect(Hex.encode(bytes) == "000fabff")
        #expect(Hex.decode("000FABff") == bytes)
    }

    @Test func rejectsBadInput() {
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}

import NIOCore
import Testing

@testable import RelayCore

@Suite struct STUNMessageIntegrityTests {
    @Test func rejectsMalformedInput() {
        let key = STUNMessageIntegrity.shortTermKey(password: "x")
        #expect(!STUNMessageIntegrity.verify(message: ByteBuffer(), key: key))
        let noIntegrity = (try? STUNMessage.tailscaleBindingRequest().encoded()) ?? ByteBuffer()
        #expect(!STUNMessageIntegrity.verify(message: noIntegrity, key: key))
        #expect(STUNMessageIntegrity(bytes: [UInt8](repeating: 0, count: 19)) == nil)
        let value = STUNMessageIntegrity(bytes: Array(1...20))
        #expect(value?.bytes == Array(1...20))
        #expect(value?.description == "0102030405060708090a0b0c0d0e0f1011121314")
    }
}

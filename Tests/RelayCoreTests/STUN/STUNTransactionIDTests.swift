import NIOCore
import Testing

@testable import RelayCore

@Suite struct STUNTransactionIDTests {
    @Test func bytesRoundTrip() throws {
        let bytes: [UInt8] = Array(0xf0...0xfb)
        let id = try #require(STUNTransactionID(bytes: bytes))
        #expect(id.bytes == bytes)
        #expect(id.description == "f0f1f2f3f4f5f6f7f8f9fafb")
        var buffer = ByteBuffer()
        buffer.writeSTUNTransactionID(id)
        #expect(buffer.readableBytesView.elementsEqual(bytes))
        #expect(buffer.readSTUNTransactionID() == id)
        #expect(buffer.readSTUNTransactionID() == nil)
        #expect(STUNTransactionID(bytes: bytes.dropLast()) == nil)
        #expect(STUNTransactionID(repeating: 0x7f).bytes == [UInt8](repeating: 0x7f, count: 12))
    }

    @Test func randomIDsDiffer() {
        let ids = Set((0..<100).map { _ in STUNTransactionID.random() })
        #expect(ids.count == 100)
        var a = STUNSeededGenerator(seed: 1)
        var b = STUNSeededGenerator(seed: 1)
        #expect(STUNTransactionID.random(using: &a) == STUNTransactionID.random(using: &b))
    }
}

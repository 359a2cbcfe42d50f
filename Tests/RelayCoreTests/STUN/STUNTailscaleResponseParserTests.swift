import NIOCore
import Testing

@testable import RelayCore

/// `STUNMessage.tailscaleBindingResponse`, the mirror of Go's `stun.ParseResponse` (spec §2.3).
@Suite struct STUNTailscaleResponseParserTests {
    static let id = STUNTransactionID(repeating: 0x42)

    @Test(arguments: STUNTailscaleTests.responses)
    func capturedResponse(_ vector: STUNTestSupport.TailscaleResponsesFile.Vector) throws {
        let parsed = try #require(STUNMessage.tailscaleBindingResponse(try STUNTestSupport.buffer(hex: vector.hex)))
        #expect(parsed.transactionID.description == vector.transactionID)
        #expect(parsed.mappedAddress == (try STUNTestSupport.address(vector.ip, vector.port)))
    }

    @Test(arguments: ["sample-ipv4-response", "sample-ipv6-response"])
    func rfc5769Responses(name: String) throws {
        let bytes = STUNTestSupport.buffer(try STUNTestSupport.rfc5769Vector(name))
        let parsed = try #require(STUNMessage.tailscaleBindingResponse(bytes))
        #expect(parsed.mappedAddress == (try STUNMessage.decode(bytes)).mappedAddress)
    }

    static func response(_ attributes: [[UInt8]]) -> ByteBuffer {
        STUNMessageTests.message(type: 0x0101, attributes.flatMap { $0 }).withTransactionID(id)
    }

    static let xorIPv4 = STUNMessageTests.tlv(0x0020, [0x00, 0x01, 0x21, 0x13, 0x21, 0x12, 0xa4, 0x43])  // 0.0.0.1:1
    static let plainIPv4 = STUNMessageTests.tlv(0x0001, [0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2])  // 0.0.0.2:2

    /// Things our strict decoder rejects but Tailscale's clients accept.
    @Test func moreLenientThanDecode() throws {
        let longValue = STUNMessageTests.tlv(0x0020, [0x00, 0x01, 0x21, 0x13, 0x21, 0x12, 0xa4, 0x43, 9, 9, 9, 9])
        let badErrorCode = STUNMessageTests.tlv(0x0009, [0, 0, 9, 9])
        let badFingerprint = STUNMessageTests.tlv(0x8028, [1, 2, 3, 4])
        for attributes in [[longValue], [Self.xorIPv4, badErrorCode], [Self.xorIPv4, badFingerprint]] {
            let bytes = Self.response(attributes)
            #expect(throws: STUNError.self) { try STUNMessage.decode(bytes) }
            #expect(STUNMessage.tailscaleBindingResponse(bytes)?.mappedAddress.description == "0.0.0.1:1")
        }
    }

    @Test func addressSelection() {
        let legacyLast = STUNMessageTests.tlv(0x8020, [0x00, 0x01, 0x21, 0x15, 0x21, 0x12, 0xa4, 0x45])  // 0.0.0.7:7
        #expect(STUNMessage.tailscaleBindingResponse(Self.response([Self.plainIPv4]))?.mappedAddress.description == "0.0.0.2:2")
        #expect(STUNMessage.tailscaleBindingResponse(Self.response([Self.xorIPv4, Self.plainIPv4]))?.mappedAddress.description == "0.0.0.1:1")
        // Go keeps one slot for 0x0020 and 0x8020, so the last one wins; `mappedAddress` prefers 0x0020.
        let both = Self.response([Self.xorIPv4, legacyLast])
        #expect(STUNMessage.tailscaleBindingResponse(both)?.mappedAddress.description == "0.0.0.7:7")
        #expect((try? STUNMessage.decode(both))?.mappedAddress?.description == "0.0.0.1:1")
    }

    @Test func rejections() {
        var request = Self.response([Self.xorIPv4])
        request.setInteger(UInt16(0x0001), at: 0)
        #expect(STUNMessage.tailscaleBindingResponse(request) == nil)
        #expect(STUNMessage.tailscaleBindingResponse(Self.response([])) == nil)
        let unknownFamily = STUNMessageTests.tlv(0x0020, [0x00, 0x03, 0x21, 0x13, 0x21, 0x12, 0xa4, 0x43])
        #expect(STUNMessage.tailscaleBindingResponse(Self.response([Self.plainIPv4, unknownFamily])) == nil)
        let shortIPv6 = STUNMessageTests.tlv(0x0001, [0x00, 0x02, 0x00, 0x02, 0, 0, 0, 2])
        #expect(STUNMessage.tailscaleBindingResponse(Self.response([shortIPv6])) == nil)
        var overrun = Self.response([Self.xorIPv4])
        overrun.setInteger(UInt16(12), at: 22)
        #expect(STUNMessage.tailscaleBindingResponse(overrun) == nil)
        var tooLong = Self.response([Self.xorIPv4])
        tooLong.setInteger(UInt16(16), at: 2)
        #expect(STUNMessage.tailscaleBindingResponse(tooLong) == nil)
        #expect(STUNMessage.tailscaleBindingResponse(ByteBuffer(bytes: [0x01, 0x01])) == nil)
    }
}

extension ByteBuffer {
    /// A copy with header bytes 8-19 replaced.
    fileprivate func withTransactionID(_ id: STUNTransactionID) -> ByteBuffer {
        var copy = self
        copy.setBytes(id.bytes, at: readerIndex + 8)
        return copy
    }
}

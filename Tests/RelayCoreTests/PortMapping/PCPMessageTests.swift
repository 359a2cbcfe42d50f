import NIOCore
import Testing

@testable import RelayCore

@Suite struct PCPMessageTests {
    typealias V = PortMappingVectors

    private static let nonce = PCPMessage.Nonce(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C)

    @Test func encodesTheSpecAnnounce() throws {
        let client = try #require(PortMappingAddress("192.168.1.20"))
        let bytes = try PCPMessage.request(.announce(clientAddress: client)).encoded()
        #expect(V.hex(bytes) == V.pcpAnnounceRequest.filter { $0 != " " })
        #expect(try PCPMessage.decode(bytes) == .request(.announce(clientAddress: client)))
    }

    @Test func decodesTheSpecAnnounceReply() throws {
        let message = try PCPMessage.decode(V.buffer(hex: V.pcpAnnounceReply))
        #expect(message == .response(.init(opcode: .announce, resultCode: .success, lifetime: 0, epochTime: 1000)))
        #expect(V.hex(try message.encoded()) == V.pcpAnnounceReply.filter { $0 != " " })
    }

    @Test func encodesAMapRequestLikeTheOneMiniupnpdAccepted() throws {
        let client = try #require(PortMappingAddress("10.0.1.2"))
        let request = PCPMessage.Request.mapUDP(clientAddress: client, internalPort: 41641, lifetime: 60, nonce: Self.nonce)
        let bytes = try PCPMessage.request(request).encoded()
        #expect(bytes.readableBytes == 60)
        #expect(V.hex(bytes) == V.miniupnpdPCPMapRequest)
        #expect(try PCPMessage.decode(bytes) == .request(request))
    }

    @Test func decodesMiniupnpdReplies() throws {
        let announce = try PCPMessage.decode(V.buffer(hex: V.miniupnpdPCPAnnounceReply))
        #expect(announce == .response(.init(opcode: .announce, resultCode: .success, lifetime: 0, epochTime: 1)))

        let map = try PCPMessage.decode(V.buffer(hex: V.miniupnpdPCPMapReply))
        guard case .response(let response) = map, let data = response.map else {
            Issue.record("not a MAP response with data: \(map)")
            return
        }
        #expect(response.opcode == .map)
        #expect(response.resultCode == .success)
        #expect(response.lifetime == 120)
        #expect(response.epochTime == 8)
        #expect(data.nonce == Self.nonce)
        #expect(data.ipProtocol == PCPMessage.MapData.udp)
        #expect(data.internalPort == 41641)
        #expect(data.externalPort == 41641)
        #expect(data.externalAddress.description == "198.51.100.2")
        #expect(V.hex(try map.encoded()) == V.miniupnpdPCPMapReply)
    }

    @Test func otherVersionsThrow() throws {
        #expect(throws: PortMappingError.unsupportedVersion(.pcp, 1)) { try PCPMessage.decode(V.buffer(hex: V.miniupnpdVersion1Reply)) }
        // A NAT-PMP reply is 12 bytes: wrong version before wrong length.
        #expect(throws: PortMappingError.unsupportedVersion(.pcp, 0)) { try PCPMessage.decode(V.buffer(hex: V.pmpExternalAddressReply)) }
    }

    @Test func lengthsOutsideTheRFCAreRejected() throws {
        let reply = try V.buffer(hex: V.pcpAnnounceReply)
        let short = try #require(reply.getSlice(at: 0, length: 20))
        #expect(throws: PortMappingError.badLength(.pcp, 20)) { try PCPMessage.decode(short) }
        var padded = reply
        padded.writeBytes([0, 0])
        #expect(throws: PortMappingError.badLength(.pcp, 26)) { try PCPMessage.decode(padded) }
        var huge = reply
        huge.writeRepeatingByte(0, count: 1104 - 24)
        #expect(throws: PortMappingError.badLength(.pcp, 1104)) { try PCPMessage.decode(huge) }
    }

    @Test func mapSuccessWithoutDataThrowsButAnErrorMayOmitIt() throws {
        #expect(throws: PortMappingError.truncated(.pcp)) {
            try PCPMessage.decode(V.buffer(hex: "02 81 00 00" + String(repeating: " 00", count: 20)))
        }
        let error = try PCPMessage.decode(V.buffer(hex: "02 81 00 03" + String(repeating: " 00", count: 20)))
        #expect(error == .response(.init(opcode: .map, resultCode: .malformedRequest, lifetime: 0, epochTime: 0)))
    }

    @Test func optionsRoundTripAndOverrunsThrow() throws {
        let response = PCPMessage.Response(
            opcode: .announce, resultCode: .success, lifetime: 0, epochTime: 5,
            options: [.init(code: 2, data: [1, 2, 3, 4, 5]), .init(code: 0x82, data: [])]
        )
        let bytes = try PCPMessage.response(response).encoded()
        #expect(bytes.readableBytes == 24 + 4 + 8 + 4)
        #expect(try PCPMessage.decode(bytes) == .response(response))

        // An option claiming 8 bytes with only 4 present.
        let overrun = try V.buffer(hex: V.pcpAnnounceReply + " 02 00 00 08 01 02 03 04")
        #expect(throws: PortMappingError.self) { try PCPMessage.decode(overrun) }
    }

    @Test func unknownOpcodesKeepTheirBytesUnparsed() throws {
        let message = try PCPMessage.decode(V.buffer(hex: "02 82 00 00" + String(repeating: " 00", count: 20) + String(repeating: " 11", count: 56)))
        #expect(message == .response(.init(opcode: .peer, resultCode: .success, lifetime: 0, epochTime: 0, unparsedByteCount: 56)))
    }

    @Test func aMapRequestNeedsItsData() throws {
        let request = PCPMessage.Request(opcode: .map, lifetime: 1, clientAddress: PortMappingAddress(ipv4: 1))
        #expect(throws: PortMappingError.self) { try PCPMessage.request(request).encoded() }
    }

    @Test func everyPrefixAndRandomBytesNeverTrap() throws {
        for vector in [V.miniupnpdPCPMapReply, V.miniupnpdPCPMapRequest, V.pcpAnnounceReply] {
            for prefix in V.prefixes(of: try V.buffer(hex: vector)) {
                _ = try? PCPMessage.decode(prefix)
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = 4 * Int.random(in: 6...20, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes[0] = 2
            _ = try? PCPMessage.decode(ByteBuffer(bytes: bytes))
        }
    }
}

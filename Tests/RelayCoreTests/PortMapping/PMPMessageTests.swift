import NIOCore
import Testing

@testable import RelayCore

@Suite struct PMPMessageTests {
    typealias V = PortMappingVectors

    @Test func encodesTheSpecRequests() throws {
        #expect(V.hex(PMPMessage.externalAddressRequest.encoded()) == "0000")
        let map = PMPMessage.mapRequest(.init(mappingProtocol: .udp, internalPort: 41641, suggestedExternalPort: 0, lifetime: 7200))
        #expect(V.hex(map.encoded()) == V.pmpMapUDPRequest.filter { $0 != " " })
    }

    @Test func decodesTheSpecReply() throws {
        let message = try PMPMessage.decode(V.buffer(hex: V.pmpExternalAddressReply))
        guard case .response(let response) = message else {
            Issue.record("not a response: \(message)")
            return
        }
        #expect(response.resultCode == .success)
        #expect(response.secondsSinceEpoch == 1000)
        #expect(response.externalAddress?.description == "198.51.100.7")
        #expect(V.hex(message.encoded()) == V.pmpExternalAddressReply.filter { $0 != " " })
    }

    @Test func decodesRequestsBack() throws {
        #expect(try PMPMessage.decode(V.buffer(hex: V.pmpExternalAddressRequest)) == .externalAddressRequest)
        let map = try PMPMessage.decode(V.buffer(hex: V.pmpMapUDPRequest))
        #expect(map == .mapRequest(.init(mappingProtocol: .udp, internalPort: 41641, suggestedExternalPort: 0, lifetime: 7200)))
    }

    @Test func decodesMiniupnpdReplies() throws {
        let address = try PMPMessage.decode(V.buffer(hex: V.miniupnpdPMPExternalAddress))
        #expect(address == .response(.init(resultCode: .success, secondsSinceEpoch: 1, body: .externalAddress(PortMappingAddress("198.51.100.2")))))

        let failure = try PMPMessage.decode(V.buffer(hex: V.miniupnpdPMPNetworkFailure))
        guard case .response(let failed) = failure else {
            Issue.record("not a response")
            return
        }
        #expect(failed.resultCode == .networkFailure)
        #expect(failed.body == .externalAddress(nil))
        #expect(failed.externalAddress == nil)

        let map = try PMPMessage.decode(V.buffer(hex: V.miniupnpdPMPMapReply))
        #expect(map == .response(.init(resultCode: .success, secondsSinceEpoch: 8, body: .mapping(.udp, internalPort: 41641, externalPort: 41641, lifetime: 60))))

        let unsupported = try PMPMessage.decode(V.buffer(hex: V.miniupnpdPMPUnsupportedOpcode))
        #expect(unsupported == .response(.init(resultCode: .unsupportedOpcode, secondsSinceEpoch: 8, body: .empty(requestOpcode: 7))))
        #expect(V.hex(unsupported.encoded()) == V.miniupnpdPMPUnsupportedOpcode)
    }

    @Test func shortErrorResponsesAreKept() throws {
        // An external-address error that stops after the common part.
        let message = try PMPMessage.decode(V.buffer(hex: "00 80 00 02 00 00 00 09"))
        #expect(message == .response(.init(resultCode: .notAuthorized, secondsSinceEpoch: 9, body: .empty(requestOpcode: 0))))
    }

    @Test func truncatedSuccessThrows() throws {
        #expect(throws: PortMappingError.truncated(.natPMP)) { try PMPMessage.decode(V.buffer(hex: "00 80 00 00 00 00 03 e8 c6 33")) }
        #expect(throws: PortMappingError.truncated(.natPMP)) { try PMPMessage.decode(V.buffer(hex: "00 81 00 00 00 00 03 e8 a2 a9")) }
        #expect(throws: PortMappingError.truncated(.natPMP)) { try PMPMessage.decode(V.buffer(hex: "00")) }
        #expect(throws: PortMappingError.truncated(.natPMP)) { try PMPMessage.decode(V.buffer(hex: "00 01 00 00")) }
    }

    @Test func otherVersionsThrow() throws {
        // A PCP reply is not NAT-PMP; the prober tries PCP first.
        #expect(throws: PortMappingError.unsupportedVersion(.natPMP, 2)) { try PMPMessage.decode(V.buffer(hex: V.pcpAnnounceReply)) }
        #expect(throws: PortMappingError.malformed(.natPMP, "unknown request opcode 9")) { try PMPMessage.decode(V.buffer(hex: "00 09")) }
    }

    @Test func trailingBytesAreIgnored() throws {
        let message = try PMPMessage.decode(V.buffer(hex: V.pmpExternalAddressReply + " ff ff ff ff"))
        guard case .response(let response) = message else {
            Issue.record("not a response")
            return
        }
        #expect(response.externalAddress?.description == "198.51.100.7")
    }

    @Test func everyPrefixDecodesOrThrowsWithoutTrapping() throws {
        for vector in [V.pmpExternalAddressReply, V.miniupnpdPMPMapReply, V.pmpMapUDPRequest, V.miniupnpdPMPUnsupportedOpcode] {
            for prefix in V.prefixes(of: try V.buffer(hex: vector)) {
                _ = try? PMPMessage.decode(prefix)
            }
        }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int.random(in: 0...20, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !bytes.isEmpty { bytes[0] = 0 }
            _ = try? PMPMessage.decode(ByteBuffer(bytes: bytes))
        }
    }
}

import NIOCore
import Testing

@testable import RelayCore

extension DERPWireTests {
    @Suite("DERPFrame wire vectors")
    struct DERPFrameVectorTests {
        typealias F = DERPWireFixtures

        @Test("decodes to the expected frame", arguments: DERPFrameVector.canonical + DERPFrameVector.tolerant)
        func decodes(_ vector: DERPFrameVector) throws {
            var parser = DERPFrameParser(role: vector.role, expectsHandshake: vector.isHandshake)
            var buffer = vector.bytes
            let frame = try parser.next(&buffer)
            #expect(frame == vector.frame)
            #expect(buffer.readableBytes == 0)
            #expect(parser.bytesRemainingToSkip == 0)
            #expect(parser.isAwaitingHandshake == false)
        }

        @Test("encodes to exactly the vector's bytes", arguments: DERPFrameVector.canonical)
        func encodes(_ vector: DERPFrameVector) throws {
            let encoded = try F.encode(vector.frame)
            #expect(Hex.encode(encoded.readableBytesView) == Hex.encode(vector.bytes.readableBytesView))
        }

        @Test("reports the declared payload length", arguments: DERPFrameVector.canonical + DERPFrameVector.tolerant)
        func reportsLength(_ vector: DERPFrameVector) throws {
            let outputs = try F.outputs(role: vector.role, expectsHandshake: vector.isHandshake, vector.bytes)
            #expect(outputs == [.frame(vector.frame, payloadLength: UInt32(vector.bytes.readableBytes - 5))])
        }

        @Test("every frame type has a canonical vector")
        func coversEveryType() {
            let covered = Set(DERPFrameVector.canonical.map(\.frame.type))
            #expect(covered == Set(DERPFrameType.allCases))
        }

        @Test("frame type raw values match spec §5.1")
        func typeValues() {
            let expected: [DERPFrameType: UInt8] = [
                .serverKey: 0x01, .clientInfo: 0x02, .serverInfo: 0x03, .sendPacket: 0x04, .recvPacket: 0x05,
                .keepAlive: 0x06, .notePreferred: 0x07, .peerGone: 0x08, .peerPresent: 0x09, .forwardPacket: 0x0a,
                .watchConns: 0x10, .closePeer: 0x11, .ping: 0x12, .pong: 0x13, .health: 0x14, .restarting: 0x15,
            ]
            for type in DERPFrameType.allCases {
                #expect(type.rawValue == expected[type])
            }
            #expect(DERPFrameType.allCases.count == 16)
        }

        @Test("wire constants")
        func constants() {
            #expect(DERPFrame.headerLength == 5)
            #expect(DERPFrame.maxPacketSize == 65536)
            #expect(DERPFrame.magic == Array("DERP🔑".utf8))
            #expect(DERPFrame.ClientInfoMessage.minimumLength == 56)
            #expect(DERPFrame.ClientInfoMessage.maximumLength == 262_144)
            #expect(DERPFrame.ServerInfoMessage.maximumLength == 24 + 1_048_576)
            #expect(DERPFrame.PeerPresentMessage.length == 51)
            #expect(DERPFrame.PingData.serverMaximumPingLength == 1000)
            #expect(DERPFrame.maxInfoLength == 1_048_576)
        }

        @Test("PingData bytes round-trip")
        func pingData() {
            let data = DERPFrame.PingData(rawValue: 0x0102_0304_0506_0708)
            #expect(data.bytes == [1, 2, 3, 4, 5, 6, 7, 8])
            #expect(DERPFrame.PingData(bytes: [1, 2, 3, 4, 5, 6, 7, 8]) == data)
            #expect(DERPFrame.PingData(bytes: [1, 2, 3]) == nil)
            #expect(data.description == "0102030405060708")
        }

        @Test("PeerGone reasons keep unknown values")
        func peerGoneReasons() {
            for raw in UInt8.min...UInt8.max {
                #expect(DERPFrame.PeerGoneReason(rawValue: raw).rawValue == raw)
            }
            #expect(DERPFrame.PeerGoneReason(rawValue: 0xf0) == .meshConnBroke)
        }

        @Test("hot-path header writers match whole-frame encoding")
        func headerWriters() throws {
            let packet = ByteBuffer(string: "hello")
            var recv = ByteBuffer()
            #expect(try recv.writeRecvPacketHeader(source: F.clientA, packetLength: 5) == 37)
            recv.writeImmutableBuffer(packet)
            #expect(recv == (try F.encode(.recvPacket(.init(source: F.clientA, packet: packet)))))

            var send = ByteBuffer()
            #expect(try send.writeSendPacketHeader(destination: F.clientB, packetLength: 5) == 37)
            send.writeImmutableBuffer(packet)
            #expect(send == (try F.encode(.sendPacket(.init(destination: F.clientB, packet: packet)))))

            var forward = ByteBuffer()
            #expect(try forward.writeForwardPacketHeader(source: F.clientA, destination: F.clientB, packetLength: 5) == 69)
            forward.writeImmutableBuffer(packet)
            #expect(forward == (try F.encode(.forwardPacket(.init(source: F.clientA, destination: F.clientB, packet: packet)))))

            var header = ByteBuffer()
            #expect(header.writeDERPFrameHeader(type: .health, length: 0x0102_0304) == 5)
            #expect(F.bytes(header) == [0x14, 0x01, 0x02, 0x03, 0x04])
        }

        @Test("writers refuse oversized packets and frames, writing nothing")
        func writerLimits() {
            let big = ByteBuffer(repeating: 0, count: DERPFrame.maxPacketSize + 1)
            let frames: [DERPFrame] = [
                .sendPacket(.init(destination: F.clientB, packet: big)),
                .recvPacket(.init(source: F.clientA, packet: big)),
                .forwardPacket(.init(source: F.clientA, destination: F.clientB, packet: big)),
            ]
            for frame in frames {
                var buffer = ByteBuffer()
                #expect(F.errorCode { try buffer.writeDERPFrame(frame) } == .packetTooLarge)
                #expect(buffer.readableBytes == 0)
            }
            var buffer = ByteBuffer()
            #expect(F.errorCode { try buffer.writeRecvPacketHeader(source: F.clientA, packetLength: -1) } == .packetTooLarge)
            let huge = String(repeating: "x", count: DERPFrame.maxWrittenFrameLength + 1)
            #expect(F.errorCode { try buffer.writeDERPFrame(.health(huge)) } == .frameTooLarge)
            #expect(buffer.readableBytes == 0)

            // The largest legal packet is fine.
            let max = ByteBuffer(repeating: 0, count: DERPFrame.maxPacketSize)
            #expect(F.errorCode { try buffer.writeDERPFrame(.sendPacket(.init(destination: F.clientB, packet: max))) } == nil)
        }

        @Test("round trip through both roles", arguments: DERPFrameVector.canonical)
        func roundTrip(_ vector: DERPFrameVector) throws {
            let encoded = try F.encode(vector.frame)
            var parser = DERPFrameParser(role: vector.role, expectsHandshake: vector.isHandshake)
            var buffer = encoded
            let decoded = try #require(try parser.next(&buffer))
            #expect(decoded == vector.frame)
            #expect(try F.encode(decoded) == encoded)
        }
    }
}

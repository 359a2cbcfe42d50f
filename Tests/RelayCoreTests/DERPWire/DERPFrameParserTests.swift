import NIOCore
import Testing

@testable import RelayCore

extension DERPWireTests {
    @Suite("DERPFrameParser")
    struct DERPFrameParserTests {
        typealias F = DERPWireFixtures
        typealias Output = DERPFrameParser.Output
        typealias Skipped = DERPFrameParser.SkippedFrame

        // MARK: - Need more vs malformed

        @Test("every strict prefix returns nil and leaves the reader index", arguments: DERPFrameVector.canonical)
        func strictPrefixes(_ vector: DERPFrameVector) throws {
            let whole = vector.bytes
            for count in 0..<whole.readableBytes {
                var parser = DERPFrameParser(role: vector.role, expectsHandshake: vector.isHandshake)
                var prefix = try #require(whole.getSlice(at: whole.readerIndex, length: count))
                let before = prefix
                #expect(try parser.nextOutput(&prefix) == nil, "prefix of \(count) bytes")
                #expect(prefix == before)
                #expect(prefix.readerIndex == before.readerIndex)
                #expect(parser.bytesRemainingToSkip == 0)
                #expect(parser.isAwaitingHandshake == vector.isHandshake)
            }
        }

        @Test("a frame is parsed once the last byte arrives, when fed one byte at a time", arguments: DERPFrameVector.canonical)
        func dripFeed(_ vector: DERPFrameVector) throws {
            var parser = DERPFrameParser(role: vector.role, expectsHandshake: vector.isHandshake)
            var cumulation = ByteBuffer()
            var produced: [DERPFrame] = []
            for byte in vector.bytes.readableBytesView {
                cumulation.writeInteger(byte)
                if let frame = try parser.next(&cumulation) {
                    produced.append(frame)
                }
            }
            #expect(produced == [vector.frame])
            #expect(cumulation.readableBytes == 0)
        }

        @Test("several frames in one buffer")
        func manyFrames() throws {
            var input = ByteBuffer()
            let frames = DERPFrameVector.canonical.filter { $0.role == .client && !$0.isHandshake }
            for vector in frames {
                input.writeImmutableBuffer(vector.bytes)
            }
            #expect(try F.frames(role: .client, input) == frames.map(\.frame))
        }

        // MARK: - Lengths a role rejects

        struct BadHeader: Sendable, CustomTestStringConvertible {
            var name: String
            var role: DERPFrameParser.Role
            var isHandshake = false
            var type: UInt8
            var length: UInt32
            var code: DERPWireError.Code
            var testDescription: String { name }
        }

        static let badHeaders: [BadHeader] = [
            // Server (spec §7, §9.7; derpserver.go)
            .init(name: "SendPacket shorter than a key", role: .server, type: 0x04, length: 31, code: .invalidFrameLength),
            .init(name: "SendPacket over 64 KiB", role: .server, type: 0x04, length: 32 + 65537, code: .packetTooLarge),
            .init(name: "SendPacket of 4 GiB", role: .server, type: 0x04, length: .max, code: .packetTooLarge),
            .init(name: "ForwardPacket shorter than two keys", role: .server, type: 0x0a, length: 63, code: .invalidFrameLength),
            .init(name: "ForwardPacket over 64 KiB", role: .server, type: 0x0a, length: 64 + 65537, code: .packetTooLarge),
            .init(name: "NotePreferred empty", role: .server, type: 0x07, length: 0, code: .invalidFrameLength),
            .init(name: "NotePreferred of 2 bytes", role: .server, type: 0x07, length: 2, code: .invalidFrameLength),
            .init(name: "WatchConns non-empty", role: .server, type: 0x10, length: 1, code: .invalidFrameLength),
            .init(name: "ClosePeer of 31", role: .server, type: 0x11, length: 31, code: .invalidFrameLength),
            .init(name: "ClosePeer of 33", role: .server, type: 0x11, length: 33, code: .invalidFrameLength),
            .init(name: "Ping of 7", role: .server, type: 0x12, length: 7, code: .invalidFrameLength),
            .init(name: "Ping of 1001", role: .server, type: 0x12, length: 1001, code: .invalidFrameLength),
            .init(name: "ClientInfo of 55", role: .server, isHandshake: true, type: 0x02, length: 55, code: .invalidFrameLength),
            .init(
                name: "ClientInfo over 256 KiB",
                role: .server,
                isHandshake: true,
                type: 0x02,
                length: 262_145,
                code: .invalidFrameLength
            ),
            .init(name: "first frame SendPacket", role: .server, isHandshake: true, type: 0x04, length: 37, code: .unexpectedFrame),
            .init(name: "first frame unknown", role: .server, isHandshake: true, type: 0x7f, length: 0, code: .unexpectedFrame),
            // Client (derp_client.go)
            .init(name: "unknown frame over 1 MiB", role: .client, type: 0x7f, length: 1_048_577, code: .frameTooLarge),
            .init(name: "RecvPacket over 1 MiB", role: .client, type: 0x05, length: 1_048_577, code: .frameTooLarge),
            .init(name: "any frame of 4 GiB", role: .client, type: 0x06, length: .max, code: .frameTooLarge),
            .init(name: "ServerInfo shorter than a nonce", role: .client, type: 0x03, length: 23, code: .invalidFrameLength),
            .init(name: "ServerKey of 39", role: .client, isHandshake: true, type: 0x01, length: 39, code: .invalidFrameLength),
            .init(name: "ServerKey over 1 KiB", role: .client, isHandshake: true, type: 0x01, length: 1025, code: .invalidFrameLength),
            .init(name: "first frame KeepAlive", role: .client, isHandshake: true, type: 0x06, length: 0, code: .unexpectedFrame),
        ]

        @Test("impossible lengths throw from the header alone", arguments: badHeaders)
        func badHeader(_ bad: BadHeader) {
            var parser = DERPFrameParser(role: bad.role, expectsHandshake: bad.isHandshake)
            var buffer = F.frame(type: bad.type, length: bad.length)
            #expect(F.errorCode { _ = try parser.nextOutput(&buffer) } == bad.code)
        }

        @Test("the limits themselves are accepted")
        func limitsAccepted() throws {
            let headers: [(DERPFrameParser.Role, Bool, UInt8, UInt32)] = [
                (.server, false, 0x04, 32 + 65536),
                (.server, false, 0x0a, 64 + 65536),
                (.server, false, 0x12, 8),
                (.server, false, 0x12, 1000),
                (.server, true, 0x02, 56),
                (.server, true, 0x02, 262_144),
                (.client, true, 0x01, 40),
                (.client, true, 0x01, 1024),
                (.client, false, 0x03, 24),
                (.client, false, 0x03, 1_048_576),
                (.client, false, 0x05, 1_048_576),
            ]
            for (role, handshake, type, length) in headers {
                var parser = DERPFrameParser(role: role, expectsHandshake: handshake)
                var buffer = F.frame(type: type, length: length)
                #expect(try parser.nextOutput(&buffer) == nil, "type \(type) length \(length)")
                #expect(buffer.readerIndex == 0)
            }
        }

        @Test("a ServerKey with the wrong magic throws")
        func badMagic() {
            var parser = DERPFrameParser(role: .client)
            var buffer = F.buffer("01 00000028 44455250f09f9492 \(F.serverKeyHex)")
            #expect(F.errorCode { _ = try parser.nextOutput(&buffer) } == .invalidMagic)
        }

        @Test("a ClientInfo with a valid length is accepted as the first frame only")
        func clientInfoOnlyOnce() throws {
            let clientInfo = try #require(DERPFrameVector.canonical.first { $0.name == "ClientInfo" })
            var input = clientInfo.bytes
            input.writeImmutableBuffer(clientInfo.bytes)
            let outputs = try F.outputs(role: .server, expectsHandshake: true, input)
            #expect(
                outputs == [
                    .frame(clientInfo.frame, payloadLength: 104),
                    .skipped(Skipped(rawType: 0x02, payloadLength: 104, reason: .ignoredByRole)),
                ]
            )
        }

        @Test("a client that knows the server key skips the ServerKey (fast start)")
        func fastStartSkipsServerKey() throws {
            var input = F.buffer("01 00000028 44455250f09f9491 \(F.serverKeyHex)")
            input.writeImmutableBuffer(F.buffer("06 00000000"))
            let outputs = try F.outputs(role: .client, expectsHandshake: false, input)
            #expect(
                outputs == [
                    .skipped(Skipped(rawType: 0x01, payloadLength: 40, reason: .ignoredByRole)),
                    .frame(.keepAlive, payloadLength: 0),
                ]
            )
        }

        // MARK: - Roles

        static let serverOnlyTypes: [DERPFrameType] = [
            .serverKey, .serverInfo, .recvPacket, .keepAlive, .peerGone, .peerPresent, .health, .restarting, .pong,
        ]
        static let clientOnlyTypes: [DERPFrameType] = [
            .clientInfo, .sendPacket, .notePreferred, .forwardPacket, .watchConns, .closePeer,
        ]

        @Test("a server skips frames only servers send", arguments: serverOnlyTypes)
        func serverSkips(_ type: DERPFrameType) throws {
            try expectSkipped(role: .server, type: type.rawValue, reason: .ignoredByRole)
        }

        @Test("a client skips frames only clients send", arguments: clientOnlyTypes)
        func clientSkips(_ type: DERPFrameType) throws {
            try expectSkipped(role: .client, type: type.rawValue, reason: .ignoredByRole)
        }

        @Test("both roles skip unassigned types", arguments: Array(0x0b...0x0f) + Array(0x16...0xff) + [0x00])
        func unknownSkipped(_ type: Int) throws {
            try expectSkipped(role: .server, type: UInt8(type), reason: .unknownType)
            try expectSkipped(role: .client, type: UInt8(type), reason: .unknownType)
        }

        /// Sends the frame with a junk payload of odd lengths (which would be invalid for a role that
        /// acted on it), followed by a KeepAlive or WatchConns, and checks only the latter comes out.
        private func expectSkipped(role: DERPFrameParser.Role, type: UInt8, reason: Skipped.Reason) throws {
            let follower: (bytes: String, frame: DERPFrame) = role == .server ? ("10 00000000", .watchConns) : ("06 00000000", .keepAlive)
            for length in [0, 3, 31, 77, 2000] {
                var input = F.frame(type: type, payload: Array(repeating: 0xee, count: length))
                input.writeImmutableBuffer(F.buffer(follower.bytes))
                let outputs = try F.outputs(role: role, input)
                #expect(
                    outputs == [
                        .skipped(Skipped(rawType: type, payloadLength: UInt32(length), reason: reason)),
                        .frame(follower.frame, payloadLength: 0),
                    ],
                    "type 0x\(String(type, radix: 16)) length \(length)"
                )
            }
        }

        @Test("the server skips a RecvPacket from a client; the client skips a SendPacket")
        func specExampleRoles() throws {
            let recv = F.buffer("05 00000025 \(F.clientAHex) 68656c6c6f")
            let send = F.buffer("04 00000025 \(F.clientBHex) 68656c6c6f")
            #expect(try F.outputs(role: .server, recv) == [.skipped(Skipped(rawType: 0x05, payloadLength: 37, reason: .ignoredByRole))])
            #expect(try F.outputs(role: .client, send) == [.skipped(Skipped(rawType: 0x04, payloadLength: 37, reason: .ignoredByRole))])
            #expect(try F.frames(role: .server, send).count == 1)
            #expect(try F.frames(role: .client, recv).count == 1)
        }

        @Test("a client drops frames too short for their type", arguments: [(0x05, 31), (0x08, 31), (0x09, 31), (0x12, 7), (0x13, 7), (0x15, 7)])
        func clientDropsShort(_ type: Int, _ length: Int) throws {
            var input = F.frame(type: UInt8(type), payload: Array(repeating: 1, count: length))
            input.writeImmutableBuffer(F.buffer("06 00000000"))
            #expect(
                try F.outputs(role: .client, input) == [
                    .skipped(Skipped(rawType: UInt8(type), payloadLength: UInt32(length), reason: .tooShort)),
                    .frame(.keepAlive, payloadLength: 0),
                ]
            )
        }
    }
}

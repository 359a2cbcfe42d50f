import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import RelayCore

extension DERPWireTests {
    @Suite("DERPFrameDecoder")
    struct DERPFrameDecoderTests {
        typealias F = DERPWireFixtures

        /// A server's side of a connection as a client sees it: the spec's handshake and steady
        /// state, with a frame for another role and an unknown frame in between.
        static func serverStream() -> (ByteBuffer, [DERPFrame]) {
            let names = ["ServerKey", "ServerInfo", "RecvPacket", "KeepAlive", "PeerGone(B, NotHere)", "Restarting(5 s, 30 s)"]
            var stream = ByteBuffer()
            var frames: [DERPFrame] = []
            for name in names {
                guard let vector = DERPFrameVector.canonical.first(where: { $0.name == name }) else {
                    fatalError("no vector \(name)")
                }
                stream.writeImmutableBuffer(vector.bytes)
                frames.append(vector.frame)
                if name == "RecvPacket" {
                    stream.writeImmutableBuffer(F.frame(type: 0x04, payload: Array(repeating: 9, count: 40)))  // SendPacket: skipped
                    stream.writeImmutableBuffer(F.frame(type: 0xee, payload: Array(repeating: 7, count: 300)))  // unknown: skipped
                }
            }
            return (stream, frames)
        }

        @Test("EmbeddedChannel, one byte per read")
        func embeddedOneByteAtATime() throws {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(DERPFrameDecoder(role: .client)))
            let (stream, expected) = Self.serverStream()
            var received: [DERPFrame] = []
            for byte in stream.readableBytesView {
                try channel.writeInbound(ByteBuffer(bytes: [byte]))
                while let frame = try channel.readInbound(as: DERPFrame.self) {
                    received.append(frame)
                }
            }
            #expect(received == expected)
            #expect(try channel.finish().isClean)
        }

        @Test("EmbeddedChannel, the whole stream in one read")
        func embeddedOneRead() throws {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(DERPFrameDecoder(role: .client)))
            let (stream, expected) = Self.serverStream()
            try channel.writeInbound(stream)
            var received: [DERPFrame] = []
            while let frame = try channel.readInbound(as: DERPFrame.self) {
                received.append(frame)
            }
            #expect(received == expected)
            #expect(try channel.finish().isClean)
        }

        @Test("a malformed frame is an error on the channel")
        func malformed() throws {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(DERPFrameDecoder(role: .server, expectsHandshake: false)))
            #expect(throws: DERPWireError.self) {
                try channel.writeInbound(F.buffer("11 0000001f"))  // ClosePeer of 31 bytes
            }
            _ = try? channel.finish()
        }

        @Test("a frame cut short by EOF is reported as leftover data")
        func truncatedAtEOF() throws {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(DERPFrameDecoder(role: .server, expectsHandshake: false)))
            try channel.writeInbound(F.buffer("04 00000025 \(F.clientBHex)"))  // 5 packet bytes missing
            #expect(try channel.readInbound(as: DERPFrame.self) == nil)
            #expect(throws: ByteToMessageDecoderError.self) {
                _ = try channel.finish()
            }
        }

        @Test("ByteToMessageDecoderVerifier, client role")
        func verifierClient() throws {
            let vectors = (DERPFrameVector.canonical + DERPFrameVector.tolerant).filter { $0.role == .client && !$0.isHandshake }
            var pairs = vectors.map { ($0.bytes, [$0.frame]) }
            pairs.append((F.frame(type: 0x04, payload: [1, 2, 3]), []))
            try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
                DERPFrameDecoder(role: .client, expectsHandshake: false)
            }
        }

        @Test("ByteToMessageDecoderVerifier, server role")
        func verifierServer() throws {
            let vectors = (DERPFrameVector.canonical + DERPFrameVector.tolerant).filter { $0.role == .server && !$0.isHandshake }
            var pairs = vectors.map { ($0.bytes, [$0.frame]) }
            pairs.append((F.frame(type: 0x13, payload: [1, 2, 3, 4, 5, 6, 7, 8]), []))  // a Pong to a server: skipped
            try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
                DERPFrameDecoder(role: .server, expectsHandshake: false)
            }
        }
    }
}

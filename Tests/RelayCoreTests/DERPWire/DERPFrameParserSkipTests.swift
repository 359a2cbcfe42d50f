import NIOCore
import Testing

@testable import RelayCore

extension DERPWireTests {
    /// Discarded frames must never be buffered, whatever length they declare.
    @Suite("DERPFrameParser skipping")
    struct DERPFrameParserSkipTests {
        typealias F = DERPWireFixtures

        static let chunkSize = 4096
        static let junk = ByteBuffer(repeating: 0xa5, count: chunkSize)

        @Test("a server skips a frame declaring 0xFFFFFFFF bytes, fed in 4 KiB pieces, without buffering")
        func skipsFourGiB() throws {
            var parser = DERPFrameParser(role: .server, expectsHandshake: false)
            var cumulation = F.frame(type: 0x7f, length: 0xFFFF_FFFF)
            let skipped = try parser.nextOutput(&cumulation)
            #expect(skipped == .skipped(.init(rawType: 0x7f, payloadLength: 0xFFFF_FFFF, reason: .unknownType)))
            #expect(cumulation.readableBytes == 0)

            // 1 MiB of junk in 4 KiB chunks: nothing stays in the buffer.
            var fed: UInt64 = 0
            for _ in 0..<(1 << 20) / Self.chunkSize {
                var chunk = Self.junk
                cumulation.writeBuffer(&chunk)
                #expect(try parser.next(&cumulation) == nil)
                #expect(cumulation.readableBytes == 0)
                fed += UInt64(Self.chunkSize)
            }
            #expect(UInt64(parser.bytesRemainingToSkip) == 0xFFFF_FFFF - fed)

            // The rest without copying: slices of one large zero buffer only move indices.
            let big = ByteBuffer(repeating: 0, count: 64 << 20)
            while UInt64(parser.bytesRemainingToSkip) > UInt64(big.readableBytes) {
                var slice = big
                #expect(try parser.next(&slice) == nil)
                #expect(slice.readableBytes == 0)
            }

            // The last junk bytes and a whole frame arrive together.
            let remaining = Int(parser.bytesRemainingToSkip)
            var last = ByteBuffer(repeating: 0xa5, count: remaining)
            last.writeImmutableBuffer(F.buffer("07 00000001 01"))
            #expect(try parser.next(&last) == .notePreferred(true))
            #expect(last.readableBytes == 0)
            #expect(parser.bytesRemainingToSkip == 0)
        }

        @Test("exactly the declared bytes are skipped when the next frame shares a chunk")
        func skipsExactly() throws {
            let declared = (1 << 20) + 123  // not a multiple of the chunk size
            var stream = F.frame(type: 0x20, length: UInt32(declared))
            stream.writeImmutableBuffer(ByteBuffer(repeating: 0x04, count: declared))  // looks like SendPacket headers
            stream.writeImmutableBuffer(F.buffer("12 00000008 0102030405060708"))

            var parser = DERPFrameParser(role: .server, expectsHandshake: false)
            var cumulation = ByteBuffer()
            var frames: [DERPFrame] = []
            var largest = 0
            while let chunk = stream.readSlice(length: min(Self.chunkSize, stream.readableBytes)), chunk.readableBytes > 0 {
                var chunk = chunk
                cumulation.writeBuffer(&chunk)
                largest = max(largest, cumulation.readableBytes)
                while let frame = try parser.next(&cumulation) {
                    frames.append(frame)
                }
            }
            #expect(frames == [.ping(.init(rawValue: 0x0102_0304_0506_0708))])
            #expect(largest <= Self.chunkSize)
            #expect(cumulation.readableBytes == 0)
        }

        @Test("a client skips an unknown frame of exactly 1 MiB in pieces")
        func clientSkipsOneMiB() throws {
            var parser = DERPFrameParser(role: .client, expectsHandshake: false)
            var cumulation = F.frame(type: 0x42, length: 1 << 20)
            #expect(try parser.next(&cumulation) == nil)
            for _ in 0..<(1 << 20) / Self.chunkSize {
                var chunk = Self.junk
                cumulation.writeBuffer(&chunk)
                #expect(try parser.next(&cumulation) == nil)
                #expect(cumulation.readableBytes == 0)
            }
            cumulation.writeImmutableBuffer(F.buffer("06 00000000"))
            #expect(try parser.next(&cumulation) == .keepAlive)
        }

        @Test("the ignored tail of a read frame is dropped without buffering")
        func tailSkipped() throws {
            // A client reads only 8 bytes of a 1 MiB Pong and only the 40 bytes of a ServerKey it needs.
            var parser = DERPFrameParser(role: .client, expectsHandshake: false)
            var cumulation = F.buffer("13 00100000 0102030405060708")
            #expect(try parser.next(&cumulation) == .pong(.init(rawValue: 0x0102_0304_0506_0708)))
            #expect(parser.bytesRemainingToSkip == (1 << 20) - 8)
            var tail = (1 << 20) - 8
            while tail > 0 {
                var chunk = Self.junk.getSlice(at: 0, length: min(tail, Self.chunkSize)) ?? ByteBuffer()
                tail -= chunk.readableBytes
                cumulation.writeBuffer(&chunk)
                #expect(try parser.next(&cumulation) == nil)
                #expect(cumulation.readableBytes == 0)
            }
            #expect(parser.bytesRemainingToSkip == 0)
            cumulation.writeImmutableBuffer(F.buffer("06 00000000"))
            #expect(try parser.next(&cumulation) == .keepAlive)
        }

        @Test("skipping works across calls to nextOutput, reporting each skipped frame once")
        func skipReportedOnce() throws {
            var parser = DERPFrameParser(role: .client, expectsHandshake: false)
            var buffer = F.frame(type: 0x04, length: 10, payload: [1, 2, 3])
            #expect(try parser.nextOutput(&buffer) == .skipped(.init(rawType: 0x04, payloadLength: 10, reason: .ignoredByRole)))
            #expect(parser.bytesRemainingToSkip == 7)
            #expect(buffer.readableBytes == 0)
            #expect(try parser.nextOutput(&buffer) == nil)
            #expect(parser.bytesRemainingToSkip == 7)
            buffer.writeBytes([4, 5, 6, 7, 8, 9, 10])
            #expect(try parser.nextOutput(&buffer) == nil)
            #expect(parser.bytesRemainingToSkip == 0)
            #expect(buffer.readableBytes == 0)
        }
    }
}

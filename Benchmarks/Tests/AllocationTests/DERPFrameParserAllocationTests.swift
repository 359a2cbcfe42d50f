import NIOCore
import Testing

@testable import RelayCore

extension AllocationTests {
    @Test("DERP: parsing a steady stream of 1280-byte SendPacket frames")
    func derpSendPacketParsing() throws {
        let destination = NodePrivateKey.generate().publicKey
        // Sixteen frames back to back, read over and over: the parser sees an endless stream.
        var stream = ByteBufferAllocator().buffer(capacity: 16 * (DERPFrame.headerLength + DERPFrame.keyLength + 1280))
        for index in 0..<16 {
            _ = try stream.writeSendPacketHeader(destination: destination, packetLength: 1280)
            stream.writeRepeatingByte(UInt8(index), count: 1280)
        }
        var parser = DERPFrameParser(role: .server, expectsHandshake: false)
        var packets = 0
        var failures = 0
        let figure = try allocations(of: {
            if stream.readableBytes == 0 { stream.moveReaderIndex(to: 0) }
            do {
                if case .sendPacket(let message) = try parser.next(&stream), message.packet.readableBytes == 1280 {
                    packets += 1
                }
            } catch {
                failures += 1
            }
        })
        #expect(failures == 0)
        #expect(packets == 11_000)
        // The packet is a slice of the stream, never a copy. Measured 0 per frame, debug and release.
        #expect(figure.allocations == 0, "\(figure)")
    }
}

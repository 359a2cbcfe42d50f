import NIOCore
import Testing

@testable import RelayCore

/// Every strict prefix of a valid message is a clean "need more bytes": `decode` throws
/// `.truncated` and `readSTUNMessage` returns nil without moving the reader index.
@Suite struct STUNTruncationTests {
    /// Every vector we have, trimmed to its Message Length, plus messages we build.
    static func validMessages() throws -> [(String, [UInt8])] {
        var result: [(String, [UInt8])] = []
        for vector in try #require(STUNTestSupport.rfc5769).vectors {
            result.append((vector.name, try #require(Hex.decode(vector.hex))))
        }
        for vector in try #require(STUNTestSupport.tailscaleResponses).vectors {
            let bytes = try #require(Hex.decode(vector.hex))
            let length = Int(bytes[2]) << 8 | Int(bytes[3])
            result.append((vector.name, Array(bytes.prefix(20 + length))))
        }
        let id = STUNTransactionID(repeating: 9)
        result.append(("tailscale-request", STUNTestSupport.bytes(try STUNMessage.tailscaleBindingRequest(transactionID: id).encoded())))
        result.append(("empty-indication", STUNTestSupport.bytes(try STUNMessage(class: .indication, transactionID: id).encoded())))
        return result
    }

    @Test func everyStrictPrefixIsTruncated() throws {
        var prefixes = 0
        for (name, bytes) in try Self.validMessages() {
            #expect(throws: Never.self, "\(name) must decode whole") { try STUNMessage.decode(ByteBuffer(bytes: bytes)) }
            for count in 0..<bytes.count {
                let prefix = Array(bytes.prefix(count))
                #expect(throws: STUNError.truncated, "\(name) prefix \(count)") {
                    try STUNMessage.decode(ByteBuffer(bytes: prefix))
                }
                // Behind some already-consumed bytes, so the reader index is not zero.
                var buffer = ByteBuffer(bytes: [0xee, 0xee, 0xee] + prefix)
                buffer.moveReaderIndex(forwardBy: 3)
                #expect(try buffer.readSTUNMessage() == nil, "\(name) prefix \(count)")
                #expect(buffer.readerIndex == 3)
                #expect(buffer.readableBytes == count)
                prefixes += 1
            }
        }
        #expect(prefixes > 900)
    }

    /// Fed one byte at a time, the stream reader yields the message exactly when it is complete.
    @Test func dripFeed() throws {
        for (name, bytes) in try Self.validMessages() {
            var buffer = ByteBuffer()
            var decoded: [STUNMessage] = []
            for byte in bytes + bytes {
                buffer.writeInteger(byte)
                if let message = try buffer.readSTUNMessage() { decoded.append(message) }
            }
            #expect(decoded.count == 2, "\(name)")
            #expect(buffer.readableBytes == 0)
            #expect(decoded.first == decoded.last)
        }
    }
}

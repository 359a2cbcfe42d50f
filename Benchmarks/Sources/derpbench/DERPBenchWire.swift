import BenchSupport
import NIOCore

/// The few DERP wire pieces a load generator needs (spec/derp.md sections 4-6).
enum DERPBenchWire {
    static let frameHeaderLength = 5
    static let keyLength = 32
    static let serverKey: UInt8 = 0x01
    static let clientInfo: UInt8 = 0x02
    static let serverInfo: UInt8 = 0x03
    static let sendPacket: UInt8 = 0x04
    static let recvPacket: UInt8 = 0x05
    static let magic: [UInt8] = [0x44, 0x45, 0x52, 0x50, 0xF0, 0x9F, 0x94, 0x91]
    /// Frames larger than this are a protocol error for a client (spec/derp.md section 5).
    static let maxFrameLength = 1 << 20
    /// Packet layout inside every SendPacket/RecvPacket: send time (ns, 8) | sequence (8) | sender (4) | zeros.
    static let packetHeaderLength = 20
    static let clientInfoJSON: [UInt8] = Array(#"{"version":2,"CanAckPings":false}"#.utf8)

    static func upgradeRequest(host: String, port: Int) -> String {
        "GET /derp HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n"
    }

    static func writeFrameHeader(_ type: UInt8, length: Int, into buffer: inout ByteBuffer) {
        buffer.writeInteger(type)
        buffer.writeInteger(UInt32(truncatingIfNeeded: length))
    }

    /// A SendPacket frame carrying a timestamped packet of `size` bytes (size >= packetHeaderLength).
    @inline(__always)
    static func writeTimedPacket(to destination: [UInt8], size: Int, sequence: UInt64, sender: UInt32,
                                 into buffer: inout ByteBuffer) {
        writeFrameHeader(sendPacket, length: keyLength + size, into: &buffer)
        buffer.writeBytes(destination)
        buffer.writeMultipleIntegers(BenchClock.nanoseconds(), sequence, sender)
        buffer.writeRepeatingByte(0, count: size - packetHeaderLength)
    }
}

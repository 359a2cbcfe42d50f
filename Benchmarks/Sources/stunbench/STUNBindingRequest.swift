import NIOCore

/// Binding requests as Tailscale clients send them (RFC 5389 header, SOFTWARE "tailnode", FINGERPRINT), or
/// bare 20-byte ones. The 12-byte transaction ID carries the socket index and a sequence number, so a response
/// finds its request without a lookup table keyed by bytes.
enum STUNBindingRequest {
    static let magicCookie: UInt32 = 0x2112_A442
    static let bindingRequest: UInt16 = 0x0001
    static let bindingSuccess: UInt16 = 0x0101
    static let software: UInt16 = 0x8022
    static let fingerprint: UInt16 = 0x8028
    static let fingerprintXOR: UInt32 = 0x5354_554E
    static let softwareValue: [UInt8] = Array("tailnode".utf8)

    static func write(socket: UInt32, sequence: UInt64, tailscaleStyle: Bool, into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeMultipleIntegers(bindingRequest, UInt16(tailscaleStyle ? 20 : 0), magicCookie, socket, sequence)
        guard tailscaleStyle else { return }
        buffer.writeMultipleIntegers(software, UInt16(softwareValue.count))
        buffer.writeBytes(softwareValue)
        let crc = buffer.withUnsafeReadableBytes { raw in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[(start - buffer.readerIndex)...]))
        }
        buffer.writeMultipleIntegers(fingerprint, UInt16(4), crc ^ fingerprintXOR)
    }

    /// (socket, sequence) of a Binding success response, or nil for anything else.
    static func parseResponse(_ buffer: ByteBuffer) -> (socket: UInt32, sequence: UInt64)? {
        guard let (type, _, cookie, socket, sequence) = buffer.getMultipleIntegers(
            at: buffer.readerIndex, as: (UInt16, UInt16, UInt32, UInt32, UInt64).self),
            type == bindingSuccess, cookie == magicCookie
        else { return nil }
        return (socket, sequence)
    }
}

/// CRC-32 (IEEE 802.3), as STUN's FINGERPRINT uses (RFC 5389 section 15.5).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

/// CRC-32 as used by STUN's FINGERPRINT (RFC 8489 §14.7): the ISO-HDLC / IEEE 802.3 CRC of zlib
/// and Ethernet. Reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
/// Check value: CRC-32 of the ASCII digits "123456789" is 0xCBF43926.
///
/// Table-driven, one byte per step; `update` can be called repeatedly to checksum a message
/// in pieces (the FINGERPRINT check substitutes the header's length field without copying).
struct CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    private var state: UInt32 = 0xFFFF_FFFF

    init() {}

    mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            self.update(buffer: buffer)
        }
        guard handled == nil else { return }
        Self.table.withUnsafeBufferPointer { table in
            for byte in bytes {
                state = table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8)
            }
        }
    }

    private mutating func update(buffer: UnsafeBufferPointer<UInt8>) {
        var crc = state
        Self.table.withUnsafeBufferPointer { table in
            for byte in buffer {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        state = crc
    }

    mutating func update(byte: UInt8) {
        state = Self.table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8)
    }

    var value: UInt32 { state ^ 0xFFFF_FFFF }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}

import NIOCore
import Testing

@testable import RelayCore

@Suite struct CRC32Tests {
    @Test func knownValues() {
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func incrementalEqualsWhole() {
        var generator = STUNSeededGenerator(seed: 32)
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for split in [0, 1, 7, 500, 1000] {
            var crc = CRC32()
            crc.update(bytes[..<split])
            crc.update(ByteBuffer(bytes: bytes[split...]).readableBytesView)
            #expect(crc.value == CRC32.checksum(bytes))
        }
        // A sequence without contiguous storage takes the slow path.
        #expect(CRC32.checksum(bytes.lazy.map { $0 }) == CRC32.checksum(bytes))
    }
}

import Testing

@testable import RelayCore

/// The starting capacity of a connection's per-tick outbound buffer, taken from what the last tick
/// wrote: a power of two from 2 KiB up to the 64 KiB hand-over size.
struct OutboundCapacityTests {
    @Test(arguments: [
        (0, 2048), (1, 2048), (2048, 2048), (2049, 4096), (3000, 4096), (16_384, 16_384), (16_385, 32_768),
        (65_536, 65_536), (65_537, 65_536), (1 << 30, 65_536),
    ])
    func capacityHint(bytes: Int, expected: Int) {
        #expect(DERPServerConnectionHandler.capacityHint(for: bytes) == expected)
    }
}

import NIOCore

/// The 96-bit transaction ID of an RFC 5389 STUN message (header bytes 8–19).
///
/// The client picks it at random; the response echoes it. Stored as three words so that the
/// prober's "transaction ID → outstanding probe" map hashes and compares cheaply.
package struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    package static let byteCount = 12

    /// Bytes 0–7 as a big-endian integer.
    let highWord: UInt64
    /// Bytes 8–11 as a big-endian integer.
    let lowWord: UInt32

    /// Twelve bytes, in wire order. Returns nil unless exactly 12 bytes are given.
    package init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var high: UInt64 = 0
        var low: UInt32 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt32(byte)
            }
        }
        self.init(high: high, low: low)
    }

    /// The first eight bytes as `high`, the last four as `low`, both big-endian.
    package init(high: UInt64, low: UInt32) {
        self.highWord = high
        self.lowWord = low
    }

    /// Twelve copies of one byte (the form of Tailscale's round-trip test vectors).
    package init(repeating byte: UInt8) {
        let word = UInt64(byte) * 0x0101_0101_0101_0101
        self.init(high: word, low: UInt32(truncatingIfNeeded: word))
    }

    /// A new ID from the system's cryptographically secure generator (RFC 8489 §6: "uniformly
    /// and randomly chosen from the interval 0 .. 2**96-1, and MUST be cryptographically random").
    package static func random() -> Self {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A new ID from the given generator (use a seeded one in tests).
    package static func random(using generator: inout some RandomNumberGenerator) -> Self {
        Self(high: generator.next(), low: generator.next())
    }

    /// The twelve bytes in wire order.
    package var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.byteCount)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: highWord >> shift)) }
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: lowWord >> shift)) }
        return out
    }

    /// 24 lower-case hex digits.
    package var description: String { Hex.encode(bytes) }
}

extension ByteBuffer {
    /// Reads 12 bytes as a transaction ID, or returns nil (reader index unchanged) if fewer are readable.
    mutating func readSTUNTransactionID() -> STUNTransactionID? {
        guard let (high, low) = readMultipleIntegers(as: (UInt64, UInt32).self) else { return nil }
        return STUNTransactionID(high: high, low: low)
    }

    /// Gets 12 bytes at `index` as a transaction ID, or nil if they are not all readable.
    func getSTUNTransactionID(at index: Int) -> STUNTransactionID? {
        guard let (high, low) = getMultipleIntegers(at: index, as: (UInt64, UInt32).self) else { return nil }
        return STUNTransactionID(high: high, low: low)
    }

    @discardableResult
    mutating func writeSTUNTransactionID(_ id: STUNTransactionID) -> Int {
        writeMultipleIntegers(id.highWord, id.lowWord)
    }
}

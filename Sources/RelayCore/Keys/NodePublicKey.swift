/// A node's Curve25519 public key: its address on DERP, and a DERP server's identity.
/// On the wire it is 32 raw bytes; as text, `nodekey:` and 64 hex digits.
package struct NodePublicKey: Hashable, Sendable, CustomStringConvertible {
    package static let textPrefix = "nodekey:"
    package static let byteCount = 32

    /// Stored as four words so that hashing and equality on the relay's hot path are cheap.
    private let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    package init(rawBytes: some Collection<UInt8>) throws(KeyError) {
        guard rawBytes.count == Self.byteCount else {
            throw .wrongLength(expected: Self.byteCount * 2, found: rawBytes.count * 2)
        }
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var index = 0
        for byte in rawBytes {
            switch index / 8 {
            case 0: w.0 = w.0 << 8 | UInt64(byte)
            case 1: w.1 = w.1 << 8 | UInt64(byte)
            case 2: w.2 = w.2 << 8 | UInt64(byte)
            default: w.3 = w.3 << 8 | UInt64(byte)
            }
            index += 1
        }
        (w0, w1, w2, w3) = w
    }

    /// The key as four big-endian words: how the wire codec reads and writes it without allocating.
    package init(words: (UInt64, UInt64, UInt64, UInt64)) {
        (w0, w1, w2, w3) = words
    }

    package var words: (UInt64, UInt64, UInt64, UInt64) { (w0, w1, w2, w3) }

    /// Parses `nodekey:<64 hex>`.
    package init(text: some StringProtocol) throws(KeyError) {
        try self.init(rawBytes: KeyText.parse(text, prefix: Self.textPrefix))
    }

    /// Parses 64 hex digits with no prefix (the form in `Derp-Public-Key` and `derpkey` certificates).
    package init(hex: some StringProtocol) throws(KeyError) {
        try self.init(rawBytes: KeyText.parseHex(hex))
    }

    package var rawBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for word in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return bytes
    }

    package var isZero: Bool { w0 == 0 && w1 == 0 && w2 == 0 && w3 == 0 }

    /// `nodekey:` + 64 lower-case hex digits.
    package var description: String { KeyText.format(rawBytes, prefix: Self.textPrefix) }

    /// 64 lower-case hex digits, no prefix.
    package var hexString: String { Hex.encode(rawBytes) }

    /// A short form for logs, as Tailscale prints it: `[abcde]` is the first 5 base64 characters;
    /// we use the first 8 hex digits, which is unambiguous enough for a log line.
    package var shortDescription: String { String(hexString.prefix(8)) }
}

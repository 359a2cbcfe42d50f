import CSodium

/// A node's Curve25519 private key. Text form `privkey:` + 64 hex digits.
/// Its description never reveals the key; use `textRepresentation` to serialise it on purpose.
package struct NodePrivateKey: Sendable, Equatable, CustomStringConvertible {
    package static let textPrefix = "privkey:"
    package static let byteCount = 32

    package let rawBytes: [UInt8]
    package let publicKey: NodePublicKey

    package init(rawBytes: some Collection<UInt8>) throws(KeyError) {
        let bytes = Array(rawBytes)
        guard bytes.count == Self.byteCount else {
            throw .wrongLength(expected: Self.byteCount * 2, found: bytes.count * 2)
        }
        guard bytes.contains(where: { $0 != 0 }) else { throw .zeroKey }
        self.rawBytes = bytes
        self.publicKey = try Self.derivePublicKey(bytes)
    }

    package init(text: some StringProtocol) throws(KeyError) {
        try self.init(rawBytes: KeyText.parse(text, prefix: Self.textPrefix))
    }

    /// A fresh random key, clamped the way Tailscale clamps at generation.
    package static func generate() -> NodePrivateKey {
        while true {
            var bytes = Sodium.randomBytes(byteCount)
            bytes[0] &= 248
            bytes[31] = (bytes[31] & 127) | 64
            if let key = try? NodePrivateKey(rawBytes: bytes) { return key }
        }
    }

    package var textRepresentation: String { KeyText.format(rawBytes, prefix: Self.textPrefix) }

    package var description: String { "privkey:<redacted> (public \(publicKey))" }

    package static func == (lhs: NodePrivateKey, rhs: NodePrivateKey) -> Bool {
        Sodium.constantTimeEqual(lhs.rawBytes, rhs.rawBytes)
    }

    private static func derivePublicKey(_ secret: [UInt8]) throws(KeyError) -> NodePublicKey {
        _ = Sodium.initialised
        var output = [UInt8](repeating: 0, count: NodePublicKey.byteCount)
        let status = output.withUnsafeMutableBufferPointer { out -> Int32 in
            secret.withUnsafeBufferPointer { sk -> Int32 in
                guard let outBase = out.baseAddress, let skBase = sk.baseAddress else { return -1 }
                return crypto_scalarmult_curve25519_base(outBase, skBase)
            }
        }
        guard status == 0 else { throw .zeroKey }
        return try NodePublicKey(rawBytes: output)
    }
}

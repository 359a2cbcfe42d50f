/// The pre-shared key of a DERP region's mesh: 32 bytes, written as 64 hex digits with no prefix.
/// Compared in constant time (Tailscale advisory TS-2025-003).
package struct DERPMeshKey: Sendable, Equatable, CustomStringConvertible {
    package let rawBytes: [UInt8]

    /// Parses the mesh key file's content: surrounding whitespace is trimmed, either case accepted.
    package init(text: some StringProtocol) throws(KeyError) {
        let trimmed = text.trimmingWhitespace()
        let bytes = try KeyText.parseHex(trimmed)
        guard bytes.contains(where: { $0 != 0 }) else { throw .zeroKey }
        self.rawBytes = bytes
    }

    package var hexString: String { Hex.encode(rawBytes) }
    package var description: String { "meshkey:<redacted>" }

    package static func == (lhs: DERPMeshKey, rhs: DERPMeshKey) -> Bool {
        Sodium.constantTimeEqual(lhs.rawBytes, rhs.rawBytes)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> Substring {
        let scalars = Substring(self)
        guard let start = scalars.firstIndex(where: { !$0.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return scalars[start...end]
    }
}

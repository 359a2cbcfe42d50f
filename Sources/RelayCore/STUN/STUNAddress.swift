/// An IP address and port as STUN carries them in MAPPED-ADDRESS, XOR-MAPPED-ADDRESS,
/// RESPONSE-ORIGIN, OTHER-ADDRESS and the RFC 3489 address attributes.
///
/// RFC 8489 §14.1 value layout (before any XOR):
/// ```
/// byte 0      reserved (0x00, ignored on receipt)
/// byte 1      family: 0x01 IPv4, 0x02 IPv6
/// bytes 2-3   port
/// bytes 4-    address, 4 or 16 bytes
/// ```
/// The address is kept as two words so that comparing mappings (the core of NAT classification)
/// does not allocate. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) stays IPv6 here, so that
/// attributes re-encode byte for byte; `unmapped` turns it into IPv4 as Tailscale does.
package struct STUNAddress: Hashable, Sendable, CustomStringConvertible {
    package enum Family: UInt8, Hashable, Sendable {
        case ipv4 = 0x01
        case ipv6 = 0x02

        /// 4 or 16.
        package var addressByteCount: Int {
            switch self {
            case .ipv4: return 4
            case .ipv6: return 16
            }
        }
    }

    package let family: Family
    package var port: UInt16
    /// IPv6 bytes 0–7; zero for IPv4.
    let high: UInt64
    /// IPv6 bytes 8–15, or the IPv4 address in the low 32 bits.
    let low: UInt64

    /// An IPv4 address given as a big-endian integer (`0xC0000201` is 192.0.2.1).
    package init(ipv4 address: UInt32, port: UInt16) {
        self.family = .ipv4
        self.port = port
        self.high = 0
        self.low = UInt64(address)
    }

    /// An IPv6 address given as two big-endian words (bytes 0–7 and 8–15).
    package init(ipv6High high: UInt64, low: UInt64, port: UInt16) {
        self.family = .ipv6
        self.port = port
        self.high = high
        self.low = low
    }

    /// An address from its raw bytes; nil unless there are exactly 4 (IPv4) or 16 (IPv6) of them
    /// to match `family`.
    package init?(family: Family, addressBytes: some Collection<UInt8>, port: UInt16) {
        guard addressBytes.count == family.addressByteCount else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in addressBytes.enumerated() {
            if index < 8 && family == .ipv6 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        switch family {
        case .ipv4: self.init(ipv4: UInt32(truncatingIfNeeded: low), port: port)
        case .ipv6: self.init(ipv6High: high, low: low, port: port)
        }
    }

    /// The IPv4 address as a big-endian integer, or nil for IPv6.
    package var ipv4Value: UInt32? {
        family == .ipv4 ? UInt32(truncatingIfNeeded: low) : nil
    }

    /// The 4 or 16 address bytes in network order.
    package var addressBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(family.addressByteCount)
        if family == .ipv6 {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> shift)) }
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> shift)) }
        } else {
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> shift)) }
        }
        return out
    }

    /// True for IPv6 `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2).
    package var isIPv4Mapped: Bool {
        family == .ipv6 && high == 0 && low >> 32 == 0x0000_FFFF
    }

    /// IPv4-mapped IPv6 addresses become IPv4 (Go's `netip.Addr.Unmap`); others are returned unchanged.
    package var unmapped: STUNAddress {
        guard isIPv4Mapped else { return self }
        return STUNAddress(ipv4: UInt32(truncatingIfNeeded: low), port: port)
    }

    /// The address alone: dotted quad, or RFC 5952 text for IPv6.
    package var addressDescription: String {
        switch family {
        case .ipv4:
            return Self.dottedQuad(UInt32(truncatingIfNeeded: low))
        case .ipv6:
            return ipv6Text()
        }
    }

    /// `192.0.2.1:3478` or `[2001:db8::1]:3478`, the form Go's `netip.AddrPort` prints.
    package var description: String {
        switch family {
        case .ipv4: return "\(addressDescription):\(port)"
        case .ipv6: return "[\(addressDescription)]:\(port)"
        }
    }

    private static func dottedQuad(_ value: UInt32) -> String {
        [24, 16, 8, 0].map { String(UInt8(truncatingIfNeeded: value >> UInt32($0))) }.joined(separator: ".")
    }

    /// RFC 5952: lower-case hex, no leading zeros, the longest run (first on a tie) of two or more
    /// zero groups shortened to `::`, and `::ffff:` followed by a dotted quad for IPv4-mapped addresses.
    private func ipv6Text() -> String {
        if isIPv4Mapped {
            return "::ffff:" + Self.dottedQuad(UInt32(truncatingIfNeeded: low))
        }
        let groups: [UInt16] = (0..<8).map { index in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> UInt64(48 - 16 * (index % 4)))
        }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < groups.count {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < groups.count && groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}

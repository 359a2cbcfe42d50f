import NIOCore

/// An IP address as PCP carries it: 16 bytes, IPv4 in the IPv4-mapped form `::ffff:a.b.c.d`
/// (RFC 6887 §5). NAT-PMP's 4-byte external address and the prober's gateway use it too, so every
/// address in a `PortMappingResult` prints the same way.
package struct PortMappingAddress: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0–7, big-endian.
    let high: UInt64
    /// Bytes 8–15, big-endian.
    let low: UInt64

    package static let byteCount = 16
    /// `::ffff:0:0` — the prefix of every IPv4-mapped address.
    private static let mappedPrefixLow: UInt64 = 0x0000_FFFF_0000_0000

    /// An IPv4 address given as a big-endian integer (`0xC6336407` is 198.51.100.7).
    package init(ipv4: UInt32) {
        self.high = 0
        self.low = Self.mappedPrefixLow | UInt64(ipv4)
    }

    /// Sixteen bytes as two big-endian words.
    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Dotted-quad IPv4 or IPv6 text (Go's `netip.ParseAddr` syntax); nil for anything else.
    package init?(_ text: String) {
        if let v4 = IPAddressLiteral.parseIPv4(Substring(text)) {
            self.init(ipv4: v4.reduce(0) { $0 << 8 | UInt32($1) })
        } else if let v6 = IPAddressLiteral.parseIPv6(text), v6.count == Self.byteCount {
            self.init(high: Self.word(v6[0..<8]), low: Self.word(v6[8..<16]))
        } else {
            return nil
        }
    }

    /// The IP of a NIO socket address (its port is ignored); nil for Unix-domain addresses.
    package init?(_ address: SocketAddress) {
        guard let text = address.ipAddress else { return nil }
        self.init(text)
    }

    /// The IPv4 address if this is IPv4-mapped, as a big-endian integer.
    package var ipv4: UInt32? {
        guard high == 0, low & 0xFFFF_FFFF_0000_0000 == Self.mappedPrefixLow else { return nil }
        return UInt32(truncatingIfNeeded: low)
    }

    /// All zeros, or `::ffff:0.0.0.0`: "no address" in NAT-PMP and PCP.
    package var isUnspecified: Bool {
        (high == 0 && low == 0) || ipv4 == 0
    }

    /// RFC 1918 (10/8, 172.16/12, 192.168/16), the ranges Tailscale accepts as a home gateway.
    package var isPrivateIPv4: Bool {
        guard let v4 = ipv4 else { return false }
        return v4 >> 24 == 10 || v4 >> 20 == 0xAC1 || v4 >> 16 == 0xC0A8
    }

    /// RFC 6598 shared address space 100.64.0.0/10 (carrier-grade NAT).
    package var isSharedIPv4: Bool {
        guard let v4 = ipv4 else { return false }
        return v4 >> 22 == 0x191
    }

    /// The sixteen bytes in wire order.
    package var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.byteCount)
        for word in [high, low] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> shift)) }
        }
        return out
    }

    /// Dotted quad for IPv4-mapped addresses, RFC 5952 text for the rest.
    package var description: String {
        if let v4 = ipv4 {
            return (0..<4).map { String(v4 >> (24 - 8 * $0) & 0xFF) }.joined(separator: ".")
        }
        let groups = (0..<8).map { index -> UInt16 in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (48 - 16 * (index % 4)))
        }
        // The longest run of two or more zero groups becomes "::" (the first such run on a tie).
        var best = (start: -1, length: 0)
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index > best.length && end - index >= 2 { best = (index, end - index) }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.start >= 0 else { return hex.joined(separator: ":") }
        let head = hex[0..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }

    private static func word(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension ByteBuffer {
    /// Reads 16 bytes as an address, or returns nil (reader index unchanged) if fewer are readable.
    mutating func readPortMappingAddress() -> PortMappingAddress? {
        guard let (high, low) = readMultipleIntegers(as: (UInt64, UInt64).self) else { return nil }
        return PortMappingAddress(high: high, low: low)
    }

    @discardableResult
    mutating func writePortMappingAddress(_ address: PortMappingAddress) -> Int {
        writeMultipleIntegers(address.high, address.low)
    }
}

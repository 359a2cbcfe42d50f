import NIOCore

/// The address part of a PeerPresent frame (spec/derp.md §7.6):
///
/// ```
/// IP (16 bytes; IPv4 as the IPv4-mapped ::ffff:a.b.c.d) | port (UInt16 BE)
/// ```
///
/// An unknown address is written as 18 zero bytes (Go writes the zero `netip.AddrPort` that way).
///
/// The bytes of NIO's `sockaddr_in` / `sockaddr_in6` are read at their fixed offsets, which are the
/// same on Linux, the BSDs (whose first byte is a length) and Windows: the struct members
/// themselves belong to a module of NIO that we do not import.
extension ByteBuffer {
    /// Reads IP (16) + port (2). Returns nil when fewer than 18 bytes are readable (nothing is
    /// consumed then) or when the server sent all zeros, meaning it did not know the address.
    /// An IPv4-mapped address comes back as `.v4`, as Go's `netip.Addr.Unmap` does.
    mutating func readDERPPeerEndpoint() -> SocketAddress? {
        guard
            let ip = self.readSlice(length: 16),
            let port = self.readInteger(as: UInt16.self),
            let (high, low) = ip.getMultipleIntegers(at: ip.readerIndex, as: (UInt64, UInt64).self)
        else {
            return nil
        }
        if high == 0 && low == 0 && port == 0 {
            return nil
        }
        // ::ffff:a.b.c.d is 80 zero bits, 16 one bits, then the IPv4 address.
        let isIPv4Mapped = high == 0 && low >> 32 == 0xffff
        let packed = isIPv4Mapped ? ip.getSlice(at: ip.readerIndex + 12, length: 4) : ip
        // Only throws for a packed address that is neither 4 nor 16 bytes long.
        return packed.flatMap { try? SocketAddress(packedIPAddress: $0, port: Int(port)) }
    }

    /// Writes IP (16) + port (2); always 18 bytes. IPv4 is written IPv4-mapped; nil (or a Unix
    /// domain socket address, which has no IP) is written as zeros.
    @discardableResult
    mutating func writeDERPPeerEndpoint(_ endpoint: SocketAddress?) -> Int {
        switch endpoint {
        case .v4(let address):
            // sockaddr_in: [len/]family (2) | port (2, BE) | IPv4 address (4) | padding.
            return withUnsafeBytes(of: address.address) { raw in
                self.writeMultipleIntegers(UInt64(0), UInt16(0), UInt16(0xffff))
                    + self.writeBytes(UnsafeRawBufferPointer(rebasing: raw[4..<8]))
                    + self.writeBytes(UnsafeRawBufferPointer(rebasing: raw[2..<4]))
            }
        case .v6(let address):
            // sockaddr_in6: [len/]family (2) | port (2, BE) | flow info (4) | IPv6 address (16) | scope.
            return withUnsafeBytes(of: address.address) { raw in
                self.writeBytes(UnsafeRawBufferPointer(rebasing: raw[8..<24]))
                    + self.writeBytes(UnsafeRawBufferPointer(rebasing: raw[2..<4]))
            }
        case .unixDomainSocket, .none:
            return self.writeRepeatingByte(0, count: DERPFrame.PeerPresentMessage.endpointLength)
        }
    }
}

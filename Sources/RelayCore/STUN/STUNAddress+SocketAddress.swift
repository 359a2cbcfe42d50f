import NIOCore

// Conversions between STUN's address form and NIOCore's `SocketAddress`.
//
// The address bytes are read from the raw socket address because the `sockaddr_in` members are
// declared in C modules this folder does not import. Linux, Darwin and the BSDs agree on the
// layout: `sin_addr` starts at byte 4 of `sockaddr_in` and `sin6_addr` at byte 8 of `sockaddr_in6`
// (the tests round-trip both families to catch a platform where that is false).

extension STUNAddress {
    private static let ipv4AddressOffset = 4
    private static let ipv6AddressOffset = 8

    /// The IP address and port of `socketAddress`; nil for a Unix domain socket address.
    package init?(_ socketAddress: SocketAddress) {
        let family: Family
        let offset: Int
        switch socketAddress {
        case .v4:
            (family, offset) = (.ipv4, Self.ipv4AddressOffset)
        case .v6:
            (family, offset) = (.ipv6, Self.ipv6AddressOffset)
        case .unixDomainSocket:
            return nil
        }
        guard let port = socketAddress.port.flatMap({ UInt16(exactly: $0) }) else { return nil }
        let count = family.addressByteCount
        let bytes: [UInt8]? = socketAddress.withSockAddr { pointer, length in
            guard length >= offset + count else { return nil }
            return Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer) + offset, count: count))
        }
        guard let bytes else { return nil }
        self.init(family: family, addressBytes: bytes, port: port)
    }

    /// The same address as a NIOCore `SocketAddress` (IPv6 scope and flow label zero).
    ///
    /// Throws NIOCore's `SocketAddressError` only if NIOCore rejects a 4- or 16-byte address,
    /// which it does not do today.
    package func makeSocketAddress() throws -> SocketAddress {
        try SocketAddress(packedIPAddress: ByteBuffer(bytes: addressBytes), port: Int(port))
    }
}

import NIOCore

// Per-datagram address handling for the STUN server.

extension STUNAddress {
    /// The IP address and port of a datagram's source, read in place from the socket address (the
    /// general `init?(_:)` goes through an array; this runs once per received request). Nil for Unix
    /// domain sockets. Same layout assumption as `init?(_:)`: `sin_addr` at byte 4 of `sockaddr_in`,
    /// `sin6_addr` at byte 8 of `sockaddr_in6`.
    init?(datagramSource socketAddress: SocketAddress) {
        let isIPv6: Bool
        switch socketAddress {
        case .v4: isIPv6 = false
        case .v6: isIPv6 = true
        case .unixDomainSocket: return nil
        }
        guard let port = socketAddress.port.flatMap({ UInt16(exactly: $0) }) else { return nil }
        let address: STUNAddress? = socketAddress.withSockAddr { pointer, length in
            let raw = UnsafeRawPointer(pointer)
            if isIPv6 {
                guard length >= 24 else { return nil }
                let high = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                let low = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
                return STUNAddress(ipv6High: high, low: low, port: port)
            }
            guard length >= 8 else { return nil }
            return STUNAddress(ipv4: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)), port: port)
        }
        guard let address else { return nil }
        self = address
    }

    /// Whether a reply may be sent to this source. Not to port 0, and not to an unspecified,
    /// multicast or limited-broadcast address: the kernel refuses some of these sends (`EINVAL`,
    /// `EACCES`), and NIO closes a datagram channel on such an error. The kernel drops most such
    /// sources on input anyway; this keeps a spoofed one from reaching the socket's write path.
    var isReplyableSource: Bool {
        guard port != 0 else { return false }
        let address = unmapped
        switch address.family {
        case .ipv4:
            let value = UInt32(truncatingIfNeeded: address.low)
            let firstOctet = value >> 24
            // 0.0.0.0/8 "this network", 224.0.0.0/4 multicast, 255.255.255.255 limited broadcast.
            return firstOctet != 0 && firstOctet & 0xF0 != 0xE0 && value != 0xFFFF_FFFF
        case .ipv6:
            // :: unspecified, ff00::/8 multicast.
            return !(address.high == 0 && address.low == 0) && address.high >> 56 != 0xFF
        }
    }

    /// fe80::/10: usable only with a scope (interface), which the server does not track.
    var isIPv6LinkLocal: Bool {
        family == .ipv6 && high >> 54 == 0xFE80 >> 6
    }

    /// 127.0.0.0/8 or ::1 (IPv4-mapped loopback counts as IPv4 loopback).
    var isLoopback: Bool {
        let address = unmapped
        switch address.family {
        case .ipv4: return address.low >> 24 == 127
        case .ipv6: return address.high == 0 && address.low == 1
        }
    }
}

import Glibc
import NIOCore

// Per-datagram address handling for the STUN server.

extension STUNAddress {
    /// The IP address and port of a datagram's source, read in place from the socket address (the
    /// general `init?(_:)` goes through an array). Nil for Unix domain sockets.
    init?(datagramSource socketAddress: SocketAddress) {
        guard let address = socketAddress.withSockAddr({ STUNAddress(socketAddress: $0, length: $1) }) else { return nil }
        self = address
    }

    /// The IP address and port in a `sockaddr_in` or `sockaddr_in6` of `length` bytes, as the kernel
    /// fills it in for each received datagram: family at byte 0, port at byte 2 (both layouts),
    /// `sin_addr` at byte 4, `sin6_addr` at byte 8. Nil for any other family or a short address.
    init?(socketAddress pointer: UnsafePointer<sockaddr>, length: Int) {
        let raw = UnsafeRawPointer(pointer)
        guard length >= 8 else { return nil }
        let port = UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            self.init(ipv4: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)), port: port)
        case AF_INET6:
            guard length >= 24 else { return nil }
            let high = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            let low = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
            self.init(ipv6High: high, low: low, port: port)
        default:
            return nil
        }
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

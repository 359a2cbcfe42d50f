import CRelaySystem
import Glibc
import NIOCore

/// A non-blocking UDP socket bound to one address, read and written only by a `STUNSocketLoop`
/// thread (which closes it when it exits). The descriptor is owned here rather than by NIO because
/// the STUN server drives it with its own `recvmmsg`/`sendmmsg` loop (see `STUNSocketLoop`).
package final class STUNDatagramSocket: Sendable {
    let descriptor: Int32
    /// The address as bound (port 0 resolved).
    package let localAddress: SocketAddress

    private init(descriptor: Int32, localAddress: SocketAddress) {
        self.descriptor = descriptor
        self.localAddress = localAddress
    }

    /// The receive buffer asked for: about 2,000 requests of queue at a 1 Gbit/s burst, where the
    /// kernel default (208 KiB) holds about 300. As root it is forced past `net.core.rmem_max`.
    static let receiveBufferBytes: Int32 = 4 << 20

    /// Opens a socket and binds it to `address` (an IPv6 socket takes IPv6 only, so that an IPv4
    /// socket on the same port can exist beside it).
    static func bind(_ address: SocketAddress) throws -> STUNDatagramSocket {
        let family: Int32
        switch address {
        case .v4: family = AF_INET
        case .v6: family = AF_INET6
        case .unixDomainSocket: throw STUNServerError.invalidAddress("\(address)", reason: "not an IP address")
        }
        let flags = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = Glibc.socket(family, flags, 0)
        guard descriptor >= 0 else { throw failure("socket", address) }
        do {
            if family == AF_INET6 { try setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1, address) }
            if (try? setOption(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, receiveBufferBytes, address)) == nil {
                try? setOption(descriptor, SOL_SOCKET, SO_RCVBUF, receiveBufferBytes, address)
            }
            let result = address.withSockAddr { pointer, length in
                Glibc.bind(descriptor, pointer, socklen_t(length))
            }
            guard result == 0 else { throw failure("bind", address) }
            return STUNDatagramSocket(descriptor: descriptor, localAddress: try boundAddress(descriptor, address))
        } catch {
            Glibc.close(descriptor)
            throw error
        }
    }

    /// Closes the descriptor; only the loop thread calls this, once, as it exits.
    func close() {
        Glibc.close(descriptor)
    }

    private static func setOption(
        _ descriptor: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ address: SocketAddress
    ) throws {
        var value = value
        guard setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw failure("setsockopt", address)
        }
    }

    private static func boundAddress(_ descriptor: Int32, _ address: SocketAddress) throws -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { throw failure("getsockname", address) }
        // The bound port with the requested address (its text form included, for logs).
        var bound = address
        bound.port = Int(storage.port)
        return bound
    }

    private static func failure(_ call: String, _ address: SocketAddress) -> STUNServerError {
        let text = STUNAddress(datagramSource: address)?.description ?? "\(address)"
        return STUNServerError.bindFailed(address: text, reason: "\(call): \(String(cString: strerror(errno)))")
    }
}

extension sockaddr_storage {
    /// The port of an IPv4 or IPv6 address (`sin_port` and `sin6_port` both sit at byte 2, big-endian).
    var port: UInt16 {
        get {
            withUnsafeBytes(of: self) { UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) }
        }
        set {
            withUnsafeMutableBytes(of: &self) { $0.storeBytes(of: newValue.bigEndian, toByteOffset: 2, as: UInt16.self) }
        }
    }
}

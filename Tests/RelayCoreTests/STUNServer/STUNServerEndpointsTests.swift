import NIOCore
import Testing

@testable import RelayCore

/// Sockets, endpoints and the per-datagram address conversion.
@Suite struct STUNServerEndpointsTests {
    typealias Support = STUNServerTestSupport

    @Test func changedFollowsTableOne() {
        for socket in STUNServerSocket.allCases {
            #expect(socket.changed(by: []) == socket)
            #expect(socket.changed(by: .changeIP).usesAlternateIP != socket.usesAlternateIP)
            #expect(socket.changed(by: .changeIP).usesAlternatePort == socket.usesAlternatePort)
            #expect(socket.changed(by: .changePort).usesAlternatePort != socket.usesAlternatePort)
            #expect(socket.changed(by: .changePort).usesAlternateIP == socket.usesAlternateIP)
            #expect(socket.other.changed(by: [.changeIP, .changePort]) == socket)
        }
        #expect(STUNServerSocket.primary.other == .alternateBoth)
        #expect(STUNServerSocket.alternatePort.other == .alternateAddress)
        // Undefined flag bits change nothing.
        #expect(STUNServerSocket.primary.changed(by: STUNChangeRequest(rawValue: 0xFFFF_FFF9)) == .primary)
    }

    @Test func addressesOfTheSockets() throws {
        let full = try STUNServerEndpoints(
            primary: try Support.address("192.0.2.1", 3478), alternatePort: 3479, alternateIP: try Support.address("192.0.2.2", 9))
        #expect(full.sockets == STUNServerSocket.allCases)
        #expect(full.isRFC5780 && full.hasOtherAddress)
        #expect(full.address(of: .primary) == (try Support.address("192.0.2.1", 3478)))
        #expect(full.address(of: .alternatePort) == (try Support.address("192.0.2.1", 3479)))
        #expect(full.address(of: .alternateAddress) == (try Support.address("192.0.2.2", 3478)))
        #expect(full.address(of: .alternateBoth) == (try Support.address("192.0.2.2", 3479)))

        let plain = try STUNServerEndpoints(primary: try Support.address("::ffff:192.0.2.1", 3478))
        #expect(plain.primary == (try Support.address("192.0.2.1", 3478)), "IPv4-mapped is taken as IPv4")
        #expect(plain.sockets == [.primary])
        #expect(!plain.isRFC5780 && !plain.hasOtherAddress)
        #expect(plain.address(of: .alternatePort) == nil)

        let portOnly = try STUNServerEndpoints(primary: try Support.address("192.0.2.1", 3478), alternatePort: 3479)
        #expect(portOnly.sockets == [.primary, .alternatePort])
        #expect(portOnly.isRFC5780 && !portOnly.hasOtherAddress)
    }

    @Test func invalidEndpoints() throws {
        let primary = try Support.address("192.0.2.1", 3478)
        #expect(throws: STUNServerError.alternatePortIsPrimary(3478)) {
            try STUNServerEndpoints(primary: primary, alternatePort: 3478)
        }
        #expect(throws: STUNServerError.alternateAddressIsPrimary("192.0.2.1")) {
            try STUNServerEndpoints(primary: primary, alternateIP: try Support.address("192.0.2.1", 1))
        }
        #expect(throws: STUNServerError.alternateFamilyMismatch(primary: "192.0.2.1", alternate: "2001:db8::2")) {
            try STUNServerEndpoints(primary: primary, alternateIP: try Support.address("2001:db8::2", 0))
        }
    }

    /// The in-place conversion agrees with the codec's general one.
    @Test(arguments: ["127.0.0.1", "203.0.113.7", "255.255.255.255", "::1", "2001:db8::7", "::ffff:1.2.3.4", "fe80::1"])
    func datagramSourceMatchesTheCodec(ip: String) throws {
        for port in [0, 1, 41641, 65535] {
            let socketAddress = try SocketAddress(ipAddress: ip, port: port)
            let fast = try #require(STUNAddress(datagramSource: socketAddress))
            #expect(fast == STUNAddress(socketAddress))
            #expect(fast.port == UInt16(port))
        }
    }

    @Test func addressClasses() throws {
        #expect(try Support.address("fe80::1", 1).isIPv6LinkLocal)
        #expect(try Support.address("febf::1", 1).isIPv6LinkLocal)
        #expect(!(try Support.address("fec0::1", 1).isIPv6LinkLocal))
        #expect(!(try Support.address("169.254.1.1", 1).isIPv6LinkLocal))
        #expect(try Support.address("127.0.0.2", 1).isLoopback)
        #expect(try Support.address("::ffff:127.0.0.1", 1).isLoopback)
        #expect(try Support.address("::1", 1).isLoopback)
        #expect(!(try Support.address("::2", 1).isLoopback))
        #expect(try Support.address("192.0.2.255", 1).isReplyableSource)
        #expect(try Support.address("2001:db8::1", 1).isReplyableSource)
    }
}

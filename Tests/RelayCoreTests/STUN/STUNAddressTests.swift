import NIOCore
import Testing

@testable import RelayCore

@Suite struct STUNAddressTests {
    @Test(arguments: [
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("fe80::1:2:3:4", "fe80::1:2:3:4"),
    ])
    func ipv6Text(input: String, expected: String) throws {
        let address = try STUNTestSupport.address(input, 443)
        #expect(address.addressDescription == expected)
        #expect(address.description == "[\(expected)]:443")
    }

    /// Our RFC 5952 formatter agrees with the C library's inet_ntop (through NIOCore) on random
    /// addresses rich in zero groups. Addresses whose first 96 bits are zero are skipped: glibc
    /// prints those in the deprecated IPv4-compatible form.
    @Test func ipv6TextMatchesInetNtop() throws {
        var generator = STUNSeededGenerator(seed: 6)
        var compared = 0
        for _ in 0..<2000 {
            let groups: [UInt16] = (0..<8).map { _ in Bool.random(using: &generator) ? 0 : UInt16.random(in: 0...0xffff, using: &generator) }
            guard groups.prefix(6).contains(where: { $0 != 0 }) else { continue }
            let bytes = groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
            let address = try #require(STUNAddress(family: .ipv6, addressBytes: bytes, port: 1))
            let reference = try address.makeSocketAddress().ipAddress
            #expect(address.addressDescription == reference)
            compared += 1
        }
        #expect(compared > 1500)
    }

    @Test(arguments: [("192.0.2.1", UInt16(32853)), ("0.0.0.0", 0), ("255.255.255.255", 65535), ("2001:db8::7", 41641), ("::", 1)])
    func socketAddressRoundTrip(ip: String, port: UInt16) throws {
        let socketAddress = try SocketAddress(ipAddress: ip, port: Int(port))
        let address = try #require(STUNAddress(socketAddress))
        #expect(address.port == port)
        #expect(address.family == (ip.contains(":") ? .ipv6 : .ipv4))
        let back = try address.makeSocketAddress()
        #expect(back == socketAddress)
        #expect(back.ipAddress == socketAddress.ipAddress)
        #expect(address.addressDescription == socketAddress.ipAddress)
    }

    @Test func bytesAndValues() throws {
        let v4 = try #require(STUNAddress(family: .ipv4, addressBytes: [192, 0, 2, 1], port: 1))
        #expect(v4 == STUNAddress(ipv4: 0xC000_0201, port: 1))
        #expect(v4.ipv4Value == 0xC000_0201)
        #expect(v4.addressBytes == [192, 0, 2, 1])
        let v6 = try #require(STUNAddress(family: .ipv6, addressBytes: Array(1...16), port: 2))
        #expect(v6.addressBytes == Array(1...16))
        #expect(v6.ipv4Value == nil)
        #expect(STUNAddress(family: .ipv4, addressBytes: [1, 2, 3], port: 0) == nil)
        #expect(STUNAddress(family: .ipv6, addressBytes: [1, 2, 3, 4], port: 0) == nil)
        #expect(STUNAddress(try SocketAddress(unixDomainSocketPath: "/tmp/x")) == nil)
    }

    @Test func unmapping() throws {
        let mapped = try STUNTestSupport.address("::ffff:10.1.2.3", 9)
        #expect(mapped.isIPv4Mapped)
        #expect(mapped.unmapped == STUNAddress(ipv4: 0x0A01_0203, port: 9))
        let compatible = try STUNTestSupport.address("::10.1.2.3", 9)
        #expect(!compatible.isIPv4Mapped)
        #expect(compatible.unmapped == compatible)
        let v4 = STUNAddress(ipv4: 1, port: 1)
        #expect(v4.unmapped == v4)
    }

    @Test func xorIsAnInvolution() {
        var generator = STUNSeededGenerator(seed: 7)
        for _ in 0..<500 {
            let id = STUNTransactionID.random(using: &generator)
            let v6 = STUNAddress(ipv6High: generator.next(), low: generator.next(), port: UInt16.random(in: 0...0xffff, using: &generator))
            let v4 = STUNAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &generator), port: 7)
            #expect(v6.xored(with: id).xored(with: id) == v6)
            #expect(v4.xored(with: id).xored(with: id) == v4)
            #expect(v4.xored(with: id) == v4.xored(with: STUNTransactionID(repeating: 0)))
        }
    }
}

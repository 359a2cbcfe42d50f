import NIOCore
import Testing

@testable import RelayCore

@Suite struct PortMappingAddressTests {
    @Test(arguments: [
        ("198.51.100.7", "198.51.100.7"),
        ("::ffff:10.0.1.2", "10.0.1.2"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("::", "::"),
        ("fe80::", "fe80::"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("1:0:3:4:5:6:7:0", "1:0:3:4:5:6:7:0"),
    ])
    func textRoundTrips(_ input: String, _ expected: String) throws {
        let address = try #require(PortMappingAddress(input))
        #expect(address.description == expected)
        #expect(PortMappingAddress(address.description) == address)
    }

    @Test func ipv4IsStoredMappedOnTheWire() throws {
        let address = try #require(PortMappingAddress("192.168.1.20"))
        #expect(address.ipv4 == 0xC0A8_0114)
        #expect(address.bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 168, 1, 20])
        #expect(PortMappingAddress("2001:db8::1")?.ipv4 == nil)
    }

    @Test func classification() throws {
        for text in ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1"] {
            #expect(PortMappingAddress(text)?.isPrivateIPv4 == true, "\(text)")
        }
        for text in ["172.32.0.1", "100.64.0.1", "198.51.100.2", "2001:db8::1"] {
            #expect(PortMappingAddress(text)?.isPrivateIPv4 == false, "\(text)")
        }
        #expect(PortMappingAddress("100.64.0.1")?.isSharedIPv4 == true)
        #expect(PortMappingAddress("100.127.255.255")?.isSharedIPv4 == true)
        #expect(PortMappingAddress("100.128.0.0")?.isSharedIPv4 == false)
        #expect(PortMappingAddress(ipv4: 0).isUnspecified)
        #expect(PortMappingAddress(high: 0, low: 0).isUnspecified)
        #expect(PortMappingAddress("0.0.0.1")?.isUnspecified == false)
    }

    @Test func fromSocketAddresses() throws {
        #expect(PortMappingAddress(try SocketAddress(ipAddress: "10.0.1.1", port: 5351))?.description == "10.0.1.1")
        #expect(PortMappingAddress(try SocketAddress(ipAddress: "2001:db8::2", port: 1))?.description == "2001:db8::2")
    }

    @Test(arguments: ["", "1.2.3", "01.2.3.4", "300.1.1.1", "x", "1::2::3"])
    func rejectsNonAddresses(_ text: String) {
        #expect(PortMappingAddress(text) == nil)
    }
}

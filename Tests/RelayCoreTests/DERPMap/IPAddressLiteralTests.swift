import Testing

@testable import RelayCore

@Suite struct IPAddressLiteralTests {
    @Test(arguments: ["0.0.0.0", "1.2.3.4", "255.255.255.255", "199.38.181.103"])
    func validIPv4(text: String) {
        #expect(IPAddressLiteral.isIPv4(text))
        #expect(!IPAddressLiteral.isIPv6(text))
    }

    @Test(arguments: ["", "none", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1..2.3", " 1.2.3.4", "::1", "1.2.3.4 "])
    func invalidIPv4(text: String) {
        #expect(!IPAddressLiteral.isIPv4(text))
    }

    @Test(arguments: [
        "::", "::1", "2001:db8::10", "2607:f740:f::e19", "2001:19f0:c000:c586:5400:04ff:fe26:2ba6",
        "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "64:ff9b::192.0.2.1", "fe80::1%eth0", "1::", "1:2:3:4:5:6::8",
    ])
    func validIPv6(text: String) {
        #expect(IPAddressLiteral.isIPv6(text))
        #expect(!IPAddressLiteral.isIPv4(text))
    }

    @Test(arguments: [
        "", "none", "1.2.3.4", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "1::2::3",
        "12345::", "g::", ":1::", "1::2:", "fe80::1%", "::1.2.3", "1.2.3.4::", "[::1]",
    ])
    func invalidIPv6(text: String) {
        #expect(!IPAddressLiteral.isIPv6(text))
    }

    @Test func bytes() {
        #expect(IPAddressLiteral.parseIPv6("::ffff:1.2.3.4") == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4])
        #expect(IPAddressLiteral.parseIPv6("2001:db8::10")?.suffix(2) == [0, 0x10])
        #expect(IPAddressLiteral.parseIPv4("10.0.0.255") == [10, 0, 0, 255])
    }
}

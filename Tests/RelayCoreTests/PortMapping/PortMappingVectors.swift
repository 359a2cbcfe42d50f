import NIOCore
import Testing

@testable import RelayCore

/// Wire bytes for the port-mapping suites.
///
/// "spec" vectors are the worked bytes of spec/nat.md §9.6 (constructed from RFC 6886/6887).
/// "miniupnpd" vectors were captured from miniupnpd 2.3.1 (Debian 12 `miniupnpd-nftables`) in
/// the natlab `upnp` scenario: client 10.0.1.2 sending with Python's socket module to
/// 10.0.1.1:5351 / :1900 and printing the replies (`natlab run upnp -- python3 probe.py`).
enum PortMappingVectors {
    // spec/nat.md §9.6
    static let pmpExternalAddressRequest = "00 00"
    static let pmpExternalAddressReply = "00 80 00 00 00 00 03 e8 c6 33 64 07"
    static let pmpMapUDPRequest = "00 01 00 00 a2 a9 00 00 00 00 1c 20"
    static let pcpAnnounceRequest = "02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ff ff c0 a8 01 14"
    static let pcpAnnounceReply = "02 80 00 00 00 00 00 00 00 00 03 e8" + String(repeating: " 00", count: 12)

    // miniupnpd 2.3.1, WAN address 198.51.100.2 learned through STUN
    static let miniupnpdPMPExternalAddress = "0080000000000001c6336402"
    /// Before STUN was configured: the WAN address is a documentation address, which miniupnpd
    /// calls reserved, so it answers NETWORK_FAILURE (3) with 0.0.0.0.
    static let miniupnpdPMPNetworkFailure = "008000030000000500000000"
    static let miniupnpdPMPMapReply = "0081000000000008a2a9a2a90000003c"
    /// Reply to a NAT-PMP request with opcode 7: only the 8-byte common part.
    static let miniupnpdPMPUnsupportedOpcode = "0087000500000008"
    static let miniupnpdPCPAnnounceReply = "028000000000000000000001000000000000000000000000"
    /// MAP UDP 41641, nonce 01…0c, lifetime 60 asked, 120 granted (miniupnpd's minimum).
    static let miniupnpdPCPMapRequest =
        "020100000000003c00000000000000000000ffff0a000102" + "0102030405060708090a0b0c11000000a2a9000000000000000000000000ffff00000000"
    static let miniupnpdPCPMapReply =
        "0281000000000078000000080000000000000000000000000102030405060708090a0b0c11000000a2a9a2a900000000000000000000ffffc6336402"
    /// What miniupnpd answers a PCP-shaped datagram with version 1.
    static let miniupnpdVersion1Reply = "018000040000000000000008000000000000000000000000"

    static let miniupnpdSSDPReply = """
        HTTP/1.1 200 OK\r
        CACHE-CONTROL: max-age=120\r
        ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r
        USN: uuid:6e6c6162-0000-4000-8000-6e6c61627570::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r
        EXT:\r
        SERVER: Debian/6.18.44-fc-v657 UPnP/1.1 MiniUPnPd/2.3.1\r
        LOCATION: http://10.0.1.1:5000/rootDesc.xml\r
        OPT: "http://schemas.upnp.org/upnp/1/0/"; ns=01\r
        01-NLS: 1795317305\r
        BOOTID.UPNP.ORG: 1795317305\r
        CONFIGID.UPNP.ORG: 1337\r
        \r

        """

    static let miniupnpdSSDPServiceReply = """
        HTTP/1.1 200 OK\r
        CACHE-CONTROL: max-age=120\r
        ST: urn:schemas-upnp-org:service:WANIPConnection:2\r
        USN: uuid:6e6c6162-0000-4000-8000-6e6c61627572::urn:schemas-upnp-org:service:WANIPConnection:2\r
        EXT:\r
        SERVER: Debian/6.18.44-fc-v657 UPnP/1.1 MiniUPnPd/2.3.1\r
        LOCATION: http://10.0.1.1:5000/rootDesc.xml\r
        \r

        """

    static func buffer(hex: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try #require(Hex.decodeIgnoringWhitespace(hex)))
    }

    static func buffer(text: String) -> ByteBuffer {
        ByteBuffer(string: text)
    }

    static func hex(_ buffer: ByteBuffer) -> String {
        Hex.encode(Array(buffer.readableBytesView))
    }

    /// Every strict prefix of `bytes` (including empty), for "never traps" loops.
    static func prefixes(of bytes: ByteBuffer) -> [ByteBuffer] {
        (0..<bytes.readableBytes).compactMap { bytes.getSlice(at: bytes.readerIndex, length: $0) }
    }
}

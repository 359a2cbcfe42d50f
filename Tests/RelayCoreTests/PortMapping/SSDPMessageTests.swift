import NIOCore
import Testing

@testable import RelayCore

@Suite struct SSDPMessageTests {
    typealias V = PortMappingVectors

    @Test func encodesTheSpecSearchExactly() {
        let bytes = SSDPMessage.search(.init(searchTarget: SSDPMessage.allTarget)).encoded()
        let expected = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nST: ssdp:all\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\n\r\n"
        #expect(bytes == ByteBuffer(string: expected))
    }

    @Test func searchesDecodeBack() throws {
        let search = SSDPMessage.Search(searchTarget: SSDPMessage.internetGatewayDeviceTarget, maxWaitSeconds: 1)
        #expect(try SSDPMessage.decode(SSDPMessage.search(search).encoded()) == .search(search))
    }

    @Test func decodesMiniupnpdsGatewayReply() throws {
        let datagram = V.buffer(text: V.miniupnpdSSDPReply)
        #expect(SSDPMessage.mentionsInternetGatewayDevice(datagram))
        guard case .response(let response) = try SSDPMessage.decode(datagram) else {
            Issue.record("not a response")
            return
        }
        #expect(response.statusCode == 200)
        #expect(response.reasonPhrase == "OK")
        #expect(response.headers.count == 10)
        #expect(response.location == "http://10.0.1.1:5000/rootDesc.xml")
        #expect(response.server == "Debian/6.18.44-fc-v657 UPnP/1.1 MiniUPnPd/2.3.1")
        #expect(response.searchTarget == SSDPMessage.internetGatewayDeviceTarget)
        #expect(response.uniqueServiceName?.hasPrefix("uuid:6e6c6162-") == true)
        #expect(response[header: "ext"] == "")
        #expect(response[header: "Cache-Control"] == "max-age=120")
        #expect(response.isInternetGatewayDevice)
    }

    @Test func aServiceReplyIsNotAGateway() throws {
        let datagram = V.buffer(text: V.miniupnpdSSDPServiceReply)
        #expect(!SSDPMessage.mentionsInternetGatewayDevice(datagram))
        guard case .response(let response) = try SSDPMessage.decode(datagram) else {
            Issue.record("not a response")
            return
        }
        #expect(!response.isInternetGatewayDevice)
    }

    @Test func bareLineFeedsAndOddSpacingAreAccepted() throws {
        let text = "HTTP/1.1 200 OK\nst:\turn:schemas-upnp-org:device:InternetGatewayDevice:2  \nLocation:http://x/\n\n"
        guard case .response(let response) = try SSDPMessage.decode(ByteBuffer(string: text)) else {
            Issue.record("not a response")
            return
        }
        #expect(response.searchTarget == "urn:schemas-upnp-org:device:InternetGatewayDevice:2")
        #expect(response.location == "http://x/")
    }

    @Test func notifyIsRecognised() throws {
        let text = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNTS: ssdp:alive\r\n\r\n"
        #expect(try SSDPMessage.decode(ByteBuffer(string: text)) == .notify([.init(name: "HOST", value: "239.255.255.250:1900"), .init(name: "NTS", value: "ssdp:alive")]))
    }

    @Test(arguments: [
        "GET / HTTP/1.1\r\n\r\n",
        "garbage",
        "",
        "M-SEARCH * HTTP/1.1\r\nHOST: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
    ])
    func malformedTextThrows(_ text: String) {
        #expect(throws: PortMappingError.self) { try SSDPMessage.decode(ByteBuffer(string: text)) }
    }

    @Test func invalidUTF8AndHugeDatagramsThrow() {
        #expect(throws: PortMappingError.notHTTP) { try SSDPMessage.decode(ByteBuffer(bytes: [0x48, 0xFF, 0xFE])) }
        var huge = ByteBuffer(string: "HTTP/1.1 200 OK\r\n")
        huge.writeRepeatingByte(UInt8(ascii: "a"), count: 17 * 1024)
        #expect(throws: PortMappingError.badLength(.ssdp, huge.readableBytes)) { try SSDPMessage.decode(huge) }
        let manyHeaders = "HTTP/1.1 200 OK\r\n" + String(repeating: "A: b\r\n", count: 65) + "\r\n"
        #expect(throws: PortMappingError.self) { try SSDPMessage.decode(ByteBuffer(string: manyHeaders)) }
    }

    @Test func prefixesNeverTrapAndTheMarkerSearchIsExact() {
        let datagram = V.buffer(text: V.miniupnpdSSDPReply)
        for prefix in V.prefixes(of: datagram) {
            _ = try? SSDPMessage.decode(prefix)
            _ = SSDPMessage.mentionsInternetGatewayDevice(prefix)
        }
        #expect(SSDPMessage.mentionsInternetGatewayDevice(ByteBuffer(string: ":InternetGatewayDevice:")))
        #expect(!SSDPMessage.mentionsInternetGatewayDevice(ByteBuffer(string: ":InternetGatewayDevice")))
        #expect(!SSDPMessage.mentionsInternetGatewayDevice(ByteBuffer()))
    }
}

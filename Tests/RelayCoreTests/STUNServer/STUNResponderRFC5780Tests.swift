import NIOCore
import Testing

@testable import RelayCore

/// The responder with RFC 5780 sockets: IP1 192.0.2.1, IP2 192.0.2.2, P1 3478, P2 3479.
@Suite struct STUNResponderRFC5780Tests {
    typealias Support = STUNServerTestSupport

    /// RFC 5780 §6.1 Table 1, for a request that reached IP1:P1.
    @Test(arguments: [
        (STUNChangeRequest(), STUNServerSocket.primary, "192.0.2.1", UInt16(3478)),
        (.changeIP, .alternateAddress, "192.0.2.2", 3478),
        (.changePort, .alternatePort, "192.0.2.1", 3479),
        ([.changeIP, .changePort], .alternateBoth, "192.0.2.2", 3479),
    ] as [(STUNChangeRequest, STUNServerSocket, String, UInt16)])
    func changeRequestPicksTheSocket(flags: STUNChangeRequest, socket: STUNServerSocket, ip: String, port: UInt16) throws {
        let source = try Support.address("198.51.100.9", 50000)
        let request = try Support.request(extra: [.changeRequest(flags)])
        let reply = try Support.reply(Support.respond(try Support.rfc5780Responder(), request, from: source))
        #expect(reply.kind == .success)
        #expect(reply.from == socket)
        let decoded = try STUNMessage.decode(reply.bytes)
        #expect(decoded.mappedAddress == source)
        #expect(decoded.attributes.contains(.mappedAddress(source)), "RFC 5780 §6: MAPPED-ADDRESS as well")
        #expect(decoded.responseOrigin == (try Support.address(ip, port)))
        #expect(decoded.otherAddress == (try Support.address("192.0.2.2", 3479)))
        #expect(decoded.fingerprint != nil)
    }

    /// Roles are relative to where the request arrived: IP2:P2 asking for both answers from IP1:P1,
    /// and names IP1:P1 as OTHER-ADDRESS.
    @Test func requestAtTheAlternateSocket() throws {
        let request = try Support.request(extra: [.changeRequest([.changeIP, .changePort])])
        let reply = try Support.reply(Support.respond(
            try Support.rfc5780Responder(), request, from: try Support.address("198.51.100.9", 50000), on: .alternateBoth))
        #expect(reply.from == .primary)
        let decoded = try STUNMessage.decode(reply.bytes)
        #expect(decoded.responseOrigin == (try Support.address("192.0.2.1", 3478)))
        #expect(decoded.otherAddress == (try Support.address("192.0.2.1", 3478)))

        let plain = try Support.reply(Support.respond(
            try Support.rfc5780Responder(), try Support.request(), from: try Support.address("198.51.100.9", 50000), on: .alternatePort))
        let plainDecoded = try STUNMessage.decode(plain.bytes)
        #expect(plain.from == .alternatePort)
        #expect(plainDecoded.responseOrigin == (try Support.address("192.0.2.1", 3479)))
        #expect(plainDecoded.otherAddress == (try Support.address("192.0.2.2", 3478)))
    }

    /// Tailscale's exact request takes the allocation-free writer; its bytes must equal what the
    /// codec's builder encodes for the same response.
    @Test(arguments: STUNServerSocket.allCases)
    func fastPathMatchesTheBuilder(socket: STUNServerSocket) throws {
        let responder = try Support.rfc5780Responder()
        for source in [try Support.address("198.51.100.9", 50000), try Support.address("2001:db8::9", 50000),
                       try Support.address("::ffff:198.51.100.9", 50000)] {
            let reply = try Support.reply(Support.respond(responder, try Support.tailscaleRequest(), from: source, on: socket))
            let expected = STUNMessage.bindingSuccessResponse(
                transactionID: Support.sequentialID, mapped: source, includeMappedAddress: true,
                responseOrigin: responder.endpoints.address(of: socket), otherAddress: responder.endpoints.address(of: socket.other))
            #expect(reply.bytes == (try expected.encoded()))
            #expect(reply.from == socket)
        }
    }

    /// Strict mode still answers only Tailscale's requests, but honours their CHANGE-REQUEST.
    @Test func strictModeHonoursChangeRequestOfTailscaleRequests() throws {
        let responder = try Support.rfc5780Responder(strict: true)
        let source = try Support.address("198.51.100.9", 50000)
        let tailscale = try Support.request(software: STUNMessage.tailscaleSoftware, extra: [.changeRequest(.changeIP)])
        let reply = try Support.reply(Support.respond(responder, tailscale, from: source))
        #expect(reply.from == .alternateAddress)
        let decoded = try STUNMessage.decode(reply.bytes)
        #expect(decoded.fingerprint == nil, "answers to Tailscale requests never carry FINGERPRINT")
        #expect(decoded.responseOrigin == (try Support.address("192.0.2.2", 3478)))
        let standard = try Support.request(extra: [.changeRequest(.changeIP)])
        #expect(Support.respond(responder, standard, from: source) == .ignore(.notTailscaleRequest))
    }

    /// With only a second port (or only a second IP) the server honours the flag it can, answers
    /// 420 to the other, and sends no OTHER-ADDRESS (RFC 5780 §6 ties it to both).
    @Test(arguments: [(true, false), (false, true)])
    func partialRFC5780(alternatePort: Bool, alternateIP: Bool) throws {
        let responder = try Support.rfc5780Responder(alternatePort: alternatePort, alternateIP: alternateIP)
        let source = try Support.address("198.51.100.9", 50000)
        let honoured: STUNChangeRequest = alternatePort ? .changePort : .changeIP
        let refused: STUNChangeRequest = alternatePort ? .changeIP : .changePort
        let reply = try Support.reply(Support.respond(responder, try Support.request(extra: [.changeRequest(honoured)]), from: source))
        #expect(reply.from == (alternatePort ? .alternatePort : .alternateAddress))
        let decoded = try STUNMessage.decode(reply.bytes)
        #expect(decoded.otherAddress == nil)
        #expect(decoded.responseOrigin == responder.endpoints.address(of: reply.from))
        for flags in [refused, [.changeIP, .changePort]] {
            let error = try Support.reply(Support.respond(responder, try Support.request(extra: [.changeRequest(flags)]), from: source))
            #expect(error.kind == .error(420))
            #expect(error.from == .primary)
            #expect(try STUNMessage.decode(error.bytes).unknownAttributes == [.changeRequest])
        }
    }

    /// PADDING is echoed with the same length in RFC 5780 mode (so the answer fragments too), and
    /// ignored otherwise.
    @Test func paddingIsEchoed() throws {
        let source = try Support.address("198.51.100.9", 50000)
        let request = try Support.request(extra: [.padding(count: 1200)])
        let reply = try Support.reply(Support.respond(try Support.rfc5780Responder(), request, from: source))
        let padding = try STUNMessage.decode(reply.bytes).attributes.compactMap { attribute -> Int? in
            if case .padding(let bytes) = attribute { return bytes.readableBytes }
            return nil
        }
        #expect(padding == [1200])
        let plain = try Support.reply(Support.respond(try Support.plainResponder(), request, from: source))
        #expect(!(try STUNMessage.decode(plain.bytes).contains(.padding)))
    }

    @Test func ipv6Endpoints() throws {
        let endpoints = try STUNServerEndpoints(
            primary: try Support.address("2001:db8::1", 3478), alternatePort: 3479,
            alternateIP: try Support.address("2001:db8::2", 0))
        let source = try Support.address("2001:db8:ffff::9", 50000)
        let reply = try Support.reply(Support.respond(
            STUNResponder(endpoints: endpoints), try Support.request(extra: [.changeRequest(.changeIP)]), from: source))
        let decoded = try STUNMessage.decode(reply.bytes)
        #expect(decoded.mappedAddress == source)
        #expect(decoded.responseOrigin == (try Support.address("2001:db8::2", 3478)))
        #expect(decoded.otherAddress == (try Support.address("2001:db8::2", 3479)))
    }
}

import NIOCore
import Testing

@testable import RelayCore

/// The responder without RFC 5780 sockets: Tailscale's requests get the reference server's bytes,
/// standard requests RFC 8489 answers, strict mode only the former, and garbage nothing.
@Suite struct STUNResponderTests {
    typealias Support = STUNServerTestSupport
    static let ipv4Response = "0101000c2112a4420102030405060708090a0b0c00200008000183bbea12d545"
    static let ipv6Response = "010100182112a4420102030405060708090a0b0c00200014000283bb0113a9fa0102030405060708090a0b0b"

    /// spec/stun.md §2 and §2.2: the example request and the reference's responses, byte for byte.
    @Test(arguments: [
        ("203.0.113.7", ipv4Response),
        ("2001:db8::7", ipv6Response),
        // An IPv4 client seen through a dual-stack socket gets an IPv4-family answer (§2.2).
        ("::ffff:203.0.113.7", ipv4Response),
    ])
    func tailscaleRequestGetsReferenceBytes(source: String, expected: String) throws {
        let request = try Support.tailscaleRequest()
        #expect(Support.hex(request) == "000100142112a4420102030405060708090a0b0c802200087461696c6e6f646580280004b32c370f")
        for strict in [false, true] {
            let reply = try Support.reply(Support.respond(
                try Support.plainResponder(strict: strict), request, from: try Support.address(source, 41641)))
            #expect(Support.hex(reply.bytes) == expected)
            #expect(reply.kind == .success)
            #expect(reply.from == .primary)
            #expect(reply.responsePort == nil)
        }
    }

    /// Tailscale's server reads attributes to the end of the datagram whatever Message Length says;
    /// such a request (which our decoder rejects) is answered all the same.
    @Test func tailscaleRequestWithShortMessageLengthIsAnswered() throws {
        var bytes = Array(try Support.tailscaleRequest().readableBytesView)
        bytes[3] = 0x10
        let fingerprint = CRC32.checksum(bytes[0..<32]) ^ STUNMessage.fingerprintXOR
        bytes.replaceSubrange(36..<40, with: withUnsafeBytes(of: fingerprint.bigEndian, Array.init))
        let request = ByteBuffer(bytes: bytes)
        #expect(throws: STUNError.self) { try STUNMessage.decode(request) }
        let reply = try Support.reply(Support.respond(
            try Support.plainResponder(), request, from: try Support.address("203.0.113.7", 41641)))
        #expect(Support.hex(reply.bytes) == Self.ipv4Response)
    }

    /// Requests without "tailnode" (WebRTC, turnutils_stunclient, stunclient) get RFC 8489 answers;
    /// FINGERPRINT is mirrored.
    @Test(arguments: [true, false])
    func standardRequestIsAnswered(fingerprint: Bool) throws {
        let source = try Support.address("198.51.100.9", 50000)
        let request = try Support.request(software: "test client", fingerprint: fingerprint)
        let reply = try Support.reply(Support.respond(try Support.plainResponder(), request, from: source))
        let expected = try STUNMessage.bindingSuccessResponse(transactionID: Support.sequentialID, mapped: source)
            .encoded(fingerprint: fingerprint)
        #expect(reply.bytes == expected)
        let decoded = try STUNMessage.decode(reply.bytes)
        #expect(decoded.mappedAddress == source)
        #expect((decoded.fingerprint != nil) == fingerprint)
        #expect(decoded.otherAddress == nil && decoded.responseOrigin == nil)
    }

    @Test func strictModeIgnoresStandardRequests() throws {
        let request = try Support.request(software: "test client")
        let decision = Support.respond(try Support.plainResponder(strict: true), request, from: try Support.address("198.51.100.9", 50000))
        #expect(decision == .ignore(.notTailscaleRequest))
    }

    /// RFC 5769 §2.1's sample request carries PRIORITY (0x0024), which is comprehension-required
    /// and unknown to us: 420 listing it (RFC 8489 §6.3.1), with a FINGERPRINT like the request.
    @Test func unknownComprehensionRequiredAttributeGets420() throws {
        let request = try Support.buffer(hex: """
            000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74
            002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020
            000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf
            """)
        let reply = try Support.reply(Support.respond(try Support.plainResponder(), request, from: try Support.address("192.0.2.77", 4000)))
        #expect(reply.kind == .error(420))
        let decoded = try STUNMessage.decode(reply.bytes)
        #expect(decoded.messageClass == .errorResponse)
        #expect(decoded.errorCode?.code == 420)
        #expect(decoded.unknownAttributes == [STUNAttributeType(0x0024)])
        #expect(decoded.fingerprint != nil)
        #expect(decoded.transactionID.description == "b7e7a701bc34d686fa87dfae")
    }

    @Test func unknownAttributesAreListedOnceAndOptionalOnesIgnored() throws {
        let value = ByteBuffer(bytes: [1, 2, 3, 4])
        let optional = try Support.request(extra: [.unknown(type: STUNAttributeType(0x8055), value: value)])
        let source = try Support.address("192.0.2.77", 4000)
        #expect(try Support.reply(Support.respond(try Support.plainResponder(), optional, from: source)).kind == .success)

        let required = try Support.request(extra: [
            .unknown(type: STUNAttributeType(0x0031), value: value), .unknown(type: STUNAttributeType(0x0033), value: value),
            .unknown(type: STUNAttributeType(0x0031), value: value),
        ])
        let reply = try Support.reply(Support.respond(try Support.plainResponder(), required, from: source))
        #expect(try STUNMessage.decode(reply.bytes).unknownAttributes == [STUNAttributeType(0x0031), STUNAttributeType(0x0033)])
        // Strict mode never refuses: these are not Tailscale requests, so they are ignored.
        #expect(Support.respond(try Support.plainResponder(strict: true), required, from: source) == .ignore(.notTailscaleRequest))
    }

    /// Without RFC 5780 sockets a CHANGE-REQUEST cannot be honoured: 420 (RFC 5780 §6, spec §3),
    /// even with no flag set, and even in a Tailscale-style request. Strict mode answers it from
    /// the same socket, as Tailscale's server does.
    @Test(arguments: [STUNChangeRequest(), .changePort, .changeIP, [.changeIP, .changePort]])
    func changeRequestWithoutRFC5780(flags: STUNChangeRequest) throws {
        let source = try Support.address("192.0.2.77", 4000)
        for software in [nil, STUNMessage.tailscaleSoftware] {
            let request = try Support.request(software: software, extra: [.changeRequest(flags)])
            let reply = try Support.reply(Support.respond(try Support.plainResponder(), request, from: source))
            #expect(reply.kind == .error(420))
            let decoded = try STUNMessage.decode(reply.bytes)
            #expect(decoded.unknownAttributes == [.changeRequest])
            // No FINGERPRINT towards Tailscale-style requests, as in every reply to them.
            #expect((decoded.fingerprint != nil) == (software == nil))
        }
        let tailscale = try Support.request(software: STUNMessage.tailscaleSoftware, extra: [.changeRequest(flags)])
        let strict = try Support.reply(Support.respond(try Support.plainResponder(strict: true), tailscale, from: source))
        #expect(strict.from == .primary)
        #expect(strict.bytes == (try STUNMessage.bindingSuccessResponse(transactionID: Support.sequentialID, mapped: source).encoded()))
    }

    @Test func responsePortIsHonoured() throws {
        let source = try Support.address("192.0.2.77", 4000)
        let request = try Support.request(extra: [.responsePort(5000)])
        let reply = try Support.reply(Support.respond(try Support.plainResponder(), request, from: source))
        #expect(reply.kind == .success)
        #expect(reply.responsePort == 5000)
        #expect(reply.destination(for: source) == (try Support.address("192.0.2.77", 5000)))
        // The mapped address is still the source, not the response port.
        #expect(try STUNMessage.decode(reply.bytes).mappedAddress == source)
        // Strict mode ignores RESPONSE-PORT, as Tailscale's server does.
        let tailscale = try Support.request(software: STUNMessage.tailscaleSoftware, extra: [.responsePort(5000)])
        #expect(try Support.reply(Support.respond(try Support.plainResponder(strict: true), tailscale, from: source)).responsePort == nil)
    }

    /// RFC 5780 §6: RESPONSE-PORT with PADDING is a 400; so is RESPONSE-PORT 0 (nowhere to send).
    @Test func responsePortWithPaddingOrZeroIs400() throws {
        let source = try Support.address("192.0.2.77", 4000)
        for extra: [STUNAttribute] in [[.responsePort(5000), .padding(count: 8)], [.responsePort(0)]] {
            let reply = try Support.reply(Support.respond(try Support.plainResponder(), try Support.request(extra: extra), from: source))
            #expect(reply.kind == .error(400))
            #expect(reply.responsePort == nil)
            #expect(try STUNMessage.decode(reply.bytes).errorCode?.code == 400)
        }
    }

    static let garbage: [(String, [UInt8], STUNResponder.IgnoreReason)] = {
        let cookie: [UInt8] = [0x21, 0x12, 0xA4, 0x42]
        // Arbitrary bytes without the cookie at 4-7.
        let random = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 41) }
        return [
            ("empty", [], .notSTUN),
            ("19 bytes", [0, 1, 0, 0] + cookie + Array(repeating: 0, count: 11), .notSTUN),
            ("no cookie", Array(repeating: 0, count: 20), .notSTUN),
            ("RFC 3489 request", [0, 1, 0, 0] + Array(1...16), .notSTUN),
            ("top bits set", [0x40, 1, 0, 0] + cookie + Array(repeating: 0, count: 12), .notSTUN),
            ("random", random, .notSTUN),
            ("length not a multiple of 4", [0, 1, 0, 2] + cookie + Array(repeating: 0, count: 14), .malformed(.badLength)),
            ("truncated", [0, 1, 0, 8] + cookie + Array(repeating: 0, count: 12), .malformed(.truncated)),
            ("success response", [1, 1, 0, 0] + cookie + Array(repeating: 0, count: 12), .notBindingRequest),
            ("indication", [0, 0x11, 0, 0] + cookie + Array(repeating: 0, count: 12), .notBindingRequest),
            ("other method", [0, 2, 0, 0] + cookie + Array(repeating: 0, count: 12), .notBindingRequest),
        ]
    }()

    @Test(arguments: garbage)
    func garbageIsIgnored(name: String, bytes: [UInt8], reason: STUNResponder.IgnoreReason) throws {
        var buffer = ByteBuffer(bytes: [9, 9, 9])
        let responder = try Support.plainResponder()
        let decision = responder.respond(
            to: ByteBuffer(bytes: bytes), from: try Support.address("192.0.2.77", 4000), into: &buffer)
        #expect(decision == .ignore(reason), "\(name)")
        #expect(buffer == ByteBuffer(bytes: [9, 9, 9]), "an ignored datagram leaves the buffer alone")
    }

    @Test func badFingerprintIsIgnored() throws {
        var bytes = Array(try Support.request(software: "x").readableBytesView)
        bytes[bytes.count - 1] ^= 1
        let decision = Support.respond(try Support.plainResponder(), ByteBuffer(bytes: bytes), from: try Support.address("192.0.2.77", 4000))
        #expect(decision == .ignore(.malformed(.fingerprintMismatch)))
    }

    /// Sources the kernel could refuse to send to (and NIO would close the socket over) are ignored.
    @Test(arguments: [("192.0.2.77", 0), ("0.0.0.0", 4000), ("0.1.2.3", 4000), ("224.0.0.1", 4000),
                      ("239.255.255.250", 1900), ("255.255.255.255", 4000), ("::", 4000), ("ff02::1", 4000),
                      ("::ffff:224.0.0.1", 4000)] as [(String, UInt16)])
    func unreplyableSourceIsIgnored(ip: String, port: UInt16) throws {
        let decision = Support.respond(try Support.plainResponder(), try Support.tailscaleRequest(), from: try Support.address(ip, port))
        #expect(decision == .ignore(.unreplyableSource))
    }

    /// Replies are appended after what the buffer already holds, so one buffer serves a whole burst.
    @Test func repliesAppendToTheBuffer() throws {
        let responder = try Support.plainResponder()
        var buffer = ByteBuffer(bytes: [7, 7, 7])
        let first = try Support.reply(responder.respond(
            to: try Support.tailscaleRequest(), from: try Support.address("203.0.113.7", 41641), into: &buffer))
        let second = try Support.reply(responder.respond(
            to: try Support.tailscaleRequest(), from: try Support.address("2001:db8::7", 41641), into: &buffer))
        #expect(Support.hex(first.bytes) == Self.ipv4Response)
        #expect(Support.hex(second.bytes) == Self.ipv6Response)
        #expect(buffer.readableBytes == 3 + 32 + 44)
        #expect(buffer.getBytes(at: 0, length: 3) == [7, 7, 7])
    }
}

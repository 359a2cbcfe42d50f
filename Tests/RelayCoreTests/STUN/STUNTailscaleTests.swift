import NIOCore
import Testing

@testable import RelayCore

/// Tailscale compatibility: captured responses (spec/stun.md §9.2, from
/// Tests/RelayCoreTests/Vectors/stun-tailscale-responses.json), round trips (§9.3), the request and
/// response layouts (§2), the server's acceptance rules (§2.1) and the is-STUN table (§9.4).
@Suite struct STUNTailscaleTests {
    static let responses = STUNTestSupport.tailscaleResponses?.vectors ?? []
    static let sequentialID = STUNTransactionID(bytes: Array(1...12))

    @Test func responseFileIsComplete() throws {
        let file = try #require(STUNTestSupport.tailscaleResponses)
        #expect(file.vectors.count == 9)
    }

    /// Each captured response decodes to Tailscale's expected transaction ID and address.
    @Test(arguments: responses)
    func capturedResponse(_ vector: STUNTestSupport.TailscaleResponsesFile.Vector) throws {
        let bytes = try STUNTestSupport.buffer(hex: vector.hex)
        let message = try STUNMessage.decode(bytes, allowTrailingBytes: true)
        #expect(message.isBindingSuccessResponse)
        #expect(message.transactionID.description == vector.transactionID)
        let expected = try STUNTestSupport.address(vector.ip, vector.port)
        #expect(message.mappedAddress == expected)
        #expect(message.mappedAddress?.family == expected.family)

        // Trailing bytes are an error for the strict decoder, which pion's capture has.
        let hasTrailingBytes = vector.name == "in-process-pion-server"
        if hasTrailingBytes {
            #expect(throws: STUNError.badLength) { try STUNMessage.decode(bytes) }
        } else {
            #expect(try STUNMessage.decode(bytes) == message)
        }

        // All captures use zero padding, so our encoding reproduces the message exactly.
        let messageLength = try #require(bytes.getInteger(at: 2, as: UInt16.self))
        let exact = try #require(bytes.getSlice(at: 0, length: 20 + Int(messageLength)))
        #expect(try message.encoded() == exact)
    }

    @Test func sipgateCarriesLegacyAttributes() throws {
        let vector = try #require(Self.responses.first { $0.name == "stun-sipgate-net-10000" })
        let message = try STUNMessage.decode(try STUNTestSupport.buffer(hex: vector.hex))
        #expect(message.attributes.map(\.type) == [.mappedAddress, .sourceAddress, .changedAddress, .xorMappedAddressNonStandard, .software])
        // Length 16: the server sends a C string, NUL terminator included.
        #expect(message.software == "Vovida.org 0.96\u{0}")
        #expect(message.responseOrigin == (try STUNTestSupport.address("217.10.68.152", 10000)))
        #expect(message.otherAddress == (try STUNTestSupport.address("217.116.122.138", 10001)))
        // Taken from the 0x8020 attribute (MAPPED-ADDRESS happens to carry the same value).
        #expect(message.mappedAddress == (try STUNTestSupport.address("72.69.33.45", 58539)))
        #expect(message.unknownComprehensionRequired.isEmpty)
    }

    @Test func stuntmanCarriesResponseOrigin() throws {
        let vector = try #require(Self.responses.first { $0.name == "stuntman-server-ipv6" })
        let message = try STUNMessage.decode(try STUNTestSupport.buffer(hex: vector.hex))
        #expect(message.attributes.map(\.type) == [.mappedAddress, .responseOrigin, .xorMappedAddress])
        #expect(message.responseOrigin == (try STUNTestSupport.address("2604:a880:2:d1::c5:7001", 3478)))
    }

    /// The attribute keeps the IPv6 family it was sent with; only `mappedAddress` unmaps.
    @Test func ipv4MappedAddressIsUnmappedByTheAccessorOnly() throws {
        let vector = try #require(Self.responses.first { $0.name == "no-4in6" })
        let message = try STUNMessage.decode(try STUNTestSupport.buffer(hex: vector.hex))
        guard case .xorMappedAddress(let raw, legacyType: false) = try #require(message.attributes.first) else {
            Issue.record("expected XOR-MAPPED-ADDRESS")
            return
        }
        #expect(raw.family == .ipv6)
        #expect(raw.isIPv4Mapped)
        #expect(raw.description == "[::ffff:209.180.207.193]:60463")
        #expect(message.mappedAddress?.description == "209.180.207.193:60463")
    }

    /// §9.3: build a response for (12 × n, address, port), parse it back, get the input.
    @Test(arguments: [
        (UInt8(1), "1.2.3.4", UInt16(254)),
        (UInt8(2), "1.2.3.4", UInt16(257)),
        (UInt8(3), "1::4", UInt16(254)),
        (UInt8(4), "1::4", UInt16(257)),
    ])
    func responseRoundTrip(byte: UInt8, ip: String, port: UInt16) throws {
        let transactionID = STUNTransactionID(repeating: byte)
        let address = try STUNTestSupport.address(ip, port)
        let bytes = try STUNMessage.bindingSuccessResponse(transactionID: transactionID, mapped: address).encoded()
        #expect(bytes.readableBytes == (address.family == .ipv4 ? 32 : 44))
        let message = try STUNMessage.decode(bytes)
        #expect(message.transactionID == transactionID)
        #expect(message.mappedAddress == address)
    }

    /// §2: the 40-byte request, with the example constructed in the spec.
    @Test func tailscaleRequestBytes() throws {
        let transactionID = try #require(Self.sequentialID)
        let request = STUNMessage.tailscaleBindingRequest(transactionID: transactionID)
        let bytes = try request.encoded()
        #expect(Hex.encode(bytes.readableBytesView) == "000100142112a4420102030405060708090a0b0c802200087461696c6e6f646580280004b32c370f")
        // The first attribute is SOFTWARE "tailnode" at bytes 20-31 (Tailscale's XDP fast path).
        #expect(Array(bytes.readableBytesView[20..<32]) == [0x80, 0x22, 0x00, 0x08] + Array("tailnode".utf8))
        #expect(STUNMessage.isTailscaleStyleRequest(bytes))
        #expect(STUNMessage.tailscaleRequestTransactionID(bytes) == transactionID)
        // The generic builder and the generic fingerprint path agree with the dedicated one.
        #expect(try STUNMessage.bindingRequest(transactionID: transactionID, software: "tailnode") == request)
        #expect(try STUNMessage.decode(bytes) == request)
    }

    @Test func randomTailscaleRequestsAreAccepted() throws {
        var generator = STUNSeededGenerator(seed: 0x5354_554E)
        for _ in 0..<256 {
            let transactionID = STUNTransactionID.random(using: &generator)
            let bytes = try STUNMessage.tailscaleBindingRequest(transactionID: transactionID).encoded()
            #expect(bytes.readableBytes == 40)
            #expect(STUNMessage.tailscaleRequestTransactionID(bytes) == transactionID)
        }
    }

    /// §2.2 examples.
    @Test(arguments: [
        ("203.0.113.7", "0101000c2112a4420102030405060708090a0b0c00200008000183bbea12d545"),
        ("2001:db8::7", "010100182112a4420102030405060708090a0b0c00200014000283bb0113a9fa0102030405060708090a0b0b"),
    ])
    func tailscaleResponseBytes(ip: String, hex: String) throws {
        let transactionID = try #require(Self.sequentialID)
        let response = STUNMessage.bindingSuccessResponse(transactionID: transactionID, mapped: try STUNTestSupport.address(ip, 41641))
        #expect(Hex.encode(try response.encoded().readableBytesView) == hex)
    }

    /// Our server answers an IPv4 client seen as `::ffff:a.b.c.d` with an IPv4-family response.
    @Test func responseBuilderUnmaps() throws {
        let mapped = try STUNTestSupport.address("::ffff:203.0.113.7", 41641)
        #expect(mapped.family == .ipv6)
        let transactionID = try #require(Self.sequentialID)
        let response = STUNMessage.bindingSuccessResponse(transactionID: transactionID, mapped: mapped)
        #expect(Hex.encode(try response.encoded().readableBytesView) == "0101000c2112a4420102030405060708090a0b0c00200008000183bbea12d545")
    }

    /// §2.1, rule by rule.
    @Test func tailscaleAcceptanceRules() throws {
        let transactionID = try #require(Self.sequentialID)
        let good = try STUNMessage.tailscaleBindingRequest(transactionID: transactionID).encoded()
        func accepted(_ bytes: [UInt8]) -> Bool { STUNMessage.isTailscaleStyleRequest(ByteBuffer(bytes: bytes)) }
        let base = STUNTestSupport.bytes(good)
        #expect(accepted(base))

        // Rule 3: the Message Length field is not consulted.
        var wrongLength = base
        wrongLength[3] = 0x40
        let refingerprinted = Self.withFingerprint(Array(wrongLength.dropLast(8)))
        #expect(accepted(refingerprinted))

        // Rule 1: too short, top bits, cookie.
        #expect(!accepted(Array(base.prefix(19))))
        var topBits = base
        topBits[0] |= 0x40
        #expect(!accepted(Self.withFingerprint(Array(topBits.dropLast(8)))))
        var badCookie = base
        badCookie[4] = 0x22
        #expect(!accepted(Self.withFingerprint(Array(badCookie.dropLast(8)))))

        // Rule 2: only type 0x0001.
        var indication = base
        indication[1] = 0x11
        #expect(!accepted(Self.withFingerprint(Array(indication.dropLast(8)))))

        // Rule 3: an attribute overrunning the datagram.
        #expect(!accepted(base + [0x80, 0x22, 0x00, 0x08, 0x00]))

        // Rule 4: SOFTWARE must be exactly "tailnode".
        let other = try STUNMessage.bindingRequest(transactionID: transactionID, software: "tailnodf").encoded()
        #expect(!accepted(STUNTestSupport.bytes(other)))
        let none = try STUNMessage.bindingRequest(transactionID: transactionID).encoded()
        #expect(!accepted(STUNTestSupport.bytes(none)))
        // ... but may sit anywhere, among other attributes (CHANGE-REQUEST is ignored, §2.1).
        var withChange = STUNMessage(class: .request, transactionID: transactionID, attributes: [.changeRequest([.changeIP, .changePort]), .software("tailnode")])
        withChange = try withChange.addingFingerprint()
        #expect(accepted(STUNTestSupport.bytes(try withChange.encoded())))

        // Rule 5: FINGERPRINT last and correct.
        var badFingerprint = base
        badFingerprint[39] ^= 1
        #expect(!accepted(badFingerprint))
        #expect(!accepted(Array(base.dropLast(8))))
        #expect(!accepted(base + [0x80, 0x22, 0x00, 0x00]))
    }

    /// §9.4 (input, is STUN).
    static let isSTUNTable: [([UInt8], Bool)] = {
        let cookie: [UInt8] = [0x21, 0x12, 0xa4, 0x42]
        let twelveZeros = [UInt8](repeating: 0, count: 12)
        var table: [([UInt8], Bool)] = []
        table.append(([], false))
        table.append(([UInt8](repeating: 0, count: 20), false))
        table.append(([0, 0, 0, 0] + cookie + [UInt8](repeating: 0, count: 11), false))
        table.append(([0, 0, 0, 0] + cookie + twelveZeros, true))
        table.append(([0, 0, 0, 0] + cookie + twelveZeros + Array("foo".utf8), true))
        table.append(([0xf0, 0, 0, 0] + cookie + twelveZeros, false))
        table.append(([0x40, 0, 0, 0] + cookie + twelveZeros, false))
        table.append(([0x20, 0, 0, 0] + cookie + twelveZeros, true))
        return table
    }()

    @Test(arguments: isSTUNTable)
    func looksLikeSTUN(bytes: [UInt8], expected: Bool) {
        #expect(STUNMessage.looksLikeSTUN(ByteBuffer(bytes: bytes)) == expected)
        // The check honours the reader index.
        var shifted = ByteBuffer(bytes: [0xff, 0xff] + bytes)
        shifted.moveReaderIndex(forwardBy: 2)
        #expect(STUNMessage.looksLikeSTUN(shifted) == expected)
    }

    /// `bytes` followed by a FINGERPRINT over them, computed the way Tailscale does (CRC of all
    /// bytes before the last 8, with whatever Message Length they carry).
    static func withFingerprint(_ bytes: [UInt8]) -> [UInt8] {
        let value = CRC32.checksum(bytes) ^ STUNMessage.fingerprintXOR
        return bytes + [0x80, 0x28, 0x00, 0x04] + withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}

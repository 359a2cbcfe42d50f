import NIOCore
import Testing

@testable import RelayCore

/// RFC 5769's four vectors (spec/stun.md §9.1), from Tests/RelayCoreTests/Vectors/stun-rfc5769.json.
///
/// About re-encoding: the RFC pads SOFTWARE and USERNAME with 0x20 bytes on purpose, while our
/// encoder always writes zero padding (RFC 8489 §14: padding is ignored on receipt) and the decoded
/// model does not keep padding bytes. So for vectors 2.1–2.3 we check that our encoding equals the
/// vector with its padding bytes zeroed, with MESSAGE-INTEGRITY and FINGERPRINT carried verbatim
/// (those two are then stale for our bytes, because they cover the padding), and separately that
/// an encoding with freshly computed MESSAGE-INTEGRITY and FINGERPRINT verifies. Vector 2.4 has
/// zero padding and no FINGERPRINT, and we reproduce it exactly, MESSAGE-INTEGRITY included.
@Suite struct STUNRFC5769Tests {
    static let transactionID = STUNTransactionID(bytes: [0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae])
    static let password = "VOkJxbRl1RmTxUk/WvJxBt"
    static let shortTermNames = ["sample-request", "sample-ipv4-response", "sample-ipv6-response"]
    static let allNames = shortTermNames + ["sample-request-long-term"]

    /// Key for vector 2.4: MD5("マトリックス:example.org:TheMatrIX"). The RFC's password is
    /// "The\u{AD}M\u{AA}tr\u{2168}"; SASLprep (not implemented here) maps it to "TheMatrIX".
    static let longTermKey = STUNMessageIntegrity.longTermKey(
        username: "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}",
        realm: "example.org",
        password: "TheMatrIX"
    )

    @Test func vectorFileMatchesSpec() throws {
        let file = try #require(STUNTestSupport.rfc5769)
        #expect(file.shortTermPassword == Self.password)
        #expect(file.vectors.map(\.name) == Self.allNames)
        #expect(try Self.allNames.map { try STUNTestSupport.rfc5769Vector($0).count } == [108, 80, 92, 116])
    }

    @Test func sampleRequest() throws {
        let message = try STUNMessage.decode(STUNTestSupport.buffer(STUNTestSupport.rfc5769Vector("sample-request")))
        #expect(message.isBindingRequest)
        #expect(message.transactionID == Self.transactionID)
        #expect(message.software == "STUN test client")
        #expect(message.username == "evtj:h6vY")
        #expect(message.fingerprint == 0xe57a_3bcf)
        #expect(message.attributes.map(\.type.rawValue) == [0x8022, 0x0024, 0x8029, 0x0006, 0x0008, 0x8028])
        // PRIORITY and ICE-CONTROLLED are ICE attributes this codec keeps as unknown.
        #expect(message.attributes[1] == .unknown(type: STUNAttributeType(0x0024), value: ByteBuffer(bytes: [0x6e, 0x00, 0x01, 0xff])))
        #expect(
            message.attributes[2]
                == .unknown(type: STUNAttributeType(0x8029), value: ByteBuffer(bytes: [0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36]))
        )
        // PRIORITY (0x0024) is comprehension-required and unknown to us: a server would answer 420.
        #expect(message.unknownComprehensionRequired == [STUNAttributeType(0x0024)])
    }

    @Test func sampleIPv4Response() throws {
        let message = try STUNMessage.decode(STUNTestSupport.buffer(STUNTestSupport.rfc5769Vector("sample-ipv4-response")))
        #expect(message.isBindingSuccessResponse)
        #expect(message.transactionID == Self.transactionID)
        #expect(message.software == "test vector")
        #expect(message.mappedAddress == (try STUNTestSupport.address("192.0.2.1", 32853)))
        #expect(message.mappedAddress?.description == "192.0.2.1:32853")
        #expect(message.fingerprint == 0xc07d_4c96)
    }

    @Test func sampleIPv6Response() throws {
        let message = try STUNMessage.decode(STUNTestSupport.buffer(STUNTestSupport.rfc5769Vector("sample-ipv6-response")))
        #expect(message.isBindingSuccessResponse)
        #expect(message.transactionID == Self.transactionID)
        #expect(message.software == "test vector")
        #expect(message.mappedAddress == (try STUNTestSupport.address("2001:db8:1234:5678:11:2233:4455:6677", 32853)))
        #expect(message.mappedAddress?.description == "[2001:db8:1234:5678:11:2233:4455:6677]:32853")
        #expect(message.fingerprint == 0xc8fb_0b4c)
    }

    @Test func sampleRequestLongTerm() throws {
        let message = try STUNMessage.decode(STUNTestSupport.buffer(STUNTestSupport.rfc5769Vector("sample-request-long-term")))
        #expect(message.isBindingRequest)
        #expect(message.transactionID == STUNTransactionID(bytes: [0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e]))
        #expect(message.username == "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}")
        #expect(message.fingerprint == nil)
        #expect(message.attributes.map(\.type) == [.username, .nonce, .realm, .messageIntegrity])
        #expect(message.attributes[1] == .unknown(type: .nonce, value: ByteBuffer(string: "f//499k954d6OL34oL9FSTvy64sA")))
        #expect(message.attributes[2] == .unknown(type: .realm, value: ByteBuffer(string: "example.org")))
    }

    @Test(arguments: shortTermNames)
    func messageIntegrityVerifiesWithShortTermPassword(name: String) throws {
        let bytes = try STUNTestSupport.rfc5769Vector(name)
        let key = STUNMessageIntegrity.shortTermKey(password: Self.password)
        #expect(STUNMessageIntegrity.verify(message: STUNTestSupport.buffer(bytes), key: key))
        #expect(!STUNMessageIntegrity.verify(message: STUNTestSupport.buffer(bytes), key: STUNMessageIntegrity.shortTermKey(password: "wrong")))
    }

    @Test func messageIntegrityVerifiesWithLongTermKey() throws {
        let bytes = try STUNTestSupport.rfc5769Vector("sample-request-long-term")
        #expect(STUNMessageIntegrity.verify(message: STUNTestSupport.buffer(bytes), key: Self.longTermKey))
    }

    /// Every single-bit flip in the bytes MESSAGE-INTEGRITY covers (header except Message Length,
    /// attributes before it, padding included) or in its value makes verification fail.
    @Test(arguments: allNames)
    func messageIntegrityRejectsEveryFlippedBit(name: String) throws {
        let bytes = try STUNTestSupport.rfc5769Vector(name)
        let key = name == "sample-request-long-term" ? Self.longTermKey : STUNMessageIntegrity.shortTermKey(password: Self.password)
        let integrityOffset = try #require(STUNTestSupport.offset(of: .messageIntegrity, in: bytes))
        var flips = 0
        for index in 0..<(integrityOffset + 24) where index != 2 && index != 3 {
            for bit in 0..<8 {
                var mutated = bytes
                mutated[index] ^= 1 << bit
                #expect(!STUNMessageIntegrity.verify(message: STUNTestSupport.buffer(mutated), key: key), "byte \(index) bit \(bit)")
                flips += 1
            }
        }
        #expect(flips == (integrityOffset + 22) * 8)
    }

    /// Every single-bit flip before the FINGERPRINT attribute, or in its value, makes decoding
    /// fail. Flips in the transaction ID and in the FINGERPRINT value can only be caught by the
    /// CRC, so they must fail with `.fingerprintMismatch`; others may fail earlier checks. (A flip
    /// in FINGERPRINT's own type field turns it into another attribute, which is not an error.)
    @Test(arguments: shortTermNames)
    func fingerprintRejectsEveryFlippedBit(name: String) throws {
        let bytes = try STUNTestSupport.rfc5769Vector(name)
        let fingerprintOffset = try #require(STUNTestSupport.offset(of: .fingerprint, in: bytes))
        #expect(fingerprintOffset == bytes.count - 8)
        let crcOnly = Set(Array(8..<20) + Array((fingerprintOffset + 4)..<bytes.count))
        var flips = 0
        for index in Array(0..<fingerprintOffset) + Array((fingerprintOffset + 4)..<bytes.count) {
            for bit in 0..<8 {
                var mutated = bytes
                mutated[index] ^= 1 << bit
                flips += 1
                do {
                    let decoded = try STUNMessage.decode(STUNTestSupport.buffer(mutated))
                    Issue.record("byte \(index) bit \(bit) decoded: \(decoded)")
                } catch {
                    if crcOnly.contains(index) {
                        #expect(error == .fingerprintMismatch, "byte \(index) bit \(bit)")
                    }
                }
            }
        }
        #expect(flips == (bytes.count - 4) * 8)
    }

    /// Our encoding of the decoded message equals the vector once the vector's 0x20 padding is
    /// zeroed (MESSAGE-INTEGRITY and FINGERPRINT carried verbatim, see the suite comment).
    @Test(arguments: allNames)
    func reencodesByteForByteModuloPadding(name: String) throws {
        let bytes = try STUNTestSupport.rfc5769Vector(name)
        let message = try STUNMessage.decode(STUNTestSupport.buffer(bytes))
        let encoded = STUNTestSupport.bytes(try message.encoded())
        #expect(encoded == STUNTestSupport.zeroingPadding(bytes))
        if name == "sample-request-long-term" {
            #expect(encoded == bytes, "vector 2.4 has zero padding, so it round-trips exactly")
        } else {
            #expect(encoded != bytes, "vectors 2.1-2.3 use 0x20 padding, which we do not keep")
        }
    }

    /// Encoding with freshly computed MESSAGE-INTEGRITY and FINGERPRINT gives a message that
    /// verifies and decodes to the same attributes. For 2.4 the result is the vector itself,
    /// which checks our HMAC input (header length substitution) against the RFC.
    @Test(arguments: allNames)
    func reencodesWithFreshIntegrityAndFingerprint(name: String) throws {
        let bytes = try STUNTestSupport.rfc5769Vector(name)
        let isLongTerm = name == "sample-request-long-term"
        let key = isLongTerm ? Self.longTermKey : STUNMessageIntegrity.shortTermKey(password: Self.password)
        let message = try STUNMessage.decode(STUNTestSupport.buffer(bytes))
        let encoded = try message.encoded(integrityKey: key, fingerprint: !isLongTerm)
        #expect(STUNMessageIntegrity.verify(message: encoded, key: key))
        let again = try STUNMessage.decode(encoded)
        #expect(again.attributes.map(\.type) == message.attributes.map(\.type))
        #expect(again.software == message.software)
        #expect(again.username == message.username)
        #expect(again.mappedAddress == message.mappedAddress)
        if isLongTerm {
            #expect(STUNTestSupport.bytes(encoded) == bytes)
        }
    }

    /// The XOR-MAPPED-ADDRESS attributes of 2.2 and 2.3, as our response builder writes them.
    @Test(arguments: [
        ("sample-ipv4-response", "192.0.2.1"),
        ("sample-ipv6-response", "2001:db8:1234:5678:11:2233:4455:6677"),
    ])
    func encodesXORMappedAddressLikeTheRFC(name: String, ip: String) throws {
        let bytes = try STUNTestSupport.rfc5769Vector(name)
        let transactionID = try #require(Self.transactionID)
        let response = STUNMessage.bindingSuccessResponse(transactionID: transactionID, mapped: try STUNTestSupport.address(ip, 32853))
        let encoded = STUNTestSupport.bytes(try response.encoded())
        let offset = try #require(STUNTestSupport.offset(of: .xorMappedAddress, in: bytes))
        let attributeLength = ip.contains(":") ? 24 : 12
        #expect(encoded[20...] == bytes[offset..<(offset + attributeLength)])
    }
}

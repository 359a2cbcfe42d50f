import Crypto
import NIOCore
import Testing

@testable import RelayCore

/// The codec, attribute by attribute and error by error.
@Suite struct STUNMessageTests {
    static let transactionID = STUNTransactionID(repeating: 0xab)
    static let header: [UInt8] = [0x21, 0x12, 0xa4, 0x42] + [UInt8](repeating: 0xab, count: 12)

    /// A message of `type` whose attribute area is `body`, with a correct Message Length.
    static func message(type: UInt16 = 0x0001, _ body: [UInt8]) -> ByteBuffer {
        let length = UInt16(body.count)
        let head: [UInt8] = [UInt8(type >> 8), UInt8(type & 0xff), UInt8(length >> 8), UInt8(length & 0xff)]
        return ByteBuffer(bytes: head + header + body)
    }

    /// One attribute TLV with zero padding.
    static func tlv(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
        let length = UInt16(value.count)
        let padding = [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        return [UInt8(type >> 8), UInt8(type & 0xff), UInt8(length >> 8), UInt8(length & 0xff)] + value + padding
    }

    // MARK: Header

    @Test(arguments: [
        (STUNMessage.Class.request, UInt16(0x0001)),
        (.indication, 0x0011),
        (.successResponse, 0x0101),
        (.errorResponse, 0x0111),
    ])
    func bindingMessageTypes(messageClass: STUNMessage.Class, type: UInt16) throws {
        let message = STUNMessage(class: messageClass, transactionID: Self.transactionID)
        #expect(message.messageType == type)
        let decoded = try STUNMessage.decode(Self.message(type: type, []))
        #expect(decoded.messageClass == messageClass)
        #expect(decoded.method == .binding)
    }

    @Test func everyMessageTypeRoundTrips() throws {
        for type in UInt16(0)...0x3FFF {
            let (messageClass, method) = STUNMessage.split(messageType: type)
            let message = STUNMessage(class: messageClass, method: method, transactionID: Self.transactionID)
            #expect(message.messageType == type)
        }
        let method = try #require(STUNMessage.Method(rawValue: 0x0FFF))
        #expect(STUNMessage(class: .errorResponse, method: method, transactionID: Self.transactionID).messageType == 0x3FFF)
        #expect(STUNMessage(class: .request, method: method, transactionID: Self.transactionID).messageType == 0x3EEF)
        #expect(STUNMessage.Method(rawValue: 0x1000) == nil)
    }

    @Test func headerErrors() {
        var topBits = Self.message([])
        topBits.setInteger(UInt8(0x40), at: 0)
        #expect(throws: STUNError.notSTUN) { try STUNMessage.decode(topBits) }
        var cookie = Self.message([])
        cookie.setInteger(UInt8(0x22), at: 4)
        #expect(throws: STUNError.badMagicCookie) { try STUNMessage.decode(cookie) }
        var oddLength = Self.message([0, 0, 0, 0])
        oddLength.setInteger(UInt16(3), at: 2)
        #expect(throws: STUNError.badLength) { try STUNMessage.decode(oddLength) }
        var longer = Self.message([])
        longer.setInteger(UInt16(8), at: 2)
        #expect(throws: STUNError.truncated) { try STUNMessage.decode(longer) }
        #expect(throws: STUNError.truncated) { try STUNMessage.decode(ByteBuffer()) }
    }

    @Test func trailingBytes() throws {
        var bytes = Self.message(Self.tlv(0x8022, Array("abc".utf8)))
        bytes.writeBytes([1, 2, 3])
        #expect(throws: STUNError.badLength) { try STUNMessage.decode(bytes) }
        #expect(try STUNMessage.decode(bytes, allowTrailingBytes: true).software == "abc")
    }

    /// RFC 3489 messages have no cookie: a 16-byte transaction ID starts at byte 4.
    @Test func classicSTUNIsRejected() {
        let classic = ByteBuffer(bytes: [0x00, 0x01, 0x00, 0x00] + [UInt8](repeating: 0x55, count: 16))
        #expect(!STUNMessage.looksLikeSTUN(classic))
        #expect(throws: STUNError.badMagicCookie) { try STUNMessage.decode(classic) }
    }

    // MARK: Reading from a stream of bytes

    @Test func readsBackToBackMessagesAndKeepsTheRest() throws {
        let first = try STUNMessage.tailscaleBindingRequest(transactionID: Self.transactionID).encoded()
        let second = try STUNMessage.bindingSuccessResponse(
            transactionID: Self.transactionID,
            mapped: STUNAddress(ipv4: 0x0102_0304, port: 5)
        ).encoded()
        var buffer = first
        buffer.writeImmutableBuffer(second)
        buffer.writeBytes([0x00, 0x01])
        #expect(try buffer.readSTUNMessage()?.software == "tailnode")
        #expect(try buffer.readSTUNMessage()?.mappedAddress?.description == "1.2.3.4:5")
        #expect(try buffer.readSTUNMessage() == nil)
        #expect(buffer.readableBytes == 2)
    }

    @Test func readThrowsAsSoonAsThePrefixIsImpossible() {
        var topBits = ByteBuffer(bytes: [0x80])
        #expect(throws: STUNError.notSTUN) { try topBits.readSTUNMessage() }
        var oddLength = ByteBuffer(bytes: [0x00, 0x01, 0x00, 0x05])
        #expect(throws: STUNError.badLength) { try oddLength.readSTUNMessage() }
        var cookie = ByteBuffer(bytes: [0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x43])
        #expect(throws: STUNError.badMagicCookie) { try cookie.readSTUNMessage() }
    }

    // MARK: Attributes

    static let malformedAttributes: [(String, [UInt8], STUNAttributeType)] = {
        let ipv4: [UInt8] = [0x00, 0x01, 0x12, 0x34, 1, 2, 3, 4]
        let ipv6: [UInt8] = [0x00, 0x02, 0x12, 0x34] + [UInt8](repeating: 7, count: 16)
        var cases: [(String, [UInt8], STUNAttributeType)] = []
        for type in [0x0001, 0x0020, 0x8020, 0x802B, 0x802C, 0x0004, 0x0005] as [UInt16] {
            let attributeType = STUNAttributeType(type)
            cases.append(("\(attributeType) short", tlv(type, Array(ipv4.prefix(7))), attributeType))
            cases.append(("\(attributeType) empty", tlv(type, []), attributeType))
            cases.append(("\(attributeType) family 3", tlv(type, [0x00, 0x03] + ipv4.dropFirst(2)), attributeType))
            cases.append(("\(attributeType) family 0", tlv(type, [0x00, 0x00] + ipv4.dropFirst(2)), attributeType))
            cases.append(("\(attributeType) IPv4 with 20 bytes", tlv(type, [0x00, 0x01] + ipv6.dropFirst(2)), attributeType))
            cases.append(("\(attributeType) IPv6 with 8 bytes", tlv(type, [0x00, 0x02] + ipv4.dropFirst(2)), attributeType))
            cases.append(("\(attributeType) IPv4 with 12 bytes", tlv(type, ipv4 + [0, 0, 0, 0]), attributeType))
        }
        cases.append(("USERNAME invalid UTF-8", tlv(0x0006, [0x61, 0xff, 0x62]), .username))
        cases.append(("MESSAGE-INTEGRITY 19 bytes", tlv(0x0008, [UInt8](repeating: 1, count: 19)), .messageIntegrity))
        cases.append(("MESSAGE-INTEGRITY 21 bytes", tlv(0x0008, [UInt8](repeating: 1, count: 21)), .messageIntegrity))
        cases.append(("ERROR-CODE 3 bytes", tlv(0x0009, [0, 0, 4]), .errorCode))
        cases.append(("ERROR-CODE class 2", tlv(0x0009, [0, 0, 2, 0]), .errorCode))
        cases.append(("ERROR-CODE class 7", tlv(0x0009, [0, 0, 7, 0]), .errorCode))
        cases.append(("ERROR-CODE number 100", tlv(0x0009, [0, 0, 4, 100]), .errorCode))
        cases.append(("ERROR-CODE invalid UTF-8", tlv(0x0009, [0, 0, 4, 20, 0xc3]), .errorCode))
        cases.append(("UNKNOWN-ATTRIBUTES odd", tlv(0x000A, [0, 1, 0]), .unknownAttributes))
        cases.append(("CHANGE-REQUEST 2 bytes", tlv(0x0003, [0, 6]), .changeRequest))
        cases.append(("CHANGE-REQUEST 8 bytes", tlv(0x0003, [0, 0, 0, 6, 0, 0, 0, 0]), .changeRequest))
        cases.append(("RESPONSE-PORT 2 bytes", tlv(0x0027, [0x12, 0x34]), .responsePort))
        cases.append(("FINGERPRINT 3 bytes", tlv(0x8028, [1, 2, 3]), .fingerprint))
        cases.append(("FINGERPRINT 8 bytes", tlv(0x8028, [1, 2, 3, 4, 5, 6, 7, 8]), .fingerprint))
        // Value (with padding) overrunning Message Length.
        cases.append(("overrun", [0x80, 0x22, 0x00, 0x05, 0x61, 0x62, 0x63, 0x64], .software))
        cases.append(("overrun unknown", [0x7f, 0xff, 0x00, 0x08, 0, 0, 0, 0], STUNAttributeType(0x7fff)))
        return cases
    }()

    @Test(arguments: malformedAttributes)
    func malformedAttribute(name: String, body: [UInt8], type: STUNAttributeType) {
        #expect(throws: STUNError.badAttribute(type), "\(name)") { try STUNMessage.decode(Self.message(body)) }
    }

    @Test func addressAttributesRoundTripWithTheirNumbers() throws {
        let v4 = STUNAddress(ipv4: 0xC000_0201, port: 32853)
        let v6 = try #require(STUNAddress(family: .ipv6, addressBytes: Array(1...16), port: 1))
        let attributes: [STUNAttribute] = [
            .mappedAddress(v4), .xorMappedAddress(v6), .xorMappedAddress(v4, legacyType: true),
            .responseOrigin(v4), .responseOrigin(v6, legacyType: true),
            .otherAddress(v6), .otherAddress(v4, legacyType: true),
        ]
        let message = STUNMessage(class: .successResponse, transactionID: Self.transactionID, attributes: attributes)
        let bytes = try message.encoded()
        var types: [UInt16] = []
        var offset = 20
        while let (type, length) = bytes.getMultipleIntegers(at: offset, as: (UInt16, UInt16).self) {
            types.append(type)
            offset += 4 + Int(length)
        }
        #expect(types == [0x0001, 0x0020, 0x8020, 0x802B, 0x0004, 0x802C, 0x0005])
        #expect(try STUNMessage.decode(bytes) == message)
    }

    @Test func reservedAddressByteIsIgnored() throws {
        let decoded = try STUNMessage.decode(Self.message(Self.tlv(0x0001, [0xff, 0x01, 0x00, 0x50, 10, 0, 0, 1])))
        #expect(decoded.mappedAddress?.description == "10.0.0.1:80")
    }

    @Test func accessorPreferences() {
        let a = STUNAddress(ipv4: 1, port: 1)
        let b = STUNAddress(ipv4: 2, port: 2)
        let c = STUNAddress(ipv4: 3, port: 3)
        func message(_ attributes: [STUNAttribute]) -> STUNMessage {
            STUNMessage(class: .successResponse, transactionID: Self.transactionID, attributes: attributes)
        }
        #expect(message([.mappedAddress(a)]).mappedAddress == a)
        #expect(message([.xorMappedAddress(b, legacyType: true), .mappedAddress(a)]).mappedAddress == b)
        #expect(message([.xorMappedAddress(c), .xorMappedAddress(b, legacyType: true)]).mappedAddress == c)
        #expect(message([.xorMappedAddress(a), .xorMappedAddress(c)]).mappedAddress == c)
        #expect(message([.otherAddress(a, legacyType: true), .otherAddress(b)]).otherAddress == b)
        #expect(message([.otherAddress(a, legacyType: true), .otherAddress(c, legacyType: true)]).otherAddress == a)
        #expect(message([.responseOrigin(a, legacyType: true), .responseOrigin(b)]).responseOrigin == b)
        #expect(message([.responseOrigin(c, legacyType: true)]).responseOrigin == c)
        #expect(message([]).mappedAddress == nil)
    }

    @Test func softwareThatIsNotUTF8IsKeptVerbatim() throws {
        let bytes = Self.message(Self.tlv(0x8022, [0x56, 0xe9, 0x6c]))
        let message = try STUNMessage.decode(bytes)
        #expect(message.software == nil)
        #expect(message.attributes == [.unknown(type: .software, value: ByteBuffer(bytes: [0x56, 0xe9, 0x6c]))])
        #expect(message.unknownComprehensionRequired.isEmpty)
        #expect(try message.encoded() == bytes)
    }

    @Test func errorCodeRoundTrip() throws {
        for code in [UInt16(300), 420, 438, 500, 699] {
            let error = try #require(STUNErrorCode(code: code, reason: "r\u{E9}ason"))
            let message = STUNMessage.errorResponse(transactionID: Self.transactionID, error: error)
            let bytes = try message.encoded()
            #expect(bytes.getBytes(at: 24, length: 4) == [0, 0, UInt8(code / 100), UInt8(code % 100)])
            #expect(try STUNMessage.decode(bytes).errorCode == error)
        }
        #expect(STUNErrorCode(code: 299, reason: "") == nil)
        #expect(STUNErrorCode(code: 700, reason: "") == nil)
        // Reserved bits are ignored on receipt (RFC 8489 §14.8).
        let reserved = try STUNMessage.decode(Self.message(Self.tlv(0x0009, [0xff, 0xff, 0xfc, 20])))
        #expect(reserved.errorCode?.code == 420)
    }

    @Test func unknownAttributeResponse() throws {
        let request = STUNMessage(
            class: .request,
            transactionID: Self.transactionID,
            attributes: [
                .unknown(type: STUNAttributeType(0x0024), value: ByteBuffer(bytes: [0, 0, 0, 1])),
                .unknown(type: STUNAttributeType(0x8029), value: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 0, 1])),
                .changeRequest(.changePort),
                .unknown(type: STUNAttributeType(0x0024), value: ByteBuffer(bytes: [0, 0, 0, 2])),
            ]
        )
        #expect(request.unknownComprehensionRequired == [STUNAttributeType(0x0024)])
        #expect(STUNMessage(class: .request, transactionID: Self.transactionID).unknownAttributeResponse() == nil)
        let response = try #require(request.unknownAttributeResponse(unsupported: [.changeRequest], software: "test"))
        let decoded = try STUNMessage.decode(try response.encoded())
        #expect(decoded.messageType == 0x0111)
        #expect(decoded.transactionID == Self.transactionID)
        #expect(decoded.errorCode == .unknownAttribute)
        #expect(decoded.unknownAttributes == [STUNAttributeType(0x0024), .changeRequest])
        #expect(decoded.software == "test")
    }

    @Test func rfc5780Attributes() throws {
        let request = try STUNMessage.bindingRequest(
            transactionID: Self.transactionID,
            software: "x",
            changeRequest: [.changeIP, .changePort],
            responsePort: 0xbeef,
            padding: 9
        )
        #expect(request.attributes.map(\.type) == [.software, .changeRequest, .responsePort, .padding, .fingerprint])
        let bytes = try request.encoded()
        let changeOffset = 20 + 8
        #expect(bytes.getBytes(at: changeOffset, length: 8) == [0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x06])
        #expect(bytes.getBytes(at: changeOffset + 8, length: 8) == [0x00, 0x27, 0x00, 0x04, 0xbe, 0xef, 0x00, 0x00])
        #expect(bytes.getBytes(at: changeOffset + 16, length: 4) == [0x00, 0x26, 0x00, 0x09])
        let decoded = try STUNMessage.decode(bytes)
        #expect(decoded == request)
        #expect(decoded.changeRequest == [.changeIP, .changePort])
        #expect(decoded.responsePort == 0xbeef)
        // Undefined CHANGE-REQUEST bits survive.
        let odd = try STUNMessage.decode(Self.message(Self.tlv(0x0003, [0x80, 0, 0, 0x02])))
        #expect(odd.changeRequest?.rawValue == 0x8000_0002)
        #expect(odd.changeRequest?.contains(.changePort) == true)
    }

    // MARK: FINGERPRINT

    @Test func attributesAfterFingerprintAreIgnored() throws {
        var bytes = try STUNMessage.tailscaleBindingRequest(transactionID: Self.transactionID).encoded()
        bytes.writeBytes(Self.tlv(0x0001, [0xff]))  // malformed, but never looked at
        bytes.setInteger(UInt16(bytes.readableBytes - 20), at: 2)
        let message = try STUNMessage.decode(bytes)
        #expect(message.attributes == STUNMessage.tailscaleBindingRequest(transactionID: Self.transactionID).attributes)
    }

    @Test func fingerprintIsCheckedWherever() throws {
        let good = try STUNMessage.tailscaleBindingRequest(transactionID: Self.transactionID).encoded()
        var bad = good
        bad.setInteger(UInt32(0), at: 36)
        #expect(throws: STUNError.fingerprintMismatch) { try STUNMessage.decode(bad) }
        var changedSoftware = good
        changedSoftware.setInteger(UInt8(ascii: "T"), at: 24)
        #expect(throws: STUNError.fingerprintMismatch) { try STUNMessage.decode(changedSoftware) }
    }

    @Test func encoderReplacesStaleFingerprintAndIntegrity() throws {
        let key = STUNMessageIntegrity.shortTermKey(password: "pw")
        let stale = STUNMessage(
            class: .request,
            transactionID: Self.transactionID,
            attributes: [.fingerprint(1), .username("u"), .messageIntegrity(try #require(STUNMessageIntegrity(bytes: [UInt8](repeating: 0, count: 20))))]
        )
        // Verbatim: the stale FINGERPRINT is written and the decoder rejects it.
        #expect(throws: STUNError.fingerprintMismatch) { try STUNMessage.decode(try stale.encoded()) }
        let fixed = try stale.encoded(fingerprint: true)
        #expect(try STUNMessage.decode(fixed).attributes.map(\.type) == [.username, .messageIntegrity, .fingerprint])
        let signed = try stale.encoded(integrityKey: key, fingerprint: true)
        #expect(try STUNMessage.decode(signed).attributes.map(\.type) == [.username, .messageIntegrity, .fingerprint])
        #expect(STUNMessageIntegrity.verify(message: signed, key: key))
        let signedOnly = try stale.encoded(integrityKey: key)
        #expect(try STUNMessage.decode(signedOnly).attributes.map(\.type) == [.username, .messageIntegrity])
        #expect(STUNMessageIntegrity.verify(message: signedOnly, key: key))
        #expect(!STUNMessageIntegrity.verify(message: try stale.encoded(), key: key))
    }

    // MARK: Encoder

    @Test func paddingIsZeroAndLengthIsComputed() throws {
        let message = STUNMessage(class: .indication, transactionID: Self.transactionID, attributes: [.software("abcde")])
        let bytes = try message.encoded()
        #expect(Hex.encode(bytes.readableBytesView) == "0011000c" + Hex.encode(Self.header) + "80220005" + "6162636465" + "000000")
    }

    @Test func tooLargeThrowsAndWritesNothing() throws {
        var buffer = ByteBuffer(bytes: [9, 9])
        let fits = STUNMessage(class: .request, transactionID: Self.transactionID, attributes: [.padding(count: 65528)])
        #expect(try buffer.writeSTUNMessage(fits) == 20 + 65532)
        buffer.moveWriterIndex(to: 2)
        #expect(throws: STUNError.messageTooLarge) { try buffer.writeSTUNMessage(fits, fingerprint: true) }
        #expect(throws: STUNError.messageTooLarge) { try fits.addingFingerprint() }
        let valueTooLong = STUNMessage(class: .request, transactionID: Self.transactionID, attributes: [.padding(count: 65536)])
        #expect(throws: STUNError.messageTooLarge) { try buffer.writeSTUNMessage(valueTooLong) }
        let messageTooLong = STUNMessage(
            class: .request,
            transactionID: Self.transactionID,
            attributes: [.padding(count: 40000), .padding(count: 40000)]
        )
        #expect(throws: STUNError.messageTooLarge) { try buffer.writeSTUNMessage(messageTooLong) }
        #expect(buffer == ByteBuffer(bytes: [9, 9]))
    }

    @Test func descriptions() {
        let message = STUNMessage.tailscaleBindingRequest(transactionID: Self.transactionID)
        #expect(message.description == "STUN Binding request \(Self.transactionID) [SOFTWARE(0x8022), FINGERPRINT(0x8028)]")
        #expect(STUNAttributeType(0x1234).description == "0x1234")
        #expect(STUNError.badAttribute(.xorMappedAddress).description.contains("XOR-MAPPED-ADDRESS(0x0020)"))
        #expect(STUNErrorCode.unknownAttribute.description == "420 Unknown Attribute")
    }
}

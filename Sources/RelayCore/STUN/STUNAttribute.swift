import NIOCore

/// One STUN attribute (RFC 8489 §14, RFC 5780 §7), decoded.
///
/// Every attribute on the wire is a TLV padded to a multiple of four bytes:
/// ```
/// 0                   1                   2                   3
/// 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Type                  |            Length             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Value (variable)                ....
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// Length counts the value without padding. The decoder ignores padding contents; the encoder
/// writes zeros.
///
/// Where two attribute numbers mean the same thing, one case covers both and `legacyType` records
/// which number was used, so that a decoded message re-encodes byte for byte:
/// XOR-MAPPED-ADDRESS 0x0020 / 0x8020, OTHER-ADDRESS 0x802C / CHANGED-ADDRESS 0x0005,
/// RESPONSE-ORIGIN 0x802B / SOURCE-ADDRESS 0x0004.
///
/// `padding` and `unknown` values are slices of the buffer they were decoded from; copy them if
/// you keep them beyond the datagram's lifetime.
package enum STUNAttribute: Hashable, Sendable {
    /// MAPPED-ADDRESS (0x0001): the reflexive address in the clear (RFC 3489 servers).
    case mappedAddress(STUNAddress)
    /// XOR-MAPPED-ADDRESS: 0x0020, or the pre-RFC 0x8020 when `legacyType` is true. The address
    /// is stored already un-XORed.
    case xorMappedAddress(STUNAddress, legacyType: Bool = false)
    /// USERNAME (0x0006), UTF-8.
    case username(String)
    /// MESSAGE-INTEGRITY (0x0008): the raw HMAC-SHA1 value.
    case messageIntegrity(STUNMessageIntegrity)
    /// ERROR-CODE (0x0009).
    case errorCode(STUNErrorCode)
    /// UNKNOWN-ATTRIBUTES (0x000A): the attribute types a server did not understand.
    case unknownAttributes([STUNAttributeType])
    /// CHANGE-REQUEST (0x0003).
    case changeRequest(STUNChangeRequest)
    /// RESPONSE-PORT (0x0027): the port the response should go to.
    case responsePort(UInt16)
    /// PADDING (0x0026): bytes whose only job is to make the datagram big.
    case padding(ByteBuffer)
    /// SOFTWARE (0x8022), UTF-8. A SOFTWARE value that is not valid UTF-8 decodes as `.unknown`
    /// with type 0x8022 instead of failing the message, because the attribute is optional.
    case software(String)
    /// FINGERPRINT (0x8028): CRC-32 of the message before it, XOR 0x5354554E.
    case fingerprint(UInt32)
    /// RESPONSE-ORIGIN: 0x802B, or RFC 3489's SOURCE-ADDRESS 0x0004 when `legacyType` is true.
    case responseOrigin(STUNAddress, legacyType: Bool = false)
    /// OTHER-ADDRESS: 0x802C, or RFC 3489's CHANGED-ADDRESS 0x0005 when `legacyType` is true.
    case otherAddress(STUNAddress, legacyType: Bool = false)
    /// Any other attribute, value kept verbatim.
    case unknown(type: STUNAttributeType, value: ByteBuffer)

    /// The attribute number this value is written with.
    package var type: STUNAttributeType {
        switch self {
        case .mappedAddress: return .mappedAddress
        case .xorMappedAddress(_, let legacy): return legacy ? .xorMappedAddressNonStandard : .xorMappedAddress
        case .username: return .username
        case .messageIntegrity: return .messageIntegrity
        case .errorCode: return .errorCode
        case .unknownAttributes: return .unknownAttributes
        case .changeRequest: return .changeRequest
        case .responsePort: return .responsePort
        case .padding: return .padding
        case .software: return .software
        case .fingerprint: return .fingerprint
        case .responseOrigin(_, let legacy): return legacy ? .sourceAddress : .responseOrigin
        case .otherAddress(_, let legacy): return legacy ? .changedAddress : .otherAddress
        case .unknown(let type, _): return type
        }
    }

    /// A PADDING attribute of `count` zero bytes (RFC 5780 §7.6: use the path MTU, rounded up to
    /// a multiple of four).
    package static func padding(count: Int) -> STUNAttribute {
        .padding(ByteBuffer(repeating: 0, count: max(0, count)))
    }

    /// `length` rounded up to the next multiple of four.
    static func paddedLength(_ length: Int) -> Int {
        (length + 3) & ~3
    }
}

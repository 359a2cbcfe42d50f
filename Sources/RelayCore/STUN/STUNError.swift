/// Why a STUN message could not be decoded or encoded.
///
/// The decoder throws these for peer input and never traps; the encoder throws them when asked to
/// write something that does not fit the 16-bit length fields.
package enum STUNError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the header or its Message Length promise.
    case truncated
    /// The two most significant bits of the first byte are not zero (RFC 8489 §5).
    case notSTUN
    /// Bytes 4–7 are not 0x2112A442, so this is not RFC 5389 STUN (it may be RFC 3489).
    case badMagicCookie
    /// Message Length is not a multiple of 4, or does not match the bytes present.
    case badLength
    /// An attribute overruns the message, or the value of a known attribute is malformed.
    case badAttribute(STUNAttributeType)
    /// FINGERPRINT is present and does not match the CRC-32 of the message before it.
    case fingerprintMismatch
    /// The encoder was given a value or message larger than a 16-bit length can describe.
    case messageTooLarge

    package var description: String {
        switch self {
        case .truncated:
            return "STUN message is truncated"
        case .notSTUN:
            return "not a STUN message: the top two bits of the first byte are set"
        case .badMagicCookie:
            return "not a STUN message: the magic cookie is not 0x2112A442"
        case .badLength:
            return "STUN Message Length is not a multiple of 4 or does not match the datagram"
        case .badAttribute(let type):
            return "STUN attribute \(type) is malformed or overruns the message"
        case .fingerprintMismatch:
            return "STUN FINGERPRINT does not match the message"
        case .messageTooLarge:
            return "STUN message or attribute is too large to encode"
        }
    }
}

import NIOCore

/// A STUN message (RFC 8489 §5), decoded.
///
/// ```
/// 0                   1                   2                   3
/// 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |0 0|     STUN Message Type     |         Message Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Magic Cookie                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     Transaction ID (96 bits)                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// Message Length counts the attribute bytes after the 20-byte header and is a multiple of 4.
/// The 14-bit type interleaves a 12-bit method with a 2-bit class (see `messageType`).
///
/// Decode with `STUNMessage.decode(_:)` or `ByteBuffer.readSTUNMessage()`; encode with
/// `ByteBuffer.writeSTUNMessage(_:integrityKey:fingerprint:)`. Attributes keep their wire order.
package struct STUNMessage: Hashable, Sendable {
    /// The fixed header size.
    package static let headerSize = 20
    /// RFC 8489 §5: bytes 4–7 of every RFC 5389 message.
    package static let magicCookie: UInt32 = 0x2112_A442

    /// The two class bits, C1 C0.
    package enum Class: UInt8, Hashable, Sendable {
        case request = 0b00
        case indication = 0b01
        case successResponse = 0b10
        case errorResponse = 0b11
    }

    /// A 12-bit STUN method. Only Binding is defined by RFC 8489; others are kept as numbers.
    package struct Method: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        package let rawValue: UInt16

        /// Nil unless `rawValue` fits in 12 bits.
        package init?(rawValue: UInt16) {
            guard rawValue <= 0x0FFF else { return nil }
            self.rawValue = rawValue
        }

        /// The method bits of a 14-bit message type, which always fit.
        fileprivate init(methodBitsOf type: UInt16) {
            self.rawValue = (type & 0x000F) | (type & 0x00E0) >> 1 | (type & 0x3E00) >> 2
        }

        package static let binding = Method(methodBitsOf: 0x0001)

        package var description: String { self == .binding ? "Binding" : "method 0x\(String(rawValue, radix: 16))" }
    }

    package var messageClass: Class
    package var method: Method
    package var transactionID: STUNTransactionID
    package var attributes: [STUNAttribute]

    package init(
        class messageClass: Class,
        method: Method = .binding,
        transactionID: STUNTransactionID,
        attributes: [STUNAttribute] = []
    ) {
        self.messageClass = messageClass
        self.method = method
        self.transactionID = transactionID
        self.attributes = attributes
    }

    /// The 16-bit type field (top two bits zero). Bits, most significant first:
    /// `0 0 M11 M10 M9 M8 M7 C1 M6 M5 M4 C0 M3 M2 M1 M0`. Binding request 0x0001, indication
    /// 0x0011, success response 0x0101, error response 0x0111.
    package var messageType: UInt16 {
        let m = method.rawValue
        let c = UInt16(messageClass.rawValue)
        return (m & 0x000F) | (m & 0x0070) << 1 | (m & 0x0F80) << 2 | (c & 0b01) << 4 | (c & 0b10) << 7
    }

    /// Splits a type field into class and method; the top two bits are ignored.
    package static func split(messageType type: UInt16) -> (Class, Method) {
        let classBits = UInt8(truncatingIfNeeded: (type >> 4 & 0b01) | (type >> 7 & 0b10))
        // Two bits always name one of the four classes.
        let messageClass = Class(rawValue: classBits) ?? .request
        return (messageClass, Method(methodBitsOf: type))
    }

    /// A Binding success response.
    package var isBindingSuccessResponse: Bool { method == .binding && messageClass == .successResponse }

    /// A Binding request.
    package var isBindingRequest: Bool { method == .binding && messageClass == .request }
}

extension STUNMessage: CustomStringConvertible {
    package var description: String {
        let names = attributes.map { $0.type.description }.joined(separator: ", ")
        return "STUN \(method) \(messageClass) \(transactionID) [\(names)]"
    }
}

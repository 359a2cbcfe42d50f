/// The value of ERROR-CODE (RFC 8489 §14.8): a code from 300 to 699 and a UTF-8 reason phrase.
///
/// ```
/// 0                   1                   2                   3
/// 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Reserved, should be 0         |Class|     Number    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Reason Phrase (variable)                                ..
/// ```
/// Code = class × 100 + number, with class 3–6 and number 0–99.
package struct STUNErrorCode: Hashable, Sendable, CustomStringConvertible {
    package static let validCodes: ClosedRange<UInt16> = 300...699

    package let code: UInt16
    package var reason: String

    /// Nil unless `code` is between 300 and 699.
    package init?(code: UInt16, reason: String) {
        guard Self.validCodes.contains(code) else { return nil }
        self.code = code
        self.reason = reason
    }

    /// The hundreds digit (3–6), as carried in the low three bits of value byte 2.
    package var errorClass: UInt8 { UInt8(truncatingIfNeeded: code / 100) }
    /// The last two digits (0–99), value byte 3.
    package var number: UInt8 { UInt8(truncatingIfNeeded: code % 100) }

    package var description: String { "\(code) \(reason)" }

    // Reason phrases are the RFC 8489 §14.8 suggestions.
    package static let tryAlternate = Self(uncheckedCode: 300, reason: "Try Alternate")
    package static let badRequest = Self(uncheckedCode: 400, reason: "Bad Request")
    package static let unauthorized = Self(uncheckedCode: 401, reason: "Unauthorized")
    package static let unknownAttribute = Self(uncheckedCode: 420, reason: "Unknown Attribute")
    package static let staleNonce = Self(uncheckedCode: 438, reason: "Stale Nonce")
    package static let serverError = Self(uncheckedCode: 500, reason: "Server Error")

    /// For the constants above, whose codes are in range by inspection.
    private init(uncheckedCode code: UInt16, reason: String) {
        self.code = code
        self.reason = reason
    }
}

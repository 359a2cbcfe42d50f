/// A STUN attribute type: the first 16 bits of every attribute TLV.
///
/// RFC 8489 §14: types 0x0000–0x7FFF are comprehension-required (a server that does not
/// understand one answers 420 Unknown Attribute), 0x8000–0xFFFF are comprehension-optional.
package struct STUNAttributeType: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    package var rawValue: UInt16

    package init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    package init(_ rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// True for 0x0000–0x7FFF.
    package var isComprehensionRequired: Bool { rawValue < 0x8000 }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    // Comprehension-required range.
    package static let mappedAddress = Self(0x0001)  // RFC 8489 §14.1
    package static let changeRequest = Self(0x0003)  // RFC 5780 §7.2
    package static let sourceAddress = Self(0x0004)  // RFC 3489 §11.2.5, replaced by RESPONSE-ORIGIN
    package static let changedAddress = Self(0x0005)  // RFC 3489 §11.2.3, replaced by OTHER-ADDRESS
    package static let username = Self(0x0006)  // RFC 8489 §14.3
    package static let messageIntegrity = Self(0x0008)  // RFC 8489 §14.5
    package static let errorCode = Self(0x0009)  // RFC 8489 §14.8
    package static let unknownAttributes = Self(0x000A)  // RFC 8489 §14.13
    package static let realm = Self(0x0014)  // RFC 8489 §14.9 (decoded as .unknown)
    package static let nonce = Self(0x0015)  // RFC 8489 §14.10 (decoded as .unknown)
    package static let xorMappedAddress = Self(0x0020)  // RFC 8489 §14.2
    package static let padding = Self(0x0026)  // RFC 5780 §7.6
    package static let responsePort = Self(0x0027)  // RFC 5780 §7.5

    // Comprehension-optional range.
    /// XOR-MAPPED-ADDRESS under a pre-RFC number that some servers still send ("Vovida.org 0.96").
    package static let xorMappedAddressNonStandard = Self(0x8020)
    package static let software = Self(0x8022)  // RFC 8489 §14.14
    package static let fingerprint = Self(0x8028)  // RFC 8489 §14.7
    package static let responseOrigin = Self(0x802B)  // RFC 5780 §7.3
    package static let otherAddress = Self(0x802C)  // RFC 5780 §7.4

    package var description: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        let code = "0x" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        guard let name = Self.names[self] else { return code }
        return "\(name)(\(code))"
    }

    private static let names: [STUNAttributeType: String] = [
        .mappedAddress: "MAPPED-ADDRESS", .changeRequest: "CHANGE-REQUEST", .sourceAddress: "SOURCE-ADDRESS",
        .changedAddress: "CHANGED-ADDRESS", .username: "USERNAME", .messageIntegrity: "MESSAGE-INTEGRITY",
        .errorCode: "ERROR-CODE", .unknownAttributes: "UNKNOWN-ATTRIBUTES", .realm: "REALM", .nonce: "NONCE",
        .xorMappedAddress: "XOR-MAPPED-ADDRESS", .padding: "PADDING", .responsePort: "RESPONSE-PORT",
        .xorMappedAddressNonStandard: "XOR-MAPPED-ADDRESS", .software: "SOFTWARE",
        .fingerprint: "FINGERPRINT", .responseOrigin: "RESPONSE-ORIGIN", .otherAddress: "OTHER-ADDRESS",
    ]
}

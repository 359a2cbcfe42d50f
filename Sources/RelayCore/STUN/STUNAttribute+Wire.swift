import NIOCore

// The one read switch and the one write switch for attribute values.

extension STUNAttribute {
    /// Decodes the value of an attribute of `type`. `value` holds exactly Length bytes (no padding).
    /// Throws `.badAttribute(type)` when a known attribute's value is malformed; unknown types
    /// are kept as `.unknown`.
    static func decode(
        type: STUNAttributeType,
        value: ByteBuffer,
        transactionID: STUNTransactionID
    ) throws(STUNError) -> STUNAttribute {
        switch type {
        case .mappedAddress:
            return .mappedAddress(try decodeAddress(value, type: type))
        case .xorMappedAddress, .xorMappedAddressNonStandard:
            let address = try decodeAddress(value, type: type).xored(with: transactionID)
            return .xorMappedAddress(address, legacyType: type == .xorMappedAddressNonStandard)
        case .responseOrigin, .sourceAddress:
            return .responseOrigin(try decodeAddress(value, type: type), legacyType: type == .sourceAddress)
        case .otherAddress, .changedAddress:
            return .otherAddress(try decodeAddress(value, type: type), legacyType: type == .changedAddress)
        case .username:
            guard let text = validatedUTF8(value) else { throw .badAttribute(type) }
            return .username(text)
        case .software:
            // Optional attribute: keep an invalid value verbatim rather than reject the message.
            guard let text = validatedUTF8(value) else { return .unknown(type: type, value: value) }
            return .software(text)
        case .messageIntegrity:
            guard let bytes = value.getBytes(at: value.readerIndex, length: value.readableBytes),
                let integrity = STUNMessageIntegrity(bytes: bytes)
            else { throw .badAttribute(type) }
            return .messageIntegrity(integrity)
        case .fingerprint:
            return .fingerprint(try decodeWord(value, type: type))
        case .changeRequest:
            return .changeRequest(STUNChangeRequest(rawValue: try decodeWord(value, type: type)))
        case .responsePort:
            // RFC 5780 §7.5: a 16-bit port followed by two bytes of padding (ignored here).
            return .responsePort(UInt16(truncatingIfNeeded: try decodeWord(value, type: type) >> 16))
        case .errorCode:
            return .errorCode(try decodeErrorCode(value))
        case .unknownAttributes:
            guard value.readableBytes % 2 == 0 else { throw .badAttribute(type) }
            var reader = value
            var types: [STUNAttributeType] = []
            types.reserveCapacity(value.readableBytes / 2)
            while let raw = reader.readInteger(as: UInt16.self) {
                types.append(STUNAttributeType(raw))
            }
            return .unknownAttributes(types)
        case .padding:
            return .padding(value)
        default:
            return .unknown(type: type, value: value)
        }
    }

    /// Address value, RFC 8489 §14.1: reserved byte (ignored), family, port, 4 or 16 address bytes.
    /// The length must match the family exactly.
    private static func decodeAddress(_ value: ByteBuffer, type: STUNAttributeType) throws(STUNError) -> STUNAddress {
        let start = value.readerIndex
        guard let (_, rawFamily, port) = value.getMultipleIntegers(at: start, as: (UInt8, UInt8, UInt16).self),
            let family = STUNAddress.Family(rawValue: rawFamily),
            value.readableBytes == 4 + family.addressByteCount
        else { throw .badAttribute(type) }
        switch family {
        case .ipv4:
            guard let address = value.getInteger(at: start + 4, as: UInt32.self) else { throw .badAttribute(type) }
            return STUNAddress(ipv4: address, port: port)
        case .ipv6:
            guard let (high, low) = value.getMultipleIntegers(at: start + 4, as: (UInt64, UInt64).self)
            else { throw .badAttribute(type) }
            return STUNAddress(ipv6High: high, low: low, port: port)
        }
    }

    /// A value that must be exactly one 32-bit word.
    private static func decodeWord(_ value: ByteBuffer, type: STUNAttributeType) throws(STUNError) -> UInt32 {
        guard value.readableBytes == 4, let word = value.getInteger(at: value.readerIndex, as: UInt32.self) else {
            throw .badAttribute(type)
        }
        return word
    }

    /// ERROR-CODE, RFC 8489 §14.8: 21 reserved bits (ignored), class (3 bits), number (8 bits), reason.
    private static func decodeErrorCode(_ value: ByteBuffer) throws(STUNError) -> STUNErrorCode {
        var reader = value
        guard let (_, classByte, number) = reader.readMultipleIntegers(as: (UInt16, UInt8, UInt8).self),
            number < 100,
            let code = STUNErrorCode(code: UInt16(classByte & 0x07) * 100 + UInt16(number), reason: ""),
            let reason = validatedUTF8(reader)
        else { throw .badAttribute(.errorCode) }
        var result = code
        result.reason = reason
        return result
    }

    /// The readable bytes as a String if they are valid UTF-8. `String(decoding:)` replaces
    /// invalid sequences, so the input was valid exactly when the result's UTF-8 is unchanged.
    private static func validatedUTF8(_ value: ByteBuffer) -> String? {
        let text = String(decoding: value.readableBytesView, as: UTF8.self)
        return text.utf8.elementsEqual(value.readableBytesView) ? text : nil
    }
}

extension STUNAddress {
    /// XOR-MAPPED-ADDRESS obfuscation, RFC 8489 §14.2: the port is XORed with the cookie's top
    /// 16 bits, an IPv4 address with the cookie, an IPv6 address with cookie ‖ transaction ID.
    /// Applying it twice gives the original.
    func xored(with transactionID: STUNTransactionID) -> STUNAddress {
        let cookie = STUNMessage.magicCookie
        let port = self.port ^ UInt16(truncatingIfNeeded: cookie >> 16)
        switch family {
        case .ipv4:
            return STUNAddress(ipv4: UInt32(truncatingIfNeeded: low) ^ cookie, port: port)
        case .ipv6:
            let highKey = UInt64(cookie) << 32 | transactionID.highWord >> 32
            let lowKey = (transactionID.highWord & 0xFFFF_FFFF) << 32 | UInt64(transactionID.lowWord)
            return STUNAddress(ipv6High: high ^ highKey, low: low ^ lowKey, port: port)
        }
    }
}

extension ByteBuffer {
    /// Writes one attribute: type, length, value, and zero padding to a four-byte boundary.
    /// Throws `.messageTooLarge` (writing nothing) if the value does not fit a 16-bit length.
    @discardableResult
    mutating func writeSTUNAttribute(
        _ attribute: STUNAttribute,
        transactionID: STUNTransactionID
    ) throws(STUNError) -> Int {
        let start = writerIndex
        writeMultipleIntegers(attribute.type.rawValue, UInt16(0))
        let valueLength = writeSTUNAttributeValue(attribute, transactionID: transactionID)
        guard let length = UInt16(exactly: valueLength) else {
            moveWriterIndex(to: start)
            throw .messageTooLarge
        }
        setInteger(length, at: start + 2)
        writeRepeatingByte(0, count: STUNAttribute.paddedLength(valueLength) - valueLength)
        return writerIndex - start
    }

    private mutating func writeSTUNAttributeValue(_ attribute: STUNAttribute, transactionID: STUNTransactionID) -> Int {
        switch attribute {
        case .mappedAddress(let address), .responseOrigin(let address, _), .otherAddress(let address, _):
            return writeSTUNAddressValue(address)
        case .xorMappedAddress(let address, _):
            return writeSTUNAddressValue(address.xored(with: transactionID))
        case .username(let text), .software(let text):
            return writeString(text)
        case .messageIntegrity(let integrity):
            return writeBytes(integrity.bytes)
        case .errorCode(let error):
            return writeMultipleIntegers(UInt16(0), error.errorClass, error.number) + writeString(error.reason)
        case .unknownAttributes(let types):
            return types.reduce(0) { written, type in written + writeInteger(type.rawValue) }
        case .changeRequest(let flags):
            return writeInteger(flags.rawValue)
        case .responsePort(let port):
            return writeMultipleIntegers(port, UInt16(0))
        case .fingerprint(let value):
            return writeInteger(value)
        case .padding(let bytes), .unknown(_, let bytes):
            return writeImmutableBuffer(bytes)
        }
    }

    private mutating func writeSTUNAddressValue(_ address: STUNAddress) -> Int {
        let head = writeMultipleIntegers(UInt8(0), address.family.rawValue, address.port)
        switch address.family {
        case .ipv4: return head + writeInteger(UInt32(truncatingIfNeeded: address.low))
        case .ipv6: return head + writeMultipleIntegers(address.high, address.low)
        }
    }
}

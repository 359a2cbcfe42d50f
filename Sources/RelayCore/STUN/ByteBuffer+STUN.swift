import Crypto
import NIOCore

extension ByteBuffer {
    /// Reads one STUN message from the readable bytes.
    ///
    /// Returns nil, leaving the reader index where it was, while the bytes so far are a valid
    /// prefix (fewer than 20 bytes, or fewer than 20 + Message Length). Throws as soon as they
    /// cannot be the start of a message: top bits set (`.notSTUN`), wrong cookie
    /// (`.badMagicCookie`), Message Length not a multiple of 4 (`.badLength`), or a bad attribute.
    /// On success it consumes exactly 20 + Message Length bytes; anything after stays readable.
    package mutating func readSTUNMessage() throws(STUNError) -> STUNMessage? {
        let start = readerIndex
        guard let first = getInteger(at: start, as: UInt8.self) else { return nil }
        // RFC 8489 §5: "The most significant 2 bits of every STUN message MUST be zeroes."
        guard first & 0xC0 == 0 else { throw .notSTUN }
        if let length = getInteger(at: start + 2, as: UInt16.self), length % 4 != 0 {
            throw .badLength
        }
        if let cookie = getInteger(at: start + 4, as: UInt32.self), cookie != STUNMessage.magicCookie {
            throw .badMagicCookie
        }
        guard readableBytes >= STUNMessage.headerSize,
            let length = getInteger(at: start + 2, as: UInt16.self),
            let bytes = getSlice(at: start, length: STUNMessage.headerSize + Int(length))
        else { return nil }
        let message = try STUNMessage.parse(exactly: bytes)
        moveReaderIndex(forwardBy: bytes.readableBytes)
        return message
    }

    /// Writes `message`: header, attributes in order with zero padding, and the Message Length.
    ///
    /// Attributes are written as they are, including any `.messageIntegrity` and `.fingerprint`
    /// values (so a decoded message re-encodes byte for byte, apart from padding contents).
    /// With `integrityKey`, existing MESSAGE-INTEGRITY and FINGERPRINT attributes are dropped
    /// and a fresh MESSAGE-INTEGRITY is appended. With `fingerprint`, existing FINGERPRINT
    /// attributes are dropped and a fresh one is appended last (RFC 8489 §14.7).
    ///
    /// Throws `.messageTooLarge`, writing nothing, if the result would not fit a 16-bit length.
    @discardableResult
    package mutating func writeSTUNMessage(
        _ message: STUNMessage,
        integrityKey: SymmetricKey? = nil,
        fingerprint: Bool = false
    ) throws(STUNError) -> Int {
        let start = writerIndex
        do {
            try writeSTUNMessageBody(message, start: start, integrityKey: integrityKey, fingerprint: fingerprint)
        } catch {
            moveWriterIndex(to: start)
            throw error
        }
        return writerIndex - start
    }

    private mutating func writeSTUNMessageBody(
        _ message: STUNMessage,
        start: Int,
        integrityKey: SymmetricKey?,
        fingerprint: Bool
    ) throws(STUNError) {
        writeMultipleIntegers(message.messageType, UInt16(0), STUNMessage.magicCookie)
        writeSTUNTransactionID(message.transactionID)
        let dropIntegrity = integrityKey != nil
        let dropFingerprint = fingerprint || dropIntegrity
        for attribute in message.attributes {
            switch attribute {
            case .messageIntegrity where dropIntegrity, .fingerprint where dropFingerprint:
                continue
            default:
                try writeSTUNAttribute(attribute, transactionID: message.transactionID)
            }
        }
        if let integrityKey {
            // RFC 8489 §14.5: the HMAC input's length field already counts MESSAGE-INTEGRITY.
            try setSTUNMessageLength(start: start, extra: STUNMessageIntegrity.attributeSize)
            guard let covered = getSlice(at: start, length: writerIndex - start) else { throw .messageTooLarge }
            let integrity = STUNMessageIntegrity.compute(over: covered, key: integrityKey)
            try writeSTUNAttribute(.messageIntegrity(integrity), transactionID: message.transactionID)
        }
        if fingerprint {
            try writeSTUNAttribute(.fingerprint(try fingerprintOfMessage(at: start)), transactionID: message.transactionID)
        }
        try setSTUNMessageLength(start: start, extra: 0)
    }

    /// The FINGERPRINT value for the message written from `start`, for a FINGERPRINT appended next.
    /// The slice it reads ends with this call, so appending afterwards does not copy the buffer
    /// (a reused reply buffer stays uniquely referenced).
    private func fingerprintOfMessage(at start: Int) throws(STUNError) -> UInt32 {
        let offset = writerIndex - start
        guard let covered = getSlice(at: start, length: offset),
            let value = STUNMessage.fingerprint(of: covered, upTo: offset)
        else { throw .messageTooLarge }
        return value
    }

    /// Sets the header's Message Length to the attribute bytes written so far plus `extra`.
    private mutating func setSTUNMessageLength(start: Int, extra: Int) throws(STUNError) {
        guard let length = UInt16(exactly: writerIndex - start - STUNMessage.headerSize + extra) else {
            throw .messageTooLarge
        }
        setInteger(length, at: start + 2)
    }
}

extension STUNMessage {
    /// Decodes one datagram.
    ///
    /// Throws `.truncated` if the bytes end before the header or before Message Length says.
    /// Bytes after the message make it `.badLength`, unless `allowTrailingBytes` is true: Tailscale's
    /// response parser ignores them (its captured "in-process-pion-server" vector has 8).
    package static func decode(_ bytes: ByteBuffer, allowTrailingBytes: Bool = false) throws(STUNError) -> STUNMessage {
        var reader = bytes
        guard let message = try reader.readSTUNMessage() else { throw .truncated }
        guard allowTrailingBytes || reader.readableBytes == 0 else { throw .badLength }
        return message
    }

    /// The message encoded into a new buffer; see `ByteBuffer.writeSTUNMessage`.
    package func encoded(
        integrityKey: SymmetricKey? = nil,
        fingerprint: Bool = false,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(STUNError) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 128)
        try buffer.writeSTUNMessage(self, integrityKey: integrityKey, fingerprint: fingerprint)
        return buffer
    }

    /// This message with any FINGERPRINT removed and a correct one appended last.
    package func addingFingerprint() throws(STUNError) -> STUNMessage {
        let bytes = try encoded(fingerprint: true)
        guard let value = bytes.getInteger(at: bytes.writerIndex - 4, as: UInt32.self) else { throw .messageTooLarge }
        var result = self
        result.attributes.removeAll { $0.type == .fingerprint }
        result.attributes.append(.fingerprint(value))
        return result
    }

    /// RFC 8489 §14.7: FINGERPRINT XORs the CRC-32 with this, "STUN" in ASCII.
    static let fingerprintXOR: UInt32 = 0x5354_554E

    /// The FINGERPRINT value for an attribute placed at `offset` in `message` (whose reader index
    /// is the message start): CRC-32 of the bytes before it, computed with the header's Message
    /// Length counting up to the end of that FINGERPRINT. When FINGERPRINT is last, that is the
    /// length on the wire. Nil if `offset` is impossible.
    static func fingerprint(of message: ByteBuffer, upTo offset: Int) -> UInt32? {
        guard offset >= headerSize,
            let coveredLength = UInt16(exactly: offset - headerSize + 8),
            let head = message.getSlice(at: message.readerIndex, length: 2),
            let rest = message.getSlice(at: message.readerIndex + 4, length: offset - 4)
        else { return nil }
        var crc = CRC32()
        crc.update(head.readableBytesView)
        crc.update(byte: UInt8(truncatingIfNeeded: coveredLength >> 8))
        crc.update(byte: UInt8(truncatingIfNeeded: coveredLength))
        crc.update(rest.readableBytesView)
        return crc.value ^ fingerprintXOR
    }

    /// Parses a buffer that holds exactly one message (20 + Message Length bytes; cookie, top
    /// bits and length already checked by the caller).
    static func parse(exactly bytes: ByteBuffer) throws(STUNError) -> STUNMessage {
        var reader = bytes
        guard let (type, _, _) = reader.readMultipleIntegers(as: (UInt16, UInt16, UInt32).self),
            let transactionID = reader.readSTUNTransactionID()
        else { throw .truncated }
        let (messageClass, method) = split(messageType: type)
        var attributes: [STUNAttribute] = []
        while reader.readableBytes > 0 {
            let offset = reader.readerIndex - bytes.readerIndex
            guard let (rawType, length) = reader.readMultipleIntegers(as: (UInt16, UInt16).self) else {
                throw .badLength
            }
            let type = STUNAttributeType(rawType)
            guard STUNAttribute.paddedLength(Int(length)) <= reader.readableBytes,
                let value = reader.readSlice(length: Int(length))
            else { throw .badAttribute(type) }
            reader.moveReaderIndex(forwardBy: STUNAttribute.paddedLength(Int(length)) - Int(length))
            if type == .fingerprint {
                guard length == 4, let received = value.getInteger(at: value.readerIndex, as: UInt32.self) else {
                    throw .badAttribute(type)
                }
                guard fingerprint(of: bytes, upTo: offset) == received else { throw .fingerprintMismatch }
                attributes.append(.fingerprint(received))
                // RFC 8489 §14.7: FINGERPRINT is the last attribute; anything after it is ignored.
                break
            }
            attributes.append(try STUNAttribute.decode(type: type, value: value, transactionID: transactionID))
        }
        return STUNMessage(class: messageClass, method: method, transactionID: transactionID, attributes: attributes)
    }
}

import Crypto
import Foundation
import NIOCore

/// The 20-byte HMAC-SHA1 value of MESSAGE-INTEGRITY (RFC 8489 §14.5), with helpers to compute and
/// verify it. Tailscale never uses it; we support it so that RFC 5769's vectors can be checked and
/// so that a generic client can talk to servers that require short-term credentials.
///
/// The HMAC covers the message up to, not including, the MESSAGE-INTEGRITY attribute, with the
/// header's Message Length set as if MESSAGE-INTEGRITY were the last attribute (so it excludes a
/// following FINGERPRINT). Keys: short-term, the password (after SASLprep); long-term,
/// MD5(username ":" realm ":" password).
package struct STUNMessageIntegrity: Hashable, Sendable, CustomStringConvertible {
    package static let byteCount = 20
    /// Type + length + value: how much MESSAGE-INTEGRITY adds to Message Length.
    static let attributeSize = 4 + byteCount

    private let w0: UInt32, w1: UInt32, w2: UInt32, w3: UInt32, w4: UInt32

    /// Nil unless exactly 20 bytes are given.
    package init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.init(packing: bytes)
    }

    /// Packs the first 20 bytes big-endian into the five words; missing bytes read as zero.
    private init(packing bytes: some Collection<UInt8>) {
        var words: [UInt32] = [0, 0, 0, 0, 0]
        for (index, byte) in bytes.prefix(Self.byteCount).enumerated() {
            words[index / 4] |= UInt32(byte) << UInt32(24 - 8 * (index % 4))
        }
        (w0, w1, w2, w3, w4) = (words[0], words[1], words[2], words[3], words[4])
    }

    package var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.byteCount)
        for word in [w0, w1, w2, w3, w4] {
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
        }
        return out
    }

    package var description: String { Hex.encode(bytes) }

    /// Short-term credential key: the password's UTF-8 bytes. SASLprep (RFC 4013) is not applied;
    /// pass an already prepared password.
    package static func shortTermKey(password: String) -> SymmetricKey {
        SymmetricKey(data: Array(password.utf8))
    }

    /// Long-term credential key: MD5(username ":" realm ":" password), RFC 8489 §9.2.2. The inputs
    /// must already be SASLprep'd where the RFC asks for it.
    package static func longTermKey(username: String, realm: String, password: String) -> SymmetricKey {
        let digest = Insecure.MD5.hash(data: Array("\(username):\(realm):\(password)".utf8))
        return SymmetricKey(data: Array(digest))
    }

    /// HMAC-SHA1 of `prefix`, which must be the message header (with its length already covering
    /// MESSAGE-INTEGRITY) followed by every attribute before MESSAGE-INTEGRITY.
    static func compute(over prefix: ByteBuffer, key: SymmetricKey) -> STUNMessageIntegrity {
        var hmac = HMAC<Insecure.SHA1>(key: key)
        prefix.withUnsafeReadableBytes { hmac.update(data: $0) }
        // HMAC-SHA1 output is 20 bytes by definition.
        return STUNMessageIntegrity(packing: Array(hmac.finalize()))
    }

    /// Verifies the first MESSAGE-INTEGRITY attribute of the raw message in `message`'s readable
    /// bytes. Returns false when the message is malformed, has no MESSAGE-INTEGRITY, or the HMAC
    /// differs. Uses the bytes as received (padding included), never a re-encoding, and compares
    /// in constant time.
    package static func verify(message: ByteBuffer, key: SymmetricKey) -> Bool {
        let start = message.readerIndex
        guard let offset = Self.offsetOfIntegrityAttribute(in: message),
            let expected = message.getBytes(at: start + offset + 4, length: byteCount),
            let coveredLength = UInt16(exactly: offset - STUNMessage.headerSize + attributeSize),
            let head = message.getBytes(at: start, length: 2),
            let rest = message.getSlice(at: start + 4, length: offset - 4)
        else { return false }
        var hmac = HMAC<Insecure.SHA1>(key: key)
        hmac.update(data: head)
        hmac.update(data: [UInt8(truncatingIfNeeded: coveredLength >> 8), UInt8(truncatingIfNeeded: coveredLength)])
        rest.withUnsafeReadableBytes { hmac.update(data: $0) }
        return hmac.finalize() == expected
    }

    /// Offset from the start of `message` to its first MESSAGE-INTEGRITY attribute, walking the
    /// TLVs that the header's Message Length covers. Nil if there is none, if its value is not
    /// 20 bytes, or if the framing up to it is invalid.
    private static func offsetOfIntegrityAttribute(in message: ByteBuffer) -> Int? {
        let start = message.readerIndex
        guard STUNMessage.looksLikeSTUN(message),
            let length = message.getInteger(at: start + 2, as: UInt16.self),
            STUNMessage.headerSize + Int(length) <= message.readableBytes
        else { return nil }
        let end = STUNMessage.headerSize + Int(length)
        var offset = STUNMessage.headerSize
        while offset + 4 <= end {
            guard let (rawType, valueLength) = message.getMultipleIntegers(at: start + offset, as: (UInt16, UInt16).self)
            else { return nil }
            let next = offset + 4 + STUNAttribute.paddedLength(Int(valueLength))
            guard next <= end else { return nil }
            if rawType == STUNAttributeType.messageIntegrity.rawValue {
                return Int(valueLength) == byteCount ? offset : nil
            }
            offset = next
        }
        return nil
    }
}

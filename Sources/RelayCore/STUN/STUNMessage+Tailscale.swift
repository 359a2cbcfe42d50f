import NIOCore

// What Tailscale's STUN servers and clients expect on the wire (spec/stun.md §2 and §4).

extension STUNMessage {
    /// The SOFTWARE value Tailscale clients send and its servers require: 8 bytes, so no padding.
    package static let tailscaleSoftware = "tailnode"
    /// "tailnode" as one big-endian word: the SOFTWARE check is one integer compare.
    private static let tailscaleSoftwareWord: UInt64 = 0x7461_696C_6E6F_6465

    /// Tailscale's `stun.Is`: at least 20 bytes, top two bits of byte 0 zero, bytes 4–7 the magic
    /// cookie. Cheap enough to run on every datagram of a shared socket. It is a heuristic: a
    /// WireGuard packet (type 1–4, three zero bytes, then a random 32-bit index) passes only in the
    /// 1 in 2^32 case that its index equals the cookie.
    package static func looksLikeSTUN(_ bytes: ByteBuffer) -> Bool {
        let start = bytes.readerIndex
        guard bytes.readableBytes >= headerSize,
            let first = bytes.getInteger(at: start, as: UInt8.self),
            let cookie = bytes.getInteger(at: start + 4, as: UInt32.self)
        else { return false }
        return first & 0xC0 == 0 && cookie == magicCookie
    }

    /// Tailscale's 40-byte Binding request (tailscale/tailscale net/stun/stun.go `Request`):
    /// ```
    /// 00 01 00 14 21 12 a4 42 <12-byte transaction ID>
    /// 80 22 00 08 74 61 69 6c 6e 6f 64 65     SOFTWARE "tailnode" (first, for the XDP fast path)
    /// 80 28 00 04 <CRC-32 of bytes 0-31 XOR 0x5354554E>
    /// ```
    package static func tailscaleBindingRequest(transactionID: STUNTransactionID = .random()) -> STUNMessage {
        var crc = CRC32()
        crc.update([0x00, 0x01, 0x00, 0x14, 0x21, 0x12, 0xA4, 0x42])
        crc.update(transactionID.bytes)
        crc.update([0x80, 0x22, 0x00, 0x08])
        crc.update(tailscaleSoftware.utf8)
        return STUNMessage(
            class: .request,
            transactionID: transactionID,
            attributes: [.software(tailscaleSoftware), .fingerprint(crc.value ^ fingerprintXOR)]
        )
    }

    /// Whether a Tailscale derper would answer this datagram (spec §2.1, mirroring
    /// tailscale/tailscale net/stun/stun.go `ParseBindingRequest`).
    package static func isTailscaleStyleRequest(_ bytes: ByteBuffer) -> Bool {
        tailscaleRequestTransactionID(bytes) != nil
    }

    /// The transaction ID of a datagram that a Tailscale STUN server would answer, else nil:
    /// 1. it looks like STUN (`looksLikeSTUN`);
    /// 2. the type is 0x0001, Binding request;
    /// 3. everything after byte 20, whatever Message Length says, parses as in-bounds TLVs;
    /// 4. some attribute is SOFTWARE with value exactly "tailnode";
    /// 5. the last attribute is a 4-byte FINGERPRINT equal to the CRC of every byte before it.
    ///
    /// Differs from Go only in an edge case Go handles oddly: a last FINGERPRINT whose length is
    /// not 4 is rejected here.
    package static func tailscaleRequestTransactionID(_ bytes: ByteBuffer) -> STUNTransactionID? {
        let start = bytes.readerIndex
        guard looksLikeSTUN(bytes),
            bytes.getInteger(at: start, as: UInt16.self) == 0x0001,
            let transactionID = bytes.getSTUNTransactionID(at: start + 8)
        else { return nil }
        let end = start + bytes.readableBytes
        var offset = start + headerSize
        var sawSoftware = false
        var lastType: UInt16?
        var lastLength: UInt16 = 0
        while offset < end {
            guard let (type, length) = bytes.getMultipleIntegers(at: offset, as: (UInt16, UInt16).self) else {
                return nil
            }
            let next = offset + 4 + STUNAttribute.paddedLength(Int(length))
            guard next <= end else { return nil }
            if type == STUNAttributeType.software.rawValue, length == 8,
                bytes.getInteger(at: offset + 4, as: UInt64.self) == tailscaleSoftwareWord
            {
                sawSoftware = true
            }
            (lastType, lastLength) = (type, length)
            offset = next
        }
        guard sawSoftware, lastType == STUNAttributeType.fingerprint.rawValue, lastLength == 4,
            let received = bytes.getInteger(at: end - 4, as: UInt32.self),
            let covered = bytes.getSlice(at: start, length: bytes.readableBytes - 8)
        else { return nil }
        guard CRC32.checksum(covered.readableBytesView) ^ fingerprintXOR == received else { return nil }
        return transactionID
    }

    /// Tailscale's response parser (tailscale/tailscale net/stun/stun.go `ParseResponse`), for
    /// probes that must accept whatever a Tailscale client accepts (spec/stun.md §2.3). It is
    /// more lenient than `decode`: it ignores every attribute except the three address ones (so
    /// a bad FINGERPRINT or ERROR-CODE does not matter), accepts address values longer than
    /// their family needs, and ignores bytes after Message Length. Returns nil where Go returns
    /// an error: not STUN, not `01 01`, Message Length beyond the datagram, an attribute
    /// overrunning it, an address attribute with an unknown family or too short, or no address.
    ///
    /// XOR-MAPPED-ADDRESS 0x0020 and 0x8020 share one slot, the last one wins; MAPPED-ADDRESS is
    /// the fallback. IPv4-mapped results are unmapped.
    package static func tailscaleBindingResponse(
        _ bytes: ByteBuffer
    ) -> (transactionID: STUNTransactionID, mappedAddress: STUNAddress)? {
        let start = bytes.readerIndex
        guard looksLikeSTUN(bytes),
            bytes.getInteger(at: start, as: UInt16.self) == 0x0101,
            let length = bytes.getInteger(at: start + 2, as: UInt16.self),
            let transactionID = bytes.getSTUNTransactionID(at: start + 8),
            headerSize + Int(length) <= bytes.readableBytes
        else { return nil }
        let end = start + headerSize + Int(length)
        var offset = start + headerSize
        var xorMapped: STUNAddress?
        var mapped: STUNAddress?
        while offset < end {
            guard end - offset >= 4,
                let (rawType, valueLength) = bytes.getMultipleIntegers(at: offset, as: (UInt16, UInt16).self)
            else { return nil }
            let valueStart = offset + 4
            offset = valueStart + STUNAttribute.paddedLength(Int(valueLength))
            guard offset <= end else { return nil }
            let type = STUNAttributeType(rawType)
            guard type == .xorMappedAddress || type == .xorMappedAddressNonStandard || type == .mappedAddress else {
                continue
            }
            guard let address = leadingAddress(in: bytes, at: valueStart, length: Int(valueLength)) else { return nil }
            if type == .mappedAddress {
                mapped = address
            } else {
                xorMapped = address.xored(with: transactionID)
            }
        }
        guard let address = xorMapped ?? mapped else { return nil }
        return (transactionID, address.unmapped)
    }

    /// The address at the start of an address value, ignoring any bytes after it, as Go does.
    private static func leadingAddress(in bytes: ByteBuffer, at index: Int, length: Int) -> STUNAddress? {
        guard length >= 4,
            let (_, rawFamily, port) = bytes.getMultipleIntegers(at: index, as: (UInt8, UInt8, UInt16).self),
            let family = STUNAddress.Family(rawValue: rawFamily),
            length - 4 >= family.addressByteCount,
            let addressBytes = bytes.getSlice(at: index + 4, length: family.addressByteCount)
        else { return nil }
        return STUNAddress(family: family, addressBytes: addressBytes.readableBytesView, port: port)
    }
}

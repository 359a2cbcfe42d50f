import NIOCore

/// Recognises Tailscale disco packets, which the relay queues separately and answers with
/// a not-here notice when their destination is unknown.
package enum DiscoPacket {
    /// "TS" followed by the UTF-8 encoding of U+1F4AC.
    package static let magic: [UInt8] = [0x54, 0x53, 0xf0, 0x9f, 0x92, 0xac]
    /// magic (6) + sender disco key (32) + nonce (24)
    package static let minimumLength = 6 + 32 + 24

    package static func looksLikeDisco(_ packet: ByteBuffer) -> Bool {
        guard packet.readableBytes >= minimumLength,
            let head = packet.getInteger(at: packet.readerIndex, as: UInt32.self),
            let tail = packet.getInteger(at: packet.readerIndex + 4, as: UInt16.self)
        else { return false }
        // "TS" + U+1F4AC as two big-endian integers: no per-byte generic comparison on the hot path.
        return head == 0x5453_f09f && tail == 0x92ac
    }

    package static func kind(of packet: ByteBuffer) -> PacketKind {
        looksLikeDisco(packet) ? .disco : .other
    }
}

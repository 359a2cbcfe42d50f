import NIOCore

// Writing DERP frames (tailscale/tailscale derp/derp.go `WriteFrameHeader`, `WriteFrame`, and the
// `send…` functions of derp_client.go and derpserver.go, which fix each frame's layout).
//
// Every frame is a 5-byte header followed by its payload:
//
//     type (1) | payload length (UInt32 BE) | payload
//
// On the relay's hot path, write a packet frame's header with `writeRecvPacketHeader(source:packetLength:)`
// (or the Send/Forward variants) into a small scratch buffer and then write the packet slice itself,
// rather than copying the packet behind the header.

extension ByteBuffer {
    // MARK: - Headers (hot path)

    /// Writes the 5-byte frame header: type, then the payload length as a big-endian UInt32.
    @discardableResult
    package mutating func writeDERPFrameHeader(type: DERPFrameType, length: UInt32) -> Int {
        self.writeMultipleIntegers(type.rawValue, length)
    }

    /// Writes everything of a SendPacket frame before the packet:
    /// header (5) + destination key (32). The caller writes `packetLength` packet bytes next.
    @discardableResult
    package mutating func writeSendPacketHeader(destination: NodePublicKey, packetLength: Int) throws(DERPWireError) -> Int {
        let length = try Self.packetFrameLength(packetLength, keys: 1, type: .sendPacket)
        return self.writeDERPFrameHeader(type: .sendPacket, length: length) + self.writeDERPKey(destination)
    }

    /// Writes everything of a RecvPacket frame before the packet:
    /// header (5) + source key (32). The caller writes `packetLength` packet bytes next.
    @discardableResult
    package mutating func writeRecvPacketHeader(source: NodePublicKey, packetLength: Int) throws(DERPWireError) -> Int {
        let length = try Self.packetFrameLength(packetLength, keys: 1, type: .recvPacket)
        return self.writeDERPFrameHeader(type: .recvPacket, length: length) + self.writeDERPKey(source)
    }

    /// Writes everything of a ForwardPacket frame before the packet:
    /// header (5) + source key (32) + destination key (32). The caller writes the packet next.
    @discardableResult
    package mutating func writeForwardPacketHeader(
        source: NodePublicKey,
        destination: NodePublicKey,
        packetLength: Int
    ) throws(DERPWireError) -> Int {
        let length = try Self.packetFrameLength(packetLength, keys: 2, type: .forwardPacket)
        return self.writeDERPFrameHeader(type: .forwardPacket, length: length) + self.writeDERPKey(source)
            + self.writeDERPKey(destination)
    }

    // MARK: - Whole frames

    /// Writes one complete frame. Packet slices and sealed boxes are copied in behind the header.
    ///
    /// Throws, writing nothing, when a packet exceeds `DERPFrame.maxPacketSize` (Go's `Send` and
    /// `ForwardPacket` refuse those) or a frame exceeds `DERPFrame.maxWrittenFrameLength` (Go's
    /// `WriteFrame`: "unreasonably large frame write").
    @discardableResult
    package mutating func writeDERPFrame(_ frame: DERPFrame) throws(DERPWireError) -> Int {
        switch frame {
        case .serverKey(let message):
            let length = UInt32(DERPFrame.ServerKeyMessage.minimumLength)
            return self.writeDERPFrameHeader(type: .serverKey, length: length)
                + self.writeInteger(DERPFrame.magicValue)
                + self.writeDERPKey(message.key)

        case .clientInfo(let message):
            let length = try Self.frameLength(DERPFrame.keyLength + message.sealedInfo.readableBytes, type: .clientInfo)
            return self.writeDERPFrameHeader(type: .clientInfo, length: length)
                + self.writeDERPKey(message.clientKey)
                + self.writeImmutableBuffer(message.sealedInfo)

        case .serverInfo(let message):
            let length = try Self.frameLength(message.sealedInfo.readableBytes, type: .serverInfo)
            return self.writeDERPFrameHeader(type: .serverInfo, length: length)
                + self.writeImmutableBuffer(message.sealedInfo)

        case .sendPacket(let message):
            return try self.writeSendPacketHeader(destination: message.destination, packetLength: message.packet.readableBytes)
                + self.writeImmutableBuffer(message.packet)

        case .recvPacket(let message):
            return try self.writeRecvPacketHeader(source: message.source, packetLength: message.packet.readableBytes)
                + self.writeImmutableBuffer(message.packet)

        case .forwardPacket(let message):
            return try self.writeForwardPacketHeader(
                source: message.source,
                destination: message.destination,
                packetLength: message.packet.readableBytes
            ) + self.writeImmutableBuffer(message.packet)

        case .keepAlive:
            return self.writeDERPFrameHeader(type: .keepAlive, length: 0)

        case .notePreferred(let preferred):
            return self.writeDERPFrameHeader(type: .notePreferred, length: 1)
                + self.writeInteger(preferred ? UInt8(0x01) : UInt8(0x00))

        case .peerGone(let message):
            // Current servers always send the reason byte.
            return self.writeDERPFrameHeader(type: .peerGone, length: UInt32(DERPFrame.PeerGoneMessage.length))
                + self.writeDERPKey(message.peer)
                + self.writeInteger(message.reason.rawValue)

        case .peerPresent(let message):
            return self.writeDERPFrameHeader(type: .peerPresent, length: UInt32(DERPFrame.PeerPresentMessage.length))
                + self.writeDERPKey(message.peer)
                + self.writeDERPPeerEndpoint(message.endpoint)
                + self.writeInteger(message.flags.rawValue)

        case .watchConns:
            return self.writeDERPFrameHeader(type: .watchConns, length: 0)

        case .closePeer(let key):
            return self.writeDERPFrameHeader(type: .closePeer, length: UInt32(DERPFrame.keyLength))
                + self.writeDERPKey(key)

        case .ping(let data):
            return self.writeDERPFrameHeader(type: .ping, length: UInt32(DERPFrame.PingData.length))
                + self.writeInteger(data.rawValue)

        case .pong(let data):
            return self.writeDERPFrameHeader(type: .pong, length: UInt32(DERPFrame.PingData.length))
                + self.writeInteger(data.rawValue)

        case .health(let problem):
            let length = try Self.frameLength(problem.utf8.count, type: .health)
            return self.writeDERPFrameHeader(type: .health, length: length) + self.writeString(problem)

        case .restarting(let message):
            return self.writeDERPFrameHeader(type: .restarting, length: UInt32(DERPFrame.RestartingMessage.length))
                + self.writeMultipleIntegers(message.reconnectInMilliseconds, message.tryForMilliseconds)
        }
    }

    // MARK: - Keys

    /// Reads a 32-byte key. Throws if fewer than 32 bytes are readable (the parser checks lengths
    /// first, so that would be a bug, not a peer's fault).
    mutating func readDERPKey(frameType: DERPFrameType) throws(DERPWireError) -> NodePublicKey {
        let view = self.readableBytesView
        guard view.count >= DERPFrame.keyLength else {
            throw .invalidFrameLength(
                type: frameType.rawValue,
                length: UInt32(clamping: view.count),
                expected: "at least \(DERPFrame.keyLength) key bytes"
            )
        }
        // Four big-endian words: no allocation per key on the relay's hot path.
        guard let words = self.readMultipleIntegers(as: (UInt64, UInt64, UInt64, UInt64).self) else {
            throw .invalidFrameLength(
                type: frameType.rawValue, length: UInt32(clamping: view.count),
                expected: "at least \(DERPFrame.keyLength) key bytes")
        }
        return NodePublicKey(words: words)
    }

    @discardableResult
    mutating func writeDERPKey(_ key: NodePublicKey) -> Int {
        self.writeMultipleIntegers(key.words.0, key.words.1, key.words.2, key.words.3)
    }

    // MARK: - Length checks

    private static func frameLength(_ payloadLength: Int, type: DERPFrameType) throws(DERPWireError) -> UInt32 {
        guard payloadLength <= DERPFrame.maxWrittenFrameLength, let length = UInt32(exactly: payloadLength) else {
            throw .frameTooLarge(
                type: type.rawValue,
                length: UInt64(clamping: payloadLength),
                limit: DERPFrame.maxWrittenFrameLength
            )
        }
        return length
    }

    private static func packetFrameLength(_ packetLength: Int, keys: Int, type: DERPFrameType) throws(DERPWireError) -> UInt32 {
        guard packetLength >= 0, packetLength <= DERPFrame.maxPacketSize else {
            throw .packetTooLarge(type: type.rawValue, packetLength: UInt64(clamping: packetLength))
        }
        // At most 64 + 65536, which always fits.
        return UInt32(keys * DERPFrame.keyLength + packetLength)
    }
}

import NIOCore

extension DERPFrameParser {
    /// Decodes a payload whose length the role's plan has already checked.
    ///
    /// `body` holds exactly the bytes the plan asked for: the whole payload, or its leading part
    /// when the rest is ignored. Keys are copied into `NodePublicKey` values; packets and sealed
    /// boxes stay slices of the receive buffer.
    static func decodePayload(type: DERPFrameType, body: inout ByteBuffer) throws(DERPWireError) -> DERPFrame {
        switch type {
        case .serverKey:
            // magic (8) | key (32)
            guard body.readInteger(as: UInt64.self) == DERPFrame.magicValue else {
                throw .invalidMagic()
            }
            return .serverKey(.init(key: try body.readDERPKey(frameType: type)))

        case .clientInfo:
            // client key (32) | nonce (24) | box
            let key = try body.readDERPKey(frameType: type)
            return .clientInfo(.init(clientKey: key, sealedInfo: body))

        case .serverInfo:
            // nonce (24) | box
            return .serverInfo(.init(sealedInfo: body))

        case .sendPacket:
            // destination (32) | packet
            let destination = try body.readDERPKey(frameType: type)
            return .sendPacket(.init(destination: destination, packet: body))

        case .recvPacket:
            // source (32) | packet
            let source = try body.readDERPKey(frameType: type)
            return .recvPacket(.init(source: source, packet: body))

        case .forwardPacket:
            // source (32) | destination (32) | packet
            let source = try body.readDERPKey(frameType: type)
            let destination = try body.readDERPKey(frameType: type)
            return .forwardPacket(.init(source: source, destination: destination, packet: body))

        case .keepAlive:
            return .keepAlive

        case .watchConns:
            return .watchConns

        case .notePreferred:
            // Any non-zero byte means "preferred" (derpserver.go `handleFrameNotePreferred`).
            return .notePreferred((body.readInteger(as: UInt8.self) ?? 0) != 0)

        case .closePeer:
            return .closePeer(try body.readDERPKey(frameType: type))

        case .peerGone:
            // peer (32) | reason (1, optional: a 32-byte frame means `.disconnected`)
            let peer = try body.readDERPKey(frameType: type)
            let reason = DERPFrame.PeerGoneReason(rawValue: body.readInteger(as: UInt8.self) ?? 0)
            return .peerGone(.init(peer: peer, reason: reason))

        case .peerPresent:
            return .peerPresent(try Self.decodePeerPresent(body: &body))

        case .ping, .pong:
            guard let raw = body.readInteger(as: UInt64.self) else {
                throw .invalidFrameLength(
                    type: type.rawValue,
                    length: UInt32(clamping: body.readableBytes),
                    expected: "\(DERPFrame.PingData.length)"
                )
            }
            let data = DERPFrame.PingData(rawValue: raw)
            return type == .ping ? .ping(data) : .pong(data)

        case .health:
            // The whole payload is the text. Go keeps the bytes as they are; Swift strings are
            // always valid UTF-8, so invalid sequences become U+FFFD.
            return .health(body.readString(length: body.readableBytes) ?? "")

        case .restarting:
            guard let (reconnectIn, tryFor) = body.readMultipleIntegers(as: (UInt32, UInt32).self) else {
                throw .invalidFrameLength(
                    type: type.rawValue,
                    length: UInt32(clamping: body.readableBytes),
                    expected: "\(DERPFrame.RestartingMessage.length)"
                )
            }
            return .restarting(.init(reconnectInMilliseconds: reconnectIn, tryForMilliseconds: tryFor))
        }
    }

    /// Tolerant PeerPresent reading (derp_client.go `Recv`, spec/derp.md §7.6): key required,
    /// then IP + port only if 18 more bytes follow, then flags only if one more byte follows.
    private static func decodePeerPresent(body: inout ByteBuffer) throws(DERPWireError) -> DERPFrame.PeerPresentMessage {
        let peer = try body.readDERPKey(frameType: .peerPresent)
        var message = DERPFrame.PeerPresentMessage(peer: peer, endpoint: nil, flags: [])
        guard body.readableBytes >= DERPFrame.PeerPresentMessage.endpointLength else {
            return message  // an older server that sent no address
        }
        message.endpoint = body.readDERPPeerEndpoint()
        if let flags = body.readInteger(as: UInt8.self) {
            message.flags = DERPFrame.PeerPresentFlags(rawValue: flags)
        }
        return message
    }
}

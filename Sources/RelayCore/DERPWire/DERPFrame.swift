import NIOCore

/// One DERP frame, in either direction (spec/derp.md §5–§7; tailscale/tailscale derp/derp.go).
///
/// Packets are `ByteBuffer` slices of the receive buffer, never copies. A slice keeps the whole
/// receive buffer alive, so copy out anything small that you keep for long.
///
/// Read frames with ``DERPFrameParser`` and write them with `ByteBuffer.writeDERPFrame(_:)`.
package enum DERPFrame: Hashable, Sendable {
    case serverKey(ServerKeyMessage)
    case clientInfo(ClientInfoMessage)
    case serverInfo(ServerInfoMessage)
    case sendPacket(SendPacketMessage)
    case recvPacket(RecvPacketMessage)
    case keepAlive
    /// `true` when the sender's home region is this server's region.
    case notePreferred(Bool)
    case peerGone(PeerGoneMessage)
    case peerPresent(PeerPresentMessage)
    case forwardPacket(ForwardPacketMessage)
    case watchConns
    /// Asks the server to close every local connection of this key (mesh only).
    case closePeer(NodePublicKey)
    case ping(PingData)
    case pong(PingData)
    /// A human-readable problem; the empty string means the connection is healthy again.
    case health(String)
    case restarting(RestartingMessage)

    /// The type byte this frame is written with.
    package var type: DERPFrameType {
        switch self {
        case .serverKey: return .serverKey
        case .clientInfo: return .clientInfo
        case .serverInfo: return .serverInfo
        case .sendPacket: return .sendPacket
        case .recvPacket: return .recvPacket
        case .keepAlive: return .keepAlive
        case .notePreferred: return .notePreferred
        case .peerGone: return .peerGone
        case .peerPresent: return .peerPresent
        case .forwardPacket: return .forwardPacket
        case .watchConns: return .watchConns
        case .closePeer: return .closePeer
        case .ping: return .ping
        case .pong: return .pong
        case .health: return .health
        case .restarting: return .restarting
        }
    }
}

// MARK: - Wire constants (tailscale/tailscale derp/derp.go)

extension DERPFrame {
    /// `FrameHeaderLen`: type (1) + big-endian UInt32 payload length (4).
    package static let headerLength = 5

    /// `KeyLen`: every key on the wire is 32 raw bytes.
    package static let keyLength = 32

    /// `NonceLen`: the random NaCl nonce in front of every box.
    package static let nonceLength = 24

    /// `MaxPacketSize` (64 << 10): the largest packet a SendPacket, RecvPacket or ForwardPacket
    /// may carry, not counting the keys in front of it.
    package static let maxPacketSize = 65536

    /// `ProtocolVersion`: version 2 puts the source key in front of every RecvPacket.
    package static let protocolVersion = 2

    /// `Magic`, the first 8 bytes of a ServerKey payload:
    /// `44 45 52 50 f0 9f 94 91`, ASCII "DERP" followed by U+1F511 (key emoji) in UTF-8.
    package static let magic: [UInt8] = [0x44, 0x45, 0x52, 0x50, 0xf0, 0x9f, 0x94, 0x91]

    /// The same 8 bytes as one big-endian integer, for a single comparison.
    static let magicValue: UInt64 = 0x4445_5250_f09f_9491

    /// `MaxInfoLen` (1 << 20): a client fails on any frame longer than this (derp_client.go `Recv`),
    /// and a ServerInfo payload may be at most `nonceLength + maxInfoLength`.
    package static let maxInfoLength = 1 << 20

    /// A client reads its ServerKey greeting with a 1 KiB cap (derp_client.go `recvServerKey`).
    package static let maxServerKeyLength = 1 << 10

    /// The Go writer refuses to emit a frame over 10 MiB ("unreasonably large frame write").
    package static let maxWrittenFrameLength = 10 << 20
}

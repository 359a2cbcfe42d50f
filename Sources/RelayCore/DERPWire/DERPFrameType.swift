/// The one-byte type at the start of every DERP frame (tailscale/tailscale derp/derp.go, `FrameType`).
///
/// ```
/// +--------+------------------------------+------------------------+
/// | type   | length (UInt32, big-endian)  | payload (length bytes) |
/// | 1 byte | 4 bytes, counts payload only |                        |
/// +--------+------------------------------+------------------------+
/// ```
///
/// Values `0x0b`…`0x0f` and `0x16` and above are unassigned. A receiver skips frames whose type it
/// does not know (or that its role never acts on); an unknown type is never an error by itself.
package enum DERPFrameType: UInt8, CaseIterable, Hashable, Sendable {
    /// S→C. Magic (8) + server public key (32) + bytes reserved for future use.
    case serverKey = 0x01
    /// C→S. Client public key (32) + nonce (24) + NaCl box of the ClientInfo JSON.
    case clientInfo = 0x02
    /// S→C. Nonce (24) + NaCl box of the ServerInfo JSON.
    case serverInfo = 0x03
    /// C→S. Destination public key (32) + packet (0…65536).
    case sendPacket = 0x04
    /// S→C. Source public key (32) + packet (0…65536).
    case recvPacket = 0x05
    /// S→C. Empty; no reply expected.
    case keepAlive = 0x06
    /// C→S. One byte: `0x01` if this server is the client's home, `0x00` if not.
    case notePreferred = 0x07
    /// S→C. Peer public key (32) + reason (1, absent from old servers).
    case peerGone = 0x08
    /// S→C (to watchers). Peer public key (32) + IP (16) + port (2, BE) + flags (1).
    case peerPresent = 0x09
    /// C→S, mesh only. Source key (32) + destination key (32) + packet (0…65536).
    case forwardPacket = 0x0a
    /// C→S, mesh only. Empty.
    case watchConns = 0x10
    /// C→S, mesh only. Target public key (32).
    case closePeer = 0x11
    /// Either direction. 8 opaque bytes (a server accepts 8…1000 and uses the first 8).
    case ping = 0x12
    /// Either direction. The 8 bytes of the ping being answered.
    case pong = 0x13
    /// S→C. UTF-8 text describing a problem; empty means healthy again.
    case health = 0x14
    /// S→C. Reconnect-in milliseconds (UInt32 BE) + try-for milliseconds (UInt32 BE).
    case restarting = 0x15
}

extension DERPFrameType: CustomStringConvertible {
    package var description: String {
        switch self {
        case .serverKey: return "ServerKey"
        case .clientInfo: return "ClientInfo"
        case .serverInfo: return "ServerInfo"
        case .sendPacket: return "SendPacket"
        case .recvPacket: return "RecvPacket"
        case .keepAlive: return "KeepAlive"
        case .notePreferred: return "NotePreferred"
        case .peerGone: return "PeerGone"
        case .peerPresent: return "PeerPresent"
        case .forwardPacket: return "ForwardPacket"
        case .watchConns: return "WatchConns"
        case .closePeer: return "ClosePeer"
        case .ping: return "Ping"
        case .pong: return "Pong"
        case .health: return "Health"
        case .restarting: return "Restarting"
        }
    }
}

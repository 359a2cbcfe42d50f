import NIOCore

extension DERPFrame {
    /// `0x08` PeerGone, S→C: a peer that sent to this client has left, or a disco packet's
    /// destination is not here.
    ///
    /// ```
    /// peer public key (32) | reason (1; old servers omit it, meaning `.disconnected`) | [ignored]
    /// ```
    package struct PeerGoneMessage: Hashable, Sendable {
        package static let frameType = DERPFrameType.peerGone
        /// What current servers send: key + reason.
        package static let length = DERPFrame.keyLength + 1
        /// A client drops shorter frames.
        package static let minimumLength = DERPFrame.keyLength

        package var peer: NodePublicKey
        package var reason: PeerGoneReason

        package init(peer: NodePublicKey, reason: PeerGoneReason) {
            self.peer = peer
            self.reason = reason
        }
    }

    /// The reason byte of a PeerGone frame (derp.go `PeerGoneReasonType`). Unknown values are kept.
    package enum PeerGoneReason: RawRepresentable, Hashable, Sendable {
        /// `0x00`: the peer left the whole region. Also assumed when the byte is missing.
        case disconnected
        /// `0x01`: the client sent a disco packet to a key the server does not know.
        case notHere
        /// `0xf0`: never sent by servers; Tailscale's watcher invents it locally when a mesh link drops.
        case meshConnBroke
        /// Any other value, kept as received.
        case unknown(UInt8)

        package init(rawValue: UInt8) {
            switch rawValue {
            case 0x00: self = .disconnected
            case 0x01: self = .notHere
            case 0xf0: self = .meshConnBroke
            default: self = .unknown(rawValue)
            }
        }

        package var rawValue: UInt8 {
            switch self {
            case .disconnected: return 0x00
            case .notHere: return 0x01
            case .meshConnBroke: return 0xf0
            case .unknown(let value): return value
            }
        }
    }

    /// `0x09` PeerPresent, S→C, sent only to watchers (mesh peers that sent WatchConns).
    ///
    /// ```
    /// peer public key (32) | IP (16, IPv4 as ::ffff:a.b.c.d) | port (2, BE) | flags (1) | [ignored]
    /// ```
    ///
    /// Current servers send 51 bytes (the Go comment says 41; the arithmetic and the code give 51).
    /// Reading is tolerant (spec/derp.md §7.6): the key is required, IP and port are present only
    /// when at least 18 more bytes follow, and flags only when one more byte follows.
    package struct PeerPresentMessage: Hashable, Sendable {
        package static let frameType = DERPFrameType.peerPresent
        /// Everything current servers send.
        package static let length = DERPFrame.keyLength + endpointLength + 1
        /// IP (16) + port (2).
        package static let endpointLength = 16 + 2
        /// A client drops shorter frames.
        package static let minimumLength = DERPFrame.keyLength

        package var peer: NodePublicKey
        /// The peer's remote address as the server saw it: `.v4` for IPv4 (unmapped on read),
        /// `.v6` otherwise. nil when the frame had no address or the server did not know it
        /// (all-zero IP and port 0); written as all zeros.
        package var endpoint: SocketAddress?
        /// Empty when the server is too old to send flags.
        package var flags: PeerPresentFlags

        package init(peer: NodePublicKey, endpoint: SocketAddress?, flags: PeerPresentFlags) {
            self.peer = peer
            self.endpoint = endpoint
            self.flags = flags
        }
    }

    /// The flags byte of a PeerPresent frame (derp.go `PeerPresentFlags`).
    /// A modern server never sends 0; 0 means the server predates flags.
    package struct PeerPresentFlags: OptionSet, Hashable, Sendable {
        package var rawValue: UInt8

        package init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        /// Bit 0: no other bit applies.
        package static let isRegular = PeerPresentFlags(rawValue: 1 << 0)
        /// Bit 1: the connection authenticated with the mesh key.
        package static let isMeshPeer = PeerPresentFlags(rawValue: 1 << 1)
        /// Bit 2: ClientInfo said `IsProber: true`.
        package static let isProber = PeerPresentFlags(rawValue: 1 << 2)
        /// Bit 3: the upgrade request carried a non-empty `Ideal-Node` header.
        package static let notIdeal = PeerPresentFlags(rawValue: 1 << 3)
    }
}

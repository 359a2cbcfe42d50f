import NIOCore

extension DERPFrame {
    /// `0x01` ServerKey, S→C, the first frame of every connection.
    ///
    /// ```
    /// magic (8) | server public key (32) | [future bytes, ignored on read]
    /// ```
    package struct ServerKeyMessage: Hashable, Sendable {
        package static let frameType = DERPFrameType.serverKey
        /// Magic + key. A client requires at least this many bytes (derp_client.go `recvServerKey`).
        package static let minimumLength = 8 + DERPFrame.keyLength

        package var key: NodePublicKey

        package init(key: NodePublicKey) {
            self.key = key
        }
    }

    /// `0x02` ClientInfo, C→S, the client's only handshake frame.
    ///
    /// ```
    /// client public key (32) | nonce (24) | NaCl box (16-byte tag + sealed ClientInfo JSON)
    /// ```
    package struct ClientInfoMessage: Hashable, Sendable {
        package static let frameType = DERPFrameType.clientInfo
        /// Key + nonce (derpserver.go `recvClientKey`: "short client info").
        package static let minimumLength = DERPFrame.keyLength + DERPFrame.nonceLength
        /// 256 KiB, bounding JSON work for an unauthenticated peer ("long client info").
        package static let maximumLength = 256 << 10

        package var clientKey: NodePublicKey
        /// Nonce followed by the box: the input to `crypto_box_open_easy` after splitting the nonce off.
        package var sealedInfo: ByteBuffer

        package init(clientKey: NodePublicKey, sealedInfo: ByteBuffer) {
            self.clientKey = clientKey
            self.sealedInfo = sealedInfo
        }
    }

    /// `0x03` ServerInfo, S→C, always the first frame after ServerKey.
    ///
    /// ```
    /// nonce (24) | NaCl box (16-byte tag + sealed ServerInfo JSON)
    /// ```
    package struct ServerInfoMessage: Hashable, Sendable {
        package static let frameType = DERPFrameType.serverInfo
        /// derp_client.go `parseServerInfo`: "short serverInfo frame".
        package static let minimumLength = DERPFrame.nonceLength
        /// derp_client.go `parseServerInfo`: "long serverInfo frame".
        package static let maximumLength = DERPFrame.nonceLength + DERPFrame.maxInfoLength

        /// Nonce followed by the box.
        package var sealedInfo: ByteBuffer

        package init(sealedInfo: ByteBuffer) {
            self.sealedInfo = sealedInfo
        }
    }

    /// `0x04` SendPacket, C→S.
    ///
    /// ```
    /// destination public key (32) | packet (0…65536)
    /// ```
    package struct SendPacketMessage: Hashable, Sendable {
        package static let frameType = DERPFrameType.sendPacket
        package static let minimumLength = DERPFrame.keyLength

        package var destination: NodePublicKey
        package var packet: ByteBuffer

        package init(destination: NodePublicKey, packet: ByteBuffer) {
            self.destination = destination
            self.packet = packet
        }
    }

    /// `0x05` RecvPacket, S→C. For a forwarded packet the source is the original sender.
    ///
    /// ```
    /// source public key (32) | packet (0…65536)
    /// ```
    package struct RecvPacketMessage: Hashable, Sendable {
        package static let frameType = DERPFrameType.recvPacket
        /// A client drops shorter frames (protocol version 1 had no source key).
        package static let minimumLength = DERPFrame.keyLength

        package var source: NodePublicKey
        package var packet: ByteBuffer

        package init(source: NodePublicKey, packet: ByteBuffer) {
            self.source = source
            self.packet = packet
        }
    }

    /// `0x0a` ForwardPacket, mesh client → server.
    ///
    /// ```
    /// source public key (32) | destination public key (32) | packet (0…65536)
    /// ```
    package struct ForwardPacketMessage: Hashable, Sendable {
        package static let frameType = DERPFrameType.forwardPacket
        package static let minimumLength = 2 * DERPFrame.keyLength

        package var source: NodePublicKey
        package var destination: NodePublicKey
        package var packet: ByteBuffer

        package init(source: NodePublicKey, destination: NodePublicKey, packet: ByteBuffer) {
            self.source = source
            self.destination = destination
            self.packet = packet
        }
    }

    /// `0x15` Restarting, S→C: the server is going away and suggests how to reconnect.
    ///
    /// ```
    /// reconnect-in ms (UInt32 BE) | try-for ms (UInt32 BE) | [ignored]
    /// ```
    package struct RestartingMessage: Hashable, Sendable {
        package static let frameType = DERPFrameType.restarting
        /// A client drops shorter frames.
        package static let length = 8

        /// Advisory delay before reconnecting, in milliseconds; may be 0.
        package var reconnectInMilliseconds: UInt32
        /// How long to keep trying before normal failure handling, in milliseconds.
        package var tryForMilliseconds: UInt32

        package init(reconnectInMilliseconds: UInt32, tryForMilliseconds: UInt32) {
            self.reconnectInMilliseconds = reconnectInMilliseconds
            self.tryForMilliseconds = tryForMilliseconds
        }

        package var reconnectIn: Duration { .milliseconds(Int64(reconnectInMilliseconds)) }
        package var tryFor: Duration { .milliseconds(Int64(tryForMilliseconds)) }
    }

    /// The 8 opaque bytes of a `0x12` Ping or `0x13` Pong, held as one big-endian integer so that
    /// reading, writing and comparing them never allocates.
    package struct PingData: Hashable, Sendable, CustomStringConvertible {
        /// Ping and Pong carry exactly this many bytes; a client drops shorter frames.
        package static let length = 8
        /// A server closes the connection on a Ping longer than this (derpserver.go `handleFramePing`).
        package static let serverMaximumPingLength = 1000

        /// The 8 bytes read as a big-endian integer: byte 0 is the most significant.
        package var rawValue: UInt64

        package init(rawValue: UInt64) {
            self.rawValue = rawValue
        }

        /// Returns nil unless exactly 8 bytes are given.
        package init?(bytes: some Collection<UInt8>) {
            guard bytes.count == Self.length else { return nil }
            self.rawValue = bytes.reduce(0) { $0 << 8 | UInt64($1) }
        }

        package var bytes: [UInt8] {
            (0..<Self.length).map { UInt8(truncatingIfNeeded: rawValue >> (56 - 8 * UInt64($0))) }
        }

        package var description: String { Hex.encode(bytes) }
    }
}

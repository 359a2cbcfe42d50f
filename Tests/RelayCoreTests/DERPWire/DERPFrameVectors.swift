import NIOCore
import Testing

@testable import RelayCore

/// One frame as bytes on the wire (hex, from spec/derp.md §5–§7 and the worked example in §16)
/// and as a value, with the role that reads it.
struct DERPFrameVector: Sendable, CustomTestStringConvertible {
    var name: String
    var role: DERPFrameParser.Role
    /// Whether this frame is read as the handshake frame (ServerKey, ClientInfo).
    var isHandshake = false
    var hex: String
    var frame: DERPFrame

    var testDescription: String { name }
    var bytes: ByteBuffer { DERPWireFixtures.buffer(hex) }
}

extension DERPFrameVector {
    typealias F = DERPWireFixtures

    static let hello = ByteBuffer(string: "hello")
    static let pingData = DERPFrame.PingData(rawValue: 0x0102_0304_0506_0708)

    /// Canonical frames: decoding gives `frame`, and encoding `frame` gives exactly these bytes.
    static let canonical: [DERPFrameVector] = [
        // §16.2
        .init(
            name: "ServerKey",
            role: .client,
            isHandshake: true,
            hex: "01 00000028 44455250 f09f9491 \(F.serverKeyHex)",
            frame: .serverKey(.init(key: F.serverKey))
        ),
        // §16.3
        .init(
            name: "ClientInfo",
            role: .server,
            isHandshake: true,
            hex: """
                02 00000068 \(F.clientAHex)
                000102030405060708090a0b0c0d0e0f1011121314151617
                c6396cedecc3b1e53d697a9b0899e792
                02f5d4f20a2404667ea9131736c4e2fca6cc10cf4a0e166c169b63678fd8b5e0
                """,
            frame: .clientInfo(
                .init(
                    clientKey: F.clientA,
                    sealedInfo: F.buffer(
                        """
                        000102030405060708090a0b0c0d0e0f1011121314151617
                        c6396cedecc3b1e53d697a9b0899e792
                        02f5d4f20a2404667ea9131736c4e2fca6cc10cf4a0e166c169b63678fd8b5e0
                        """
                    )
                )
            )
        ),
        // §16.4
        .init(
            name: "ServerInfo",
            role: .client,
            hex: """
                03 00000035
                404142434445464748494a4b4c4d4e4f5051525354555657
                b82c6790faa65d0c3fa12d376d9b0e31 d15375cd7803372414 19bd783a
                """,
            frame: .serverInfo(
                .init(
                    sealedInfo: F.buffer(
                        """
                        404142434445464748494a4b4c4d4e4f5051525354555657
                        b82c6790faa65d0c3fa12d376d9b0e31 d15375cd7803372414 19bd783a
                        """
                    )
                )
            )
        ),
        // §16.5
        .init(
            name: "SendPacket",
            role: .server,
            hex: "04 00000025 \(F.clientBHex) 68656c6c6f",
            frame: .sendPacket(.init(destination: F.clientB, packet: hello))
        ),
        .init(
            name: "SendPacket (empty packet)",
            role: .server,
            hex: "04 00000020 \(F.clientBHex)",
            frame: .sendPacket(.init(destination: F.clientB, packet: ByteBuffer()))
        ),
        .init(
            name: "RecvPacket",
            role: .client,
            hex: "05 00000025 \(F.clientAHex) 68656c6c6f",
            frame: .recvPacket(.init(source: F.clientA, packet: hello))
        ),
        // §16.6
        .init(name: "KeepAlive", role: .client, hex: "06 00000000", frame: .keepAlive),
        .init(name: "NotePreferred(true)", role: .server, hex: "07 00000001 01", frame: .notePreferred(true)),
        .init(name: "NotePreferred(false)", role: .server, hex: "07 00000001 00", frame: .notePreferred(false)),
        .init(
            name: "PeerGone(B, NotHere)",
            role: .client,
            hex: "08 00000021 \(F.clientBHex) 01",
            frame: .peerGone(.init(peer: F.clientB, reason: .notHere))
        ),
        .init(
            name: "PeerGone(A, Disconnected)",
            role: .client,
            hex: "08 00000021 \(F.clientAHex) 00",
            frame: .peerGone(.init(peer: F.clientA, reason: .disconnected))
        ),
        .init(
            name: "PeerGone(A, unknown 0x42)",
            role: .client,
            hex: "08 00000021 \(F.clientAHex) 42",
            frame: .peerGone(.init(peer: F.clientA, reason: .unknown(0x42)))
        ),
        .init(
            name: "PeerPresent(A, 203.0.113.7:41641, regular)",
            role: .client,
            hex: "09 00000033 \(F.clientAHex) 00000000000000000000ffffcb007107 a2a9 01",
            frame: .peerPresent(.init(peer: F.clientA, endpoint: v4("203.0.113.7", 41641), flags: .isRegular))
        ),
        .init(
            name: "PeerPresent(B, [2001:db8::1]:443, mesh+prober+notIdeal)",
            role: .client,
            hex: "09 00000033 \(F.clientBHex) 20010db8000000000000000000000001 01bb 0e",
            frame: .peerPresent(
                .init(peer: F.clientB, endpoint: v6("2001:db8::1", 443), flags: [.isMeshPeer, .isProber, .notIdeal])
            )
        ),
        .init(
            name: "PeerPresent(B, unknown address)",
            role: .client,
            hex: "09 00000033 \(F.clientBHex) 00000000000000000000000000000000 0000 01",
            frame: .peerPresent(.init(peer: F.clientB, endpoint: nil, flags: .isRegular))
        ),
        .init(
            name: "ForwardPacket(A → B)",
            role: .server,
            hex: "0a 00000045 \(F.clientAHex) \(F.clientBHex) 68656c6c6f",
            frame: .forwardPacket(.init(source: F.clientA, destination: F.clientB, packet: hello))
        ),
        .init(name: "WatchConns", role: .server, hex: "10 00000000", frame: .watchConns),
        .init(name: "ClosePeer(B)", role: .server, hex: "11 00000020 \(F.clientBHex)", frame: .closePeer(F.clientB)),
        .init(name: "Ping to server", role: .server, hex: "12 00000008 0102030405060708", frame: .ping(pingData)),
        .init(name: "Ping to client", role: .client, hex: "12 00000008 0102030405060708", frame: .ping(pingData)),
        .init(name: "Pong", role: .client, hex: "13 00000008 0102030405060708", frame: .pong(pingData)),
        .init(name: "Health", role: .client, hex: "14 00000009 6475706c6963617465", frame: .health("duplicate")),
        .init(name: "Health (healthy again)", role: .client, hex: "14 00000000", frame: .health("")),
        .init(
            name: "Restarting(5 s, 30 s)",
            role: .client,
            hex: "15 00000008 00001388 00007530",
            frame: .restarting(.init(reconnectInMilliseconds: 5000, tryForMilliseconds: 30000))
        ),
    ]

    /// Frames only ever read: older or future forms, and ignored trailing bytes.
    static let tolerant: [DERPFrameVector] = [
        .init(
            name: "ServerKey with future bytes",
            role: .client,
            isHandshake: true,
            hex: "01 0000002c 44455250f09f9491 \(F.serverKeyHex) deadbeef",
            frame: .serverKey(.init(key: F.serverKey))
        ),
        .init(
            name: "PeerGone without reason byte",
            role: .client,
            hex: "08 00000020 \(F.clientBHex)",
            frame: .peerGone(.init(peer: F.clientB, reason: .disconnected))
        ),
        .init(
            name: "PeerGone with trailing bytes",
            role: .client,
            hex: "08 00000023 \(F.clientBHex) 01 ffff",
            frame: .peerGone(.init(peer: F.clientB, reason: .notHere))
        ),
        .init(
            name: "PeerPresent, key only",
            role: .client,
            hex: "09 00000020 \(F.clientAHex)",
            frame: .peerPresent(.init(peer: F.clientA, endpoint: nil, flags: []))
        ),
        .init(
            name: "PeerPresent, 17 bytes after the key (too few for IP+port)",
            role: .client,
            hex: "09 00000031 \(F.clientAHex) 00000000000000000000ffffcb007107 a2",
            frame: .peerPresent(.init(peer: F.clientA, endpoint: nil, flags: []))
        ),
        .init(
            name: "PeerPresent without flags",
            role: .client,
            hex: "09 00000032 \(F.clientAHex) 00000000000000000000ffffcb007107 a2a9",
            frame: .peerPresent(.init(peer: F.clientA, endpoint: v4("203.0.113.7", 41641), flags: []))
        ),
        .init(
            name: "PeerPresent with future bytes",
            role: .client,
            hex: "09 00000036 \(F.clientAHex) 00000000000000000000ffffcb007107 a2a9 02 aabbcc",
            frame: .peerPresent(.init(peer: F.clientA, endpoint: v4("203.0.113.7", 41641), flags: .isMeshPeer))
        ),
        .init(
            name: "KeepAlive with a payload",
            role: .client,
            hex: "06 00000003 010203",
            frame: .keepAlive
        ),
        .init(
            name: "Ping of 10 bytes to a client",
            role: .client,
            hex: "12 0000000a 0102030405060708 0909",
            frame: .ping(pingData)
        ),
        .init(
            name: "Pong of 9 bytes",
            role: .client,
            hex: "13 00000009 0102030405060708 ff",
            frame: .pong(pingData)
        ),
        .init(
            name: "Ping of 1000 bytes to a server",
            role: .server,
            hex: "12 000003e8 0102030405060708" + String(repeating: "ab", count: 992),
            frame: .ping(pingData)
        ),
        .init(
            name: "NotePreferred with 0x02 (any non-zero is true)",
            role: .server,
            hex: "07 00000001 02",
            frame: .notePreferred(true)
        ),
        .init(
            name: "Restarting with trailing bytes",
            role: .client,
            hex: "15 0000000c 00001388 00007530 00000001",
            frame: .restarting(.init(reconnectInMilliseconds: 5000, tryForMilliseconds: 30000))
        ),
        .init(
            name: "Health with invalid UTF-8",
            role: .client,
            hex: "14 00000003 61ff62",
            frame: .health("a\u{FFFD}b")
        ),
    ]

    static func v4(_ ip: String, _ port: Int) -> SocketAddress {
        do {
            return try SocketAddress(ipAddress: ip, port: port)
        } catch {
            fatalError("bad address fixture \(ip): \(error)")
        }
    }

    static func v6(_ ip: String, _ port: Int) -> SocketAddress { v4(ip, port) }
}

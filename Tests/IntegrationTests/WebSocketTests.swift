import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import RelayCore

/// DERP over WebSocket (spec derp.md §4.4) end to end: in-process derper, real TLS on loopback,
/// our client with `webSocket = true`, and a hand-driven WebSocket peer for frame layouts our
/// client never produces (split, fragmented, coalesced, text, unmasked, oversized).
@Suite(.timeLimit(.minutes(2)))
struct WebSocketTests {
    @Test(arguments: [1, 65536])
    func webSocketAndPlainClientsRelayBothWays(size: Int) async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let alice = try await webSocketClient(relay)
        let bob = try await relay.client()
        #expect(alice.serverKey == relay.server.publicKey)
        #expect(alice.serverInfo.version == 2)

        let toBob = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try await alice.send(toBob, to: bob.publicKey)
        let atBob = try #require(await bob.receivePacket())
        #expect(atBob.source == alice.publicKey)
        #expect(atBob.packet == toBob)

        let toAlice = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try await bob.send(toAlice, to: alice.publicKey)
        let atAlice = try #require(await alice.receivePacket())
        #expect(atAlice.source == bob.publicKey)
        #expect(atAlice.packet == toAlice)
        await alice.close()
        await bob.close()
    }

    @Test func derpPingOverWebSocket() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let client = try await webSocketClient(relay)
        _ = try await client.ping()
        _ = try await client.ping()
    }

    @Test func webSocketClientReportsARefusedUpgrade() async throws {
        var http = DERPHTTPConfiguration()
        http.derpEnabled = false
        let relay = try await TestRelay.start(http: http)
        defer { Task { await relay.stop() } }
        await #expect(throws: DERPClientError.upgradeRefused(status: 404, body: "derp server disabled")) {
            _ = try await webSocketClient(relay)
        }
    }

    /// Message boundaries carry no meaning: a DERP frame split over two messages, one split over
    /// the fragments of one message, and two DERP frames in one message all arrive.
    @Test func framesSplitAndCoalescedAcrossMessagesAreDelivered() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let bob = try await relay.client()
        let aliceKey = NodePrivateKey.generate()
        let packets: [[UInt8]] = [Array(0..<200), Array(repeating: 9, count: 3000), [1], [2, 2]]
        try await within {
            var alice = try await RawWebSocketPeer.connect(relay)
            try await alice.openDERP(as: aliceKey)
            let frames = try packets.map { try sendPacketFrame($0, to: bob.publicKey) }
            // 1: two binary messages.
            try await alice.send(opcode: 0x2, payload: Array(frames[0][..<10]))
            try await alice.send(opcode: 0x2, payload: Array(frames[0][10...]))
            // 2: one message in three fragments, with a Ping between them.
            try await alice.send(opcode: 0x2, fin: false, payload: Array(frames[1][..<3]))
            try await alice.send(opcode: 0x0, fin: false, payload: Array(frames[1][3..<1500]))
            try await alice.send(opcode: 0x9, payload: [7])
            try await alice.send(opcode: 0x0, payload: Array(frames[1][1500...]))
            // 3 and 4: one message.
            try await alice.send(opcode: 0x2, payload: frames[2] + frames[3])
        }
        for expected in packets {
            let received = try #require(await bob.receivePacket())
            #expect(received.source == aliceKey.publicKey)
            #expect(received.packet == expected)
        }
    }

    @Test func webSocketPingIsAnsweredWithPong() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        try await within {
            var peer = try await RawWebSocketPeer.connect(relay)
            try await peer.openDERP(as: .generate())
            try await peer.send(opcode: 0x9, payload: Array("are you there".utf8))
            let pong = try #require(await peer.readFrame { $0.opcode == 0xA })
            #expect(pong.payload == Array("are you there".utf8))
        }
    }

    @Test func textMessageClosesOnlyThatConnection() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let bob = try await relay.client()
        try await within {
            var peer = try await RawWebSocketPeer.connect(relay)
            try await peer.openDERP(as: .generate())
            try await peer.send(opcode: 0x1, payload: Array("hello".utf8))
            #expect(await peer.closeCodeThenEnd() == 1003)
        }
        _ = try await bob.ping()
        let carol = try await webSocketClient(relay)
        try await carol.send([5, 6, 7], to: bob.publicKey)
        #expect(await bob.receivePacket()?.packet == [5, 6, 7])
    }

    @Test func closeIsEchoed() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        try await within {
            var peer = try await RawWebSocketPeer.connect(relay)
            try await peer.openDERP(as: .generate())
            try await peer.send(opcode: 0x8, payload: [0x03, 0xE8, 0x62, 0x79, 0x65])  // 1000 "bye"
            #expect(await peer.closeCodeThenEnd() == 1000)
        }
    }

    @Test func unmaskedClientFrameIsAProtocolError() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        try await within {
            var peer = try await RawWebSocketPeer.connect(relay)
            try await peer.openDERP(as: .generate())
            try await peer.send(opcode: 0x2, payload: [0, 0, 0, 0, 0], masked: false)
            #expect(await peer.closeCodeThenEnd() == 1002)
        }
    }

    @Test func oversizedFrameIsRefusedFromItsHeader() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        try await within {
            var peer = try await RawWebSocketPeer.connect(relay)
            try await peer.openDERP(as: .generate())
            // A binary frame announcing 16 MiB, masked, with no payload sent.
            try await peer.sendRaw([0x82, 0xFF, 0, 0, 0, 0, 0x01, 0, 0, 0, 1, 2, 3, 4])
            #expect(await peer.closeCodeThenEnd() == 1009)
        }
    }

    /// When the DERP side ends the session (here: the first frame is not ClientInfo), a Close goes out first.
    @Test func derpViolationEndsWithWebSocketClose() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        try await within {
            var peer = try await RawWebSocketPeer.connect(relay)
            try await peer.sendUpgrade()
            _ = try #require(await peer.readHead())
            guard case .serverKey = try await peer.readDERPFrame() else { throw RawPeerFailure.unexpectedFrame }
            try await peer.send(opcode: 0x2, payload: [0x06, 0, 0, 0, 0])  // KeepAlive instead of ClientInfo
            #expect(await peer.closeCodeThenEnd() == 1000)
        }
    }

    /// Spec derp.md §4.1: `Upgrade: websocket` without the `derp` subprotocol means raw DERP.
    @Test func webSocketUpgradeWithoutDERPSubprotocolIsPlainDERP() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let serverKey = relay.server.publicKey
        try await within {
            var peer = try await RawWebSocketPeer.connect(relay)
            try await peer.sendUpgrade(subprotocol: nil)
            let head = try #require(await peer.readHead())
            #expect(head.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
            #expect(head.contains("Upgrade: DERP\r\n"))
            guard case .serverKey(let message) = try await peer.readPlainDERPFrame() else { throw RawPeerFailure.unexpectedFrame }
            #expect(message.key == serverKey)
        }
    }

    private func webSocketClient(_ relay: TestRelay) async throws -> DERPClient {
        var configuration = DERPClientConfiguration(host: "127.0.0.1", port: relay.port, privateKey: .generate(), tlsContext: relay.clientContext)
        configuration.webSocket = true
        configuration.connectTimeout = .seconds(20)
        return try await DERPClient.connect(configuration, group: relay.group)
    }
}

private func sendPacketFrame(_ packet: [UInt8], to destination: NodePublicKey) throws -> [UInt8] {
    var buffer = ByteBuffer()
    _ = try buffer.writeDERPFrame(.sendPacket(.init(destination: destination, packet: ByteBuffer(bytes: packet))))
    return Array(buffer.readableBytesView)
}

private enum RawPeerFailure: Error {
    case timedOut, unexpectedFrame
}

/// Runs `body` with a deadline; a raw conversation that stalls fails instead of hanging.
private func within(_ timeout: Duration = .seconds(20), _ body: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await body()
            return true
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return false
        }
        let finished = try await group.next() ?? false
        group.cancelAll()
        if !finished { throw RawPeerFailure.timedOut }
    }
}

/// A WebSocket client driven by hand over real TLS: it writes frames exactly as a test lays them
/// out (masked unless told otherwise) and parses the server's (unmasked) frames itself.
private struct RawWebSocketPeer {
    struct Frame {
        var opcode: UInt8
        var fin: Bool
        var payload: [UInt8]
    }

    /// RFC 6455 §1.3's sample key, whose accept value the RFC gives.
    static let sampleKey = "dGhlIHNhbXBsZSBub25jZQ=="
    static let sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    let channel: any Channel
    var chunks: AsyncStream<[UInt8]>.AsyncIterator
    var buffer = ByteBuffer()
    var stream = ByteBuffer()
    var parser = DERPFrameParser(role: .client, expectsHandshake: true)

    static func connect(_ relay: TestRelay) async throws -> RawWebSocketPeer {
        let collector = RawConnection.Collector()
        let context = relay.clientContext
        let channel = try await ClientBootstrap(group: relay.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: relay.port)
            .get()
        return RawWebSocketPeer(channel: channel, chunks: collector.received.makeAsyncIterator())
    }

    func sendRaw(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func sendUpgrade(subprotocol: String? = "derp") async throws {
        var request = "GET /derp HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Origin: https://elsewhere.example\r\nSec-WebSocket-Key: \(Self.sampleKey)\r\nSec-WebSocket-Version: 13\r\n"
        if let subprotocol { request += "Sec-WebSocket-Protocol: \(subprotocol)\r\n" }
        try await sendRaw(Array((request + "\r\n").utf8))
    }

    /// One frame; a client masks with a random key (RFC 6455 §5.3).
    func send(opcode: UInt8, fin: Bool = true, payload: [UInt8], masked: Bool = true) async throws {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case 0...125:
            bytes.append(maskBit | UInt8(payload.count))
        case 126...0xFFFF:
            bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            bytes.append(maskBit | 127)
            bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: payload.count >> ($0 * 8)) }
        }
        if masked {
            let key = (0..<4).map { _ in UInt8.random(in: 0...255) }
            bytes += key
            bytes += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        } else {
            bytes += payload
        }
        try await sendRaw(bytes)
    }

    /// The HTTP response head, through the blank line.
    mutating func readHead() async -> String? {
        while true {
            if let end = buffer.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) {
                return buffer.readString(length: end.upperBound - buffer.readableBytesView.startIndex)
            }
            guard let chunk = await chunks.next() else { return nil }
            buffer.writeBytes(chunk)
        }
    }

    /// The next server frame matching `predicate`; nil once the connection ends.
    mutating func readFrame(where predicate: (Frame) -> Bool = { _ in true }) async -> Frame? {
        while true {
            while let frame = nextBufferedFrame() {
                if predicate(frame) { return frame }
            }
            guard let chunk = await chunks.next() else { return nil }
            buffer.writeBytes(chunk)
        }
    }

    private mutating func nextBufferedFrame() -> Frame? {
        var view = buffer
        guard let first = view.readInteger(as: UInt8.self), let second = view.readInteger(as: UInt8.self) else { return nil }
        #expect(second & 0x80 == 0, "server frames are never masked")
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let word = view.readInteger(as: UInt16.self) else { return nil }
            length = Int(word)
        } else if length == 127 {
            guard let quad = view.readInteger(as: UInt64.self), let exact = Int(exactly: quad) else { return nil }
            length = exact
        }
        guard let payload = view.readBytes(length: length) else { return nil }
        buffer = view
        return Frame(opcode: first & 0x0F, fin: first & 0x80 != 0, payload: payload)
    }

    /// The status code of the server's Close frame, if the connection then ends.
    mutating func closeCodeThenEnd() async -> UInt16? {
        guard let close = await readFrame(where: { $0.opcode == 0x8 }), close.payload.count >= 2 else { return nil }
        while await chunks.next() != nil {}
        return UInt16(close.payload[0]) << 8 | UInt16(close.payload[1])
    }

    /// The next DERP frame from the byte stream formed by the binary messages.
    mutating func readDERPFrame() async throws -> DERPFrame? {
        while true {
            if let frame = try parser.next(&stream) { return frame }
            guard let message = await readFrame(where: { $0.opcode == 0x0 || $0.opcode == 0x2 }) else { return nil }
            stream.writeBytes(message.payload)
        }
    }

    /// The next DERP frame read straight from the connection (no WebSocket framing).
    mutating func readPlainDERPFrame() async throws -> DERPFrame? {
        while true {
            if let frame = try parser.next(&buffer) { return frame }
            guard let chunk = await chunks.next() else { return nil }
            buffer.writeBytes(chunk)
        }
    }

    /// WebSocket upgrade with subprotocol `derp`, then the DERP handshake as `key`.
    mutating func openDERP(as key: NodePrivateKey) async throws {
        try await sendUpgrade()
        let head = try #require(await readHead())
        #expect(head.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(head.contains("Sec-WebSocket-Accept: \(Self.sampleAccept)\r\n"))
        #expect(head.contains("Sec-WebSocket-Protocol: derp\r\n"))
        guard case .serverKey(let serverKey) = try await readDERPFrame() else { throw RawPeerFailure.unexpectedFrame }
        let sealed = try NaClBox.seal(ClientInfo(canAckPings: true).jsonBytes(), to: serverKey.key, from: key)
        var info = ByteBuffer()
        _ = try info.writeDERPFrame(.clientInfo(.init(clientKey: key.publicKey, sealedInfo: ByteBuffer(bytes: sealed))))
        try await send(opcode: 0x2, payload: Array(info.readableBytesView))
        guard case .serverInfo = try await readDERPFrame() else { throw RawPeerFailure.unexpectedFrame }
    }
}

/// The WebSocket rules on their own: no sockets.
@Suite struct WebSocketByteStreamStateMachineTests {
    typealias Machine = WebSocketByteStreamStateMachine

    @Test func acceptValueMatchesRFC6455Example() {
        #expect(DERPWebSocketUpgrade.acceptValue(forKey: RawWebSocketPeer.sampleKey) == RawWebSocketPeer.sampleAccept)
    }

    @Test func serverDeliversFragmentedBinaryWithControlFramesBetween() {
        var machine = Machine(role: .server)
        #expect(machine.receivedFrame(opcode: 0x2, fin: false, isMasked: true, reservedBits: 0) == .deliverPayload)
        #expect(machine.receivedFrame(opcode: 0x9, fin: true, isMasked: true, reservedBits: 0) == .replyPong)
        #expect(machine.receivedFrame(opcode: 0xA, fin: true, isMasked: true, reservedBits: 0) == .ignore)
        #expect(machine.receivedFrame(opcode: 0x0, fin: true, isMasked: true, reservedBits: 0) == .deliverPayload)
        #expect(machine.receivedFrame(opcode: 0x2, fin: true, isMasked: true, reservedBits: 0) == .deliverPayload)
    }

    @Test(arguments: [
        (opcode: UInt8(0x1), fin: true, masked: true, rsv: UInt8(0), code: UInt16(1003)),  // text
        (0x2, true, false, 0, 1002),  // unmasked from a client
        (0x2, true, true, 0x40, 1002),  // RSV1: no compression was negotiated
        (0x0, true, true, 0, 1002),  // continuation with no message open
        (0x3, true, true, 0, 1002),  // reserved opcode
    ])
    func serverRejects(opcode: UInt8, fin: Bool, masked: Bool, rsv: UInt8, code: UInt16) {
        var machine = Machine(role: .server)
        #expect(machine.receivedFrame(opcode: opcode, fin: fin, isMasked: masked, reservedBits: rsv) == .fail(closeCode: code))
        #expect(machine.isClosing)
        #expect(machine.receivedFrame(opcode: 0x2, fin: true, isMasked: true, reservedBits: 0) == .ignore)
        let sendsClose = machine.closingLocally()
        #expect(!sendsClose)
    }

    @Test func newBinaryMessageInsideAnotherIsAProtocolError() {
        var machine = Machine(role: .server)
        _ = machine.receivedFrame(opcode: 0x2, fin: false, isMasked: true, reservedBits: 0)
        #expect(machine.receivedFrame(opcode: 0x2, fin: true, isMasked: true, reservedBits: 0) == .fail(closeCode: 1002))
    }

    @Test func closeIsEchoedOnceAndLocalCloseSendsOneFrame() {
        var machine = Machine(role: .server)
        #expect(machine.receivedFrame(opcode: 0x8, fin: true, isMasked: true, reservedBits: 0) == .echoClose)
        #expect(machine.receivedFrame(opcode: 0x8, fin: true, isMasked: true, reservedBits: 0) == .ignore)
        let afterEcho = machine.closingLocally()
        #expect(!afterEcho)
        var other = Machine(role: .server)
        let first = other.closingLocally()
        let second = other.closingLocally()
        #expect(first && !second)
    }

    @Test func clientRequiresUnmaskedServerFrames() {
        var machine = Machine(role: .client)
        #expect(machine.receivedFrame(opcode: 0x2, fin: true, isMasked: false, reservedBits: 0) == .deliverPayload)
        #expect(machine.receivedFrame(opcode: 0x2, fin: true, isMasked: true, reservedBits: 0) == .fail(closeCode: 1002))
    }

    @Test func decoderFailuresMapToCloseCodes() {
        var tooLarge = Machine(role: .server)
        #expect(tooLarge.decoderFailed(frameTooLarge: true) == .fail(closeCode: 1009))
        var malformed = Machine(role: .client)
        #expect(malformed.decoderFailed(frameTooLarge: false) == .fail(closeCode: 1002))
        #expect(malformed.decoderFailed(frameTooLarge: false) == .ignore)
    }
}

import NIOCore
import Testing
@testable import RelayCore

/// Each kind of bad input ends only its own connection; the relay keeps serving a fresh client.
@Suite(.timeLimit(.minutes(2)))
struct BadInputTests {
    /// After the bad connection, two fresh clients must still relay a packet.
    private func assertStillRelays(_ relay: TestRelay) async throws {
        let alice = try await relay.client()
        let bob = try await relay.client()
        try await alice.send([9, 9, 9], to: bob.publicKey)
        #expect(await bob.receivePacket()?.packet == [9, 9, 9])
        await alice.close()
        await bob.close()
    }

    private func response(_ relay: TestRelay, sending request: String) async throws -> String {
        let raw = try await relay.rawConnection()
        try await raw.send(request)
        let (bytes, closed) = await raw.readUntilClosed()
        #expect(closed, "the server must close the connection after answering")
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func malformedHTTPGets400() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let answer = try await response(relay, sending: "THIS IS NOT HTTP\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 400 "))
        try await assertStillRelays(relay)
    }

    @Test func oversizedHeadGets431() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let answer = try await response(relay, sending: "GET /derp HTTP/1.1\r\nX-Junk: " + String(repeating: "a", count: 20_000) + "\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 431 "))
        try await assertStillRelays(relay)
    }

    @Test func derpWithoutUpgradeGets426() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let answer = try await response(relay, sending: "GET /derp HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 426 "))
        #expect(answer.contains("DERP requires connection upgrade"))
        let other = try await response(relay, sending: "GET /derp HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n\r\n")
        #expect(other.hasPrefix("HTTP/1.1 426 "))
        try await assertStillRelays(relay)
    }

    /// Opens a DERP upgrade by hand and returns the connection after the ServerKey frame arrived.
    private func upgradedRaw(_ relay: TestRelay) async throws -> RawConnection {
        let raw = try await relay.rawConnection()
        try await raw.send("GET /derp HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: DERP\r\nConnection: Upgrade\r\n\r\n")
        return raw
    }

    @Test func garbageInsteadOfClientInfoClosesTheConnection() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let raw = try await upgradedRaw(relay)
        try await raw.send([UInt8](repeating: 0xEE, count: 64))
        let (bytes, closed) = await raw.readUntilClosed()
        #expect(closed)
        #expect(String(decoding: bytes.prefix(12), as: UTF8.self) == "HTTP/1.1 101")
        try await assertStillRelays(relay)
    }

    @Test func clientInfoThatFailsToOpenClosesTheConnection() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let raw = try await upgradedRaw(relay)
        // A well-formed ClientInfo frame whose box was sealed to the wrong key.
        let stranger = NodePrivateKey.generate()
        let client = NodePrivateKey.generate()
        let sealed = try NaClBox.seal(Array(#"{"version":2,"CanAckPings":true}"#.utf8), to: stranger.publicKey, from: client)
        var frame = ByteBuffer()
        _ = try frame.writeDERPFrame(.clientInfo(.init(clientKey: client.publicKey, sealedInfo: ByteBuffer(bytes: sealed))))
        try await raw.send(Array(frame.readableBytesView))
        let (_, closed) = await raw.readUntilClosed()
        #expect(closed)
        #expect(relay.server.registry.connectionCount == 0)
        try await assertStillRelays(relay)
    }

    @Test func oversizedClientInfoLengthClosesTheConnection() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let raw = try await upgradedRaw(relay)
        try await raw.send([0x02, 0x7f, 0xff, 0xff, 0xff] + [UInt8](repeating: 1, count: 100))
        let (_, closed) = await raw.readUntilClosed()
        #expect(closed)
        try await assertStillRelays(relay)
    }

    @Test func oversizedSendPacketClosesOnlyThatConnection() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let victim = try await relay.client()
        let abuser = try await relay.client()
        // SendPacket declaring 32 + 65537 bytes: one byte over the limit.
        try await abuser.sendRaw([0x04, 0x00, 0x01, 0x00, 0x21] + victim.publicKey.rawBytes)
        let end = await abuser.nextFrame(timeout: .seconds(20)) { _ in false }
        #expect(end == nil)
        #expect(await eventually { relay.server.registry.connectionCount == 1 })
        let peer = try await relay.client()
        try await peer.send([1], to: victim.publicKey)
        #expect(await victim.receivePacket()?.packet == [1])
    }

    @Test func unknownFrameTypesOfLegalSizeAreSkipped() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let alice = try await relay.client()
        let bob = try await relay.client()
        // Type 0x0b (unassigned) with 100 bytes, a server-only Pong, then a real packet.
        try await alice.sendRaw([0x0b, 0, 0, 0, 100] + [UInt8](repeating: 0x55, count: 100))
        try await alice.sendRaw([0x13, 0, 0, 0, 8] + [UInt8](repeating: 1, count: 8))
        try await alice.send([7], to: bob.publicKey)
        #expect(await bob.receivePacket()?.packet == [7])
    }

    @Test func truncatedFrameThenCloseLeavesServerServing() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let alice = try await relay.client()
        try await alice.sendRaw([0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02])
        await alice.close()
        #expect(await eventually { relay.server.registry.connectionCount == 0 })
        try await assertStillRelays(relay)
    }

    @Test func silentClientIsClosedByTheHeadTimeout() async throws {
        var http = DERPHTTPConfiguration()
        http.requestHeadTimeout = .milliseconds(300)
        let relay = try await TestRelay.start(http: http)
        defer { Task { await relay.stop() } }
        // A TCP connection that never starts TLS: the server must not keep it forever.
        let raw = try await RawConnection.connect(port: relay.port, context: nil, group: relay.group)
        let (_, closed) = await raw.readUntilClosed(timeout: .seconds(20))
        #expect(closed)
        try await assertStillRelays(relay)
    }

    @Test func clientThatNeverSendsClientInfoIsClosed() async throws {
        let relay = try await TestRelay.start { $0.handshakeTimeout = .milliseconds(300) }
        defer { Task { await relay.stop() } }
        let raw = try await upgradedRaw(relay)
        let (_, closed) = await raw.readUntilClosed(timeout: .seconds(20))
        #expect(closed)
        try await assertStillRelays(relay)
    }

    @Test func wrongMeshKeyIsRefused() async throws {
        let ours = try DERPMeshKey(text: String(repeating: "ab", count: 32))
        let relay = try await TestRelay.start { $0.meshKey = ours }
        defer { Task { await relay.stop() } }
        let wrong = try DERPMeshKey(text: String(repeating: "cd", count: 32))
        await #expect(throws: (any Error).self) { _ = try await relay.client(meshKey: wrong) }
        // The right key gets mesh privileges: WatchConns is answered with PeerPresent.
        let bystander = try await relay.client()
        let mesh = try await relay.client(meshKey: ours)
        try await mesh.send(frame: .watchConns)
        let present = await mesh.nextFrame { if case .peerPresent = $0 { return true } else { return false } }
        guard case .peerPresent(let message) = present else {
            Issue.record("expected PeerPresent")
            return
        }
        #expect(message.peer == bystander.publicKey)
        // A non-mesh client sending WatchConns is disconnected.
        try await bystander.send(frame: .watchConns)
        #expect(await bystander.nextFrame(timeout: .seconds(20)) { _ in false } == nil)
    }

    @Test func clientThatNeverReadsOnlyLosesItsOwnPackets() async throws {
        let relay = try await TestRelay.start { $0.writeTimeout = .milliseconds(500) }
        defer { Task { await relay.stop() } }
        let sender = try await relay.client()
        let sleeper = try await relay.client()
        // Stop reading on the sleeper's socket: its receive window fills and the server's queue drops.
        try await sleeper.channel.setOption(.autoRead, value: false).get()
        let payload = [UInt8](repeating: 0x42, count: 16_000)
        for _ in 0..<400 { try await sender.send(payload, to: sleeper.publicKey) }
        // The sleeper is eventually disconnected by the write timeout; everyone else is fine.
        #expect(await eventually { relay.server.registry.connectionCount == 1 })
        try await assertStillRelays(relay)
    }
}

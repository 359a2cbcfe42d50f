import NIOCore
import Testing
@testable import RelayCore

/// The relay end to end: in-process derper, real TLS on loopback, our own DERP client.
@Suite(.timeLimit(.minutes(2)))
struct RelayTests {
    @Test(arguments: [1, 1200, 65536])
    func twoClientsRelayBothWays(size: Int) async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let alice = try await relay.client()
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

    @Test func fastStartClientRelays() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let alice = try await relay.client(fastStart: true)
        let bob = try await relay.client()
        try await alice.send([1, 2, 3], to: bob.publicKey)
        #expect(await bob.receivePacket()?.packet == [1, 2, 3])
    }

    @Test func pingIsAnsweredWithPong() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let client = try await relay.client()
        _ = try await client.ping()
        _ = try await client.ping()
    }

    @Test func peerGoneAfterSenderLeaves() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let alice = try await relay.client()
        let bob = try await relay.client()
        try await alice.send([42], to: bob.publicKey)
        #expect(await bob.receivePacket()?.source == alice.publicKey)
        await alice.close()
        let gone = await bob.nextFrame { if case .peerGone = $0 { return true } else { return false } }
        guard case .peerGone(let message) = gone else {
            Issue.record("expected PeerGone, got \(String(describing: gone))")
            return
        }
        #expect(message.peer == alice.publicKey)
        #expect(message.reason == .disconnected)
    }

    @Test func noPeerGoneForPeersNeverHeardFrom() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let alice = try await relay.client()
        let bob = try await relay.client()
        let carol = try await relay.client()
        try await alice.send([1], to: bob.publicKey)
        #expect(await bob.receivePacket() != nil)
        await carol.close()  // bob never received from carol
        await alice.close()
        let gone = await bob.nextFrame { if case .peerGone = $0 { return true } else { return false } }
        guard case .peerGone(let message) = gone else {
            Issue.record("expected PeerGone for alice")
            return
        }
        #expect(message.peer == alice.publicKey, "the first PeerGone must be alice's, not carol's")
    }

    @Test func duplicateConnectionsFollowTheLastWriter() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let sender = try await relay.client()
        let key = NodePrivateKey.generate()
        let first = try await relay.client(key: key)
        let second = try await relay.client(key: key)
        #expect(await eventually { relay.server.registry.connectionCount == 3 })

        // The newest connection is active.
        try await sender.send([1], to: key.publicKey)
        #expect(await second.receivePacket()?.packet == [1])

        // The older one speaks and so becomes active.
        _ = try await first.ping()
        try await sender.send([2], to: key.publicKey)
        #expect(await first.receivePacket()?.packet == [2])

        // When the active one leaves, the other takes over.
        await first.close()
        #expect(await eventually { relay.server.registry.connectionCount == 2 })
        try await sender.send([3], to: key.publicKey)
        #expect(await second.receivePacket()?.packet == [3])
    }

    @Test func discoToUnknownKeyEarnsNotHere() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let client = try await relay.client()
        let absent = NodePrivateKey.generate().publicKey
        // A non-disco packet to an unknown key is dropped silently.
        try await client.send([0x01, 0x02], to: absent)
        // A disco packet earns PeerGone(NotHere).
        let disco = DiscoPacket.magic + [UInt8](repeating: 0xaa, count: 56 + 10)
        try await client.send(disco, to: absent)
        let frame = await client.nextFrame { if case .peerGone = $0 { return true } else { return false } }
        guard case .peerGone(let message) = frame else {
            Issue.record("expected PeerGone(NotHere)")
            return
        }
        #expect(message.peer == absent)
        #expect(message.reason == .notHere)
    }

    @Test func twoHundredClientsRelayToPartnersWithoutLoss() async throws {
        let relay = try await TestRelay.start()
        defer { Task { await relay.stop() } }
        let pairs = 100
        let packetsPerSender = 10
        var clients: [DERPClient] = []
        for _ in 0..<(pairs * 2) { clients.append(try await relay.client()) }
        #expect(await eventually { relay.server.registry.connectionCount == pairs * 2 })
        let all = clients
        let received = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<pairs {
                let sender = all[2 * index], receiver = all[2 * index + 1]
                group.addTask {
                    for sequence in 0..<packetsPerSender {
                        try await sender.send([UInt8(index & 0xff), UInt8(sequence)] + [UInt8](repeating: 7, count: 100), to: receiver.publicKey)
                    }
                    return 0
                }
                group.addTask {
                    var count = 0
                    for expected in 0..<packetsPerSender {
                        guard let packet = await receiver.receivePacket(timeout: .seconds(30)) else { break }
                        if packet.source == sender.publicKey && packet.packet[1] == UInt8(expected) { count += 1 }
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(received == pairs * packetsPerSender)
        for client in clients { await client.close() }
    }
}

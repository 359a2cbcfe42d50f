import NIOCore
import Testing
@testable import RelayCore

/// Connection and rate limits: abuse is throttled while honest clients keep relaying.
@Suite(.timeLimit(.minutes(2)))
struct LimitsTests {
    @Test func acceptStormIsThrottledWhileEstablishedClientsRelay() async throws {
        // Burst 3 and a negligible refill rate: exactly three connections are ever accepted.
        let relay = try await TestRelay.start(limits: .init(acceptRate: 0.0001, acceptBurst: 3))
        defer { Task { await relay.stop() } }
        let alice = try await relay.client()
        let bob = try await relay.client()
        var served = 0
        var refused = 0
        for _ in 0..<20 {
            let raw = try await relay.rawConnection()
            try? await raw.send("GET /derp/probe HTTP/1.1\r\nHost: x\r\n\r\n")
            let (bytes, _) = await raw.readUntilClosed(timeout: .seconds(20))
            if String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200") { served += 1 } else { refused += 1 }
        }
        #expect(served == 1, "one token was left after the two clients")
        #expect(refused == 19)
        try await alice.send([1], to: bob.publicKey)
        #expect(await bob.receivePacket()?.packet == [1])
    }

    @Test func connectionCapRefusesTheExtraConnectionOnly() async throws {
        let relay = try await TestRelay.start(limits: .init(maxConnections: 2))
        defer { Task { await relay.stop() } }
        let alice = try await relay.client()
        let bob = try await relay.client()
        await #expect(throws: (any Error).self) { _ = try await relay.client() }
        try await alice.send([2], to: bob.publicKey)
        #expect(await bob.receivePacket()?.packet == [2])
        await alice.close()
        // Once a slot frees, a new client gets in.
        var carol: DERPClient? = nil
        let deadline = ContinuousClock.now + .seconds(20)
        while carol == nil && ContinuousClock.now < deadline {
            carol = try? await relay.client()
            if carol == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let admitted = try #require(carol)
        try await admitted.send([3], to: bob.publicKey)
        #expect(await bob.receivePacket()?.packet == [3])
    }

    @Test func clientAboveItsRateIsSlowedNotDroppedAndOthersAreUnaffected() async throws {
        let limit = ClientRateLimitStore.Limit(bytesPerSecond: 100_000, burstBytes: 0)
        let relay = try await TestRelay.start { $0.clientRateLimit = ClientRateLimitStore(limit: limit) }
        defer { Task { await relay.stop() } }
        let flooder = try await relay.client()
        let sink = try await relay.client()
        let honestA = try await relay.client()
        let honestB = try await relay.client()
        #expect(flooder.serverInfo.tokenBucketBytesPerSecond == 100_000, "the limit is advertised in ServerInfo")
        #expect(flooder.serverInfo.tokenBucketBytesBurst == 65568, "burst raised to one maximum packet")

        let packets = 6
        let size = 50_000
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<packets {
            try await flooder.send([UInt8](repeating: UInt8(index), count: size), to: sink.publicKey)
        }
        // While the flooder is held back, an honest pair still gets through.
        try await honestA.send([42], to: honestB.publicKey)
        #expect(await honestB.receivePacket()?.packet == [42])
        var received = 0
        for _ in 0..<packets {
            guard let packet = await sink.receivePacket(timeout: .seconds(30)) else { break }
            if packet.packet.count == size { received += 1 }
        }
        let elapsed = clock.now - start
        #expect(received == packets, "rate limiting delays reading; it never drops")
        // Lower bound only: (total - burst) / rate. A slow machine can only make this longer.
        let minimum = Double(packets * (size + 32) - 65568) / 100_000
        #expect(elapsed >= .milliseconds(Int(minimum * 1000 * 0.9)), "took \(elapsed), expected at least \(minimum) s")
    }
}

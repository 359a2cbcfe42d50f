import NIOCore
import NIOSSL

/// A real DERP round trip through one region (like derpprobe's mesh probe for `from == to`,
/// spec/netcheck.md §10): two DERP clients with fresh keys connect to the same node — TCP, TLS
/// verified as Tailscale's client verifies, HTTP upgrade, DERP handshake — then the first sends a
/// packet to the second, which sends it back. The time from send to return is the round trip.
///
/// Nodes are tried in map order (skipping `STUNOnly`), as a Tailscale client fails over.
enum NetcheckDERPRoundTrip {
    static func run(_ region: DERPRegion, deadline: NIODeadline, group: any EventLoopGroup) async -> NetcheckRoundTripResult {
        var result = NetcheckRoundTripResult(region: region.regionID, code: region.regionCode)
        let nodes = region.nodes.filter { !$0.stunOnly }
        guard !nodes.isEmpty else {
            result.error = "region \(region.regionID) has no DERP node (all are STUNOnly)"
            return result
        }
        var failures: [String] = []
        for node in nodes {
            guard deadline > .now() else {
                failures.append("\(node.name): no time left before the deadline")
                break
            }
            result.node = node.name
            do {
                let (connect, rtt) = try await roundTrip(through: node, deadline: deadline, group: group)
                result.ok = true
                result.connectMs = NetcheckDuration.milliseconds(connect)
                result.rttMs = NetcheckDuration.milliseconds(rtt)
                result.error = nil
                return result
            } catch {
                failures.append(nodes.count == 1 ? "\(error)" : "\(node.name): \(error)")
            }
        }
        result.error = failures.joined(separator: "; ")
        return result
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private static func roundTrip(
        through node: DERPNode, deadline: NIODeadline, group: any EventLoopGroup
    ) async throws -> (connect: Duration, rtt: Duration) {
        let context: DERPTLSClientContext
        do {
            let verification = try DERPTLSVerification(certName: node.certName, insecureForTests: node.insecureForTests)
            context = try DERPTLSClientContext(verification: verification)
        } catch {
            throw Failure(description: "TLS: \(error)")
        }
        let address: SocketAddress
        do {
            address = try await NetcheckNodeAddress.derp(node, deadline: deadline, loop: group.next())
        } catch {
            throw Failure(description: "connect: \(error)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        async let first = connect(node, address: address, context: context, deadline: deadline, group: group)
        async let second = connect(node, address: address, context: context, deadline: deadline, group: group)
        let (sender, receiver) = await (first, second)
        let connected = clock.now - started
        let clients = [sender, receiver].compactMap { try? $0.get() }
        do {
            let rtt = try await exchange(from: try sender.get(), to: try receiver.get(), deadline: deadline)
            for client in clients { await client.close() }
            return (connected, rtt)
        } catch {
            for client in clients { await client.close() }
            throw error
        }
    }

    /// Sends a packet from `a` to `b` and back; returns the time from send to return.
    private static func exchange(from a: DERPClient, to b: DERPClient, deadline: NIODeadline) async throws -> Duration {
        let clock = ContinuousClock()
        var payload = Array("netprobe round trip ".utf8)
        payload += (0..<8).map { _ in UInt8.random(in: 0...255) }
        let sentAt = clock.now
        try await a.send(payload, to: b.publicKey)
        guard let there = await b.receivePacket(timeout: remaining(deadline)) else {
            throw Failure(description: "the packet did not arrive at the second connection before the deadline")
        }
        guard there.source == a.publicKey, there.packet == payload else {
            throw Failure(description: "the second connection received a different packet than was sent")
        }
        try await b.send(there.packet, to: a.publicKey)
        guard let back = await a.receivePacket(timeout: remaining(deadline)) else {
            throw Failure(description: "the packet did not come back to the first connection before the deadline")
        }
        guard back.source == b.publicKey, back.packet == payload else {
            throw Failure(description: "the first connection received a different packet than was sent back")
        }
        return clock.now - sentAt
    }

    private static func connect(
        _ node: DERPNode, address: SocketAddress, context: DERPTLSClientContext, deadline: NIODeadline,
        group: any EventLoopGroup
    ) async -> Result<DERPClient, Failure> {
        let capture = PeerCertificateCapture()
        var configuration = DERPClientConfiguration(
            host: address.ipAddress ?? node.hostName, port: node.effectiveDERPPort, serverName: node.hostName,
            privateKey: .generate(), tlsContext: nil)
        configuration.derpTLS = context
        configuration.certificateCapture = capture
        configuration.isProber = true
        configuration.connectTimeout = remaining(deadline)
        do {
            return .success(try await DERPClient.connect(configuration, group: group))
        } catch {
            return .failure(classify(error, capture: capture))
        }
    }

    private static func classify(_ error: any Error, capture: PeerCertificateCapture) -> Failure {
        if let refusal = capture.verificationFailure {
            return Failure(description: "TLS: \(refusal)")
        }
        switch error {
        case let error as DERPClientError:
            return Failure(description: "DERP: \(error)")
        default:
            let failure = NetcheckHTTPExchange.classify(error, tls: nil)
            return Failure(description: failure.step == .http ? "DERP: \(failure.reason)" : "\(failure)")
        }
    }

    private static func remaining(_ deadline: NIODeadline) -> Duration {
        let nanoseconds = (deadline - .now()).nanoseconds
        return .nanoseconds(max(1_000_000, nanoseconds))
    }
}

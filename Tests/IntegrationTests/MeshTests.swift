import NIOCore
import NIOPosix
import Testing
@testable import RelayCore

/// Three derpers of one region meshed on loopback (distinct ports), each with its own
/// generated certificate; every mesh link verifies its peer by TLS against a bundle of the
/// three certificates (what `-mesh-ca-file` provides), as IP-only nodes would.
@Suite(.timeLimit(.minutes(3)))
struct MeshTests {
    static let meshKey: DERPMeshKey? = try? DERPMeshKey(text: String(repeating: "5a", count: 32))

    final class Region: Sendable {
        let nodes: [TestRelay]
        let links: [DERPMeshClient]
        let tasks: [Task<Void, Never>]

        init(nodes: [TestRelay], links: [DERPMeshClient], tasks: [Task<Void, Never>]) {
            self.nodes = nodes
            self.links = links
            self.tasks = tasks
        }

        static func start(count: Int = 3) async throws -> Region {
            var nodes: [TestRelay] = []
            for _ in 0..<count { nodes.append(try await TestRelay.start { $0.meshKey = MeshTests.meshKey }) }
            let trust = try DERPTLSClientContext(verification: .webPKI(additionalTrustRoots: nodes.map { $0.certificate.certificate }))
            var links: [DERPMeshClient] = []
            var tasks: [Task<Void, Never>] = []
            for node in nodes {
                // Every node dials every entry of the list, itself included (it then stops that link).
                for target in nodes {
                    let link = DERPMeshClient(
                        server: node.server, peer: .init(name: "127.0.0.1", port: target.port), tls: trust,
                        group: node.group, minimumBackoff: .milliseconds(100), maximumBackoff: .milliseconds(500))
                    links.append(link)
                    tasks.append(Task { try? await link.run() })
                }
            }
            return Region(nodes: nodes, links: links, tasks: tasks)
        }

        func stop() async {
            for task in tasks { task.cancel() }
            for node in nodes { await node.stop() }
        }
    }

    private func routesToForwarder(_ node: TestRelay, _ key: NodePublicKey) -> Bool {
        if case .forward = node.server.registry.route(to: key) { return true }
        return false
    }

    @Test func clientsOnDifferentNodesExchangePacketsAndFollowMoves() async throws {
        let region = try await Region.start()
        defer { Task { await region.stop() } }
        let (one, two, three) = (region.nodes[0], region.nodes[1], region.nodes[2])

        // Self links stop; the other six come up.
        #expect(await eventually {
            region.links.filter { if case .connected = $0.state { return true } else { return false } }.count == 6
                && region.links.filter { $0.state == .selfLink }.count == 3
        })

        let alice = try await one.client()
        let bobKey = NodePrivateKey.generate()
        let bob = try await two.client(key: bobKey)
        #expect(await eventually { routesToForwarder(one, bob.publicKey) && routesToForwarder(two, alice.publicKey) })

        try await alice.send([1, 2, 3], to: bob.publicKey)
        let atBob = await bob.receivePacket()
        #expect(atBob?.source == alice.publicKey)
        #expect(atBob?.packet == [1, 2, 3])
        try await bob.send([4, 5], to: alice.publicKey)
        #expect(await alice.receivePacket()?.packet == [4, 5])

        // Bob moves from node 2 to node 3: packets follow him.
        await bob.close()
        let movedBob = try await three.client(key: bobKey)
        #expect(await eventually {
            guard case .forward(let forwarder) = one.server.registry.route(to: bobKey.publicKey) else { return false }
            return forwarder.peerName.hasSuffix(":\(three.port)")
        })
        try await alice.send([6], to: bobKey.publicKey)
        #expect(await movedBob.receivePacket()?.packet == [6])

        // Node 3 dies abruptly; Bob reconnects to node 2 and is reachable again.
        await three.stop()
        let rescuedBob = try await two.client(key: bobKey)
        #expect(await eventually {
            guard case .forward(let forwarder) = one.server.registry.route(to: bobKey.publicKey) else { return false }
            return forwarder.peerName.hasSuffix(":\(two.port)")
        })
        try await alice.send([7], to: bobKey.publicKey)
        #expect(await rescuedBob.receivePacket()?.packet == [7])
    }

    @Test func forwardedPacketsAreNotForwardedAgainAndNeedTheMeshKey() async throws {
        let region = try await Region.start(count: 2)
        defer { Task { await region.stop() } }
        let node = region.nodes[0]
        let local = try await node.client()
        // An ordinary client may not use ForwardPacket: it is disconnected.
        let intruder = try await node.client()
        var frame = ByteBuffer()
        _ = try frame.writeDERPFrame(.forwardPacket(.init(source: intruder.publicKey, destination: local.publicKey, packet: ByteBuffer(bytes: [1]))))
        try await intruder.sendRaw(Array(frame.readableBytesView))
        #expect(await intruder.nextFrame(timeout: .seconds(20)) { _ in false } == nil)

        // A mesh-keyed client may: the packet reaches the local client with the original source.
        let meshTool = try await node.client(meshKey: MeshTests.meshKey)
        let claimedSource = NodePrivateKey.generate().publicKey
        try await meshTool.send(frame: .forwardPacket(.init(source: claimedSource, destination: local.publicKey, packet: ByteBuffer(bytes: [9]))))
        let received = await local.receivePacket()
        #expect(received?.source == claimedSource)
        #expect(received?.packet == [9])
    }
}

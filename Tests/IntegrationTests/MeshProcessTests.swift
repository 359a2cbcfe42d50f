import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import RelayCore
#if canImport(Glibc)
import Glibc
#endif

/// Three derper processes meshed on loopback, as an operator would run an IP-only region:
/// generated certificates gathered into one `-mesh-ca-file` bundle, one mesh key, the same
/// `-mesh-with` list on every node. Node 3 is killed with SIGKILL mid-test.
@Suite(.timeLimit(.minutes(3)))
struct MeshProcessTests {
    struct Node {
        let process: DerperProcess
        let port: Int
        let pin: String
    }

    private func startRegion(count: Int = 3) async throws -> [Node] {
        let meshKey = Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
        var ports: [Int] = []
        var directories: [URL] = []
        var pins: [String] = []
        var bundle = ""
        for _ in 0..<count {
            ports.append(try freeLocalPort())
            let directory = try DerperProcess.temporaryDirectory()
            directories.append(directory)
            let certificate = try SelfSignedIPCertificate.generate(ipAddress: "127.0.0.1")
            try certificate.write(to: CertificateFileNames(directory: directory.appendingPathComponent("certs").path, hostname: "127.0.0.1"))
            pins.append(certificate.pin.description)
            bundle += try certificate.certificatePEM()
        }
        let meshWith = ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")
        var nodes: [Node] = []
        for index in 0..<count {
            let directory = directories[index]
            try Data(meshKey.utf8).write(to: directory.appendingPathComponent("mesh.key"))
            try Data(bundle.utf8).write(to: directory.appendingPathComponent("region.pem"))
            let process = try DerperProcess(arguments: [
                "-a", "127.0.0.1:\(ports[index])", "-hostname", "127.0.0.1", "-certmode", "manual",
                "-certdir", directory.appendingPathComponent("certs").path, "-c", directory.appendingPathComponent("derper.key").path,
                "-http-port", "-1", "-stun=false", "-drain-timeout", "1s",
                "-mesh-psk-file", directory.appendingPathComponent("mesh.key").path, "-mesh-with", meshWith,
                "-mesh-ca-file", directory.appendingPathComponent("region.pem").path,
            ], directory: directory)
            nodes.append(Node(process: process, port: ports[index], pin: pins[index]))
        }
        return nodes
    }

    private func connect(_ node: Node, key: NodePrivateKey = .generate(), group: any EventLoopGroup) async throws -> DERPClient {
        guard node.process.process.isRunning else {
            throw DerperProcessError(description: "derper on port \(node.port) is not running: \(node.process.stderr.suffix(1500))")
        }
        var configuration = DERPClientConfiguration(host: "127.0.0.1", port: node.port, privateKey: key, tlsContext: nil)
        configuration.derpTLS = try DERPTLSClientContext(verification: DERPTLSVerification(certName: node.pin))
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while true {
            do { return try await DERPClient.connect(configuration, group: group) } catch {
                if clock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Sends until the receiver gets it: the mesh learns about a new client asynchronously.
    private func deliverEventually(from sender: DERPClient, to receiver: DERPClient, marker: UInt8) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while clock.now < deadline {
            try await sender.send([marker], to: receiver.publicKey)
            if let packet = await receiver.receivePacket(timeout: .milliseconds(200)), packet.packet == [marker] {
                return packet.source == sender.publicKey
            }
        }
        return false
    }

    @Test func packetsCrossNodesFollowMovesAndSurviveSIGKILL() async throws {
        let nodes = try await startRegion()
        defer { Task { for node in nodes { await node.process.stop() } } }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { Task { try? await group.shutdownGracefully() } }

        let alice = try await connect(nodes[0], group: group)
        let bobKey = NodePrivateKey.generate()
        let bob = try await connect(nodes[1], key: bobKey, group: group)
        #expect(try await deliverEventually(from: alice, to: bob, marker: 1), "node 1 → node 2 over the mesh")
        #expect(try await deliverEventually(from: bob, to: alice, marker: 2), "node 2 → node 1 over the mesh")

        await bob.close()
        let movedBob = try await connect(nodes[2], key: bobKey, group: group)
        #expect(try await deliverEventually(from: alice, to: movedBob, marker: 3), "packets follow the move to node 3")

        nodes[2].process.signal(SIGKILL)
        #expect(await nodes[2].process.waitForExit() != nil)
        let rescuedBob = try await connect(nodes[1], key: bobKey, group: group)
        #expect(try await deliverEventually(from: alice, to: rescuedBob, marker: 4), "reachable again after node 3 died")

        // A client presenting a wrong mesh key is refused.
        var intruder = DERPClientConfiguration(host: "127.0.0.1", port: nodes[0].port, privateKey: .generate(), tlsContext: nil)
        intruder.derpTLS = try DERPTLSClientContext(verification: DERPTLSVerification(certName: nodes[0].pin))
        intruder.meshKey = try DERPMeshKey(text: String(repeating: "ee", count: 32))
        await #expect(throws: (any Error).self) { _ = try await DERPClient.connect(intruder, group: group) }
    }
}

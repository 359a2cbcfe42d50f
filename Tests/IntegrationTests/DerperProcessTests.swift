import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import RelayCore
#if canImport(Glibc)
import Glibc
#endif

/// The derper executable as an operator runs it: flags, the pinned map it prints, a relay
/// through it with a pinning client, SIGHUP, SIGTERM with Restarting, SIGKILL in a mesh.
@Suite(.timeLimit(.minutes(3)))
struct DerperProcessTests {
    @Test func helpVersionAndUsageErrors() async throws {
        let help = try await DerperProcess.run(["-help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("-mesh-with"))
        let version = try await DerperProcess.run(["-version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains(ToolkitVersion.string))
        let unknown = try await DerperProcess.run(["-no-such-flag"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("flag provided but not defined: -no-such-flag"))
        let badValue = try await DerperProcess.run(["-http-port", "eighty"])
        #expect(badValue.status == 2)
    }

    /// Starts derper on 127.0.0.1 with a generated certificate and waits for its DERP map file.
    private func startDerper(extra: [String] = [], directory: URL? = nil) async throws -> (DerperProcess, DERPMap, Int) {
        let directory = try directory ?? DerperProcess.temporaryDirectory()
        let port = try freeLocalPort()
        let mapPath = directory.appendingPathComponent("map.json").path
        try? FileManager.default.removeItem(atPath: mapPath)
        let child = try DerperProcess(arguments: [
            "-a", "127.0.0.1:\(port)", "-hostname", "127.0.0.1", "-certmode", "manual",
            "-certdir", directory.appendingPathComponent("certs").path, "-c", directory.appendingPathComponent("derper.key").path,
            "-http-port", "-1", "-stun=false", "-derp-map-out", mapPath, "-drain-timeout", "1s",
        ] + extra, directory: directory)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: mapPath) && clock.now < deadline && child.process.isRunning {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard FileManager.default.fileExists(atPath: mapPath) else {
            await child.stop()
            throw DerperProcessError(description: "derper did not write its map: \(child.stderr)")
        }
        let map = try DERPMap(contentsOfFile: mapPath)
        return (child, map, port)
    }

    /// A client that verifies the server exactly as a Tailscale client with this map would.
    private func client(map: DERPMap, port: Int, group: any EventLoopGroup) async throws -> DERPClient {
        let node = try #require(map.allNodes.first)
        var configuration = DERPClientConfiguration(host: "127.0.0.1", port: port, privateKey: .generate(), tlsContext: nil)
        configuration.derpTLS = try DERPTLSClientContext(verification: DERPTLSVerification(certName: node.certName))
        return try await DERPClient.connect(configuration, group: group)
    }

    /// Waits until the listener accepts connections (the map file is written just before binding).
    private func connectEventually(map: DERPMap, port: Int, group: any EventLoopGroup) async throws -> DERPClient {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while true {
            do { return try await client(map: map, port: port, group: group) } catch {
                if clock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    @Test func relaysThroughThePinnedServerAndShutsDownGracefully() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { Task { try? await group.shutdownGracefully() } }
        let (derper, map, port) = try await startDerper()
        defer { Task { await derper.stop() } }
        let node = try #require(map.allNodes.first)
        #expect(node.certName.hasPrefix("sha256-raw:"))
        #expect(node.derpPort == port)
        #expect(derper.stdout.contains("\"CertName\""))

        let alice = try await connectEventually(map: map, port: port, group: group)
        let bob = try await client(map: map, port: port, group: group)
        try await alice.send(Array("hello through derper".utf8), to: bob.publicKey)
        #expect(await bob.receivePacket()?.packet == Array("hello through derper".utf8))

        // A wrong pin fails the TLS handshake.
        var wrong = DERPClientConfiguration(host: "127.0.0.1", port: port, privateKey: .generate(), tlsContext: nil)
        wrong.derpTLS = try DERPTLSClientContext(verification: DERPTLSVerification(certName: "sha256-raw:" + String(repeating: "0", count: 64)))
        await #expect(throws: (any Error).self) { _ = try await DERPClient.connect(wrong, group: group) }

        // SIGHUP reloads the certificate without dropping connections.
        derper.signal(SIGHUP)
        try await alice.send([1], to: bob.publicKey)
        #expect(await bob.receivePacket()?.packet == [1])

        // SIGTERM: every client is told to reconnect elsewhere, then the process exits 0.
        derper.signal(SIGTERM)
        let restarting = await bob.nextFrame { if case .restarting = $0 { return true } else { return false } }
        #expect(restarting != nil, "clients get a Restarting frame on graceful shutdown")
        #expect(await derper.waitForExit() == 0)
    }

    @Test func relativeKeyAndCertificatePathsWork() async throws {
        // Operators write `-c derper.key -certdir certs`; a bare relative path once crashed Foundation.
        let directory = try DerperProcess.temporaryDirectory()
        let port = try freeLocalPort()
        let child = try DerperProcess(arguments: [
            "-a", "127.0.0.1:\(port)", "-hostname", "127.0.0.1", "-certmode", "manual", "-certdir", "c", "-c", "k",
            "-http-port", "-1", "-stun=false", "-drain-timeout", "1s", "-derp-map-out", "m",
        ], directory: directory, workingDirectory: directory)
        defer { Task { await child.stop() } }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("m").path) && clock.now < deadline && child.process.isRunning {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(child.process.isRunning, "derper died: \(child.stderr.prefix(2000))")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("k").path))
        child.signal(SIGTERM)
        #expect(await child.waitForExit() == 0)
    }

    @Test func restartKeepsTheKeyAndThePin() async throws {
        let directory = try DerperProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { Task { try? await group.shutdownGracefully() } }
        let (first, firstMap, firstPort) = try await startDerper(directory: directory)
        // Wait until it serves (signal handlers are installed by then), then stop it.
        try await connectEventually(map: firstMap, port: firstPort, group: group).close()
        first.signal(SIGTERM)
        #expect(await first.waitForExit() == 0)
        let key = try NodeKeyFile.load(path: directory.appendingPathComponent("derper.key").path)
        let (second, secondMap, port) = try await startDerper(directory: directory)
        defer { Task { await second.stop() } }
        #expect(firstMap.allNodes.first?.certName == secondMap.allNodes.first?.certName, "the certificate is reused, so the pin holds")
        let client = try await connectEventually(map: secondMap, port: port, group: group)
        #expect(client.serverKey == key.publicKey, "the node key persists across restarts")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("derper.key").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}

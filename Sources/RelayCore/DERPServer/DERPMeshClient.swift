import NIOConcurrencyHelpers
import Logging
import NIOCore
import ServiceLifecycle

/// One long-lived mesh link to another derper of the region (spec derp.md section 12):
/// a DERP client using this server's own key and the mesh key, watching the peer's clients
/// (WatchConns) and registering itself as their forwarder. On any failure it forgets what it
/// learned, waits, and reconnects; a link that reaches this very server stops for good.
package final class DERPMeshClient: Service {
    package struct Peer: Sendable, Equatable, CustomStringConvertible {
        /// TLS name and Host header (`https://NAME/derp`).
        package var name: String
        package var port: Int
        /// Where TCP connects, when it differs from `name` (`host/dialhost` entries).
        package var dialHost: String?
        package init(name: String, port: Int = 443, dialHost: String? = nil) {
            self.name = name
            self.port = port
            self.dialHost = dialHost
        }
        package var description: String { dialHost.map { "\(name):\(port)/\($0)" } ?? "\(name):\(port)" }
    }

    /// What the link is doing, for `/debug/` and tests.
    package enum LinkState: Sendable, Equatable {
        case connecting
        case connected(peerKey: NodePublicKey)
        case selfLink
        case waiting(lastError: String)
    }

    private let server: DERPServer
    private let peer: Peer
    private let tls: DERPTLSClientContext?
    private let group: any EventLoopGroup
    private let logger: Logger
    private let minimumBackoff: Duration
    private let maximumBackoff: Duration
    private let status = NIOLockedValueBoxCompat<LinkState>(.connecting)

    package init(
        server: DERPServer, peer: Peer, tls: DERPTLSClientContext?, group: any EventLoopGroup,
        minimumBackoff: Duration = .milliseconds(500), maximumBackoff: Duration = .seconds(5)
    ) {
        self.server = server
        self.peer = peer
        self.tls = tls
        self.group = group
        var logger = server.logger
        logger[metadataKey: "mesh.peer"] = "\(peer)"
        self.logger = logger
        self.minimumBackoff = minimumBackoff
        self.maximumBackoff = maximumBackoff
    }

    package var state: LinkState { status.value }

    package func run() async throws {
        var backoff = minimumBackoff
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            status.value = .connecting
            do {
                let outcome = try await runOneConnection()
                if outcome == .selfLink {
                    status.value = .selfLink
                    logger.info("mesh entry is this server itself; not linking")
                    // Stay alive (a Service that returns would end the group) until shutdown.
                    try? await gracefulShutdown()
                    return
                }
                backoff = minimumBackoff
            } catch {
                status.value = .waiting(lastError: "\(error)")
                logger.info("mesh link down; will retry", metadata: ["error": "\(error)", "retry.in": "\(backoff)"])
            }
            let delay = backoff
            let slept: Void? = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            if slept == nil { return }
            backoff = min(maximumBackoff, backoff * 2)
        }
    }

    private enum Outcome { case selfLink, closed }

    private func runOneConnection() async throws -> Outcome {
        var configuration = DERPClientConfiguration(
            host: peer.dialHost ?? peer.name, port: peer.port, serverName: peer.name,
            privateKey: server.configuration.privateKey, tlsContext: nil)
        configuration.derpTLS = tls
        configuration.meshKey = server.configuration.meshKey
        configuration.canAckPings = false
        configuration.receiveBufferFrames = 1 << 20
        let client = try await DERPClient.connect(configuration, group: group)
        if client.serverKey == server.publicKey {
            await client.close()
            return .selfLink
        }
        let forwarder = MeshForwarder(peerName: peer.description, channel: client.channel)
        status.value = .connected(peerKey: client.serverKey)
        logger.info("mesh link up", metadata: ["peer.key": "\(client.serverKey.shortDescription)"])
        defer { server.registry.removeAllForwarders(forwarder) }
        try await client.send(frame: .watchConns)
        await withGracefulShutdownHandler {
            while let frame = await client.nextFrame() {
                switch frame {
                case .peerPresent(let message):
                    server.registry.addForwarder(forwarder, for: message.peer)
                case .peerGone(let message):
                    server.registry.removeForwarder(forwarder, for: message.peer)
                default:
                    break
                }
            }
        } onGracefulShutdown: {
            client.channel.close(promise: nil)
        }
        return .closed
    }
}

/// A tiny locked box with a `value` property (NIOLockedValueBox spelled for simple reads and writes).
final class NIOLockedValueBoxCompat<Value: Sendable>: Sendable {
    private let box: NIOLockedValueBox<Value>
    init(_ value: Value) { box = NIOLockedValueBox(value) }
    var value: Value {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }
}

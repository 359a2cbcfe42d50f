import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The relay's shared state: configuration, the registry of connected keys and metrics.
/// One instance serves every listener and event loop.
package final class DERPServer: Sendable {
    package let configuration: DERPServerConfiguration
    package let registry: ClientRegistry
    package let metrics: DERPServerMetrics
    package let logger: Logger
    private let nextConnectionID = NIOLockedValueBox<UInt64>(0)
    private let shuttingDown = NIOLockedValueBox(false)

    package var publicKey: NodePublicKey { configuration.privateKey.publicKey }

    package init(configuration: DERPServerConfiguration, metrics: DERPServerMetrics = DERPServerMetrics(), logger: Logger) {
        self.configuration = configuration
        self.metrics = metrics
        self.registry = ClientRegistry(metrics: metrics)
        self.logger = logger
    }

    func makeConnectionID() -> UInt64 {
        nextConnectionID.withLockedValue { value in
            value += 1
            return value
        }
    }

    package var isShuttingDown: Bool { shuttingDown.withLockedValue { $0 } }

    /// The ServerKey frame every connection starts with: magic + our public key.
    package func serverKeyFrame(allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 45)
        _ = try? buffer.writeDERPFrame(.serverKey(.init(key: publicKey)))
        return buffer
    }

    /// Whether `meshKey` from a ClientInfo grants mesh privileges (constant-time comparison).
    package func isMeshKey(_ presented: DERPMeshKey?) -> Bool {
        guard let ours = configuration.meshKey, let presented else { return false }
        return ours == presented
    }

    /// Graceful shutdown, step one: tell every client to reconnect elsewhere.
    /// `reconnectIn` smears reconnects; `tryFor` bounds how long clients keep trying us.
    package func announceRestart(reconnectIn: Duration = .zero, tryFor: Duration = .seconds(5)) {
        shuttingDown.withLockedValue { $0 = true }
        let clients = registry.allClients()
        let reconnect = UInt32(clamping: reconnectIn.components.seconds * 1000 + reconnectIn.components.attoseconds / 1_000_000_000_000_000)
        let tryForMs = UInt32(clamping: tryFor.components.seconds * 1000 + tryFor.components.attoseconds / 1_000_000_000_000_000)
        for client in clients {
            client.sendRestarting(reconnectIn: reconnect, tryFor: tryForMs)
            metrics.restartingFramesSent.increment()
        }
        logger.notice("told clients to reconnect elsewhere", metadata: ["clients": "\(clients.count)"])
    }

    /// Graceful shutdown, step two: close every client connection.
    package func closeAllClients() {
        for client in registry.allClients() { client.close() }
    }
}

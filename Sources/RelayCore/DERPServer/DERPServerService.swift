import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Runs derper's TCP listeners under ServiceLifecycle and shuts them down gracefully:
/// stop accepting, tell clients to reconnect elsewhere (Restarting frame), give them
/// `drainTimeout` to go, then close what is left.
package final class DERPServerService: Service {
    package struct Listener: Sendable {
        package var options: DERPListener.Options
        package var http: DERPHTTPConfiguration
        package init(options: DERPListener.Options, http: DERPHTTPConfiguration) {
            self.options = options
            self.http = http
        }
    }

    private let server: DERPServer
    private let listeners: [Listener]
    private let group: any EventLoopGroup
    private let drainTimeout: Duration
    private let onReady: @Sendable ([SocketAddress]) -> Void

    package init(
        server: DERPServer, listeners: [Listener], group: any EventLoopGroup, drainTimeout: Duration,
        onReady: @escaping @Sendable ([SocketAddress]) -> Void = { _ in }
    ) {
        self.server = server
        self.listeners = listeners
        self.group = group
        self.drainTimeout = drainTimeout
        self.onReady = onReady
    }

    package func run() async throws {
        var channels: [any Channel] = []
        do {
            for listener in listeners {
                channels.append(try await DERPListener.bind(listener.options, server: server, http: listener.http, group: group))
            }
        } catch {
            for channel in channels { try? await channel.close() }
            throw error
        }
        let bound = channels
        let addresses = bound.compactMap(\.localAddress)
        for address in addresses { server.logger.info("listening", metadata: ["address": "\(address)"]) }
        onReady(addresses)

        // Park until asked to stop (SIGTERM through the ServiceGroup), or until a listener dies.
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { tasks in
                for channel in bound {
                    tasks.addTask { try? await channel.closeFuture.get() }
                }
                await tasks.next()
            }
        } onGracefulShutdown: {
            for channel in bound { channel.close(promise: nil) }
        }

        server.announceRestart(reconnectIn: .zero, tryFor: .seconds(5))
        let clock = ContinuousClock()
        let deadline = clock.now + drainTimeout
        while server.registry.connectionCount > 0 && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        server.closeAllClients()
        server.logger.notice("stopped", metadata: ["remaining": "\(server.registry.connectionCount)"])
    }
}

import Logging
import NIOCore
import ServiceLifecycle

/// Runs derper's STUN server under ServiceLifecycle: binds (failing the service if it cannot),
/// logs the bound addresses, keeps the sockets in line with the host (`STUNServer.refresh`, every
/// `refreshInterval` and whenever a socket closes), and closes everything on graceful shutdown or
/// cancellation.
package final class STUNServerService: Service {
    private enum Event: Sendable {
        case refresh
    }

    package let server: STUNServer
    private let group: any EventLoopGroup
    private let logger: Logger
    private let onReady: @Sendable ([SocketAddress]) -> Void
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    /// - Parameters:
    ///   - metrics: created once per process (its counters are registered with the backend).
    ///   - localAddresses: see `STUNServer.init`; nil lists the interfaces' addresses.
    ///   - onReady: called with the bound addresses once every socket is up.
    package init(
        configuration: STUNServerConfiguration,
        group: any EventLoopGroup,
        metrics: STUNServerMetrics = STUNServerMetrics(),
        logger: Logger,
        localAddresses: (@Sendable () throws -> [SocketAddress])? = nil,
        onReady: @escaping @Sendable ([SocketAddress]) -> Void = { _ in }
    ) {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1))
        self.events = events
        self.continuation = continuation
        self.group = group
        self.logger = logger
        self.onReady = onReady
        self.server = STUNServer(
            configuration: configuration, metrics: metrics, logger: logger,
            localAddresses: localAddresses, onSocketClosed: { continuation.yield(.refresh) })
    }

    package func run() async throws {
        do {
            try await server.start()
        } catch {
            await server.close()
            throw error
        }
        let endpoints = await server.endpoints
        logger.notice("STUN server ready", metadata: ["stun.servers": "\(endpoints.map(\.description))"])
        onReady(await server.localAddresses)

        let tick = TimeAmount(server.configuration.refreshInterval)
        let timer = group.next().scheduleRepeatedTask(initialDelay: tick, delay: tick) { [continuation] _ in
            continuation.yield(.refresh)
        }
        await withTaskCancellationOrGracefulShutdownHandler {
            for await _ in events {
                guard !Task.isCancelled, !Task.isShuttingDownGracefully else { break }
                await server.refresh()
            }
        } onCancelOrGracefulShutdown: { [continuation] in
            continuation.finish()
        }
        timer.cancel()
        continuation.finish()
        await server.close()
        logger.notice("STUN server stopped")
    }
}

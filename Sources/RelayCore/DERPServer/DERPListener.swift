import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Binds one TCP listener that serves derper's HTTP(S) front: TLS (optional), then the
/// request-head handler that answers endpoints or upgrades to DERP.
package enum DERPListener {
    package struct Options: Sendable {
        package var host: String
        package var port: Int
        package var role: DERPHTTPConfiguration.ListenerRole = .main
        /// Supplies the current TLS context for each new connection (nil = plain HTTP).
        /// Taking it per connection lets SIGHUP swap certificates without touching live ones.
        package var tlsContext: (@Sendable () -> NIOSSLContext)?
        package var backlog: Int32 = 1024
        /// Per-connection outbound buffering before back-pressure starts (and queued packets drop).
        package var writeBufferHighWaterMark = 256 * 1024
        package var tcpKeepAlive: Bool = true

        package init(host: String, port: Int, role: DERPHTTPConfiguration.ListenerRole = .main, tlsContext: (@Sendable () -> NIOSSLContext)? = nil) {
            self.host = host
            self.port = port
            self.role = role
            self.tlsContext = tlsContext
        }
    }

    /// Binds and starts accepting. The returned channel's `localAddress` has the bound port.
    package static func bind(
        _ options: Options, server: DERPServer, http: DERPHTTPConfiguration, group: any EventLoopGroup
    ) async throws -> any Channel {
        let highWater = options.writeBufferHighWaterMark
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: options.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: options.tcpKeepAlive ? 1 : 0)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: highWater / 2, high: highWater))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext = options.tlsContext {
                        try sync.addHandler(NIOSSLServerHandler(context: tlsContext()))
                    }
                    try sync.addHandler(DERPHTTPHandler(server: server, configuration: http, role: options.role))
                }
            }
            .bind(host: options.host, port: options.port)
            .get()
    }
}

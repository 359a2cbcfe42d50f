import Logging
import NIOCore
import NIOPosix
import NIOSSL
#if canImport(Glibc)
import Glibc
#endif

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
        /// Idle time before TCP keepalive probes (`-tcp-keepalive-time`, reference 10 min); nil = kernel default.
        package var tcpKeepAliveIdle: Duration? = nil
        /// `TCP_USER_TIMEOUT` (`-tcp-user-timeout`, reference 15 s); nil = kernel default.
        package var tcpUserTimeout: Duration? = nil
        /// Accept-rate and connection-count limits shared by the server's listeners.
        package var limiter: ConnectionAdmissionLimiter? = nil

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
        let limiter = options.limiter
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: options.backlog)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let limiter, !limiter.limits.isUnlimited {
                        try channel.pipeline.syncOperations.addHandler(AcceptLimitHandler(limiter: limiter))
                    }
                }
            }
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: options.tcpKeepAlive ? 1 : 0)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: highWater / 2, high: highWater))
        if let idle = options.tcpKeepAliveIdle {
            bootstrap = bootstrap.childChannelOption(
                ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: CInt(TCP_KEEPIDLE))), value: SocketOptionValue(clamping: max(1, idle.components.seconds)))
        }
        if let userTimeout = options.tcpUserTimeout {
            let milliseconds = userTimeout.components.seconds * 1000 + userTimeout.components.attoseconds / 1_000_000_000_000_000
            bootstrap = bootstrap.childChannelOption(
                ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: CInt(TCP_USER_TIMEOUT))), value: SocketOptionValue(clamping: milliseconds))
        }
        return try await bootstrap
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

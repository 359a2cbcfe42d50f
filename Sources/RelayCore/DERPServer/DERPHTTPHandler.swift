import Logging
import NIOCore

/// The first handler after TLS: reads one request head, answers it, or upgrades the
/// connection to DERP by replacing itself with a `DERPServerConnectionHandler`.
final class DERPHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let server: DERPServer
    private let configuration: DERPHTTPConfiguration
    private let role: DERPHTTPConfiguration.ListenerRole
    private let startedAt: NIODeadline
    private var buffer: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var finished = false

    init(server: DERPServer, configuration: DERPHTTPConfiguration, role: DERPHTTPConfiguration.ListenerRole) {
        self.server = server
        self.configuration = configuration
        self.role = role
        self.startedAt = .now()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: .init(configuration.requestHeadTimeout)) {
            let (handler, context) = bound.value
            guard !handler.finished else { return }
            handler.finished = true
            handler.server.metrics.recordProtocolViolation(.handshakeTimeout)
            handler.server.logger.debug("no HTTP request in time; closing", metadata: ["peer.address": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer?.writeBuffer(&incoming) }
        guard var pending = buffer else { return }
        let head: DERPHTTPRequestHead?
        do {
            head = try HTTPHeadParser.parse(&pending)
        } catch {
            finished = true
            server.metrics.recordProtocolViolation(.malformedHTTP)
            let response: HTTPResponse = error == .headTooLarge
                ? .text(431, "Request Header Fields Too Large", "request header too large")
                : .text(400, "Bad Request", "malformed HTTP request")
            send(response, includeBody: true, context: context)
            return
        }
        buffer = pending
        guard let head else { return }
        finished = true
        timer?.cancel()
        handle(head, leftover: pending, context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // TLS failures and resets land here; they end this connection only.
        server.metrics.recordProtocolViolation(.tls)
        server.logger.debug("connection error before upgrade", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func handle(_ head: DERPHTTPRequestHead, leftover: ByteBuffer, context: ChannelHandlerContext) {
        let connection = DERPHTTPRouter.Connection(role: role, fromLoopback: context.remoteAddress?.isLoopback ?? false)
        let decision = DERPHTTPRouter.route(head, connection: connection, configuration: configuration) { path in
            DERPDebugPages.page(path, server: server, configuration: configuration)
        }
        switch decision {
        case .respond(let status, let reason, let headers, let body):
            server.metrics.recordRequest(endpoint(for: head.path, status: status))
            if status == 426 { server.metrics.recordProtocolViolation(.notUpgraded) }
            send(HTTPResponse(status: status, reason: reason, headers: headers, body: body), includeBody: head.method != "HEAD", context: context)
        case .upgradeToDERP(let fastStart, let notIdeal):
            server.metrics.recordRequest(.derp)
            upgrade(fastStart: fastStart, notIdeal: notIdeal, leftover: leftover, context: context)
        case .upgradeToWebSocket(let key, let notIdeal):
            server.metrics.recordRequest(.derp)
            upgradeToWebSocket(key: key, notIdeal: notIdeal, leftover: leftover, context: context)
        }
    }

    private func upgrade(fastStart: Bool, notIdeal: Bool, leftover: ByteBuffer, context: ChannelHandlerContext) {
        // The 101 response and the ServerKey frame leave in one write (spec derp.md 4.2);
        // with fast start there is no HTTP response at all, but the ServerKey frame still goes out.
        var out = context.channel.allocator.buffer(capacity: 256)
        if !fastStart {
            out.writeString(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: DERP\r\nConnection: Upgrade\r\n"
                    + "Derp-Version: \(ToolkitVersion.derpProtocol)\r\nDerp-Public-Key: \(server.publicKey.hexString)\r\n\r\n")
        }
        var frame = server.serverKeyFrame(allocator: context.channel.allocator)
        out.writeBuffer(&frame)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        let derp = DERPServerConnectionHandler(
            server: server, notIdeal: notIdeal, remoteAddress: context.remoteAddress, initialBytes: leftover)
        do {
            try context.pipeline.syncOperations.addHandler(derp, position: .after(self))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }

    private func upgradeToWebSocket(key: String, notIdeal: Bool, leftover: ByteBuffer, context: ChannelHandlerContext) {
        // Same DERP session behind a WebSocket byte-stream adapter (spec derp.md 4.4); replaces this handler.
        DERPWebSocketUpgrade.accept(key: key, notIdeal: notIdeal, leftover: leftover, server: server, context: context)
    }

    private func send(_ response: HTTPResponse, includeBody: Bool, context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: 256 + response.body.utf8.count)
        response.write(into: &out, includeBody: includeBody)
        context.writeAndFlush(wrapOutboundOut(out)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    private func endpoint(for path: String, status: Int) -> HTTPEndpoint {
        switch path {
        case "/derp": return .derp
        case "/derp/probe", "/derp/latency-check": return .probe
        case "/generate_204": return .generate204
        case "/": return .home
        case "/robots.txt": return .robots
        default:
            if path.hasPrefix("/debug") { return .debug }
            return status == 302 ? .redirect : .notFound
        }
    }
}

extension SocketAddress {
    /// 127.0.0.0/8, ::1 and IPv4-mapped loopback.
    var isLoopback: Bool {
        switch self {
        case .v4:
            return ipAddress?.hasPrefix("127.") ?? false
        case .v6:
            guard let ip = ipAddress else { return false }
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        case .unixDomainSocket:
            return true
        }
    }
}

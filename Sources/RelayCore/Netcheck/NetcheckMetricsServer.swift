import NIOCore
import NIOHTTP1
import NIOPosix

/// The tiny HTTP server of `netprobe serve`: `GET /metrics` answers the Prometheus text of the
/// latest report, `GET /` a one-line pointer to it, anything else 404. One request per
/// connection is enough for a scraper; keep-alive is honoured by NIO's pipeline.
package enum NetcheckMetricsServer {
    /// Binds and starts serving; `localAddress` of the returned channel has the bound port.
    package static func bind(
        host: String, port: Int, group: any EventLoopGroup, metrics: @escaping @Sendable () -> String
    ) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(NetcheckMetricsHTTPHandler(metrics: metrics))
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}

/// Answers each request head once its end arrives.
final class NetcheckMetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: @Sendable () -> String
    private var request: HTTPRequestHead?

    init(metrics: @escaping @Sendable () -> String) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let status: HTTPResponseStatus
        let body: String
        var contentType = "text/plain; charset=utf-8"
        switch (head.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            status = .ok
            body = metrics()
            contentType = NetcheckMetricsText.contentType
        case (.GET, "/"), (.HEAD, "/"):
            status = .ok
            body = "netprobe serve: Prometheus metrics at /metrics\n"
        case (_, "/metrics"), (_, "/"):
            status = .methodNotAllowed
            body = "use GET\n"
        default:
            status = .notFound
            body = "404 page not found\n"
        }
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

@available(*, unavailable)
extension NetcheckMetricsHTTPHandler: Sendable {}

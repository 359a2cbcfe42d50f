import NIOCore
import NIOHTTP1
import NIOTLS

/// Sends one HTTP/1.1 request once the connection is ready (right away over plain TCP, after
/// the TLS handshake otherwise) and completes the exchange with the response head. The time from
/// the request to the head is measured here, on the event loop, so connect and handshake are
/// excluded, as in Tailscale's HTTPS latency (spec/netcheck.md §4.1).
final class NetcheckHTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    struct Head {
        var status: Int
        var headers: HTTPHeaders
        var connected: Duration
        var latency: Duration
    }

    private let request: HTTPRequestHead
    private let waitsForTLS: Bool
    private let head: EventLoopPromise<Head>
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var sentAt: ContinuousClock.Instant?

    init(request: HTTPRequestHead, waitsForTLS: Bool, head: EventLoopPromise<Head>) {
        self.request = request
        self.waitsForTLS = waitsForTLS
        self.head = head
        self.start = clock.now
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive, !waitsForTLS { send(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if !waitsForTLS { send(context: context) }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if waitsForTLS, let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            send(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let response) = unwrapInboundIn(data), let sentAt else { return }
        let now = clock.now
        head.succeed(Head(
            status: Int(response.status.code), headers: response.headers, connected: sentAt - start, latency: now - sentAt))
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        head.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        head.fail(NetcheckHTTPExchange.Failure(step: .http, reason: "connection closed before a response"))
        context.fireChannelInactive()
    }

    private func send(context: ChannelHandlerContext) {
        guard sentAt == nil else { return }
        sentAt = clock.now
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

@available(*, unavailable)
extension NetcheckHTTPExchangeHandler: Sendable {}

import NIOCore
import NIOHTTP1

/// One request, one response: writes the POST once the connection is up, collects the status and,
/// for a 200, up to `bodyLimit` body bytes, completes `outcome` exactly once, then closes the
/// connection. It finishes early once the body holds a complete JSON object, as Go's decoder
/// stops reading there.
final class WebhookResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        case waitingForHead
        case readingBody(status: UInt, body: [UInt8])
        case finished
    }

    private let head: HTTPRequestHead
    private let body: ByteBuffer
    private let bodyLimit: Int
    private let outcome: EventLoopPromise<WebhookExchangeOutcome>
    private var state = State.waitingForHead
    private var context: ChannelHandlerContext?

    init(head: HTTPRequestHead, body: ByteBuffer, bodyLimit: Int, outcome: EventLoopPromise<WebhookExchangeOutcome>) {
        self.head = head
        self.body = body
        self.bodyLimit = bodyLimit
        self.outcome = outcome
    }

    /// Added to the connected channel only (never inside the bootstrap's initializer, which Happy
    /// Eyeballs runs once per connection attempt).
    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            sendRequest(context: context)
        } else {
            finish(reason: "connection closed before a response")
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            guard case .waitingForHead = state else { return }
            state = .readingBody(status: response.status.code, body: [])
            // Only a 200's body matters; the reference gives up on any other status at once.
            if response.status.code != 200 { finish(reason: "") }
        case .body(let chunk):
            guard case .readingBody(let status, var collected) = state else { return }
            collected.append(contentsOf: chunk.readableBytesView.prefix(bodyLimit - collected.count))
            state = .readingBody(status: status, body: collected)
            if collected.count >= bodyLimit || DERPAdmitClientResponse.endOfFirstObject(in: collected) != nil {
                finish(reason: "")
            }
        case .end:
            finish(reason: "")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(reason: "connection closed before a response")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(reason: "\(error)")
    }

    /// The deadline passed (scheduled by the client, on this loop).
    func timedOut(after timeout: Duration) {
        finish(reason: "no response within \(timeout)")
    }

    /// The connection never came up, or its pipeline could not be set up.
    func connectFailed(_ error: any Error) {
        finish(reason: "\(error)")
    }

    private func sendRequest(context: ChannelHandlerContext) {
        guard case .waitingForHead = state else {
            context.close(promise: nil)
            return
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Completes the outcome from the current state; `reason` is used only if no head arrived.
    private func finish(reason: String) {
        switch state {
        case .finished:
            return
        case .waitingForHead:
            outcome.succeed(.unreachable(reason: reason))
        case .readingBody(let status, let body):
            outcome.succeed(.answered(status: status, body: body))
        }
        state = .finished
        context?.close(promise: nil)
    }
}

@available(*, unavailable)
extension WebhookResponseHandler: Sendable {}

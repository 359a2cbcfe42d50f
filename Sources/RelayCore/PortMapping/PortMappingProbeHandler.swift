import NIOCore

/// Runs one port-mapping probe on its datagram channel: sends the requests when the channel
/// becomes active, feeds every reply to a `PortMappingProbeCollector`, and completes `promise`
/// with the result at the deadline (or earlier, when the collector says everything answered),
/// then closes the channel. Everything happens on the channel's event loop.
final class PortMappingProbeHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// One datagram to send, with a label for error reports.
    struct Request: Sendable {
        var label: String
        var target: SocketAddress
        var bytes: ByteBuffer
    }

    private let requests: [Request]
    private let gateway: PortMappingAddress
    private let clientAddress: PortMappingAddress?
    private let timeout: TimeAmount
    private let settle: TimeAmount
    private let serverPort: Int
    private let promise: EventLoopPromise<PortMappingResult>
    private var collector: PortMappingProbeCollector?
    private var deadlineTimer: Scheduled<Void>?
    private var settleTimer: Scheduled<Void>?
    private var isDone = false

    init(
        requests: [Request], gateway: PortMappingAddress, clientAddress: PortMappingAddress?,
        timeout: TimeAmount, settle: TimeAmount, serverPort: Int, promise: EventLoopPromise<PortMappingResult>
    ) {
        self.requests = requests
        self.gateway = gateway
        self.clientAddress = clientAddress
        self.timeout = timeout
        self.settle = settle
        self.serverPort = serverPort
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        collector = PortMappingProbeCollector(
            gateway: gateway, clientAddress: clientAddress, startedAt: now, settle: settle, serverPort: serverPort
        )
        for request in requests {
            let envelope = AddressedEnvelope(remoteAddress: request.target, data: request.bytes)
            context.write(wrapOutboundOut(envelope)).assumeIsolated().whenFailure { error in
                self.collector?.sendFailed(to: request.label, error: "\(error)")
            }
        }
        context.flush()
        deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: now + timeout) {
            self.finish(context: context)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard !isDone, var collector else { return }
        let decision = collector.received(envelope.data, from: envelope.remoteAddress, at: .now())
        self.collector = collector
        if case .finish(let at) = decision, settleTimer == nil {
            settleTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: at) {
                self.finish(context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A read error on an unconnected UDP socket concerns one datagram; keep listening.
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        complete()
    }

    private func finish(context: ChannelHandlerContext) {
        guard !isDone else { return }
        complete()
        context.close(promise: nil)
    }

    /// Completes the promise once, with whatever was collected (an empty result if the channel
    /// never became active).
    private func complete() {
        guard !isDone else { return }
        isDone = true
        deadlineTimer?.cancel()
        settleTimer?.cancel()
        let now = NIODeadline.now()
        let collector = self.collector ?? PortMappingProbeCollector(gateway: gateway, clientAddress: clientAddress, startedAt: now, settle: settle)
        promise.succeed(collector.result(at: now))
    }
}

@available(*, unavailable)
extension PortMappingProbeHandler: Sendable {}

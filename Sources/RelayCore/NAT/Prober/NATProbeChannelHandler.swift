import NIOCore

/// Hands every datagram of one probe socket to the driver, tagged with the socket's role.
/// Read errors (for instance ICMP-reported refusals on some platforms) are dropped here: they
/// cannot be attributed to a transaction on an unconnected socket, the socket stays open until
/// the run ends, and the missing reply is the observation.
final class NATProbeChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let socket: NATSocketID
    private let driver: NATProbeDriver

    init(socket: NATSocketID, driver: NATProbeDriver) {
        self.socket = socket
        self.driver = driver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        driver.received(envelope.data, from: envelope.remoteAddress, on: socket)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

@available(*, unavailable)
extension NATProbeChannelHandler: Sendable {}

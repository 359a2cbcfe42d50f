import NIOCore

/// Reads datagrams on a report's STUN sockets and hands them to the session: Binding success
/// responses (Tailscale's lenient parser, spec/stun.md §2.3) and, on the IPv4 mapping socket,
/// the hairpin test's Binding request. Everything else is ignored.
final class NetcheckSTUNHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let session: NetcheckSTUNSession

    init(session: NetcheckSTUNSession) {
        self.session = session
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        if let response = STUNMessage.tailscaleBindingResponse(envelope.data) {
            session.receivedResponse(response.transactionID, mapped: response.mappedAddress, from: envelope.remoteAddress)
        } else if let transactionID = STUNMessage.tailscaleRequestTransactionID(envelope.data) {
            session.receivedRequest(transactionID, from: envelope.remoteAddress)
        }
    }

    /// An unconnected UDP socket reports only local errors (say, no route for one destination);
    /// the probe that caused it simply goes unanswered, so the socket stays open.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

@available(*, unavailable)
extension NetcheckSTUNHandler: Sendable {}

import NIOCore
import NIOPosix
import RelayCore

/// One STUN Binding request to a DERP node, as Tailscale's netcheck sends it (the 40-byte
/// "tailnode" request), over a fresh UDP socket. The request is sent again, with the same
/// transaction ID, halfway to the deadline (RFC 8489 §6.2.1 retransmission).
enum STUNProbe {
    struct Answer: Sendable {
        var roundTrip: Duration
        var mappedAddress: STUNAddress
    }

    enum Failure: Error, CustomStringConvertible {
        case noAnswer(Duration)
        case socket(String)

        var description: String {
            switch self {
            case .noAnswer(let timeout): "no answer within \(ProbeText.duration(timeout))"
            case .socket(let reason): reason
            }
        }
    }

    static func run(to server: SocketAddress, timeout: Duration, group: any EventLoopGroup) async throws(Failure) -> Answer {
        let channel: any Channel
        do {
            let local = try SocketAddress(ipAddress: server.protocol == .inet6 ? "::" : "0.0.0.0", port: 0)
            channel = try await DatagramBootstrap(group: group).bind(to: local).get()
        } catch {
            throw .socket("cannot open a UDP socket: \(error)")
        }
        let request = STUNMessage.tailscaleBindingRequest()
        let answer = channel.eventLoop.makePromise(of: STUNAddress.self)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let envelope = AddressedEnvelope(remoteAddress: server, data: try request.encoded())
            let transactionID = request.transactionID
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(STUNAnswerHandler(transactionID: transactionID, answer: answer))
            }.get()
            try await channel.writeAndFlush(envelope)
            let retransmission = channel.eventLoop.scheduleTask(in: TimeAmount(timeout / 2)) {
                channel.writeAndFlush(envelope, promise: nil)
            }
            let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                answer.fail(Failure.noAnswer(timeout))
            }
            answer.futureResult.whenComplete { _ in
                retransmission.cancel()
                deadline.cancel()
            }
            let mapped = try await answer.futureResult.get()
            try? await channel.close()
            return Answer(roundTrip: clock.now - start, mappedAddress: mapped)
        } catch {
            answer.fail(error)
            try? await channel.close()
            if let failure = error as? Failure { throw failure }
            throw .socket("\(error)")
        }
    }
}

/// Completes `answer` with the mapped address of the first Binding success response carrying
/// `transactionID`; ignores every other datagram.
private final class STUNAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let transactionID: STUNTransactionID
    private let answer: EventLoopPromise<STUNAddress>

    init(transactionID: STUNTransactionID, answer: EventLoopPromise<STUNAddress>) {
        self.transactionID = transactionID
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let response = STUNMessage.tailscaleBindingResponse(envelope.data),
            response.transactionID == transactionID
        else { return }
        answer.succeed(response.mappedAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket reports ICMP errors only when connected; ours is not, so anything here is
        // a local failure worth reporting.
        answer.fail(STUNProbe.Failure.socket("\(error)"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.fail(STUNProbe.Failure.socket("socket closed"))
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension STUNAnswerHandler: Sendable {}

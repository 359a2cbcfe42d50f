import NIOCore

/// The STUN server on one datagram channel: each request goes through `STUNResponder`, replies are
/// written when the read burst ends and flushed once, so that NIO sends a burst's replies with one
/// `sendmmsg` (STYLE.md §6, "write as you go, flush once"; apple/swift-nio NIOUDPEchoServer).
///
/// Replies are encoded into one scratch buffer per burst and sent as slices of it. Writing them
/// only at `channelReadComplete` keeps that buffer uniquely owned while it is being filled (a slice
/// handed to the channel mid-burst would make the next encode copy it), and once the flush has
/// sent them the buffer is unique again and is reused without allocating.
///
/// A reply that CHANGE-REQUEST moves to another socket is written to that socket's channel, which
/// the server binds on this channel's event loop, so the write stays on this thread.
final class STUNServerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private struct PendingReply {
        var start: Int
        var length: Int
        var from: STUNServerSocket
        var destination: SocketAddress
        var isSuccess: Bool
    }

    private let responder: STUNResponder
    private let socket: STUNServerSocket
    /// The server's channels indexed by `STUNServerSocket.rawValue` (this one included), all on
    /// this channel's event loop.
    private let channels: [(any Channel)?]
    private let metrics: STUNServerMetrics
    private var scratch: ByteBuffer
    private var pending: [PendingReply] = []

    /// - Parameter channels: the channel of each socket, indexed by `STUNServerSocket.rawValue`
    ///   (nil where the server has no such socket); only consulted for replies from another socket.
    init(
        responder: STUNResponder,
        socket: STUNServerSocket,
        channels: [(any Channel)?],
        metrics: STUNServerMetrics,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        self.responder = responder
        self.socket = socket
        self.channels = channels
        self.metrics = metrics
        self.scratch = allocator.buffer(capacity: 4096)
        self.pending.reserveCapacity(64)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let source = STUNAddress(datagramSource: envelope.remoteAddress) else {
            metrics.record(.notSTUN)
            return
        }
        let start = scratch.writerIndex
        guard case .reply(let reply) = responder.respond(to: envelope.data, from: source, arrivedOn: socket, into: &scratch)
        else {
            metrics.record(.notSTUN)
            return
        }
        var destination = envelope.remoteAddress
        if let port = reply.responsePort { destination.port = Int(port) }
        let isSuccess = reply.kind == .success
        if isSuccess {
            metrics.recordFamily(source.unmapped.family)
        } else {
            metrics.record(.notSTUN)
        }
        pending.append(PendingReply(
            start: start, length: scratch.writerIndex - start, from: reply.from, destination: destination,
            isSuccess: isSuccess))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !pending.isEmpty { sendPendingReplies(context: context) }
        context.fireChannelReadComplete()
    }

    /// Read errors the channel survives (such as `ECONNREFUSED` left by an earlier send) arrive here.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        metrics.record(.readError)
    }

    private func sendPendingReplies(context: ChannelHandlerContext) {
        var successes = 0
        // Channels of other sockets written to in this burst, with their success replies (rare).
        var others: [(channel: any Channel, successes: Int)] = []
        for reply in pending {
            guard let bytes = scratch.getSlice(at: reply.start, length: reply.length) else { continue }
            let channel: (any Channel)?
            if reply.from == socket {
                channel = context.channel
            } else {
                channel = channels.indices.contains(reply.from.rawValue) ? channels[reply.from.rawValue] : nil
            }
            // A socket that cannot take more has a full kernel send buffer; queueing behind it would
            // grow without bound under a flood, so the reply is dropped, as a full UDP queue drops.
            guard let channel, channel.isWritable else {
                if reply.isSuccess { metrics.record(.writeError) }
                continue
            }
            let envelope = AddressedEnvelope(remoteAddress: reply.destination, data: bytes)
            let success = reply.isSuccess ? 1 : 0
            if channel === context.channel {
                context.write(wrapOutboundOut(envelope), promise: nil)
                successes += success
            } else {
                channel.write(envelope, promise: nil)
                if let index = others.firstIndex(where: { $0.channel === channel }) {
                    others[index].successes += success
                } else {
                    others.append((channel, success))
                }
            }
        }
        pending.removeAll(keepingCapacity: true)
        context.flush()
        recordSent(successes, on: context.channel)
        for other in others {
            other.channel.flush()
            recordSent(other.successes, on: other.channel)
        }
        // Unique again once the writes above have gone out, so this keeps the storage.
        scratch.clear()
    }

    /// Counts success replies just flushed on `channel` (on this event loop, so the flush has run).
    ///
    /// No promise per write: one costs three allocations per reply (the future, its callback, and
    /// NIO's cascade in `sendmmsg`), more than everything else a request costs. Without one, a send
    /// error that closes the socket shows as the channel going inactive during the flush, and the
    /// burst counts as `write_error`; the errors NIO reports only through a write's promise
    /// (`EHOSTUNREACH`, `EMSGSIZE`) go uncounted and the reply counts as `success`.
    private func recordSent(_ count: Int, on channel: any Channel) {
        guard count > 0 else { return }
        metrics.record(channel.isActive ? .success : .writeError, count: count)
    }
}

@available(*, unavailable)
extension STUNServerHandler: Sendable {}

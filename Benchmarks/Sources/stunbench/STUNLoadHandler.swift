import BenchSupport
import NIOCore

/// One UDP socket of the load: keeps `window` requests outstanding, answers each response with a new request,
/// writes many datagrams per flush (sendmmsg) and reads in vectors (recvmmsg). Requests unanswered after the
/// timeout count as lost and are replaced.
final class STUNLoadHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    struct Stats: Sendable {
        var sent: UInt64 = 0
        var received: UInt64 = 0
        var lost: UInt64 = 0
        var unexpected: UInt64 = 0
        var histogram = LatencyHistogram()

        mutating func merge(_ other: Stats) {
            sent += other.sent
            received += other.received
            lost += other.lost
            unexpected += other.unexpected
            histogram.merge(other.histogram)
        }
    }

    private static let capacity = 1 << 16
    private let server: SocketAddress
    private let socketIndex: UInt32
    private let window: Int
    private let timeoutNanoseconds: UInt64
    private let tailscaleStyle: Bool
    private var sendTimes: [UInt64]
    private var nextSequence: UInt64 = 0
    private var oldest: UInt64 = 0
    private var outstanding = 0
    private var running = false
    private var measuring = false
    private var context: ChannelHandlerContext?
    private(set) var totals = Stats()
    private(set) var measured = Stats()

    init(server: SocketAddress, socketIndex: UInt32, window: Int, timeout: Double, tailscaleStyle: Bool) {
        self.server = server
        self.socketIndex = socketIndex
        self.window = min(window, Self.capacity / 2)
        self.timeoutNanoseconds = UInt64(timeout * 1e9)
        self.tailscaleStyle = tailscaleStyle
        sendTimes = Array(repeating: 0, count: Self.capacity)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func start() {
        running = true
        fill()
        scheduleSweep()
    }

    func stop() { running = false }

    func beginWindow() {
        measured = Stats()
        measuring = true
    }

    func endWindow() -> Stats {
        measuring = false
        return measured
    }

    /// After the drain: whatever is still outstanding is lost.
    func finish() -> Stats {
        totals.lost += UInt64(outstanding)
        outstanding = 0
        return totals
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let (socket, sequence) = STUNBindingRequest.parseResponse(envelope.data), socket == socketIndex,
            sequence >= oldest, sequence < nextSequence
        else { return countUnexpected() }
        let slot = Int(truncatingIfNeeded: sequence) & (Self.capacity - 1)
        let sentAt = sendTimes[slot]
        guard sentAt != 0 else { return countUnexpected() }
        sendTimes[slot] = 0
        outstanding -= 1
        totals.received += 1
        if measuring {
            measured.received += 1
            measured.histogram.record(BenchClock.nanoseconds() &- sentAt)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        fill()
        context.fireChannelReadComplete()
    }

    private func countUnexpected() {
        totals.unexpected += 1
        if measuring { measured.unexpected += 1 }
    }

    /// Sends until `window` requests are outstanding, then flushes once.
    private func fill() {
        guard running, let context else { return }
        var wrote = false
        while outstanding < window && nextSequence - oldest < UInt64(Self.capacity) {
            var buffer = context.channel.allocator.buffer(capacity: 40)
            STUNBindingRequest.write(socket: socketIndex, sequence: nextSequence, tailscaleStyle: tailscaleStyle,
                                     into: &buffer)
            sendTimes[Int(truncatingIfNeeded: nextSequence) & (Self.capacity - 1)] = BenchClock.nanoseconds()
            nextSequence += 1
            outstanding += 1
            totals.sent += 1
            if measuring { measured.sent += 1 }
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: server, data: buffer)), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
    }

    private func scheduleSweep() {
        guard let context else { return }
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(20)) { [self] in
            sweep()
            if running { scheduleSweep() }
        }
    }

    /// Retires answered slots at the front and expires the timed-out ones (send order is sequence order).
    private func sweep() {
        let now = BenchClock.nanoseconds()
        while oldest < nextSequence {
            let slot = Int(truncatingIfNeeded: oldest) & (Self.capacity - 1)
            let sentAt = sendTimes[slot]
            if sentAt != 0 {
                guard now &- sentAt > timeoutNanoseconds else { break }
                sendTimes[slot] = 0
                outstanding -= 1
                totals.lost += 1
                if measuring { measured.lost += 1 }
            }
            oldest += 1
        }
        fill()
    }
}

@available(*, unavailable)
extension STUNLoadHandler: Sendable {}

import BenchSupport
import NIOCore

/// What a sender streams.
struct SendPlan: Sendable {
    var destination: [UInt8]
    var packetSize: Int
    /// nil: as fast as the connection and the window allow; otherwise a paced rate.
    var packetsPerSecond: Double?
    var senderIndex: UInt32
    /// Frames are packed into writes of about this many bytes (one TLS record or a few).
    var batchBytes: Int
    /// Packets sent but not yet seen by the receiver, at most (unpaced senders); nil floods open-loop,
    /// which makes derper drop at its per-client queue and spends the generator's core on packets thrown away.
    var windowPackets: Int?
}

struct PumpState {
    var plan: SendPlan?
    var sending = false
    var sequence: UInt64 = 0
    var pumping = false
    var retryScheduled = false
    var blockedOnWindow = false
    var progressAtLastCheck: UInt64 = 0
    var tokens: Double = 0
    var lastTick: UInt64 = 0
    /// Paced senders wake up this often. Short, so that a paced run is a stream and not bursts: at
    /// 450,000 packets/s a 500 us tick sent about 230 packets at once, and packets at the end of a
    /// burst waited for the generator's own encryption of the rest (its thread also receives). 100 us
    /// saturated the generator's core; 200 us keeps it near 75% at derper's half rate.
    static let tickNanoseconds: Int64 = 200_000
    /// An unpaced sender yields to the loop after this many bytes.
    static let bytesPerTurn = 1 << 20
}

extension BenchConnectionHandler {
    func startSending() {
        guard let plan = pump.plan, !pump.sending else { return }
        pump.sending = true
        if plan.packetsPerSecond != nil {
            pump.lastTick = BenchClock.nanoseconds()
            pump.tokens = 0
            scheduleTick()
        } else {
            resumePumping()
            scheduleStallCheck()
        }
    }

    func stopSending() {
        pump.sending = false
    }

    func setRate(_ packetsPerSecond: Double?) {
        pump.plan?.packetsPerSecond = packetsPerSecond
    }

    /// The receiver has seen packets up to `progress`: resume when half the window is free again.
    func windowAdvanced(to progress: UInt64) {
        guard pump.blockedOnWindow, let window = pump.plan?.windowPackets,
            pump.sequence &- progress <= UInt64(window / 2)
        else { return }
        pump.blockedOnWindow = false
        resumePumping()
    }

    /// Unpaced sending: write and flush batches while the channel is writable and the window open.
    /// Writability comes back through `channelWritabilityChanged`, the window through `windowAdvanced`.
    func resumePumping() {
        guard pump.sending, !pump.pumping, let plan = pump.plan, plan.packetsPerSecond == nil, let context else {
            return
        }
        pump.pumping = true
        defer { pump.pumping = false }
        var written = 0
        while written < PumpState.bytesPerTurn && context.channel.isWritable {
            var allowed = Int.max
            if let window = plan.windowPackets {
                allowed = window - Int(truncatingIfNeeded: pump.sequence &- recorder.progress(of: plan.senderIndex))
                if allowed <= 0 {
                    pump.blockedOnWindow = true
                    return
                }
            }
            written += writeBatch(packets: allowed, plan: plan, context: context).bytes
            context.flush()
        }
        // Still writable after a full turn: come back shortly. (A task re-queued with execute would run in the
        // same loop tick and starve the loop's I/O; a scheduled task lets epoll run first.)
        if context.channel.isWritable && !pump.retryScheduled {
            pump.retryScheduled = true
            context.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(20)) { [self] in
                pump.retryScheduled = false
                resumePumping()
            }
        }
    }

    /// A windowed sender that saw no progress for 100 ms gives up on its packets in flight (dropped).
    private func scheduleStallCheck() {
        guard let context else { return }
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(100)) { [self] in
            guard pump.sending, let plan = pump.plan, plan.packetsPerSecond == nil else { return }
            let progress = recorder.progress(of: plan.senderIndex)
            if pump.blockedOnWindow && progress == pump.progressAtLastCheck {
                recorder.forgive(sender: plan.senderIndex, upTo: pump.sequence)
                pump.blockedOnWindow = false
                resumePumping()
            }
            pump.progressAtLastCheck = recorder.progress(of: plan.senderIndex)
            scheduleStallCheck()
        }
    }

    private func scheduleTick() {
        guard let context else { return }
        context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(PumpState.tickNanoseconds)) { [self] in
            tick()
        }
    }

    /// Paced sending: a token bucket refilled every tick, capped at 10 ms of packets.
    private func tick() {
        guard pump.sending, let plan = pump.plan, let rate = plan.packetsPerSecond, let context else { return }
        let now = BenchClock.nanoseconds()
        pump.tokens = min(pump.tokens + Double(now &- pump.lastTick) / 1e9 * rate, max(1, rate / 100))
        pump.lastTick = now
        var due = Int(pump.tokens)
        if due > 0 && context.channel.isWritable {
            pump.tokens -= Double(due)
            while due > 0 {
                due -= writeBatch(packets: due, plan: plan, context: context).packets
            }
            context.flush()
        }
        scheduleTick()
    }

    /// Writes one buffer of up to `packets` frames (bounded by the batch size).
    @discardableResult
    private func writeBatch(packets: Int, plan: SendPlan, context: ChannelHandlerContext) -> (bytes: Int, packets: Int) {
        let frameLength = DERPBenchWire.frameHeaderLength + DERPBenchWire.keyLength + plan.packetSize
        let count = max(1, min(packets, plan.batchBytes / frameLength))
        var batch = context.channel.allocator.buffer(capacity: count * frameLength)
        for _ in 0..<count {
            DERPBenchWire.writeTimedPacket(to: plan.destination, size: plan.packetSize, sequence: pump.sequence,
                                           sender: plan.senderIndex, into: &batch)
            pump.sequence &+= 1
        }
        recorder.sent(UInt64(count))
        let bytes = batch.readableBytes
        context.write(wrapOutboundOut(batch), promise: nil)
        return (bytes, count)
    }
}

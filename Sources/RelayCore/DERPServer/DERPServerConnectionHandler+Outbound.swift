import CoreMetrics
import Logging
import NIOCore

extension DERPServerConnectionHandler {
    /// Accepts a packet for this client from `source`. Writes at once when the socket has room and
    /// nothing is queued; otherwise queues it, dropping the oldest packet when the queue is full.
    func enqueuePacket(source: NodePublicKey, packet: ByteBuffer) {
        guard state == .established, let context else {
            server.metrics.recordDrop(.goneDisconnected, kind: DiscoPacket.kind(of: packet), bytes: packet.readableBytes)
            return
        }
        if (queue.isEmpty && discoQueue.isEmpty) && isWritable {
            writeRecvPacket(source: source, packet: packet, context: context)
            scheduleFlush(context)
            return
        }
        let kind = DiscoPacket.kind(of: packet)
        let entry = ClientSendQueue.Entry(source: source, packet: packet, enqueuedAt: 0)
        let dropped = kind == .disco ? discoQueue.append(entry) : queue.append(entry)
        if let dropped {
            server.metrics.recordDrop(.queueHead, kind: kind, bytes: dropped.packet.readableBytes)
        }
    }

    /// Writes a small control frame (PeerGone, PeerPresent, Restarting, Health) regardless of
    /// back-pressure: they are few and tiny, and a client must not miss them.
    func enqueueControl(_ frame: DERPFrame) {
        guard state == .established, let context else { return }
        appendOutbound(context) { _ = try? $0.writeDERPFrame(frame) }
        scheduleFlush(context)
        if case .peerGone(let message) = frame {
            switch message.reason {
            case .disconnected: server.metrics.peerGoneDisconnectedFrames.increment()
            case .notHere: server.metrics.peerGoneNotHereFrames.increment()
            default: break
            }
        }
    }

    func writeRecvPacket(source: NodePublicKey, packet: ByteBuffer, context: ChannelHandlerContext) {
        let length = packet.readableBytes
        appendOutbound(context) { out in
            var packet = packet
            // The parser already bounded the packet to MaxPacketSize, so the header cannot fail.
            guard (try? out.writeRecvPacketHeader(source: source, packetLength: length)) != nil else { return }
            out.writeBuffer(&packet)
        }
        counters.sent(bytes: length)
        guard source != lastReceivedFrom else { return }
        lastReceivedFrom = source
        if let handle, receivedFrom.insert(source).inserted {
            server.registry.subscribePeerGone(source: source, subscriber: handle)
        }
    }

    func sendPong(_ data: DERPFrame.PingData) {
        guard !pongPending, let context else { return }
        pongPending = true
        // Cleared when the pending output is handed to the channel (see flushOutbound).
        appendOutbound(context) { _ = try? $0.writeDERPFrame(.pong(data)) }
        server.metrics.sentPong.increment()
        scheduleFlush(context)
    }

    /// Frames for this client collect in one buffer during a loop tick and reach the channel as one
    /// write, so TLS seals them into as few records as possible instead of one record per packet.
    /// A full buffer (64 KiB) is handed over early so NIO's back-pressure accounting sees it.
    func appendOutbound(_ context: ChannelHandlerContext, _ write: (inout ByteBuffer) -> Void) {
        if outbound == nil { outbound = context.channel.allocator.buffer(capacity: outboundCapacity) }
        // Written in place through optional chaining: no copy of the buffer, no retain per frame.
        outbound?.modify(write)
        if outbound?.readableBytes ?? 0 >= Self.outboundChunk, let buffer = outbound {
            outbound = nil
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
    }

    static let outboundChunk = 64 * 1024

    /// The power of two at or above `bytes`, within 2 KiB and `outboundChunk`.
    static func capacityHint(for bytes: Int) -> Int {
        let wanted = min(max(bytes, 2048), outboundChunk)
        return 1 << (Int.bitWidth - (wanted - 1).leadingZeroBitCount)
    }

    /// Hands the collected frames to the channel and flushes.
    func flushOutbound() {
        guard let context else { return }
        if let pending = outbound, pending.readableBytes > 0 {
            outbound = nil
            outboundCapacity = Self.capacityHint(for: pending.readableBytes)
            context.write(wrapOutboundOut(pending), promise: nil)
        }
        pongPending = false
        counters.publish(to: server.metrics)
        context.flush()
    }

    /// Flushes now if frames are waiting for this tick's flush (see `flushDeliveries`). The flush
    /// task still runs at the end of the tick, for whatever arrives after this.
    func flushIfPending() {
        guard flushPending else { return }
        flushOutbound()
    }

    /// Coalesces flushes: everything written during this loop tick leaves in one flush.
    func scheduleFlush(_ context: ChannelHandlerContext) {
        guard !flushPending else { return }
        flushPending = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = bound.value
            handler.flushPending = false
            handler.flushOutbound()
        }
    }

    /// Moves queued packets to the socket while it has room. Disco first: they are small and
    /// time-critical (path discovery), as the reference's separate disco queue intends.
    func drainQueues() {
        guard let context else { return }
        var wrote = false
        while context.channel.isWritable, let entry = discoQueue.popFirst() ?? queue.popFirst() {
            writeRecvPacket(source: entry.source, packet: entry.packet, context: context)
            wrote = true
        }
        if wrote { flushOutbound() }
    }

    func startKeepAlives(_ context: ChannelHandlerContext) {
        let configuration = server.configuration
        let jitterNanos = max(1, configuration.keepAliveJitter.nanoseconds)
        let period = TimeAmount.nanoseconds(configuration.keepAliveInterval.nanoseconds + Int64.random(in: 0..<jitterNanos))
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        keepAliveTask = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            bound.value.sendKeepAlive()
        }
    }

    private func sendKeepAlive() {
        guard state == .established, let context else { return }
        appendOutbound(context) { _ = try? $0.writeDERPFrame(.keepAlive) }
        flushOutbound()
    }

    func handshakeTimedOut() {
        guard state != .established else { return }
        server.metrics.handshakeTimeouts.increment()
        violation(.handshakeTimeout, "no ClientInfo within the handshake timeout")
    }

    func writeTimedOut() {
        guard let context, !context.channel.isWritable else { return }
        server.metrics.writeTimeouts.increment()
        logger.info("client stopped reading; closing")
        closeConnection()
    }

    /// Closes this connection only, counting why.
    func violation(_ violation: ProtocolViolation, _ message: @autoclosure () -> String) {
        server.metrics.recordProtocolViolation(violation)
        logger.debug("closing connection", metadata: ["reason": "\(message())"])
        closeConnection()
    }

    func closeConnection() {
        guard let context else { return }
        teardown()
        context.close(promise: nil)
    }
}

extension ByteBuffer {
    /// Runs `body` on this buffer in place; with optional chaining (`buffer?.modify { ... }`) it
    /// writes into an optional stored buffer without copying it out and back.
    @inline(__always)
    mutating func modify(_ body: (inout ByteBuffer) -> Void) {
        body(&self)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(duration.nanoseconds)
    }
}

extension DERPServerConnectionHandler {
    /// Releases everything this connection holds: registry entry, timers, queued packets.
    /// Idempotent; runs on close, on channelInactive and on handler removal.
    func teardown() {
        guard state != .closed else { return }
        let wasEstablished = state == .established
        state = .closed
        handshakeTimer?.cancel()
        writeTimer?.cancel()
        keepAliveTask?.cancel()
        rateResumeTimer?.cancel()
        rateResumeTimer = nil
        rateLimitedFrame = nil
        outbound = nil
        handshakeTimer = nil
        writeTimer = nil
        keepAliveTask = nil
        cumulation = nil
        counters.publish(to: server.metrics)
        for entry in queue.removeAll() + discoQueue.removeAll() {
            server.metrics.recordDrop(.goneDisconnected, kind: DiscoPacket.kind(of: entry.packet), bytes: entry.packet.readableBytes)
        }
        guard wasEstablished, let handle else { return }
        handle.detachHandler()
        if isPreferred { server.metrics.currentHomeConnections.decrement() }
        if notIdeal { server.metrics.currentNotIdealConnections.decrement() }
        if isWatcher { server.registry.removeWatcher(handle) }
        server.registry.unregister(handle, subscribedTo: receivedFrom)
        logger.debug("client disconnected")
    }
}

import CoreMetrics
import Logging
import NIOCore

extension DERPServerConnectionHandler {
    /// Accepts a packet for this client from `source`. Writes at once when the socket has room and
    /// nothing is queued; otherwise queues it, dropping the oldest packet when the queue is full.
    func enqueuePacket(source: NodePublicKey, packet: ByteBuffer) {
        let kind = DiscoPacket.kind(of: packet)
        guard state == .established, let context else {
            server.metrics.recordDrop(.goneDisconnected, kind: kind, bytes: packet.readableBytes)
            return
        }
        if (queue.isEmpty && discoQueue.isEmpty) && context.channel.isWritable {
            writeRecvPacket(source: source, packet: packet, context: context)
            scheduleFlush(context)
            return
        }
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
        var buffer = context.channel.allocator.buffer(capacity: 64)
        _ = try? buffer.writeDERPFrame(frame)
        context.write(wrapOutboundOut(buffer), promise: nil)
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
        var packet = packet
        var buffer = context.channel.allocator.buffer(capacity: DERPFrame.headerLength + DERPFrame.keyLength + packet.readableBytes)
        // The parser already bounded the packet to MaxPacketSize, so the header cannot fail.
        guard (try? buffer.writeRecvPacketHeader(source: source, packetLength: packet.readableBytes)) != nil else { return }
        buffer.writeBuffer(&packet)
        let length = buffer.readableBytes - DERPFrame.headerLength - DERPFrame.keyLength
        context.write(wrapOutboundOut(buffer), promise: nil)
        server.metrics.packetsSent.increment()
        server.metrics.bytesSent.increment(by: Int64(length))
        if let handle, receivedFrom.insert(source).inserted {
            server.registry.subscribePeerGone(source: source, subscriber: handle)
        }
    }

    func sendPong(_ data: DERPFrame.PingData) {
        guard !pongPending, let context else { return }
        pongPending = true
        var buffer = context.channel.allocator.buffer(capacity: 13)
        _ = try? buffer.writeDERPFrame(.pong(data))
        let promise = context.eventLoop.makePromise(of: Void.self)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { _ in bound.value.pongPending = false }
        context.write(wrapOutboundOut(buffer), promise: promise)
        server.metrics.sentPong.increment()
        scheduleFlush(context)
    }

    /// Coalesces flushes: everything written during this loop tick leaves in one flush.
    func scheduleFlush(_ context: ChannelHandlerContext) {
        guard !flushPending else { return }
        flushPending = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = bound.value
            handler.flushPending = false
            handler.context?.flush()
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
        if wrote { context.flush() }
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
        var buffer = context.channel.allocator.buffer(capacity: 5)
        _ = try? buffer.writeDERPFrame(.keepAlive)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
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
        handshakeTimer = nil
        writeTimer = nil
        keepAliveTask = nil
        cumulation = nil
        for entry in queue.removeAll() + discoQueue.removeAll() {
            server.metrics.recordDrop(.goneDisconnected, kind: DiscoPacket.kind(of: entry.packet), bytes: entry.packet.readableBytes)
        }
        guard wasEstablished, let handle else { return }
        if isPreferred { server.metrics.currentHomeConnections.decrement() }
        if notIdeal { server.metrics.currentNotIdealConnections.decrement() }
        if isWatcher { server.registry.removeWatcher(handle) }
        server.registry.unregister(handle, subscribedTo: receivedFrom)
        logger.debug("client disconnected")
    }
}

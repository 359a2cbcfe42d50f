import NIOConcurrencyHelpers
import NIOCore

/// The cross-loop handle of one DERP connection: what the registry stores and what other
/// connections use to deliver packets to it. Immutable except through its event loop: every
/// method hops onto `eventLoop` (or runs inline when already there) before touching the
/// connection handler. The handler is held strongly (a weak load per packet cost 4% of the relay's
/// time at 64-byte packets) and let go by the handler's teardown, which runs whenever the
/// connection closes, so the handle never keeps a dead pipeline alive.
package final class DERPServerClient: Sendable, CustomStringConvertible {
    package let key: NodePublicKey
    package let connectionID: UInt64
    package let eventLoop: any EventLoop
    package let remoteAddress: SocketAddress?
    package let isMeshPeer: Bool
    package let isProber: Bool
    package let notIdeal: Bool
    private let handler: NIOLoopBound<HandlerReference>
    private let metrics: DERPServerMetrics
    private let mailbox = NIOLockedValueBox<(pending: [(source: NodePublicKey, packet: ByteBuffer)], scheduled: Bool)>(([], false))

    final class HandlerReference {
        var value: DERPServerConnectionHandler?
        init(_ value: DERPServerConnectionHandler) { self.value = value }
    }

    init(
        key: NodePublicKey, connectionID: UInt64, eventLoop: any EventLoop, remoteAddress: SocketAddress?,
        isMeshPeer: Bool, isProber: Bool, notIdeal: Bool, handler: DERPServerConnectionHandler
    ) {
        self.metrics = handler.server.metrics
        self.key = key
        self.connectionID = connectionID
        self.eventLoop = eventLoop
        self.remoteAddress = remoteAddress
        self.isMeshPeer = isMeshPeer
        self.isProber = isProber
        self.notIdeal = notIdeal
        self.handler = NIOLoopBound(HandlerReference(handler), eventLoop: eventLoop)
    }

    package var description: String { "\(key.shortDescription)#\(connectionID)" }

    /// Flags announced to mesh watchers in PeerPresent.
    package var presentFlags: DERPFrame.PeerPresentFlags {
        var flags: DERPFrame.PeerPresentFlags = []
        if isMeshPeer { flags.insert(.isMeshPeer) }
        if isProber { flags.insert(.isProber) }
        if notIdeal { flags.insert(.notIdeal) }
        if flags.isEmpty { flags.insert(.isRegular) }
        return flags
    }

    private func onLoop(_ body: @escaping @Sendable (DERPServerConnectionHandler) -> Void) {
        if eventLoop.inEventLoop {
            if let handler = handler.value.value { body(handler) }
        } else {
            eventLoop.execute {
                if let handler = self.handler.value.value { body(handler) }
            }
        }
    }

    /// Queues a packet from `source` for this client. Never blocks; may drop by the queue policy.
    /// Returns true when it was handed to the connection at once (the caller is on its loop), so
    /// the caller may flush it early with `flushNow()`.
    @discardableResult
    package func deliver(source: NodePublicKey, packet: ByteBuffer) -> Bool {
        if eventLoop.inEventLoop {
            deliverOnLoop(source: source, packet: packet)
            return true
        }
        // From another loop: packets collect in a mailbox and one task drains them all, so a burst
        // costs one wake-up of the destination loop instead of one task per packet. The lock only
        // guards the append; nothing is written while it is held.
        let (schedule, overflow) = mailbox.withLockedValue { box -> (Bool, ByteBuffer?) in
            var overflow: ByteBuffer? = nil
            if box.pending.count >= Self.mailboxCapacity { overflow = box.pending.removeFirst().packet }
            box.pending.append((source, packet))
            defer { box.scheduled = true }
            return (!box.scheduled, overflow)
        }
        if let overflow {
            metrics.recordDrop(.queueHead, kind: DiscoPacket.kind(of: overflow), bytes: overflow.readableBytes)
        }
        if schedule {
            eventLoop.execute { self.drainMailbox() }
        }
        return false
    }

    /// Sends what the connection has collected for this tick now, instead of when the tick ends.
    /// Only on the connection's loop.
    func flushNow() {
        handler.value.value?.flushIfPending()
    }

    /// Bounds the cross-loop mailbox like the per-client queue (head drop), so a flood from other
    /// loops can never grow it without limit.
    static let mailboxCapacity = 256

    private func drainMailbox() {
        let batch = mailbox.withLockedValue { box -> [(source: NodePublicKey, packet: ByteBuffer)] in
            box.scheduled = false
            defer { box.pending.removeAll(keepingCapacity: true) }
            return box.pending
        }
        for (source, packet) in batch { deliverOnLoop(source: source, packet: packet) }
    }

    private func deliverOnLoop(source: NodePublicKey, packet: ByteBuffer) {
        if let handler = handler.value.value {
            handler.enqueuePacket(source: source, packet: packet)
        } else {
            metrics.recordDrop(.goneDisconnected, kind: DiscoPacket.kind(of: packet), bytes: packet.readableBytes)
        }
    }

    /// Lets go of the connection handler (called on the loop by its teardown); later deliveries
    /// count as `gone_disconnected` drops.
    func detachHandler() {
        handler.value.value = nil
    }

    package func sendPeerGone(_ peer: NodePublicKey, reason: DERPFrame.PeerGoneReason) {
        onLoop { $0.enqueueControl(.peerGone(.init(peer: peer, reason: reason))) }
    }

    package func sendPeerPresent(_ peer: NodePublicKey, endpoint: SocketAddress?, flags: DERPFrame.PeerPresentFlags) {
        onLoop { $0.enqueueControl(.peerPresent(.init(peer: peer, endpoint: endpoint, flags: flags))) }
    }

    package func sendRestarting(reconnectIn: UInt32, tryFor: UInt32) {
        onLoop { $0.enqueueControl(.restarting(.init(reconnectInMilliseconds: reconnectIn, tryForMilliseconds: tryFor))) }
    }

    package func sendHealth(_ problem: String) {
        onLoop { $0.enqueueControl(.health(problem)) }
    }

    /// Tells the connection whether it now belongs to a set of duplicate connections for its key.
    package func setDuplicate(_ duplicate: Bool) {
        onLoop { $0.isDuplicate = duplicate }
    }

    package func close() {
        onLoop { $0.closeConnection() }
    }
}

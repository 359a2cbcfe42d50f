import BenchSupport
import NIOCore

/// Counters and latencies of one run, and the connections taking part. Owned by the generator's single event
/// loop: handlers touch it from there, and the orchestrating task reads it through `NIOLoopBound` + `submit`.
final class RelayRecorder {
    struct Snapshot: Sendable {
        var sentPackets: UInt64 = 0
        var receivedPackets: UInt64 = 0
        var receivedBytes: UInt64 = 0
        var histogram = LatencyHistogram()
        /// Over the whole run (warm-up included): packets missing from a receiver's sequence.
        var gaps: UInt64 = 0
        var totalSent: UInt64 = 0
        var totalReceived: UInt64 = 0
        var sinkConnections = 0
        /// Times a windowed sender waited 100 ms without progress and gave up on its packets in flight.
        var stalls = 0
    }

    private(set) var measuring = false
    var window = Snapshot()
    var totals = Snapshot()
    var senders: [BenchConnectionHandler] = []
    var connections: [BenchConnectionHandler] = []
    /// Per sender index: one past the highest sequence number any receiver has seen from it.
    private(set) var progress: [UInt64] = []
    private var senderByIndex: [BenchConnectionHandler?] = []
    /// Completed when `sinkConnections` reaches `sinkTarget` (reference mode).
    var sinkWaiter: (target: Int, promise: EventLoopPromise<Void>)?

    @inline(__always)
    func sent(_ count: UInt64) {
        totals.totalSent &+= count
        if measuring { window.sentPackets &+= count }
    }

    func addSender(_ handler: BenchConnectionHandler, index: UInt32) {
        senders.append(handler)
        let i = Int(index)
        if progress.count <= i {
            progress += Array(repeating: 0, count: i + 1 - progress.count)
            senderByIndex += Array(repeating: nil, count: i + 1 - senderByIndex.count)
        }
        senderByIndex[i] = handler
    }

    @inline(__always)
    func progress(of sender: UInt32) -> UInt64 {
        let i = Int(sender)
        return i < progress.count ? progress[i] : 0
    }

    /// A receiver saw `sequence` from `sender`: advance its progress and wake it if its window opened.
    @inline(__always)
    func delivered(sender: UInt32, sequence: UInt64) {
        let i = Int(sender)
        guard i < progress.count, sequence >= progress[i] else { return }
        progress[i] = sequence &+ 1
        senderByIndex[i]?.windowAdvanced(to: progress[i])
    }

    /// Gives up on the packets a stalled sender is waiting for (they were dropped).
    func forgive(sender: UInt32, upTo sequence: UInt64) {
        let i = Int(sender)
        guard i < progress.count, sequence > progress[i] else { return }
        progress[i] = sequence
        totals.stalls += 1
    }

    @inline(__always)
    func received(payloadBytes: Int, sentAt: UInt64, gap: UInt64) {
        totals.totalReceived &+= 1
        totals.gaps &+= gap
        guard measuring else { return }
        window.receivedPackets &+= 1
        window.receivedBytes &+= UInt64(payloadBytes)
        window.histogram.record(BenchClock.nanoseconds() &- sentAt)
    }

    func sinkAccepted() {
        totals.sinkConnections += 1
        if let waiter = sinkWaiter, totals.sinkConnections >= waiter.target {
            sinkWaiter = nil
            waiter.promise.succeed()
        }
    }

    func beginWindow() {
        window = Snapshot()
        measuring = true
    }

    func endWindow() -> Snapshot {
        measuring = false
        return window
    }

    func startSenders() {
        for sender in senders { sender.startSending() }
    }

    func stopSenders() {
        for sender in senders { sender.stopSending() }
    }

    func closeAll() {
        for connection in connections { connection.close() }
        connections.removeAll()
        senders.removeAll()
        senderByIndex.removeAll()
    }
}

@available(*, unavailable)
extension RelayRecorder: Sendable {}

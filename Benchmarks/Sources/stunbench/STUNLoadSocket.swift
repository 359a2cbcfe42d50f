import BenchSupport
import NIOCore

/// The bookkeeping of one UDP socket of the load: keeps `window` requests outstanding, matches each
/// response to its request by the sequence number in its transaction ID, and expires requests
/// unanswered after the timeout (they count as lost and are replaced). No I/O: `STUNLoadLoop` reads
/// and writes for it.
struct STUNLoadSocket {
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
    let index: UInt32
    private let window: Int
    private let timeoutNanoseconds: UInt64
    private let tailscaleStyle: Bool
    private var sendTimes: [UInt64]
    private var nextSequence: UInt64 = 0
    private var oldest: UInt64 = 0
    private(set) var outstanding = 0
    var measuring = false
    private(set) var totals = Stats()
    var measured = Stats()

    init(index: UInt32, window: Int, timeout: Double, tailscaleStyle: Bool) {
        self.index = index
        self.window = min(window, Self.capacity / 2)
        self.timeoutNanoseconds = UInt64(timeout * 1e9)
        self.tailscaleStyle = tailscaleStyle
        sendTimes = Array(repeating: 0, count: Self.capacity)
    }

    /// How many requests may be sent now.
    var room: Int {
        guard nextSequence - oldest < UInt64(Self.capacity) else { return 0 }
        return max(0, window - outstanding)
    }

    /// Encodes request number `offset` of the next batch (not yet counted as sent).
    func writeRequest(_ offset: Int, into buffer: inout ByteBuffer) {
        STUNBindingRequest.write(socket: index, sequence: nextSequence + UInt64(offset), tailscaleStyle: tailscaleStyle,
                                 into: &buffer)
    }

    /// The kernel took the first `count` requests of the batch, sent at `now`.
    mutating func sent(_ count: Int, at now: UInt64) {
        for _ in 0..<count {
            sendTimes[Int(truncatingIfNeeded: nextSequence) & (Self.capacity - 1)] = now
            nextSequence += 1
        }
        outstanding += count
        totals.sent += UInt64(count)
        if measuring { measured.sent += UInt64(count) }
    }

    mutating func received(_ datagram: ByteBuffer, at now: UInt64) {
        guard let (socket, sequence) = STUNBindingRequest.parseResponse(datagram), socket == index,
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
            measured.histogram.record(now &- sentAt)
        }
    }

    private mutating func countUnexpected() {
        totals.unexpected += 1
        if measuring { measured.unexpected += 1 }
    }

    /// Retires answered slots at the front and expires the timed-out ones (send order is sequence order).
    mutating func sweep(now: UInt64) {
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
    }

    /// After the drain: whatever is still outstanding is lost.
    mutating func finish() -> Stats {
        totals.lost += UInt64(outstanding)
        outstanding = 0
        return totals
    }
}

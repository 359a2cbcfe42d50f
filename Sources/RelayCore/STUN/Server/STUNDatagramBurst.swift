import CRelaySystem
import Glibc
import NIOCore

/// The buffers and per-burst work of one `STUNSocketLoop` thread: receive up to `batchSize`
/// datagrams with one `recvmmsg`, answer each through `STUNResponder` into one outbound buffer, and
/// send the replies with one `sendmmsg` per run of replies leaving from the same socket.
///
/// In the steady state a burst allocates nothing: datagrams land in slots of one `ByteBuffer` and
/// reach the responder as slices of it, replies are encoded into another reused buffer, and the
/// address and length arrays are allocated once. Counters are added once per burst, not per reply.
///
/// Thread-confined: only the loop thread touches it.
final class STUNDatagramBurst {
    enum Outcome {
        /// The socket had fewer datagrams than a batch: wait for more.
        case drained
        /// A whole batch was read: there may be more.
        case full
        /// The socket cannot be used any more (`EBADF`, `ENOTSOCK`, `EINVAL`, `EFAULT`).
        case fatal
    }

    private let responder: STUNResponder
    private let metrics: STUNServerMetrics
    /// The descriptors of the set's sockets and, indexed by `STUNServerSocket.rawValue`, the index in
    /// `descriptors` of each socket that exists.
    private let descriptors: [Int32]
    private let socketIndex: [Int?]
    private let batchSize: Int
    private let slotSize: Int

    private var inbound: ByteBuffer
    private var outbound: ByteBuffer
    private let sources: UnsafeMutablePointer<sockaddr_storage>
    private let lengths: UnsafeMutablePointer<UInt32>
    // Per reply of the burst.
    private let destinations: UnsafeMutablePointer<sockaddr_storage>
    private let offsets: UnsafeMutablePointer<UInt32>
    private let replyLengths: UnsafeMutablePointer<UInt32>
    private let senders: UnsafeMutablePointer<Int>
    private let isSuccess: UnsafeMutablePointer<Bool>

    /// - Parameters:
    ///   - sockets: the set's sockets, each with the role it plays.
    ///   - batchSize: datagrams per `recvmmsg` (1 to `RELAY_DATAGRAM_BATCH_MAX`).
    ///   - slotSize: bytes per datagram; a longer one arrives as length 0 and is not answered.
    init(
        sockets: [(role: STUNServerSocket, socket: STUNDatagramSocket)],
        responder: STUNResponder,
        metrics: STUNServerMetrics,
        batchSize: Int,
        slotSize: Int
    ) {
        self.responder = responder
        self.metrics = metrics
        self.descriptors = sockets.map(\.socket.descriptor)
        var socketIndex: [Int?] = Array(repeating: nil, count: STUNServerSocket.allCases.count)
        for (index, entry) in sockets.enumerated() { socketIndex[entry.role.rawValue] = index }
        self.socketIndex = socketIndex
        let batchSize = min(max(1, batchSize), Int(RELAY_DATAGRAM_BATCH_MAX))
        self.batchSize = batchSize
        self.slotSize = max(STUNMessage.headerSize, slotSize)
        let allocator = ByteBufferAllocator()
        inbound = allocator.buffer(capacity: batchSize * self.slotSize)
        outbound = allocator.buffer(capacity: batchSize * 256)
        sources = .allocate(capacity: batchSize)
        lengths = .allocate(capacity: batchSize)
        destinations = .allocate(capacity: batchSize)
        offsets = .allocate(capacity: batchSize)
        replyLengths = .allocate(capacity: batchSize)
        senders = .allocate(capacity: batchSize)
        isSuccess = .allocate(capacity: batchSize)
    }

    deinit {
        sources.deallocate()
        lengths.deallocate()
        destinations.deallocate()
        offsets.deallocate()
        replyLengths.deallocate()
        senders.deallocate()
        isSuccess.deallocate()
    }

    /// Reads one batch from socket `index` (of `sockets` as given to `init`) and answers it.
    func run(socket index: Int, role: STUNServerSocket) -> Outcome {
        inbound.clear()
        let slotSize = self.slotSize
        let received: Int32 = inbound.withUnsafeMutableWritableBytes { raw in
            guard let base = raw.baseAddress else { return -ENOMEM }
            return relay_receive_datagrams(
                descriptors[index], base.assumingMemoryBound(to: UInt8.self), slotSize, UInt32(batchSize),
                sources, lengths)
        }
        guard received > 0 else { return received == 0 ? .drained : receiveFailed(errno: -received) }
        let count = Int(received)
        inbound.moveWriterIndex(forwardBy: count * slotSize)
        // The buffers go to `answer` and `send` as parameters: one exclusivity check per batch
        // instead of several per datagram on the properties.
        let replies = answer(count, from: inbound, into: &outbound, arrivedOn: role, at: index)
        let fatal = replies > 0 && !send(replies, from: outbound)
        inbound.clear()
        outbound.clear()
        if fatal { return .fatal }
        return count == batchSize ? .full : .drained
    }

    /// Encodes a reply to each of the `count` datagrams received, and returns the number of replies.
    private func answer(
        _ count: Int, from inbound: ByteBuffer, into outbound: inout ByteBuffer, arrivedOn role: STUNServerSocket,
        at index: Int
    ) -> Int {
        var replies = 0
        var ignored = 0
        var ipv4 = 0
        var ipv6 = 0
        for message in 0..<count {
            let source = (sources + message).withMemoryRebound(to: sockaddr.self, capacity: 1) {
                STUNAddress(socketAddress: $0, length: MemoryLayout<sockaddr_storage>.size)
            }
            guard let source, let request = inbound.getSlice(at: message * slotSize, length: Int(lengths[message])) else {
                ignored += 1
                continue
            }
            let start = outbound.writerIndex
            guard case .reply(let reply) = responder.respond(to: request, from: source, arrivedOn: role, into: &outbound)
            else {
                ignored += 1
                continue
            }
            destinations[replies] = sources[message]
            if let port = reply.responsePort { destinations[replies].port = port }
            offsets[replies] = UInt32(truncatingIfNeeded: start)
            replyLengths[replies] = UInt32(truncatingIfNeeded: outbound.writerIndex - start)
            senders[replies] = socketIndex[reply.from.rawValue] ?? index
            isSuccess[replies] = reply.kind == .success
            if reply.kind == .success {
                if source.unmapped.family == .ipv4 { ipv4 += 1 } else { ipv6 += 1 }
            } else {
                ignored += 1
            }
            replies += 1
        }
        if ignored > 0 { metrics.record(.notSTUN, count: ignored) }
        if ipv4 > 0 { metrics.recordFamily(.ipv4, count: ipv4) }
        if ipv6 > 0 { metrics.recordFamily(.ipv6, count: ipv6) }
        return replies
    }

    /// Sends the burst's replies, one `sendmmsg` per run of replies from the same socket. Returns
    /// false if a socket turned out unusable.
    private func send(_ replies: Int, from outbound: ByteBuffer) -> Bool {
        var sent = 0
        var failed = 0
        var usable = true
        outbound.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            var first = 0
            while first < replies {
                var end = first + 1
                while end < replies, senders[end] == senders[first] { end += 1 }
                let outcome = send(first..<end, base: base)
                sent += outcome.sent
                failed += outcome.failed
                usable = usable && outcome.usable
                first = end
            }
        }
        if sent > 0 { metrics.record(.success, count: sent) }
        if failed > 0 { metrics.record(.writeError, count: failed) }
        return usable
    }

    /// Sends replies `range`, all from one socket, and counts the success replies sent and lost.
    ///
    /// A full send buffer (`EAGAIN`, `ENOBUFS`) drops the rest of the run, as a full UDP queue drops:
    /// waiting would let a flood grow the backlog without bound. A reply the kernel refuses on its
    /// own (`EHOSTUNREACH`, `EMSGSIZE`, `EPERM` from a firewall rule) is skipped and the rest go on.
    private func send(_ range: Range<Int>, base: UnsafePointer<UInt8>) -> (sent: Int, failed: Int, usable: Bool) {
        let descriptor = descriptors[senders[range.lowerBound]]
        var next = range.lowerBound
        var sent = 0
        var failed = 0
        func successes(_ range: Range<Int>) -> Int { range.reduce(0) { $0 + (isSuccess[$1] ? 1 : 0) } }
        while next < range.upperBound {
            let result = relay_send_datagrams(
                descriptor, base, offsets + next, replyLengths + next, destinations + next,
                UInt32(range.upperBound - next))
            if result > 0 {
                sent += successes(next..<(next + Int(result)))
                next += Int(result)
                continue
            }
            switch -result {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK, ENOBUFS:
                return (sent, failed + successes(next..<range.upperBound), true)
            case let error where Self.isFatal(error):
                return (sent, failed + successes(next..<range.upperBound), false)
            default:
                failed += isSuccess[next] ? 1 : 0
                next += 1
            }
        }
        return (sent, failed, true)
    }

    /// A failed `recvmmsg`: nothing waiting, a transient error (such as `ECONNREFUSED` left by an
    /// earlier reply's ICMP error, counted as `read_error`), or a dead socket.
    private func receiveFailed(errno error: Int32) -> Outcome {
        switch error {
        case EAGAIN, EWOULDBLOCK, EINTR:
            return .drained
        case let error where Self.isFatal(error):
            metrics.record(.readError)
            return .fatal
        default:
            metrics.record(.readError)
            return .full
        }
    }

    private static func isFatal(_ error: Int32) -> Bool {
        error == EBADF || error == ENOTSOCK || error == EINVAL || error == EFAULT
    }
}

import BenchSupport
import CBenchUDP
import CRelaySystem
import Foundation
import Glibc
import NIOConcurrencyHelpers
import NIOCore

/// The load generator's I/O: one thread that drives every socket with `recvmmsg`/`sendmmsg` (64
/// datagrams per call) and `poll`, the same primitives derper's STUN server uses, so that the generator
/// is cheaper per request than any server it measures and the server is the side that saturates.
/// (The first stunbench used NIO datagram channels and topped out near 220,000 requests/s on its core.)
final class STUNLoadLoop: Sendable {
    enum Phase: Sendable {
        case warmingUp
        case measuring
        case measured
        case draining
        case stopped
    }

    struct Control: Sendable {
        var phase = Phase.warmingUp
        /// Set by the thread when it sees `measuring` and `measured`.
        var windowStart: UInt64?
        var windowEnd: UInt64?
        var measured: STUNLoadSocket.Stats?
        var totals: STUNLoadSocket.Stats?
    }

    let control = NIOLockedValueBox(Control())
    private static let batch = Int(RELAY_DATAGRAM_BATCH_MAX)

    /// Opens `sockets` UDP sockets towards `server` and starts sending at once.
    /// - Parameter segmentation: send each batch of requests as one `UDP_SEGMENT` datagram train
    ///   (falls back to `sendmmsg` where the kernel refuses).
    init(server: SocketAddress, sockets: Int, window: Int, timeout: Double, tailscaleStyle: Bool, segmentation: Bool) throws {
        var descriptors: [Int32] = []
        var destination = sockaddr_storage()
        server.withSockAddr { pointer, length in
            withUnsafeMutableBytes(of: &destination) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: length)) }
        }
        let family = server.protocol == .inet6 ? AF_INET6 : AF_INET
        for _ in 0..<max(1, sockets) {
            let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard descriptor >= 0 else { throw LoadError("socket: \(String(cString: strerror(errno)))") }
            var size: Int32 = 4 << 20
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(descriptor, SOL_SOCKET, SO_SNDBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
            descriptors.append(descriptor)
        }
        let states = descriptors.indices.map {
            STUNLoadSocket(index: UInt32($0), window: window, timeout: timeout, tailscaleStyle: tailscaleStyle)
        }
        let thread = LoadThread(descriptors: descriptors, states: states, destination: destination, control: control)
        thread.segmentation = segmentation
        thread.start()
    }

    struct LoadError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The thread's own state; only it touches this.
    private final class LoadThread: @unchecked Sendable {
        let descriptors: [Int32]
        var states: [STUNLoadSocket]
        let control: NIOLockedValueBox<Control>
        let destinations = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: STUNLoadLoop.batch)
        let offsets = UnsafeMutablePointer<UInt32>.allocate(capacity: STUNLoadLoop.batch)
        let lengths = UnsafeMutablePointer<UInt32>.allocate(capacity: STUNLoadLoop.batch)
        let sources = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: STUNLoadLoop.batch)
        var inbound = ByteBufferAllocator().buffer(capacity: STUNLoadLoop.batch * 2048)
        var outbound = ByteBufferAllocator().buffer(capacity: STUNLoadLoop.batch * 64)
        /// Whether sends use `UDP_SEGMENT` (turned off for good after the kernel refuses it once).
        var segmentation = true

        init(descriptors: [Int32], states: [STUNLoadSocket], destination: sockaddr_storage, control: NIOLockedValueBox<Control>) {
            self.descriptors = descriptors
            self.states = states
            self.control = control
            destinations.initialize(repeating: destination, count: STUNLoadLoop.batch)
        }

        deinit {
            for descriptor in descriptors { close(descriptor) }
            destinations.deallocate()
            offsets.deallocate()
            lengths.deallocate()
            sources.deallocate()
        }

        func start() {
            let thread = Thread { self.run() }
            thread.name = "stunbench"
            thread.start()
        }

        func run() {
                var pollDescriptors = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            var phase = Phase.warmingUp
            var sending = true
            var lastSweep = BenchClock.nanoseconds()
            while true {
                // The control block is read once per round (one round moves up to 64 datagrams per socket).
                let wanted = control.withLockedValue { $0.phase }
                if wanted != phase {
                    phase = wanted
                    let now = BenchClock.nanoseconds()
                    switch wanted {
                    case .measuring:
                        for index in states.indices {
                            states[index].measured = STUNLoadSocket.Stats()
                            states[index].measuring = true
                        }
                        control.withLockedValue { $0.windowStart = now }
                    case .measured:
                        var stats = STUNLoadSocket.Stats()
                        for index in states.indices {
                            states[index].measuring = false
                            stats.merge(states[index].measured)
                        }
                        control.withLockedValue {
                            $0.windowEnd = now
                            $0.measured = stats
                        }
                    case .draining:
                        sending = false
                    case .stopped:
                        var totals = STUNLoadSocket.Stats()
                        for index in states.indices { totals.merge(states[index].finish()) }
                        control.withLockedValue { $0.totals = totals }
                        return
                    case .warmingUp:
                        break
                    }
                }
                if sending {
                    for index in states.indices { fill(index) }
                }
                _ = poll(&pollDescriptors, nfds_t(pollDescriptors.count), 2)
                for index in states.indices where pollDescriptors[index].revents != 0 { drain(index) }
                let now = BenchClock.nanoseconds()
                if now &- lastSweep > 20_000_000 {
                    lastSweep = now
                    for index in states.indices { states[index].sweep(now: now) }
                }
            }
        }

        /// Sends requests until the socket's window is full (or the kernel's send buffer is).
        private func fill(_ index: Int) {
            while true {
                let count = min(states[index].room, STUNLoadLoop.batch)
                guard count > 0 else { return }
                outbound.clear()
                for offset in 0..<count {
                    offsets[offset] = UInt32(outbound.writerIndex)
                    states[index].writeRequest(offset, into: &outbound)
                    lengths[offset] = UInt32(outbound.writerIndex) - offsets[offset]
                }
                let now = BenchClock.nanoseconds()
                let sent = outbound.withUnsafeReadableBytes { raw -> Int32 in
                    guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
                    // Every request of a run has the same length, so the batch is one segmented send.
                    let segment = Int(lengths[0])
                    if segmentation, let segmentSize = UInt16(exactly: segment) {
                        let result = bench_send_segmented(descriptors[index], base, raw.count, segmentSize, destinations)
                        if result > 0 { return Int32(result / segment) }
                        if result == -Int(EAGAIN) || result == -Int(ENOBUFS) { return 0 }
                        segmentation = false
                    }
                    return relay_send_datagrams(descriptors[index], base, offsets, lengths, destinations, UInt32(count))
                }
                guard sent > 0 else { return }
                states[index].sent(Int(sent), at: now)
                if Int(sent) < count { return }
            }
        }

        /// Reads every waiting response of the socket.
        private func drain(_ index: Int) {
            while true {
                inbound.clear()
                let received = inbound.withUnsafeMutableWritableBytes { raw -> Int32 in
                    guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
                    return relay_receive_datagrams(descriptors[index], base, 2048, UInt32(STUNLoadLoop.batch), sources, lengths)
                }
                guard received > 0 else { return }
                inbound.moveWriterIndex(forwardBy: Int(received) * 2048)
                let now = BenchClock.nanoseconds()
                for message in 0..<Int(received) {
                    guard let datagram = inbound.getSlice(at: message * 2048, length: Int(lengths[message])) else { continue }
                    states[index].received(datagram, at: now)
                }
                if Int(received) < STUNLoadLoop.batch { return }
            }
        }
    }
}

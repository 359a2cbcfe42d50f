import CRelaySystem
import Glibc
import NIOConcurrencyHelpers

/// The thread that serves one `STUNSocketSet`: it sleeps in `poll` on the set's sockets and an
/// eventfd, and on each wake-up reads the ready sockets in batches (`STUNDatagramBurst`).
///
/// **Why a thread of its own rather than NIO's `DatagramChannel`.** STUN is the busiest path a relay
/// has, and each request costs the kernel about 3 µs; NIO added about 1.6 µs of its own per
/// response (an `AddressedEnvelope`, a pending-write record and a promise-less write per datagram,
/// plus retain/release through the pipeline), which capped derper at 1.2× coturn. This loop keeps
/// one `recvmmsg` and one `sendmmsg` per burst and nothing else (Benchmarks/RESULTS.md, step 3).
/// It also lets the server count sent replies exactly and keep a socket open after a send error
/// that NIO would close the channel on.
///
/// The thread owns the sockets and closes them as it exits; the eventfd is closed when the loop is
/// released, so a late `stop()` never writes to a reused descriptor.
package final class STUNSocketLoop: Sendable {
    private enum Phase {
        case running
        case stopping
        /// Asked to exit as if a socket had failed (tests of the server's rebinding).
        case failing
        case exited
    }

    private struct State {
        var phase = Phase.running
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        var exitHandlers: [@Sendable () -> Void] = []
    }

    /// Batches read from one socket per wake-up before the others (and the stop signal) get a turn.
    private static let burstsPerWake = 16

    private let sockets: [(role: STUNServerSocket, socket: STUNDatagramSocket)]
    private let wakeup: Int32
    private let state = NIOLockedValueBox(State())

    /// Starts the thread, which serves `sockets` with `burst` (built for the same sockets). The
    /// sockets belong to the loop from here on, also if this throws.
    init(sockets: [(role: STUNServerSocket, socket: STUNDatagramSocket)], burst: STUNDatagramBurst) throws {
        self.sockets = sockets
        let wakeup = relay_eventfd()
        guard wakeup >= 0 else {
            for entry in sockets { entry.socket.close() }
            throw STUNServerError.bindFailed(address: "eventfd", reason: String(cString: strerror(-wakeup)))
        }
        self.wakeup = wakeup
        do {
            try Self.startThread { [self] in run(burst) }
        } catch {
            // deinit closes the eventfd.
            for entry in sockets { entry.socket.close() }
            throw error
        }
    }

    deinit {
        Glibc.close(wakeup)
    }

    /// Whether the thread is serving (not stopping, failed or gone).
    package var isRunning: Bool { state.withLockedValue { $0.phase == .running } }

    /// Calls `body` on the loop thread as it exits, for any reason; at once if it has exited.
    package func onExit(_ body: @escaping @Sendable () -> Void) {
        let exited = state.withLockedValue { state -> Bool in
            guard state.phase != .exited else { return true }
            state.exitHandlers.append(body)
            return false
        }
        if exited { body() }
    }

    /// Asks the thread to exit and waits until it has closed the sockets.
    package func stop() async {
        await exit(as: .stopping)
    }

    /// Makes the thread exit as a fatal socket error would (the sockets close and `isRunning` turns
    /// false without `stop()`), so tests can check that the server binds them again.
    package func failForTesting() async {
        await exit(as: .failing)
    }

    private func exit(as phase: Phase) async {
        state.withLockedValue { state in
            if state.phase == .running { state.phase = phase }
        }
        _ = relay_eventfd_signal(wakeup)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = state.withLockedValue { state -> Bool in
                guard state.phase != .exited else { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }

    /// The thread: poll, read what is ready, repeat until the eventfd fires or a socket fails.
    private func run(_ burst: STUNDatagramBurst) {
        relay_set_thread_name("derper-stun")
        var pollDescriptors = sockets.map { pollfd(fd: $0.socket.descriptor, events: Int16(POLLIN), revents: 0) }
        pollDescriptors.append(pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0))
        let wakeupIndex = pollDescriptors.count - 1
        serving: while true {
            let ready = poll(&pollDescriptors, nfds_t(pollDescriptors.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break serving
            }
            if pollDescriptors[wakeupIndex].revents != 0 { break serving }
            for index in sockets.indices where pollDescriptors[index].revents != 0 {
                // POLLERR (a pending ICMP error) and POLLNVAL come here too: the read reports them.
                reading: for _ in 0..<Self.burstsPerWake {
                    switch burst.run(socket: index, role: sockets[index].role) {
                    case .drained: break reading
                    case .full: continue
                    case .fatal: break serving
                    }
                }
            }
        }
        for entry in sockets { entry.socket.close() }
        let (waiters, handlers) = state.withLockedValue { state in
            state.phase = .exited
            defer {
                state.exitWaiters = []
                state.exitHandlers = []
            }
            return (state.exitWaiters, state.exitHandlers)
        }
        for waiter in waiters { waiter.resume() }
        for handler in handlers { handler() }
    }

    /// Runs `body` on a new detached thread.
    private static func startThread(_ body: @escaping () -> Void) throws {
        final class Body {
            let run: () -> Void
            init(_ run: @escaping () -> Void) { self.run = run }
        }
        let argument = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, argument)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(argument).release()
            throw STUNServerError.bindFailed(address: "thread", reason: String(cString: strerror(result)))
        }
        pthread_detach(thread)
    }
}

import BenchSupport
import NIOCore
import NIOPosix

/// Many DERP connections at once or in a bounded stream (idle and storm modes).
struct ConnectionRun {
    var target: BenchTarget
    var connections: Int
    /// Source addresses 127.0.0.2 ... to spread the clients' ports; 0 lets the kernel choose on 127.0.0.1.
    var sourceAddresses: Int
    var timeout: TimeAmount

    struct Outcome {
        var completed = 0
        var refused = 0
        var failed = 0
        var firstErrors: [String] = []
        var seconds: Double = 0
        var handshakes = LatencyHistogram()

        mutating func record(_ result: Result<UInt64, any Error>) {
            switch result {
            case .success(let nanoseconds):
                completed += 1
                handshakes.record(nanoseconds)
            case .failure(let error):
                let text = String(describing: error)
                if text.contains("refused") || text.contains("ECONNREFUSED") { refused += 1 } else { failed += 1 }
                if firstErrors.count < 5 { firstErrors.append(text) }
            }
        }
    }

    /// A live set of connections, closed by `close()`.
    struct Session {
        let group: MultiThreadedEventLoopGroup
        let loop: any EventLoop
        let connector: BenchConnector

        func close() async {
            let recorder = connector.recorder
            _ = try? await loop.submit { recorder.value.closeAll() }.get()
            try? await Task.sleep(for: .milliseconds(200))
            try? await group.shutdownGracefully()
        }
    }

    func open() async throws -> Session {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let recorder = try await loop.submit { NIOLoopBound(RelayRecorder(), eventLoop: loop) }.get()
        return Session(group: group, loop: loop, connector: BenchConnector(loop: loop, recorder: recorder))
    }

    private func source(_ i: Int) throws -> SocketAddress? {
        guard sourceAddresses > 0 else { return nil }
        return try SocketAddress(ipAddress: "127.0.0.\(2 + i % min(sourceAddresses, 250))", port: 0)
    }

    /// One connection: TCP, TLS, upgrade and DERP handshake; succeeds with its duration in nanoseconds.
    private func connectOne(_ session: Session, index: Int) -> EventLoopFuture<UInt64> {
        let start = BenchClock.nanoseconds()
        do {
            let keys = try BenchKeyPair()
            return session.connector.connect(to: target, role: .idle, keys: keys, source: try source(index),
                                             timeout: timeout)
                .map { _ in BenchClock.nanoseconds() &- start }
        } catch {
            return session.loop.makeFailedFuture(error)
        }
    }

    /// At most `concurrency` handshakes in flight at a time.
    func connectStream(_ session: Session, concurrency: Int) async -> Outcome {
        var outcome = Outcome()
        let start = BenchClock.nanoseconds()
        await withTaskGroup(of: Result<UInt64, any Error>.self) { group in
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask {
                    do { return .success(try await connectOne(session, index: index).get()) } catch { return .failure(error) }
                }
            }
            while next < min(concurrency, connections) { add() }
            while let result = await group.next() {
                outcome.record(result)
                if next < connections { add() }
            }
        }
        outcome.seconds = BenchClock.seconds(since: start)
        return outcome
    }

    /// Every connection started at once; the time runs until the last one completed or failed.
    func connectStorm(_ session: Session) async -> Outcome {
        var outcome = Outcome()
        let start = BenchClock.nanoseconds()
        let futures = (0..<connections).map { connectOne(session, index: $0) }
        for future in futures {
            do { outcome.record(.success(try await future.get())) } catch { outcome.record(.failure(error)) }
        }
        outcome.seconds = BenchClock.seconds(since: start)
        return outcome
    }
}

extension ConnectionRun.Outcome {
    var metrics: [String: Double] {
        var out: [String: Double] = [
            "completed": Double(completed), "refused": Double(refused), "failed": Double(failed),
            "seconds": seconds, "connects_per_second": seconds > 0 ? Double(completed) / seconds : 0,
        ]
        out.merge(handshakes.metrics(prefix: "handshake")) { a, _ in a }
        return out
    }
}

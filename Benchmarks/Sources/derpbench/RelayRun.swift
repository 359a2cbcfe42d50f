import BenchSupport
import NIOCore
import NIOPosix
import NIOSSL

/// Relay and reference runs: N sender/receiver pairs, a warm-up, a measured window, a drain, and the figures.
struct RelayRun {
    enum Mode {
        /// Through derper: senders and receivers are DERP clients.
        case relay(BenchTarget)
        /// Through a TLS-terminating proxy at `proxy` to our own TLS sink on `sinkPort`.
        case reference(proxy: BenchTarget, sinkPort: Int, sinkTLS: NIOSSLContext)
    }

    var mode: Mode
    var pairs: Int
    var packetSize: Int
    var batchBytes: Int
    /// Bytes in flight per pair (sent, not yet received); 0 floods open-loop.
    var windowBytes: Int
    var warmup: Double
    var duration: Double
    var serverPID: Int32?
    var serverName: String

    struct Window {
        var snapshot: RelayRecorder.Snapshot
        var seconds: Double
        var serverCPUPercent: Double?
        var serverCPUSeconds: Double?
        var generatorCPUPercent: Double
        var gaps: UInt64
        var stalls: Int
    }

    /// Runs at full speed (or paced at `fixedRate` packets/s in total); with `halfRateLatency` it then runs again
    /// paced at half the packet rate just measured and returns that window too.
    func run(halfRateLatency: Bool, fixedRate: Double? = nil) async throws -> (full: Window, half: Window?) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let recorder = try await loop.submit { NIOLoopBound(RelayRecorder(), eventLoop: loop) }.get()
        let connector = BenchConnector(loop: loop, recorder: recorder)
        var sink: (any Channel)?
        do {
            sink = try await connect(connector, recorder: recorder, loop: loop)
            if let fixedRate {
                let perSender = max(1, fixedRate / Double(pairs))
                try await loop.submit {
                    for sender in recorder.value.senders { sender.setRate(perSender) }
                }.get()
            }
            let full = try await measure(recorder: recorder, loop: loop)
            var half: Window?
            if halfRateLatency {
                let perSender = max(1, full.packetsPerSecond / 2 / Double(pairs))
                try await loop.submit {
                    for sender in recorder.value.senders { sender.setRate(perSender) }
                }.get()
                half = try await measure(recorder: recorder, loop: loop)
            }
            try await loop.submit { recorder.value.closeAll() }.get()
            try? await sink?.close()
            try await group.shutdownGracefully()
            return (full, half)
        } catch {
            _ = try? await loop.submit { recorder.value.closeAll() }.get()
            try? await sink?.close()
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private func connect(_ connector: BenchConnector, recorder: NIOLoopBound<RelayRecorder>,
                         loop: any EventLoop) async throws -> (any Channel)? {
        let receiverKeys = try (0..<pairs).map { _ in try BenchKeyPair() }
        func plan(_ i: Int) -> SendPlan {
            SendPlan(destination: receiverKeys[i].publicKey, packetSize: packetSize, packetsPerSecond: nil,
                     senderIndex: UInt32(i), batchBytes: batchBytes,
                     windowPackets: windowBytes > 0 ? max(4, windowBytes / (37 + packetSize)) : nil)
        }
        switch mode {
        case .relay(let target):
            // Receivers first, so nothing is sent to a key the server does not know yet.
            let receivers = receiverKeys.map { connector.connect(to: target, role: .receiver, keys: $0) }
            for r in receivers { _ = try await r.get() }
            let senders = try (0..<pairs).map { i in
                connector.connect(to: target, role: .sender(plan(i)), keys: try BenchKeyPair())
            }
            for s in senders { _ = try await s.get() }
            return nil
        case .reference(let proxy, let sinkPort, let sinkTLS):
            let sink = try await connector.startSink(port: sinkPort, tls: sinkTLS).get()
            let allProxied = loop.makePromise(of: Void.self)
            try await loop.submit { recorder.value.sinkWaiter = (pairs, allProxied) }.get()
            let senders = (0..<pairs).map { i in connector.connect(to: proxy, role: .rawSender(plan(i)), keys: nil) }
            for s in senders { _ = try await s.get() }
            let timeout = loop.scheduleTask(in: .seconds(10)) {
                allProxied.fail(BenchError.incomplete("the proxy did not connect \(pairs) times to the sink"))
            }
            try await allProxied.futureResult.get()
            timeout.cancel()
            return sink
        }
    }

    private func measure(recorder: NIOLoopBound<RelayRecorder>, loop: any EventLoop) async throws -> Window {
        let (gapsBefore, stallsBefore) = try await loop.submit {
            (recorder.value.totals.gaps, recorder.value.totals.stalls)
        }.get()
        try await loop.submit { recorder.value.startSenders() }.get()
        try await Task.sleep(for: .seconds(warmup))
        let serverCPU = CPUWindow(pid: serverPID)
        let ownCPU = ProcessStats.ownCPUSeconds()
        let start = try await loop.submit {
            recorder.value.beginWindow()
            return BenchClock.nanoseconds()
        }.get()
        try await Task.sleep(for: .seconds(duration))
        let (snapshot, end) = try await loop.submit {
            (recorder.value.endWindow(), BenchClock.nanoseconds())
        }.get()
        let seconds = Double(end &- start) / 1e9
        let window = Window(
            snapshot: snapshot, seconds: seconds, serverCPUPercent: serverCPU.percent(),
            serverCPUSeconds: serverCPU.seconds(),
            generatorCPUPercent: (ProcessStats.ownCPUSeconds() - ownCPU) / seconds * 100, gaps: 0, stalls: 0)
        try await loop.submit { recorder.value.stopSenders() }.get()
        try await Task.sleep(for: .milliseconds(500))
        let (gapsAfter, stallsAfter) = try await loop.submit {
            (recorder.value.totals.gaps, recorder.value.totals.stalls)
        }.get()
        var result = window
        result.gaps = gapsAfter - gapsBefore
        result.stalls = stallsAfter - stallsBefore
        return result
    }
}

extension RelayRun.Window {
    var packetsPerSecond: Double { Double(snapshot.receivedPackets) / seconds }

    /// The figures of one window as result metrics.
    func metrics(packetSize: Int) -> [String: Double] {
        let received = Double(snapshot.receivedPackets)
        var out: [String: Double] = [
            "packets_per_second": received / seconds,
            "goodput_gbps": Double(snapshot.receivedBytes) * 8 / seconds / 1e9,
            "offered_packets_per_second": Double(snapshot.sentPackets) / seconds,
            "drops": Double(gaps),
            "drop_ratio": received + Double(gaps) > 0 ? Double(gaps) / (received + Double(gaps)) : 0,
            "generator_cpu_percent": generatorCPUPercent,
            "window_seconds": seconds,
            "window_stalls": Double(stalls),
        ]
        out.merge(snapshot.histogram.metrics(prefix: "latency")) { a, _ in a }
        if let serverCPUPercent { out["server_cpu_percent"] = serverCPUPercent }
        if let serverCPUSeconds, received > 0 {
            out["server_cpu_ns_per_packet"] = serverCPUSeconds * 1e9 / received
        }
        return out
    }
}

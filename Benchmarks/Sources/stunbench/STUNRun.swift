import BenchSupport
import NIOCore
import NIOPosix

/// One target's run: open the sockets, warm up, measure, drain, and turn the counters into figures.
struct STUNRun {
    var server: SocketAddress
    var sockets: Int
    var window: Int
    var warmup: Double
    var duration: Double
    var timeout: Double
    var tailscaleStyle: Bool
    var serverPID: Int32?

    func run() async throws -> [String: Double] {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let handlers = try await loop.submit { NIOLoopBoundBox([STUNLoadHandler](), eventLoop: loop) }.get()
        var channels: [any Channel] = []
        for index in 0..<sockets {
            let channel = try await DatagramBootstrap(group: loop)
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
                .channelOption(.datagramVectorReadMessageCount, value: 64)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
                .channelInitializer { [server, window, timeout, tailscaleStyle] channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = STUNLoadHandler(server: server, socketIndex: UInt32(index), window: window,
                                                      timeout: timeout, tailscaleStyle: tailscaleStyle)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        handlers.value.append(handler)
                    }
                }
                .bind(host: server.protocol == .inet6 ? "::1" : "127.0.0.1", port: 0).get()
            channels.append(channel)
        }
        try await loop.submit { for h in handlers.value { h.start() } }.get()
        try await Task.sleep(for: .seconds(warmup))
        let serverCPU = CPUWindow(pid: serverPID)
        let ownCPU = ProcessStats.ownCPUSeconds()
        let start = try await loop.submit {
            for h in handlers.value { h.beginWindow() }
            return BenchClock.nanoseconds()
        }.get()
        try await Task.sleep(for: .seconds(duration))
        let (measured, end) = try await loop.submit {
            var stats = STUNLoadHandler.Stats()
            for h in handlers.value { stats.merge(h.endWindow()) }
            return (stats, BenchClock.nanoseconds())
        }.get()
        let seconds = Double(end &- start) / 1e9
        let serverPercent = serverCPU.percent(), serverSeconds = serverCPU.seconds()
        let generatorPercent = (ProcessStats.ownCPUSeconds() - ownCPU) / seconds * 100
        try await loop.submit { for h in handlers.value { h.stop() } }.get()
        try await Task.sleep(for: .seconds(timeout + 0.2))
        let totals = try await loop.submit {
            var stats = STUNLoadHandler.Stats()
            for h in handlers.value { stats.merge(h.finish()) }
            return stats
        }.get()
        for channel in channels { try? await channel.close() }
        try await group.shutdownGracefully()

        var metrics: [String: Double] = [
            "responses_per_second": Double(measured.received) / seconds,
            "requests_per_second": Double(measured.sent) / seconds,
            "loss_ratio": totals.sent > 0 ? Double(totals.lost) / Double(totals.sent) : 0,
            "lost": Double(totals.lost),
            "sent_total": Double(totals.sent),
            "unexpected": Double(totals.unexpected),
            "generator_cpu_percent": generatorPercent,
            "window_seconds": seconds,
        ]
        metrics.merge(measured.histogram.metrics(prefix: "latency")) { a, _ in a }
        if let serverPercent { metrics["server_cpu_percent"] = serverPercent }
        if let serverSeconds, measured.received > 0 {
            metrics["server_cpu_ns_per_response"] = serverSeconds * 1e9 / Double(measured.received)
        }
        return metrics
    }
}

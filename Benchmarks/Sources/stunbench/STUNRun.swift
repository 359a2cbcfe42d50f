import BenchSupport
import NIOConcurrencyHelpers
import NIOCore

/// One target's run: open the sockets, warm up, measure, drain, and turn the counters into figures.
struct STUNRun {
    var server: SocketAddress
    var sockets: Int
    var window: Int
    var warmup: Double
    var duration: Double
    var timeout: Double
    var tailscaleStyle: Bool
    var segmentation: Bool
    var serverPID: Int32?

    func run() async throws -> [String: Double] {
        let load = try STUNLoadLoop(server: server, sockets: sockets, window: window, timeout: timeout,
                                    tailscaleStyle: tailscaleStyle, segmentation: segmentation)
        try await Task.sleep(for: .seconds(warmup))
        let serverCPU = CPUWindow(pid: serverPID)
        let ownCPU = ProcessStats.ownCPUSeconds()
        load.control.withLockedValue { $0.phase = .measuring }
        try await Task.sleep(for: .seconds(duration))
        load.control.withLockedValue { $0.phase = .measured }
        let serverPercent = serverCPU.percent(), serverSeconds = serverCPU.seconds()
        let ownSeconds = ProcessStats.ownCPUSeconds() - ownCPU
        let (measured, start, end) = try await Self.wait(for: load) { control in
            control.measured.flatMap { stats in
                control.windowStart.flatMap { start in control.windowEnd.map { (stats, start, $0) } }
            }
        }
        let seconds = Double(end &- start) / 1e9
        let generatorPercent = ownSeconds / seconds * 100
        load.control.withLockedValue { $0.phase = .draining }
        try await Task.sleep(for: .seconds(timeout + 0.2))
        load.control.withLockedValue { $0.phase = .stopped }
        let totals = try await Self.wait(for: load) { $0.totals }

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

    /// Polls the loop's control block (every 5 ms, for at most 5 s) until `ready` returns a value.
    private static func wait<T>(
        for load: STUNLoadLoop, _ ready: (STUNLoadLoop.Control) -> T?
    ) async throws -> T {
        for _ in 0..<1000 {
            if let value = load.control.withLockedValue({ ready($0) }) { return value }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw STUNLoadLoop.LoadError("the load thread did not answer within 5 s")
    }
}

import ArgumentParser
import BenchSupport
import NIOCore

struct IdleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Open K DERP connections, hold them, and report the server's resident memory per connection.")

    @OptionGroup var common: CommonOptions

    @Option(name: .customShort("k"), help: "Connections to open.")
    var connections: Int = 10_000

    @Option(help: "Handshakes in flight at once.")
    var concurrency: Int = 256

    @Option(help: "Seconds to wait after the last handshake before reading the server's memory.")
    var settle: Double = 2

    @Option(help: "Spread clients over this many source addresses 127.0.0.2... (0: 127.0.0.1 only).")
    var sourceAddresses: Int = 8

    func run() async throws {
        guard let pid = common.serverPID else { throw ValidationError("idle needs --server-pid to read VmRSS") }
        let run = ConnectionRun(target: try BenchTarget(derpMapPath: common.map), connections: connections,
                                sourceAddresses: sourceAddresses, timeout: .seconds(60))
        guard let before = ProcessStats.residentKiB(pid: pid) else { throw BenchError.setup("no /proc/\(pid)/status") }
        let session = try await run.open()
        let serverCPU = CPUWindow(pid: pid)
        let generatorCPU = ProcessStats.ownCPUSeconds()
        let outcome = await run.connectStream(session, concurrency: concurrency)
        let serverPercent = serverCPU.percent()
        let generatorPercent = (ProcessStats.ownCPUSeconds() - generatorCPU) / max(outcome.seconds, 1e-9) * 100
        try await Task.sleep(for: .seconds(settle))
        let after = ProcessStats.residentKiB(pid: pid) ?? before
        await session.close()
        var metrics = outcome.metrics
        metrics["server_rss_before_kib"] = Double(before)
        if let serverPercent { metrics["server_cpu_percent"] = serverPercent }
        metrics["generator_cpu_percent"] = generatorPercent
        metrics["server_rss_after_kib"] = Double(after)
        metrics["server_kib_per_connection"] = outcome.completed > 0 ? Double(after - before) / Double(outcome.completed) : 0
        try BenchResult(name: "idle-\(connections)", kind: "idle", server: common.serverName,
                        parameters: ["connections": String(connections), "concurrency": String(concurrency)],
                        metrics: metrics, notes: outcome.firstErrors).emit(to: common.jsonOut)
    }
}

struct StormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storm",
        abstract: "Start K DERP connections at once; time until every handshake completed, and count refusals.")

    @OptionGroup var common: CommonOptions

    @Option(name: .customShort("k"), help: "Connections to start at once.")
    var connections: Int = 10_000

    @Option(help: "Seconds each connection may take before it counts as failed.")
    var timeout: Int64 = 60

    @Option(help: "Spread clients over this many source addresses 127.0.0.2... (0: 127.0.0.1 only).")
    var sourceAddresses: Int = 8

    func run() async throws {
        let run = ConnectionRun(target: try BenchTarget(derpMapPath: common.map), connections: connections,
                                sourceAddresses: sourceAddresses, timeout: .seconds(timeout))
        let session = try await run.open()
        let serverCPU = CPUWindow(pid: common.serverPID)
        let generatorCPU = ProcessStats.ownCPUSeconds()
        let outcome = await run.connectStorm(session)
        var metrics = outcome.metrics
        if let percent = serverCPU.percent() { metrics["server_cpu_percent"] = percent }
        metrics["generator_cpu_percent"] = (ProcessStats.ownCPUSeconds() - generatorCPU) / max(outcome.seconds, 1e-9) * 100
        if let pid = common.serverPID, let rss = ProcessStats.residentKiB(pid: pid) { metrics["server_rss_kib"] = Double(rss) }
        await session.close()
        try BenchResult(name: "storm-\(connections)", kind: "storm", server: common.serverName,
                        parameters: ["connections": String(connections)],
                        metrics: metrics, notes: outcome.firstErrors).emit(to: common.jsonOut)
    }
}

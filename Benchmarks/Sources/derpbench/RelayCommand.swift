import ArgumentParser
import BenchSupport

struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Stream timestamped packets between client pairs through derper; rate, goodput, drops, latency.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var stream: StreamOptions

    @Flag(help: "Afterwards, pace the same senders at half the measured packet rate and report that latency.")
    var halfRateLatency = false

    @Option(help: "Pace all senders together at this many packets/s instead of as fast as possible.")
    var rate: Double?

    func run() async throws {
        let target = try BenchTarget(derpMapPath: common.map)
        let run = RelayRun(
            mode: .relay(target), pairs: stream.pairs, packetSize: stream.size, batchBytes: stream.batchBytes,
            windowBytes: stream.windowBytes, warmup: stream.warmup, duration: stream.duration,
            serverPID: common.serverPID, serverName: common.serverName)
        let (full, half) = try await run.run(halfRateLatency: halfRateLatency && rate == nil, fixedRate: rate)
        let parameters = [
            "pairs": String(stream.pairs), "size": String(stream.size), "duration": String(stream.duration),
            "target": "\(target.host):\(target.port)",
        ]
        var fullParameters = parameters
        if let rate { fullParameters["rate"] = BenchResult.format(rate) }
        try BenchResult(name: rate.map { "latency-\(stream.size)-at-\(Int($0))" } ?? "relay-\(stream.size)",
                        kind: rate == nil ? "relay" : "latency", server: common.serverName,
                        parameters: fullParameters, metrics: full.metrics(packetSize: stream.size))
            .emit(to: common.jsonOut)
        if let half {
            var halfParameters = parameters
            halfParameters["rate"] = BenchResult.format(full.packetsPerSecond / 2)
            try BenchResult(name: "latency-\(stream.size)-half", kind: "latency", server: common.serverName,
                            parameters: halfParameters, metrics: half.metrics(packetSize: stream.size))
                .emit(to: common.jsonOut)
        }
    }
}

struct ReferenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "The same senders and frames through a TLS-terminating proxy (nginx stream) to a TLS sink.",
        discussion: """
            The proxy must listen on --proxy-port with derper's certificate and forward, re-encrypting, to
            127.0.0.1:--sink-port. Each byte is decrypted and encrypted once by the proxy, as by derper.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var stream: StreamOptions

    @Option(help: "Port of the TLS proxy on 127.0.0.1.")
    var proxyPort: Int

    @Option(help: "Port the TLS sink listens on (the proxy's upstream).")
    var sinkPort: Int

    @Option(help: "Certificate (PEM) the sink presents; derper's <certdir>/127.0.0.1.crt.")
    var cert: String

    @Option(help: "Private key (PEM) of --cert.")
    var key: String

    @Option(help: "Pace all senders together at this many packets/s (the latency reference for derper's paced runs).")
    var rate: Double?

    func run() async throws {
        let proxy = try BenchTarget(derpMapPath: common.map).via(port: proxyPort)
        let sinkTLS = try BenchTarget.serverContext(certificatePath: cert, keyPath: key)
        let run = RelayRun(
            mode: .reference(proxy: proxy, sinkPort: sinkPort, sinkTLS: sinkTLS), pairs: stream.pairs,
            packetSize: stream.size, batchBytes: stream.batchBytes, windowBytes: stream.windowBytes,
            warmup: stream.warmup,
            duration: stream.duration, serverPID: common.serverPID, serverName: common.serverName)
        let (full, _) = try await run.run(halfRateLatency: false, fixedRate: rate)
        var parameters = ["pairs": String(stream.pairs), "size": String(stream.size),
                          "duration": String(stream.duration), "target": "127.0.0.1:\(proxyPort)"]
        if let rate { parameters["rate"] = BenchResult.format(rate) }
        try BenchResult(
            name: rate.map { "reference-latency-\(stream.size)-at-\(Int($0))" } ?? "reference-\(stream.size)",
            kind: rate == nil ? "reference" : "reference-latency", server: common.serverName,
            parameters: parameters, metrics: full.metrics(packetSize: stream.size)
        ).emit(to: common.jsonOut)
    }
}

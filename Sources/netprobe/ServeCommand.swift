import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RelayCore

/// `netprobe serve`: runs the report periodically and serves the latest as Prometheus metrics.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the report periodically and expose it as Prometheus metrics at /metrics.",
        discussion: """
            Each report probes as `netprobe report` does (same options). Metrics include \
            netprobe_udp, netprobe_region_latency_seconds{region,code,via}, \
            netprobe_derp_round_trip_seconds{region,code}, netprobe_certificate_days_left{region,node,host} \
            and netprobe_preferred_region. One line per finished report goes to standard error. \
            Stop it with SIGINT or SIGTERM.
            """
    )

    @OptionGroup var options: ReportOptions

    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp(
            "Where to serve /metrics: HOST:PORT, [IPv6]:PORT, or :PORT for every address (default: 127.0.0.1:8030).",
            valueName: "address"),
        transform: ServeListenAddress.init(parsing:)
    )
    var listen: ServeListenAddress?

    @Option(
        name: .customLong("interval"),
        help: ArgumentHelp("Time from the start of one report to the start of the next (default: 30s).", valueName: "duration"),
        transform: ReportOptions.parseDuration
    )
    var interval: Duration?

    func run() async throws {
        let configuration = try await options.configuration()
        let group = MultiThreadedEventLoopGroup.singleton
        let interval = self.interval ?? .seconds(30)
        let monitor = NetcheckMonitor(prober: NetcheckProber(configuration: configuration, group: group), interval: interval)
        let address = listen ?? ServeListenAddress(host: "127.0.0.1", port: 8030)
        let server: any Channel
        do {
            server = try await NetcheckMetricsServer.bind(host: address.host, port: address.port, group: group) {
                monitor.metricsText
            }
        } catch let error as IOError {
            throw NetprobeError.failure("cannot listen on \(address): \(String(cString: strerror(error.errnoCode)))")
        } catch {
            throw NetprobeError.failure("cannot listen on \(address): \(error)")
        }
        let bound = server.localAddress.map { ServeListenAddress(host: $0.ipAddress ?? address.host, port: $0.port ?? address.port) } ?? address
        Console.error("netprobe serve: metrics at http://\(bound)/metrics, a report every \(NetcheckDuration.goString(interval))")
        await monitor.run { report, count in
            Console.error("netprobe serve: report \(count): " + ServeCommand.summary(report))
        }
        try? await server.close()
    }

    /// One line: `UDP=true preferred=900 (custom) 1.2ms derp=ok 800µs warnings=0 took 12ms`.
    static func summary(_ report: NetcheckReport) -> String {
        var parts = ["UDP=\(report.udp)"]
        if let region = report.preferredRegion {
            parts.append("preferred=\(region.id) (\(region.code))" + (region.latencyMs.map { " " + NetcheckTextRenderer.milliseconds($0) } ?? ""))
        } else {
            parts.append("preferred=none")
        }
        let trip = report.derpRoundTrip
        parts.append(trip.ok ? "derp=ok " + NetcheckTextRenderer.milliseconds(trip.rttMs ?? 0) : "derp=failed")
        parts.append("warnings=\(report.warnings.count)")
        parts.append("took " + NetcheckTextRenderer.milliseconds(report.durationMs))
        return parts.joined(separator: " ")
    }
}

/// `--listen`: `HOST:PORT`, `[IPv6]:PORT`, or `:PORT` (every address).
struct ServeListenAddress: Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init(parsing text: String) throws {
        let usage = "expected HOST:PORT, [IPv6]:PORT or :PORT, got \"\(text)\""
        var host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ValidationError(usage)
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ValidationError(usage) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else {
                throw ValidationError("put an IPv6 address in brackets: [\(host)]:\(portText)")
            }
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ValidationError("invalid port \"\(portText)\" in \"\(text)\"")
        }
        if host.isEmpty { host = "::" }
        self.host = String(host)
        self.port = port
    }

    var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

import ArgumentParser
import NIOPosix
import RelayCore

/// `netprobe report` (the default subcommand): a `tailscale netcheck`-grade network report, with
/// CI conditions.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report on this network's connectivity to DERP relays (the default subcommand).",
        discussion: """
            Measures what `tailscale netcheck` measures (UDP, IPv4, IPv6, public addresses, whether \
            the NAT mapping varies by destination, UPnP/NAT-PMP/PCP, captive portal, per-region \
            latency over STUN with an HTTPS fallback, the preferred region) and more: the RFC 4787 \
            NAT verdict, a real DERP round trip through the preferred region, and the TLS \
            certificate of every DERP node (expiry, CertName pin). Every probe runs concurrently \
            under one deadline (--timeout).

            --json prints Tailscale's JSON field names, types and units (durations in \
            nanoseconds), with netprobe's own fields beside them.

            Exit codes: 0 the report was made and every --require / --max-latency condition \
            holds; 1 a condition failed (one line per failure on standard error, with the \
            measured value) or the map is unreadable, broken or empty; 2 usage error (bad option \
            value, unknown region).
            """
    )

    @OptionGroup var options: ReportOptions

    @Flag(name: .customLong("json"), help: "Print the report as JSON (Tailscale's netcheck fields plus netprobe's).")
    var json = false

    @Option(
        name: .customLong("require"),
        help: ArgumentHelp(
            "Fail (exit 1) unless these hold: udp, ipv4, ipv6, derp (a packet through the preferred region's derper "
                + "and back), direct (NAT verdict none or easy), portmap. Comma-separated, repeatable.",
            valueName: "condition,...")
    )
    var require: [String] = []

    @Option(
        name: .customLong("max-latency"),
        help: ArgumentHelp("Fail (exit 1) unless the preferred region's latency is at most this (e.g. 150ms).", valueName: "duration"),
        transform: ReportOptions.parseDuration
    )
    var maxLatency: Duration?

    func validate() throws {
        _ = try requirementCheck()
    }

    func run() async throws {
        let check = try requirementCheck()
        let configuration = try await options.configuration()
        let prober = NetcheckProber(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton)
        var report = await prober.run()
        report.requirements = check.evaluate(report)
        if json {
            do {
                Console.out(try report.jsonText())
            } catch {
                throw NetprobeError.failure("cannot encode the report as JSON: \(error)")
            }
        } else {
            Console.out(NetcheckTextRenderer.render(report))
        }
        let failures = report.requirements.filter { !$0.ok }
        for failure in failures {
            Console.error(failure.failureLine)
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    private func requirementCheck() throws -> NetcheckRequirementCheck {
        do {
            return NetcheckRequirementCheck(requirements: try NetcheckRequirement.parseList(require), maxLatency: maxLatency)
        } catch {
            throw ValidationError("--require: \(error)")
        }
    }
}

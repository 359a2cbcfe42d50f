import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RelayCore

/// `stunner`: classify the NAT in front of this machine (RFC 4787); `stunner compare` compares
/// two reports.
///
/// Exit status: 0 a verdict was reached; 1 no verdict (UDP blocked, nothing answered, too little
/// evidence) or a runtime error; 2 usage errors, including an unreadable DERP map or report.
@main
struct StunnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stunner",
        abstract: "Classify the NAT in front of this machine (RFC 4787) using STUN.",
        discussion: """
            Probes several STUN servers at once from one UDP socket and compares the public address \
            each one sees; with an RFC 5780 server (OTHER-ADDRESS, CHANGE-REQUEST) it also measures \
            filtering, on fresh sockets. Also tests hairpinning, port preservation, IPv6 and (on a \
            private default gateway) UPnP, NAT-PMP and PCP. Reports the verdict in RFC 4787 terms, \
            the legacy RFC 3489 name and Tailscale's none / easy / hard.

            Without --stun-server or --derp-map it probes the STUN servers of Tailscale's default \
            DERP map, one node per region.

            Exit status: 0 a verdict was reached; 1 UDP is blocked, nothing answered, or there was too \
            little evidence for a verdict; 2 usage error (bad option, unreadable DERP map or report).
            """,
        version: ToolkitVersion.string,
        subcommands: [CompareCommand.self]
    )

    /// Usage errors exit 2, as derper's and Go's flag parsers do (STYLE.md §8), not
    /// ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.error(fullMessage(for: error))
                Console.terminate(Console.usageError)
            }
            exit(withError: error)
        }
    }

    @Option(
        name: .customLong("stun-server"),
        help: ArgumentHelp(
            "A STUN server to probe; repeat for several. Replaces the default servers (the DERP map's).",
            valueName: "host[:port]"),
        transform: { text in
            guard let spec = NATServerSpec(parsing: text) else {
                throw ValidationError("--stun-server \"\(text)\": expected HOST, HOST:PORT or [IPv6]:PORT with a port 1-65535")
            }
            return spec
        })
    var stunServers: [NATServerSpec] = []

    @Option(
        name: .customLong("derp-map"),
        help: ArgumentHelp("Probe the STUN servers of this DERP map (Tailscale JSON) instead of the embedded default.",
                           valueName: "file"))
    var derpMap: String?

    @Option(name: .customLong("source-port"), help: "Local UDP port of the mapping socket (default: a random port).")
    var sourcePort: Int?

    @Option(name: .customLong("timeout"), help: "Hard deadline for the whole run, in seconds.")
    var timeout: Double = 3

    @Flag(name: .customLong("json"), help: "Print one JSON object (schemaVersion 1) instead of the report.")
    var json = false

    @Flag(name: .customLong("no-ip"), help: "Redact this host's addresses (interfaces, public mappings).")
    var noIP = false

    @Flag(name: .customLong("debug"), help: "Show every transmission, reply and ignored datagram.")
    var debug = false

    @Flag(name: .customLong("no-hairpin"), help: "Skip the hairpinning test (some firewalls flag it as a LAND attack).")
    var noHairpin = false

    @Flag(
        name: .customLong("no-port-mapping"),
        help: "Do not probe the default gateway for UPnP, NAT-PMP and PCP (sent only to a private gateway).")
    var noPortMapping = false

    func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 60 else {
            throw ValidationError("--timeout must be more than 0 and at most 60 seconds")
        }
        if let sourcePort, !(1...65535).contains(sourcePort) {
            throw ValidationError("--source-port must be 1-65535")
        }
        if !stunServers.isEmpty && derpMap != nil {
            throw ValidationError("--stun-server and --derp-map are alternatives; give one")
        }
    }

    func run() async throws {
        let interfaces = LocalInterfaceAddresses.current()
        let servers = try await probeServers(interfaces: interfaces)
        guard !servers.isEmpty else {
            Console.error("stunner: no usable STUN servers (none has an address of a family this host can use)")
            throw ExitCode.failure
        }
        let plan = NATProbePlan(
            servers: servers, timeout: .nanoseconds(Int64(timeout * 1_000_000_000)), hairpin: !noHairpin)
        let configuration = NATProbeConfiguration(
            plan: plan, sourcePort: sourcePort, portMappingProbe: noPortMapping ? nil : StunnerPortMapping.probe,
            interfaces: interfaces)
        let observations: NATObservations
        do {
            observations = try await NATProber.run(configuration, eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        } catch {
            Console.error("stunner: \(error)")
            throw ExitCode.failure
        }
        let verdict = NATClassifier.classify(observations)
        var report = NATReport(observations: observations, verdict: verdict, includeEvents: debug)
        if noIP { report = report.redactingAddresses(interfaces: observations.interfaces) }
        if json {
            Console.out(try Console.json(report))
        } else {
            Console.out(NATReportRenderer(color: Console.useColor, debug: debug).render(report))
        }
        if !report.reachedVerdict { throw ExitCode.failure }
    }

    /// `--stun-server`s, else the DERP map's STUN nodes (the file's, or the embedded default).
    private func probeServers(interfaces: [NATLocalInterface]) async throws -> [NATProbeServer] {
        if !stunServers.isEmpty {
            do {
                return try await NATServerResolver.servers(for: stunServers, interfaces: interfaces)
            } catch {
                Console.error("stunner: \(error)")
                throw ExitCode.failure
            }
        }
        let map: DERPMap
        do {
            if let source = derpMap, source.lowercased().hasPrefix("http://") || source.lowercased().hasPrefix("https://") {
                map = try await DERPMapDownload.fetch(source)
            } else {
                map = try derpMap.map { try DERPMap(contentsOfFile: $0) } ?? DERPMap.embeddedDefault()
            }
        } catch {
            Console.error("stunner: cannot use DERP map \(derpMap ?? "(embedded)"): \(error)")
            throw ExitCode(Console.usageError)
        }
        let (servers, problems) = await NATServerResolver.servers(from: map, interfaces: interfaces)
        for problem in problems where !json { Console.error("stunner: warning: \(problem)") }
        return servers
    }
}

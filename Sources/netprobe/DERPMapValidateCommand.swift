import ArgumentParser
import NIOPosix
import RelayCore

/// `netprobe derpmap validate`: schema checks, and with `--probe` a live check of every node.
struct DERPMapValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a DERP map, and with --probe check every node live.",
        discussion: """
            Prints one line per problem, "error: region <id>, node "<name>": <what>", and exits 1 \
            if any is an error. Errors: region key and RegionID disagree, RegionID out of range, \
            duplicate RegionID or node Name, node RegionID not its region's, empty HostName, an \
            IPv4/IPv6 that is neither empty, an address of the right family nor "none", a malformed \
            sha256-raw: pin, a port above 65535, a region both defined and null, a region without \
            nodes, a region whose nodes are all STUNOnly (clients cannot connect), a map without \
            regions. Warnings (exit 0 unless --strict): a single region, a custom region outside \
            900-999, InsecureForTests, Avoid (deprecated), CanPort80 without IPv4, duplicate \
            RegionCode, an upper-case pin prefix, a non-positive RegionScore, null regions.

            --probe then checks every node at each of its addresses (the IPv4/IPv6 literals, or \
            HostName looked up in DNS when they are empty): a STUN Binding request to the STUN port \
            unless STUNPort is negative, and, unless STUNOnly, a TLS connection verified as \
            Tailscale clients verify it (the certificate must be valid for HostName, or for \
            CertName when that is a DNS name, or match the sha256-raw: pin) followed by the DERP \
            handshake. Each failure is one error line. --probe contacts the servers in the map: \
            point it at your own map, not at Tailscale's, unless you mean to.
            """
    )

    @OptionGroup var input: DERPMapInputOptions

    @Flag(help: "Also treat warnings as failures (exit 1).")
    var strict = false

    @Flag(help: "Check every node live: STUN, TLS and the DERP handshake.")
    var probe = false

    @Option(help: "With --probe: address families to probe: all, ipv4 or ipv6.")
    var family: ProbeFamily = .all

    @Option(help: "With --probe: seconds to wait for a STUN answer (the request is sent again halfway).")
    var stunTimeout: Double = 1

    @Option(help: "With --probe: seconds allowed for each connection: TCP, TLS and the DERP handshake.")
    var timeout: Double = 10

    @Flag(name: .shortAndLong, help: "Also print a line for every check that passed.")
    var verbose = false

    enum ProbeFamily: String, CaseIterable, ExpressibleByArgument {
        case all
        case ipv4
        case ipv6

        var families: [HostResolver.Family] {
            switch self {
            case .all: [.ipv4, .ipv6]
            case .ipv4: [.ipv4]
            case .ipv6: [.ipv6]
            }
        }
    }

    /// Warnings that make a region or the whole map unusable, so they fail validation.
    static let failingWarnings: Set<DERPMapProblem.Rule> = [.regionWithoutNodes, .regionOnlySTUN, .noRegions]

    func validate() throws {
        // The bound also keeps the conversion to nanoseconds in range.
        for (name, value) in [("--stun-timeout", stunTimeout), ("--timeout", timeout)] where !(value > 0 && value <= 3600) {
            throw ValidationError("\(name) must be more than 0 and at most 3600 seconds")
        }
    }

    func run() async throws {
        let map = try await input.load()
        let defaultIDs = (try? DERPMap.embeddedDefault()).map { Set($0.regions.keys) }
        var failures = 0
        var warnings = 0
        for problem in map.validate(defaultRegionIDs: defaultIDs) {
            let fails = strict || problem.severity == .error || Self.failingWarnings.contains(problem.rule)
            let prefix = "\(problem.severity.rawValue): "
            let rest = problem.description.hasPrefix(prefix) ? String(problem.description.dropFirst(prefix.count)) : problem.description
            Console.out((fails ? "error: " : "warning: ") + rest)
            if fails { failures += 1 } else { warnings += 1 }
        }
        if probe {
            let prober = DERPNodeProber(
                families: family.families,
                stunTimeout: .nanoseconds(Int64((stunTimeout * 1e9).rounded())),
                connectTimeout: .nanoseconds(Int64((timeout * 1e9).rounded())),
                group: MultiThreadedEventLoopGroup.singleton
            )
            for finding in await prober.probe(map) where finding.isProblem || verbose {
                Console.out(finding.text)
                if finding.isProblem { failures += 1 }
            }
        }
        let summary = [
            ProbeText.count(map.regions.count, "region"), ProbeText.count(map.allNodes.count, "node"),
        ].joined(separator: ", ") + ": " + [ProbeText.count(failures, "error"), ProbeText.count(warnings, "warning")].joined(separator: ", ")
            + (probe ? " (schema and probes)" : "")
        Console.error(summary)
        if failures > 0 {
            throw ExitCode(1)
        }
    }
}

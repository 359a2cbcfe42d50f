import ArgumentParser
import RelayCore

/// `netprobe derpmap add-node`: add a private derper to a map, as its own region or into an
/// existing one.
struct DERPMapAddNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-node",
        abstract: "Add a private DERP server (node) to a map, as a new region or into an existing one.",
        discussion: """
            Without --region, the node gets a region of its own: --region-code is required, and the \
            region ID is the lowest free one in 900-999 (the IDs Tailscale reserves for your own \
            regions) unless --region-id says otherwise. With --region, the node joins that existing \
            region (last, or first with --preferred: clients dial the first reachable node).

            For a server with a self-signed certificate (derper on an IP address), pass the pin \
            derper prints as --cert-name sha256-raw:<hex>; clients then check the certificate's \
            SHA-256 instead of a CA chain.

            Example, a derper on 203.0.113.10 as its own region, for Headscale:
              netprobe derpmap add-node --region-code myderp --region-name "My DERP" \\
                --hostname 203.0.113.10 --ipv4 203.0.113.10 --ipv6 none \\
                --cert-name sha256-raw:<64 hex digits> --format headscale
            """
    )

    @OptionGroup var input: DERPMapInputOptions

    @Option(help: ArgumentHelp("Add the node to this existing region (ID or code).", valueName: "id|code"))
    var region: String?

    @Option(help: "New region: its ID. (default: the lowest free ID in 900-999)")
    var regionID: Int?

    @Option(help: "New region: its short code, shown by clients (e.g. myderp). Required without --region.")
    var regionCode: String?

    @Option(help: "New region: its long name. (default: the region code)")
    var regionName: String?

    @Option(help: "Node name, unique in the map. (default: the region ID and the next free letter, e.g. 900a)")
    var name: String?

    @Option(help: "Host name (or IP address) clients use for TLS and, when --ipv4/--ipv6 are left out, for DNS.")
    var hostname: String

    @Option(
        help: ArgumentHelp("IPv4 address to dial instead of resolving the host name, or none to never use IPv4."),
        transform: { try NodeAddressArgument(parsing: $0, family: .ipv4) }
    )
    var ipv4: NodeAddressArgument?

    @Option(
        help: ArgumentHelp("IPv6 address to dial instead of resolving the host name, or none to never use IPv6."),
        transform: { try NodeAddressArgument(parsing: $0, family: .ipv6) }
    )
    var ipv6: NodeAddressArgument?

    // Unconditional, so that `--stun-port -1` reads -1 as the value rather than as an option.
    @Option(parsing: .unconditional, help: "STUN (UDP) port; -1 disables STUN on this node. (default: 3478)")
    var stunPort: Int?

    @Option(help: "DERP (TLS) port. (default: 443)")
    var derpPort: Int?

    @Option(
        help: ArgumentHelp(
            "Certificate check: sha256-raw:<64 hex> pins the certificate, a DNS name verifies the certificate for that name instead of the host name.",
            valueName: "pin|name"
        )
    )
    var certName: String?

    @Flag(help: "The node only answers STUN; clients never connect to it for DERP.")
    var stunOnly = false

    @Flag(name: .customLong("can-port80"), help: "The node answers plain HTTP on port 80 (captive-portal checks; needs --ipv4).")
    var canPort80 = false

    @Flag(help: "Put the node first in its region, so clients dial it first.")
    var preferred = false

    @OptionGroup(title: "Output") var output: DERPMapOutputOptions

    func validate() throws {
        if region != nil, regionID != nil || regionCode != nil || regionName != nil {
            throw ValidationError("--region adds to an existing region; --region-id, --region-code and --region-name describe a new one: give one or the other")
        }
        if let region, region.contains(":"), !(region.hasPrefix("id:") || region.hasPrefix("code:")) {
            throw ValidationError("--region takes a region ID or code, not \"\(region)\"")
        }
        if region == nil, regionCode?.isEmpty ?? true {
            throw ValidationError("give --region-code for a new region, or --region to add to an existing one")
        }
        if let regionID, !(1...DERPMap.maxRegionID).contains(regionID) {
            throw ValidationError("--region-id \(regionID) is not a positive region ID")
        }
        if hostname.isEmpty {
            throw ValidationError("--hostname must not be empty")
        }
        if let stunPort, stunPort != -1, !(0...65535).contains(stunPort) {
            throw ValidationError("--stun-port \(stunPort) is not a port (0-65535, or -1 for no STUN)")
        }
        if let derpPort, !(0...65535).contains(derpPort) {
            throw ValidationError("--derp-port \(derpPort) is not a port (0-65535)")
        }
        if let certName, !certName.isEmpty {
            do {
                _ = try DERPTLSVerification(certName: certName)
            } catch {
                throw ValidationError("--cert-name: \(error)")
            }
        }
    }

    func run() async throws {
        let map = try await input.load()
        let node = DERPNode(
            name: name ?? "",
            regionID: 0,
            hostName: hostname,
            certName: certName ?? "",
            ipv4: ipv4?.fieldValue ?? "",
            ipv6: ipv6?.fieldValue ?? "",
            stunPort: stunPort ?? 0,
            stunOnly: stunOnly,
            derpPort: derpPort ?? 0,
            canPort80: canPort80
        )
        do {
            let result = try map.addingNode(node, to: try placement(in: map), asPreferred: preferred)
            Console.out(try output.render(result, from: map))
        } catch let error as DERPMapError {
            throw NetprobeError.from(error)
        }
    }

    private func placement(in map: DERPMap) throws -> DERPMap.NodePlacement {
        guard let region else {
            let code = regionCode ?? ""
            return .newRegion(id: regionID, code: code, name: regionName ?? code)
        }
        let ids = try map.regionIDs(matching: try DERPRegionSelector(parsing: region), geo: DERPRegionGeoTable(entries: []))
        guard ids.count == 1, let id = ids.first else {
            throw NetprobeError.usage("--region \(region) matches regions \(ids.sorted().map(String.init).joined(separator: ", ")); give the ID")
        }
        return .existingRegion(id)
    }
}

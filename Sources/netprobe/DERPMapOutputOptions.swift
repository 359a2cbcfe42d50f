import ArgumentParser
import RelayCore

/// What `--format` writes.
enum DERPMapOutputFormat: String, CaseIterable, ExpressibleByArgument {
    /// The full DERP map JSON (for Headscale's `derp.urls`, `derper`-style tooling, or a URL).
    case map
    /// The tailnet policy file's `derpMap` section.
    case policy
    /// A Headscale `derp.paths` YAML file.
    case headscale
}

/// How `--format policy` removes regions (spec/derpmap.md §3.1).
enum PolicyStyleArgument: String, CaseIterable, ExpressibleByArgument {
    case null
    case omit

    var style: DERPMapPolicy.Style {
        switch self {
        case .null: .nullDropped
        case .omit: .omitDefaults
        }
    }
}

/// `--format`, `--policy-style` and `--compact`, shared by the commands that write a map.
struct DERPMapOutputOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Output format: map, policy or headscale.",
            discussion: """
                map: the full DERP map JSON, unmodified Tailscale format (for a file or URL, \
                Headscale's derp.urls, or --derp-map). \
                policy: {"derpMap": {...}}, whose member goes into a tailnet policy file (Tailscale \
                admin console); it turns the input map (normally Tailscale's default map, which the \
                control server merges it with) into the output. \
                headscale: a YAML file for Headscale's derp.paths; set derp.urls: [] so that exactly \
                these regions are used (newer Headscale releases no longer honour null regions).
                """
        )
    )
    var format: DERPMapOutputFormat = .map

    @Option(
        help: ArgumentHelp(
            "With --format policy: how to leave out regions, null or omit.",
            discussion: """
                null (default): set every dropped region to null. Kept regions keep getting \
                Tailscale's node updates, and regions Tailscale adds later are used automatically, \
                which also means a new region outside your selection is used until you regenerate \
                the policy. Best for dropping a few regions. \
                omit: set OmitDefaultRegions and copy the kept regions in full. Exactly these \
                regions, frozen: regions Tailscale adds later never appear, and the copied node \
                lists go stale as Tailscale replaces servers, so regenerate it regularly. Best for \
                a strict allow-list such as a geofence, and needed to change a default region \
                (such as adding a node to it).
                """
        )
    )
    var policyStyle: PolicyStyleArgument = .null

    @Flag(help: "With --format map or policy: write compact JSON on one line (as Tailscale serves it) instead of indented JSON.")
    var compact = false

    /// The text to print for `output`, which was made from `input`.
    func render(_ output: DERPMap, from input: DERPMap) throws -> String {
        let json: DERPMapJSONFormat = compact ? .compact : .indented
        do {
            switch format {
            case .map:
                return try output.jsonString(format: json, regionOrder: .goString)
            case .policy:
                let policy = try Self.policy(turning: input, into: output, style: policyStyle.style)
                let data = try policy.jsonData(format: json, regionOrder: .numeric, wrapped: true)
                return String(decoding: data, as: UTF8.self)
            case .headscale:
                var text = try output.headscaleYAML()
                if text.hasSuffix("\n") { text.removeLast() }
                return text
            }
        } catch let error as DERPMapError {
            throw NetprobeError.from(error)
        }
    }

    /// The policy overlay that makes a control server holding `defaults` hand out `output`.
    ///
    /// With ``DERPMapPolicy/Style/nullDropped``, default regions are referred to by ID only,
    /// so one that was changed (a node added to it) cannot be expressed: whether a listed
    /// default ID replaces the default is unverified. That is a usage error pointing at
    /// `--policy-style omit`, which copies every region in full.
    static func policy(turning defaults: DERPMap, into output: DERPMap, style: DERPMapPolicy.Style) throws -> DERPMapPolicy {
        switch style {
        case .omitDefaults:
            return DERPMapPolicy(omitDefaultRegions: true, regions: output.regions)
        case .nullDropped:
            let kept = Set(output.regions.keys).intersection(defaults.regions.keys)
            if let changed = kept.sorted().first(where: { output.regions[$0] != defaults.regions[$0] }) {
                throw NetprobeError.usage(
                    "region \(changed) differs from the input's region \(changed); a policy overlay with null "
                        + "entries cannot change a default region: use --policy-style omit, or give the node its own region (900-999)")
            }
            let custom = output.regionIDs.filter { defaults.regions[$0] == nil }.compactMap { output.regions[$0] }
            return try DERPMapPolicy.make(defaults: defaults, keeping: kept, custom: custom, style: .nullDropped)
        }
    }
}

/// Headscale's YAML DERP map files, listed under `derp.paths` (spec/derpmap.md §4.2).
///
/// Headscale decodes these straight into Tailscale's Go types with a YAML library, so the keys
/// are the Go field names in lower case (JSON tags are not used), region IDs are integer keys,
/// and fields left out keep their zero values. We write Go's field order, leave out zero-valued
/// optional fields, sort regions numerically, and quote any string YAML could read as something
/// other than a string.
extension DERPMap {
    /// The map as a Headscale `derp.paths` file.
    ///
    /// Headscale ignores `omitDefaultRegions`, and (on its main branch since June 2026) `null`
    /// regions no longer remove a region from an earlier source; so to use exactly these regions,
    /// write them all here and set `derp.urls: []`. `null` entries are still written, with a
    /// comment saying so.
    ///
    /// - Throws: ``DERPMapError`` `unsupportedValue` for NaN or infinite coordinates or scores.
    package func headscaleYAML(includeHeaderComment: Bool = true) throws -> String {
        var yaml = HeadscaleYAMLWriter()
        if includeHeaderComment {
            yaml.line(0, "# Headscale DERP map (derp.paths). To use only these regions, set derp.urls: [] in config.yaml.")
        }
        if let scores = homeParams?.regionScore, !scores.isEmpty {
            yaml.line(0, "homeparams:")
            yaml.line(1, "regionscore:")
            for id in scores.keys.sorted() {
                yaml.line(2, "\(id): \(try HeadscaleYAMLWriter.number(scores[id] ?? 0))")
            }
        }
        let ids = Set(regions.keys).union(removedRegionIDs).sorted()
        if ids.isEmpty {
            yaml.line(0, "regions: {}")
        } else {
            yaml.line(0, "regions:")
        }
        for id in ids {
            guard let region = regions[id] else {
                yaml.line(1, "\(id): null  # removes region \(id) only on Headscale <= v0.29.0")
                continue
            }
            yaml.line(1, "\(id):")
            try yaml.region(region)
        }
        if omitDefaultRegions {
            yaml.line(0, "omitdefaultregions: true  # ignored by Headscale")
        }
        return yaml.text
    }
}

/// Writes the fixed shape of a Headscale DERP map; two spaces per level.
struct HeadscaleYAMLWriter {
    private(set) var text = ""

    mutating func line(_ level: Int, _ content: String) {
        text += String(repeating: "  ", count: level) + content + "\n"
    }

    mutating func region(_ region: DERPRegion) throws {
        line(2, "regionid: \(region.regionID)")
        line(2, "regioncode: \(Self.string(region.regionCode))")
        line(2, "regionname: \(Self.string(region.regionName))")
        if region.latitude != 0 { line(2, "latitude: \(try Self.number(region.latitude))") }
        if region.longitude != 0 { line(2, "longitude: \(try Self.number(region.longitude))") }
        if region.avoid { line(2, "avoid: true") }
        if region.noMeasureNoHome { line(2, "nomeasurenohome: true") }
        guard !region.nodes.isEmpty else {
            line(2, "nodes: []")
            return
        }
        line(2, "nodes:")
        for node in region.nodes {
            line(3, "- name: \(Self.string(node.name))")
            var fields: [(String, String)] = [
                ("regionid", "\(node.regionID)"),
                ("hostname", Self.string(node.hostName)),
            ]
            if !node.certName.isEmpty { fields.append(("certname", Self.string(node.certName))) }
            if !node.ipv4.isEmpty { fields.append(("ipv4", Self.string(node.ipv4))) }
            if !node.ipv6.isEmpty { fields.append(("ipv6", Self.string(node.ipv6))) }
            if node.stunPort != 0 { fields.append(("stunport", "\(node.stunPort)")) }
            if node.stunOnly { fields.append(("stunonly", "true")) }
            if node.derpPort != 0 { fields.append(("derpport", "\(node.derpPort)")) }
            if node.insecureForTests { fields.append(("insecurefortests", "true")) }
            if !node.stunTestIP.isEmpty { fields.append(("stuntestip", Self.string(node.stunTestIP))) }
            if node.canPort80 { fields.append(("canport80", "true")) }
            for (key, value) in fields {
                line(4, "\(key): \(value)")
            }
        }
    }

    static func number(_ value: Double) throws -> String {
        guard let text = GoJSONWriter.formatDouble(value) else {
            throw DERPMapError.unsupportedValue("YAML output cannot carry \(value)")
        }
        return text
    }

    /// Words YAML 1.1 or 1.2 resolves to null or a boolean.
    private static let reservedWords: Set<String> = [
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n",
    ]

    /// A YAML scalar that reads back as exactly `value` (a string): plain when that is safe,
    /// otherwise double-quoted with escapes.
    static func string(_ value: String) -> String {
        plainIsSafe(value) ? value : doubleQuoted(value)
    }

    private static func plainIsSafe(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, let last = value.unicodeScalars.last else { return false }
        guard isASCIIAlphanumeric(first), last != " " else { return false }
        let allowed = value.unicodeScalars.allSatisfy { scalar in
            isASCIIAlphanumeric(scalar) || " ._-/()+".unicodeScalars.contains(scalar)
        }
        guard allowed, !reservedWords.contains(value.lowercased()) else { return false }
        // Anything a YAML resolver might take for a number: 900, 1e5, 1_000, 0x1f, 0o17, .5
        let compact = value.filter { $0 != "_" }
        if Int(compact) != nil || Double(compact) != nil { return false }
        let lower = value.lowercased()
        if lower.hasPrefix("0x") || lower.hasPrefix("0o") || lower.hasPrefix("0b") { return false }
        return true
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    private static func doubleQuoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x85
                    || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF
                {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

import RelayCore

/// Lays a DERP map out as the `derpmap show` table.
enum DERPMapTableRenderer {
    static let header = [
        "REGION", "CODE", "NAME", "COUNTRY", "CONTINENT", "NODE", "HOSTNAME", "IPV4", "IPV6", "STUN", "DERP", "NOTES",
    ]

    static func render(_ map: DERPMap, geo: DERPRegionGeoTable) -> String {
        var table = TextTable(header: header)
        var nodeCount = 0
        for id in map.regionIDs {
            guard let region = map.regions[id] else { continue }
            let place = geo.geo(for: region)
            let regionCells = [
                String(id),
                cell(region.regionCode),
                cell(region.regionName),
                place?.countryCode ?? "-",
                place?.continent.code ?? "-",
            ]
            let blank = Array(repeating: "", count: regionCells.count)
            let regionNotes = notes(region)
            guard !region.nodes.isEmpty else {
                table.append(regionCells + ["-", "-", "-", "-", "-", "-", (["no nodes"] + regionNotes).joined(separator: ", ")])
                continue
            }
            for (index, node) in region.nodes.enumerated() {
                nodeCount += 1
                let nodeNotes = (index == 0 ? regionNotes : []) + notes(node)
                table.append((index == 0 ? regionCells : blank) + [
                    cell(node.name),
                    cell(node.hostName),
                    cell(node.ipv4),
                    cell(node.ipv6),
                    node.effectiveSTUNPort.map(String.init) ?? "off",
                    node.stunOnly ? "-" : String(node.effectiveDERPPort),
                    nodeNotes.joined(separator: ", "),
                ])
            }
        }
        for id in map.removedRegionIDs.sorted() where map.regions[id] == nil {
            table.append([String(id), "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "null (removes region)"])
        }
        return table.rendered + "\n" + ProbeText.count(map.regions.count, "region") + ", " + ProbeText.count(nodeCount, "node")
    }

    /// A cell for a string field: `-` when empty, control characters made visible.
    private static func cell(_ value: String) -> String {
        guard !value.isEmpty else { return "-" }
        return String(value.unicodeScalars.map { scalar -> String in
            scalar.properties.generalCategory == .control ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }.joined())
    }

    private static func notes(_ region: DERPRegion) -> [String] {
        var notes: [String] = []
        if region.avoid { notes.append("Avoid") }
        if region.noMeasureNoHome { notes.append("NoMeasureNoHome") }
        return notes
    }

    private static func notes(_ node: DERPNode) -> [String] {
        var notes: [String] = []
        if node.stunOnly { notes.append("STUNOnly") }
        if node.certName.hasPrefix(CertificatePin.prefix) {
            notes.append(CertificatePin.prefix + String(node.certName.dropFirst(CertificatePin.prefix.count).prefix(8)) + "…")
        } else if !node.certName.isEmpty {
            notes.append("CertName \(cell(node.certName))")
        }
        if node.insecureForTests { notes.append("InsecureForTests") }
        if !node.stunTestIP.isEmpty { notes.append("STUNTestIP \(cell(node.stunTestIP))") }
        return notes
    }
}

/// Checks a DERP map against the rules our tools enforce (spec/derpmap.md §2.6), a superset of
/// what Tailscale clients check.
extension DERPMap {
    /// Region IDs must fit a JavaScript number.
    package static let maxRegionID = (1 << 53) - 1
    /// IDs reserved for users' own regions.
    package static let userRegionIDs = 900...999

    /// Every problem found, map-wide ones first, then by region ID and node order.
    ///
    /// - Parameter defaultRegionIDs: the IDs of Tailscale's default regions. When given, any other
    ///   region outside 900–999 is flagged as a user region with a non-reserved ID; when nil,
    ///   that check is skipped.
    package func validate(defaultRegionIDs: Set<Int>? = nil) -> [DERPMapProblem] {
        var problems: [DERPMapProblem] = []
        switch regions.count {
        case 0:
            problems.append(.init(.noRegions, "the map has no regions"))
        case 1:
            problems.append(.init(.singleRegion, "only one region: a single point of failure"))
        default:
            break
        }
        problems += homeParamsProblems()

        var keysByRegionID: [Int: [Int]] = [:]
        var keysByCode: [String: [Int]] = [:]
        for (key, region) in regions {
            keysByRegionID[region.regionID, default: []].append(key)
            if !region.regionCode.isEmpty {
                keysByCode[region.regionCode.lowercased(), default: []].append(key)
            }
        }
        // Node names must be unique across the map; the first use (in region order) owns a name.
        var firstRegionByNodeName: [String: Int] = [:]

        for key in regionIDs where removedRegionIDs.contains(key) {
            problems.append(.init(.regionRemovedAndDefined, regionID: key, "region is both defined and set to null"))
        }
        for key in removedRegionIDs.sorted() where regions[key] == nil {
            problems.append(.init(.nullRegion, regionID: key, "region is null; clients delete it from the map"))
        }

        for key in regionIDs {
            guard let region = regions[key] else { continue }
            problems += regionProblems(key: key, region: region, defaultRegionIDs: defaultRegionIDs)
            // Of the regions sharing a RegionID, the one under the matching key is the owner.
            let ownerExists = regions[region.regionID]?.regionID == region.regionID
            if let sharing = keysByRegionID[region.regionID], sharing.count > 1, key != region.regionID || !ownerExists {
                let others = sharing.filter { $0 != key }.sorted().map(String.init).joined(separator: ", ")
                problems.append(.init(.duplicateRegionID, regionID: key, "RegionID \(region.regionID) is also used by region key \(others)"))
            }
            if let sharing = keysByCode[region.regionCode.lowercased()], sharing.count > 1, sharing.min() != key {
                problems.append(.init(
                    .duplicateRegionCode,
                    regionID: key,
                    "RegionCode \(DERPMapProblem.quoted(region.regionCode)) is also used by region \(sharing.min() ?? 0)"
                ))
            }
            for node in region.nodes {
                problems += nodeProblems(node, in: region, regionKey: key)
                guard !node.name.isEmpty else { continue }
                if let owner = firstRegionByNodeName[node.name] {
                    problems.append(.init(
                        .duplicateNodeName,
                        regionID: key,
                        nodeName: node.name,
                        "node name is already used in region \(owner)"
                    ))
                } else {
                    firstRegionByNodeName[node.name] = key
                }
            }
        }
        return problems
    }

    private func homeParamsProblems() -> [DERPMapProblem] {
        guard let scores = homeParams?.regionScore else { return [] }
        return scores.keys.sorted().compactMap { id in
            guard let score = scores[id], !(score > 0 && score.isFinite) else { return nil }
            return .init(.ignoredRegionScore, regionID: id, "RegionScore \(score) is not a positive number; clients ignore it")
        }
    }

    private func regionProblems(key: Int, region: DERPRegion, defaultRegionIDs: Set<Int>?) -> [DERPMapProblem] {
        var problems: [DERPMapProblem] = []
        if region.regionID != key {
            problems.append(.init(.regionKeyMismatch, regionID: key, "map key \(key) holds RegionID \(region.regionID)"))
        }
        if region.regionID <= 0 || region.regionID > Self.maxRegionID {
            problems.append(.init(.regionIDOutOfRange, regionID: key, "RegionID \(region.regionID) is not in 1…\(Self.maxRegionID)"))
        } else if key != region.regionID && (key <= 0 || key > Self.maxRegionID) {
            problems.append(.init(.regionIDOutOfRange, regionID: key, "map key \(key) is not in 1…\(Self.maxRegionID)"))
        }
        if let defaultRegionIDs, !defaultRegionIDs.contains(key), !Self.userRegionIDs.contains(key) {
            problems.append(.init(
                .userRegionOutsideReservedRange,
                regionID: key,
                "not a default region and outside the user range 900–999"
            ))
        }
        if region.nodes.isEmpty {
            problems.append(.init(.regionWithoutNodes, regionID: key, "region has no nodes"))
        } else if region.nodes.allSatisfy(\.stunOnly) {
            problems.append(.init(.regionOnlySTUN, regionID: key, "every node is STUNOnly, so clients cannot connect to DERP here"))
        }
        if region.avoid {
            problems.append(.init(.avoidDeprecated, regionID: key, "Avoid is deprecated and inconsistently honoured; use NoMeasureNoHome"))
        }
        return problems
    }

    private func nodeProblems(_ node: DERPNode, in region: DERPRegion, regionKey key: Int) -> [DERPMapProblem] {
        var problems: [DERPMapProblem] = []
        func add(_ rule: DERPMapProblem.Rule, _ message: String) {
            problems.append(.init(rule, regionID: key, nodeName: node.name.isEmpty ? nil : node.name, message))
        }
        if node.name.isEmpty {
            add(.missingNodeName, "a node has no Name (HostName \(DERPMapProblem.quoted(node.hostName)))")
        }
        if node.regionID != region.regionID {
            add(.nodeRegionMismatch, "node RegionID \(node.regionID) does not match its region's RegionID \(region.regionID)")
        }
        if node.hostName.isEmpty {
            add(.missingHostName, "HostName is empty")
        }
        if !node.ipv4.isEmpty, node.ipv4 != "none", !IPAddressLiteral.isIPv4(node.ipv4) {
            add(.invalidIPv4, "IPv4 \(DERPMapProblem.quoted(node.ipv4)) is neither empty, an IPv4 address, nor \"none\"")
        }
        if !node.ipv6.isEmpty, node.ipv6 != "none", !IPAddressLiteral.isIPv6(node.ipv6) {
            add(.invalidIPv6, "IPv6 \(DERPMapProblem.quoted(node.ipv6)) is neither empty, an IPv6 address, nor \"none\"")
        }
        if node.certName.hasPrefix(DERPNode.certPinPrefix), node.pinnedCertificateSHA256 == nil {
            add(.invalidCertPin, "CertName \(DERPMapProblem.quoted(node.certName)) must be sha256-raw: followed by 64 lower-case hex digits")
        } else if !node.certName.hasPrefix(DERPNode.certPinPrefix), node.certName.lowercased().hasPrefix(DERPNode.certPinPrefix) {
            add(.certPinPrefixCase, "CertName prefix must be lower-case sha256-raw:, otherwise it is taken as a DNS name")
        }
        if node.stunPort > 65535 {
            add(.portOutOfRange, "STUNPort \(node.stunPort) is above 65535")
        }
        if node.derpPort < 0 || node.derpPort > 65535 {
            add(.portOutOfRange, "DERPPort \(node.derpPort) is not in 0…65535")
        }
        if node.insecureForTests {
            add(.insecureForTests, "InsecureForTests disables TLS verification; pin the certificate with sha256-raw: instead")
        }
        if node.canPort80, !IPAddressLiteral.isIPv4(node.ipv4) {
            add(.canPort80WithoutIPv4, "CanPort80 is set but the captive-portal check needs an IPv4 address")
        }
        return problems
    }
}

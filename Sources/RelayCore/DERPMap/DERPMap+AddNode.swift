/// Adding one node to a map, as `netprobe derpmap add-node` does.
extension DERPMap {
    /// Where ``addingNode(_:to:asPreferred:)`` puts a node.
    package enum NodePlacement: Sendable, Hashable {
        /// Into the region with this ID.
        case existingRegion(Int)
        /// As the only node of a new region. A nil `id` takes the lowest free ID in 900–999.
        case newRegion(id: Int?, code: String, name: String)
    }

    /// The lowest ID in 900–999 that no region (and no `null` entry) uses.
    package var nextFreeUserRegionID: Int? {
        Self.userRegionIDs.first { regions[$0] == nil && !removedRegionIDs.contains($0) }
    }

    /// This map with `node` added.
    ///
    /// The node's `regionID` is set to the target region when it is 0 and must match it
    /// otherwise. An empty `name` becomes the next free `<regionID><letter>` name.
    ///
    /// - Parameter asPreferred: put the node first in its region (clients dial `Nodes[0]` first)
    ///   instead of last.
    /// - Throws: ``DERPMapError`` `unknownSelector` for a region that doesn't exist, `conflict`
    ///   when the region ID, region code or node name is already taken or the IDs disagree, and
    ///   `invalidNode` when the node itself breaks a validation rule (no HostName, bad address,
    ///   bad pin, port out of range).
    package func addingNode(_ node: DERPNode, to placement: NodePlacement, asPreferred: Bool = false) throws -> DERPMap {
        var map = self
        var node = node
        var region: DERPRegion
        switch placement {
        case .existingRegion(let id):
            guard let existing = regions[id] else {
                throw DERPMapError.unknownSelector("region ID \(id)", valid: regionIDs.map(String.init))
            }
            region = existing
        case .newRegion(let requestedID, let code, let name):
            let id = try newRegionID(requestedID)
            guard !code.isEmpty else {
                throw DERPMapError.conflict("a new region needs a region code")
            }
            if let other = regions.values.first(where: { $0.regionCode.lowercased() == code.lowercased() }) {
                throw DERPMapError.conflict("region code \(DERPMapProblem.quoted(code)) is already used by region \(other.regionID)")
            }
            region = DERPRegion(regionID: id, regionCode: code, regionName: name)
            map.removedRegionIDs.remove(id)
        }

        if node.regionID == 0 {
            node.regionID = region.regionID
        } else if node.regionID != region.regionID {
            throw DERPMapError.conflict("node RegionID \(node.regionID) does not match region \(region.regionID)")
        }
        let takenNames = Set(allNodes.map(\.name))
        if node.name.isEmpty {
            node.name = region.nextNodeName(avoiding: takenNames)
        } else if takenNames.contains(node.name) {
            let owner = sortedRegions.first { $0.nodes.contains { $0.name == node.name } }?.regionID ?? 0
            throw DERPMapError.conflict("node name \(DERPMapProblem.quoted(node.name)) is already used in region \(owner)")
        }

        if asPreferred {
            region.nodes.insert(node, at: 0)
        } else {
            region.nodes.append(node)
        }
        map.regions[region.regionID] = region

        let nodeErrors = DERPMap(regions: [region.regionID: region]).validate().filter {
            $0.severity == .error && $0.nodeName == node.name
        }
        if let first = nodeErrors.first {
            throw DERPMapError.invalidNode(first.description)
        }
        return map
    }

    private func newRegionID(_ requested: Int?) throws -> Int {
        guard let id = requested else {
            guard let free = nextFreeUserRegionID else {
                throw DERPMapError.conflict("no free region ID in 900–999")
            }
            return free
        }
        guard id > 0, id <= Self.maxRegionID else {
            throw DERPMapError.conflict("region ID \(id) is not in 1…\(Self.maxRegionID)")
        }
        guard regions[id] == nil else {
            throw DERPMapError.conflict("region ID \(id) already exists (\(regions[id]?.regionCode ?? ""))")
        }
        return id
    }
}

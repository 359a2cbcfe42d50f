/// Keeping and dropping regions by ID, code, country or continent (spec/derpmap.md §3.1).
extension DERPMap {
    /// The IDs of this map's regions that `selector` picks.
    ///
    /// - Throws: ``DERPMapError`` `unknownSelector` when the selector picks nothing here, listing
    ///   what would have matched (region IDs, codes, countries or continents present in the map).
    package func regionIDs(matching selector: DERPRegionSelector, geo: DERPRegionGeoTable) throws -> Set<Int> {
        switch selector {
        case .regionID(let id):
            guard regions[id] != nil else {
                throw DERPMapError.unknownSelector("region ID \(id)", valid: regionIDs.map(String.init))
            }
            return [id]
        case .regionCode(let code):
            let matches = regions.filter { $0.value.regionCode.lowercased() == code.lowercased() }
            guard !matches.isEmpty else {
                let codes = sortedRegions.map(\.regionCode).filter { !$0.isEmpty }
                throw DERPMapError.unknownSelector("region code \(DERPMapProblem.quoted(code))", valid: codes)
            }
            return Set(matches.keys)
        case .country(let code):
            let matches = picked { $0.countryCode == code.uppercased() }
            guard !matches.isEmpty else {
                let present = Set(regions.values.compactMap { geo.geo(for: $0)?.countryCode }).sorted()
                throw DERPMapError.unknownSelector("country \(DERPMapProblem.quoted(code)) (no region there)", valid: present)
            }
            return matches
        case .continent(let continent):
            let matches = picked { $0.continent == continent }
            guard !matches.isEmpty else {
                let present = Set(regions.values.compactMap { geo.geo(for: $0)?.continent })
                let valid = GeoContinent.allCases.filter(present.contains).map(\.description)
                throw DERPMapError.unknownSelector("continent \(continent) (no region there)", valid: valid)
            }
            return matches
        case .euMemberStates:
            let members = GeoCountry.euMemberCodes
            let matches = picked { members.contains($0.countryCode) }
            guard !matches.isEmpty else {
                let present = Set(regions.values.compactMap { geo.geo(for: $0)?.countryCode }).sorted()
                throw DERPMapError.unknownSelector("EU member states (no region there)", valid: present)
            }
            return matches
        }

        func picked(where predicate: (DERPRegionGeo) -> Bool) -> Set<Int> {
            Set(regions.filter { entry in geo.geo(for: entry.value).map(predicate) ?? false }.keys)
        }
    }

    /// The IDs picked by any of `selectors`.
    package func regionIDs(matchingAny selectors: [DERPRegionSelector], geo: DERPRegionGeoTable) throws -> Set<Int> {
        var ids: Set<Int> = []
        for selector in selectors {
            ids.formUnion(try regionIDs(matching: selector, geo: geo))
        }
        return ids
    }

    /// This map with only the regions some selector picks. `HomeParams` scores for dropped
    /// regions go too; `null` entries stay.
    package func filtered(keeping selectors: [DERPRegionSelector], geo: DERPRegionGeoTable) throws -> DERPMap {
        keepingRegions(try regionIDs(matchingAny: selectors, geo: geo))
    }

    /// This map without the regions any selector picks.
    package func filtered(dropping selectors: [DERPRegionSelector], geo: DERPRegionGeoTable) throws -> DERPMap {
        keepingRegions(Set(regions.keys).subtracting(try regionIDs(matchingAny: selectors, geo: geo)))
    }

    /// This map with only the regions in `ids` (IDs not in the map are ignored).
    package func keepingRegions(_ ids: Set<Int>) -> DERPMap {
        var map = self
        map.regions = regions.filter { ids.contains($0.key) }
        if let scores = homeParams?.regionScore {
            map.homeParams?.regionScore = scores.filter { ids.contains($0.key) }
        }
        return map
    }
}

extension DERPRegionGeoTable {
    /// The geodata for a map region: the table's row with the same ID, provided the region codes
    /// agree (without case). A custom region that reuses a default ID gets nil.
    package func geo(for region: DERPRegion) -> DERPRegionGeo? {
        guard let entry = geo(regionID: region.regionID),
            entry.regionCode.lowercased() == region.regionCode.lowercased()
        else { return nil }
        return entry
    }
}

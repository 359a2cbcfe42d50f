/// Server-sent parameters for choosing a home DERP region: Tailscale's `tailcfg.DERPHomeParams`.
///
/// JSON: `{"RegionScore": {"900": 0.8, "1": 1.5}}`, keys are decimal region IDs.
public struct DERPHomeParams: Sendable, Hashable {
    /// Multiplies a region's measured latency when picking the home region: below 1 favours it,
    /// above 1 penalises it; regions not listed count as 1.0 and values ≤ 0 are ignored.
    ///
    /// nil means "keep the previous scores" (the key was absent or `null`); an empty dictionary
    /// read from `{}` means "reset every score to 1.0". Like Go (`omitempty` on a map), we leave
    /// `RegionScore` out when writing both nil and an empty dictionary.
    public var regionScore: [Int: Double]?

    public init(regionScore: [Int: Double]? = nil) {
        self.regionScore = regionScore
    }
}

extension DERPHomeParams: Codable {
    public init(from decoder: any Decoder) throws {
        let object = try GoJSONObject(from: decoder)
        guard let scores = try object.nestedObject("RegionScore") else {
            self.init(regionScore: nil)
            return
        }
        // A null score decodes to 0 in Go (null leaves a float64 at its zero value).
        let entries = try scores.decodeRegionKeyed { key in
            try scores.decodeNil(forKey: key) ? 0 : try scores.decode(Double.self, forKey: key)
        }
        self.init(regionScore: Dictionary(entries.map { ($0.id, $0.value) }, uniquingKeysWith: { _, last in last }))
    }

    public func encode(to encoder: any Encoder) throws {
        try goJSON(order: .goString).encode(to: encoder)
    }

    func goJSON(order: DERPMapRegionOrder) -> GoJSONValue {
        var object = GoJSONObjectBuilder()
        if let regionScore, !regionScore.isEmpty {
            let members = order.sorted(regionScore.keys).map { id in
                GoJSONValue.Member(key: String(id), value: .double(regionScore[id] ?? 0))
            }
            object.add("RegionScore", .object(members))
        }
        return object.value
    }
}

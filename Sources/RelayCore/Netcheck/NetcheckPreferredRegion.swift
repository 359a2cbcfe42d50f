/// Chooses the preferred (home) DERP region as Tailscale's netcheck does (spec/netcheck.md §6),
/// minus the DERP-activity rules (a one-shot report has no DERP connection to consult), plus
/// deterministic tie-breaking: of equally fast regions the lowest ID wins.
///
/// - best recent latency per region = the minimum over the retained reports (this one included);
/// - each latency is multiplied by `HomeParams.RegionScore[region]` when that score is positive;
/// - only regions with a latency in this report can be chosen;
/// - stickiness: when the previous report preferred another region that still has a latency now,
///   it stays unless the new one is at least 10 ms faster and better than two thirds of it.
package enum NetcheckPreferredRegion {
    /// - Parameters:
    ///   - current: this report's `RegionLatency`.
    ///   - recent: `RegionLatency` of earlier reports still retained (5 min 5 s in Tailscale).
    ///   - previous: the previous report's `PreferredDERP`, 0 for none.
    ///   - scores: `HomeParams.RegionScore` of the map.
    /// - Returns: the region ID, or 0 when `current` is empty.
    package static func choose(
        current: [Int: Duration], recent: [[Int: Duration]] = [], previous: Int = 0, scores: [Int: Double]? = nil
    ) -> Int {
        func scaled(_ region: Int, _ latency: Duration) -> Duration {
            guard let score = scores?[region], score > 0, score.isFinite else { return latency }
            return latency * score
        }
        var chosen = 0
        var bestAny = Duration.zero
        var previousCurrent = Duration.zero
        for region in current.keys.sorted() {
            guard let latency = current[region] else { continue }
            if region == previous { previousCurrent = scaled(region, latency) }
            let bestRecent = recent.compactMap { $0[region] }.reduce(latency) { min($0, $1) }
            let best = scaled(region, bestRecent)
            if chosen == 0 || best < bestAny {
                chosen = region
                bestAny = best
            }
        }
        if previous != 0, chosen != previous, previousCurrent != .zero {
            if previousCurrent - bestAny < .milliseconds(10) || bestAny > previousCurrent / 3 * 2 {
                chosen = previous
            }
        }
        return chosen
    }
}

/// Earlier reports that the preferred-region choice may consult (spec/netcheck.md §6): kept for
/// 5 min 5 s, as tailscaled keeps them. A one-shot `netprobe report` has none; `netprobe serve`
/// keeps one across its runs so the preferred region does not flap.
package struct NetcheckHistory: Sendable {
    package static let retention: Duration = .seconds(305)

    private struct Entry: Sendable {
        var at: ContinuousClock.Instant
        var regionLatency: [Int: Duration]
        var preferred: Int
    }

    private var entries: [Entry] = []

    package init() {}

    /// `RegionLatency` of the reports still retained at `now`.
    package func recentLatencies(at now: ContinuousClock.Instant) -> [[Int: Duration]] {
        entries.filter { now - $0.at <= Self.retention }.map(\.regionLatency)
    }

    /// The previous report's `PreferredDERP`, 0 without one.
    package var previousPreferred: Int { entries.last?.preferred ?? 0 }

    /// Adds a finished report and drops the expired ones.
    package mutating func add(_ report: NetcheckReport, at now: ContinuousClock.Instant) {
        entries.removeAll { now - $0.at > Self.retention }
        entries.append(Entry(at: now, regionLatency: report.regionLatency, preferred: report.preferredDERP))
    }
}

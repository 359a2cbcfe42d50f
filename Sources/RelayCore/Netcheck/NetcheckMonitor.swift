import NIOConcurrencyHelpers
import NIOCore

/// `netprobe serve`'s loop: a report every `interval` (the next starts right away when one takes
/// longer), the latest kept for ``metricsText``. Reports share a ``NetcheckHistory`` so the
/// preferred region is chosen with Tailscale's stickiness across runs.
package final class NetcheckMonitor: Sendable {
    private struct State {
        var latest: NetcheckReport?
        var reports = 0
    }

    private let prober: NetcheckProber
    private let interval: Duration
    private let state = NIOLockedValueBox(State())

    package init(prober: NetcheckProber, interval: Duration) {
        self.prober = prober
        self.interval = interval
    }

    /// The latest report, nil before the first one finished.
    package var latest: NetcheckReport? { state.withLockedValue { $0.latest } }

    /// The Prometheus exposition of the latest report.
    package var metricsText: String {
        let (latest, reports) = state.withLockedValue { ($0.latest, $0.reports) }
        return NetcheckMetricsText.render(latest, reports: reports)
    }

    /// Runs reports until the task is cancelled; `onReport` sees each one as it finishes, with
    /// its sequence number from 1.
    package func run(onReport: @Sendable (NetcheckReport, Int) -> Void = { _, _ in }) async {
        let clock = ContinuousClock()
        var history = NetcheckHistory()
        while !Task.isCancelled {
            let started = clock.now
            let report = await prober.run(history: history)
            history.add(report, at: clock.now)
            let count = state.withLockedValue { state in
                state.latest = report
                state.reports += 1
                return state.reports
            }
            onReport(report, count)
            do {
                try await Task.sleep(until: started + interval, clock: clock)
            } catch {
                return
            }
        }
    }
}

import CoreMetrics
import NIOConcurrencyHelpers

/// A metrics counter that also keeps its own count, so that tests and logs can read how often
/// an admission outcome happened without a metrics backend. Created once per policy.
package final class AdmissionTally: Sendable {
    private let counter: Counter
    private let total = NIOLockedValueBox(0)

    package init(label: String, dimensions: [(String, String)]) {
        counter = Counter(label: label, dimensions: dimensions)
        // Exists from startup with value 0, as DERPServerMetrics does for its series.
        counter.increment(by: 0)
    }

    package func increment() {
        counter.increment()
        total.withLockedValue { $0 += 1 }
    }

    package var value: Int { total.withLockedValue { $0 } }
}

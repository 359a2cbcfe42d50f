import NIOCore

/// When to retransmit a STUN request and when to give up (stun.md §6.4, "for an interactive
/// tool, derive the retransmission timer from the RTT measured on the first answers of the same
/// run"), instead of RFC 5389's 500 ms / 39.5 s schedule (stun.md §1.6).
///
/// The base timer is `rttMultiplier × RTT` (default 2) of the server concerned, clamped to
/// `minimumRTO...maximumRTO`. Before that server has answered it is `initialRTO`, raised to
/// `rttMultiplier ×` the slowest RTT seen so far in the run so that a far server is not given
/// up on because a near one answered quickly. Each retransmission doubles the wait; after the
/// last transmission the transaction waits as long as the interval before it, then gives up.
/// With the defaults (3 transmissions) a test gives up after 5 × base: 250 ms base (1.25 s) for an
/// unanswered server, 100 ms base (500 ms, so a first reply may take 10 × RTT) behind a server
/// 50 ms away. Tests that measure silence (filtering, hairpinning) always run to that end, so it
/// sets the time to a verdict: about 50 + 500 ms behind 50 ms servers.
package struct NATRetransmissionPolicy: Hashable, Sendable {
    package var initialRTO: TimeAmount
    package var rttMultiplier: Int64
    package var minimumRTO: TimeAmount
    package var maximumRTO: TimeAmount
    package var maxTransmissions: Int

    package init(
        initialRTO: TimeAmount = .milliseconds(250),
        rttMultiplier: Int64 = 2,
        minimumRTO: TimeAmount = .milliseconds(50),
        maximumRTO: TimeAmount = .seconds(1),
        maxTransmissions: Int = 3
    ) {
        self.initialRTO = initialRTO
        self.rttMultiplier = max(1, rttMultiplier)
        self.minimumRTO = minimumRTO
        self.maximumRTO = max(minimumRTO, maximumRTO)
        self.maxTransmissions = max(1, maxTransmissions)
    }

    /// The base timer for a transaction to a server whose RTT is `serverRTT` (if it answered
    /// already), in a run whose slowest measured RTT is `runRTT`.
    package func baseRTO(serverRTT: TimeAmount?, runRTT: TimeAmount?) -> TimeAmount {
        if let serverRTT {
            return clamp(scaled(serverRTT))
        }
        if let runRTT {
            return clamp(max(initialRTO, scaled(runRTT)))
        }
        return initialRTO
    }

    /// How long to wait after the `transmission`-th send (1-based) before the next send or, after
    /// the last, before giving up.
    package func wait(afterTransmission transmission: Int, base: TimeAmount) -> TimeAmount {
        let exponent = transmission < maxTransmissions ? transmission - 1 : max(0, maxTransmissions - 2)
        let factor = Int64(1) << Int64(min(max(0, exponent), 16))
        let (product, overflow) = base.nanoseconds.multipliedReportingOverflow(by: factor)
        return overflow ? .nanoseconds(.max) : .nanoseconds(product)
    }

    /// The whole schedule of a transaction with this base: sum of every wait.
    package func totalTime(base: TimeAmount) -> TimeAmount {
        (1...maxTransmissions).reduce(TimeAmount.zero) { $0 + wait(afterTransmission: $1, base: base) }
    }

    private func scaled(_ rtt: TimeAmount) -> TimeAmount {
        let (product, overflow) = rtt.nanoseconds.multipliedReportingOverflow(by: rttMultiplier)
        return overflow ? maximumRTO : .nanoseconds(product)
    }

    private func clamp(_ value: TimeAmount) -> TimeAmount {
        min(max(value, minimumRTO), maximumRTO)
    }
}

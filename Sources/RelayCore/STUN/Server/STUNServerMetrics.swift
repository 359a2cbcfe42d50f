import CoreMetrics
import Metrics

/// The STUN server's counters, created once with fixed labels and shared by every socket. Names and
/// labels are the reference derper's (spec/derp.md §14): `stun_requests{disposition}` and
/// `stun_addrfamily{family}`.
///
/// As in the reference, `success` counts success replies sent, `not_stun` every datagram not
/// answered with a success (including those we answer with a 400 or 420 error, which the reference
/// ignores), `read_error` socket read errors, `write_error` success replies that could not be sent
/// (see `STUNServerHandler` for what is detected), and `stun_addrfamily` the Binding requests
/// answered with a success, by the family of the address in the answer.
package final class STUNServerMetrics: Sendable {
    package enum Disposition: String, CaseIterable, Sendable {
        case success
        case notSTUN = "not_stun"
        case readError = "read_error"
        case writeError = "write_error"
    }

    private let success: Counter
    private let notSTUN: Counter
    private let readError: Counter
    private let writeError: Counter
    private let ipv4: Counter
    private let ipv6: Counter

    /// - Parameter factory: the metrics backend; the bootstrapped one by default.
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        func requests(_ disposition: Disposition) -> Counter {
            Counter(label: "stun_requests", dimensions: [("disposition", disposition.rawValue)], factory: factory)
        }
        success = requests(.success)
        notSTUN = requests(.notSTUN)
        readError = requests(.readError)
        writeError = requests(.writeError)
        ipv4 = Counter(label: "stun_addrfamily", dimensions: [("family", "ipv4")], factory: factory)
        ipv6 = Counter(label: "stun_addrfamily", dimensions: [("family", "ipv6")], factory: factory)
        // Every series exists from startup with value 0.
        for counter in [success, notSTUN, readError, writeError, ipv4, ipv6] { counter.increment(by: 0) }
    }

    package func record(_ disposition: Disposition, count: Int = 1) {
        let count = Int64(count)
        switch disposition {
        case .success: success.increment(by: count)
        case .notSTUN: notSTUN.increment(by: count)
        case .readError: readError.increment(by: count)
        case .writeError: writeError.increment(by: count)
        }
    }

    package func recordFamily(_ family: STUNAddress.Family, count: Int = 1) {
        switch family {
        case .ipv4: ipv4.increment(by: Int64(count))
        case .ipv6: ipv6.increment(by: Int64(count))
        }
    }
}

import CoreMetrics
import NIOConcurrencyHelpers
import NIOCore

/// `-allow-keys-file`: admits only the node keys listed in a file (``AllowListFile``). The file
/// is read at startup, where a bad line is fatal, and again by ``reload()`` (derper calls it on
/// SIGHUP), where a bad file keeps the previous list. Connected clients are never re-checked.
///
/// Metrics: `derp_admission_allowlist{result="allow"|"deny"}` per decision and
/// `derp_admission_allowlist_keys`, the number of keys loaded.
package final class AllowListAdmissionPolicy: DERPAdmissionPolicy {
    package struct Counters: Sendable {
        package let allow = AdmissionTally(label: "derp_admission_allowlist", dimensions: [("result", "allow")])
        package let deny = AdmissionTally(label: "derp_admission_allowlist", dimensions: [("result", "deny")])
    }

    package let path: String
    package let counters = Counters()
    private let keys: NIOLockedValueBox<Set<NodePublicKey>>
    private let keyCount = Gauge(label: "derp_admission_allowlist_keys")

    /// Reads `path`; throws if it is unreadable or has a malformed line.
    package init(path: String) throws(AdmissionError) {
        self.path = path
        let loaded = try AllowListFile.load(path: path)
        keys = NIOLockedValueBox(loaded)
        keyCount.record(loaded.count)
    }

    /// Re-reads the file and swaps the list in at once. On error the previous list stays in force.
    /// Returns the number of keys now allowed.
    @discardableResult
    package func reload() throws(AdmissionError) -> Int {
        let loaded = try AllowListFile.load(path: path)
        keys.withLockedValue { $0 = loaded }
        keyCount.record(loaded.count)
        return loaded.count
    }

    package var count: Int { keys.withLockedValue { $0.count } }

    package func contains(_ key: NodePublicKey) -> Bool {
        keys.withLockedValue { $0.contains(key) }
    }

    package func admit(key: NodePublicKey, sourceIP: String?, eventLoop: any EventLoop) -> EventLoopFuture<Bool> {
        let allowed = contains(key)
        (allowed ? counters.allow : counters.deny).increment()
        return eventLoop.makeSucceededFuture(allowed)
    }
}

import NIOConcurrencyHelpers
import NIOCore

/// Recent webhook decisions by (key, source IP), so that a client reconnecting in a loop does
/// not cost a webhook round trip each time. Bounded in size; entries expire; thread-safe.
///
/// Only definite answers (200 with a valid body) are stored; errors and other statuses are
/// asked again next time. Time is an input (`now`), so expiry is testable without waiting.
package final class AdmissionDecisionCache: Sendable {
    package struct Key: Hashable, Sendable {
        package var nodeKey: NodePublicKey
        package var source: String

        package init(nodeKey: NodePublicKey, source: String) {
            self.nodeKey = nodeKey
            self.source = source
        }
    }

    private struct Entry {
        var allow: Bool
        var expires: NIODeadline
    }

    package let capacity: Int
    private let entries = NIOLockedValueBox<[Key: Entry]>([:])

    /// `capacity` 0 disables the cache.
    package init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    package func lookup(_ key: Key, now: NIODeadline) -> Bool? {
        entries.withLockedValue { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            return entry.allow
        }
    }

    package func store(_ allow: Bool, for key: Key, ttl: TimeAmount, now: NIODeadline) {
        guard capacity > 0, ttl > .zero else { return }
        entries.withLockedValue { entries in
            if entries[key] == nil, entries.count >= capacity {
                // Full: drop what has expired, and if that frees nothing, the entry closest to
                // expiry. O(capacity) only when full, under a lock held for microseconds.
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity, let soonest = entries.min(by: { $0.value.expires < $1.value.expires }) {
                    entries[soonest.key] = nil
                }
            }
            entries[key] = Entry(allow: allow, expires: now + ttl)
        }
    }

    package var count: Int { entries.withLockedValue { $0.count } }
}

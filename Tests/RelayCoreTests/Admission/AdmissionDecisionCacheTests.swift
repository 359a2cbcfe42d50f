import NIOCore
import Testing
@testable import RelayCore

@Suite struct AdmissionDecisionCacheTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    private func key(_ byte: UInt8, _ source: String = "192.0.2.1") throws -> AdmissionDecisionCache.Key {
        .init(nodeKey: try NodePublicKey(rawBytes: [UInt8](repeating: byte, count: 32)), source: source)
    }

    @Test func storesAndExpires() throws {
        let cache = AdmissionDecisionCache(capacity: 4)
        let allowed = try key(1)
        let denied = try key(2)
        cache.store(true, for: allowed, ttl: .seconds(30), now: start)
        cache.store(false, for: denied, ttl: .seconds(5), now: start)
        #expect(cache.lookup(allowed, now: start + .seconds(29)) == true)
        #expect(cache.lookup(denied, now: start + .seconds(4)) == false)
        #expect(cache.lookup(denied, now: start + .seconds(5)) == nil, "a deny lasts its own, shorter TTL")
        #expect(cache.lookup(allowed, now: start + .seconds(30)) == nil)
        #expect(cache.count == 0, "expired entries are dropped when looked up")
    }

    @Test func keyIncludesTheSourceIP() throws {
        let cache = AdmissionDecisionCache(capacity: 4)
        cache.store(true, for: try key(1, "192.0.2.1"), ttl: .seconds(30), now: start)
        #expect(cache.lookup(try key(1, "192.0.2.2"), now: start) == nil)
    }

    @Test func staysWithinCapacity() throws {
        let cache = AdmissionDecisionCache(capacity: 3)
        for byte in UInt8(1)...3 {
            cache.store(true, for: try key(byte), ttl: .seconds(Int64(10 * byte)), now: start)
        }
        cache.store(true, for: try key(4), ttl: .seconds(60), now: start)
        #expect(cache.count == 3)
        #expect(cache.lookup(try key(1), now: start) == nil, "the entry closest to expiry makes room")
        #expect(cache.lookup(try key(4), now: start) == true)

        // Expired entries go first when full.
        cache.store(false, for: try key(5), ttl: .seconds(5), now: start + .seconds(25))
        #expect(cache.lookup(try key(2), now: start + .seconds(25)) == nil)
        #expect(cache.lookup(try key(3), now: start + .seconds(25)) == true)
        #expect(cache.lookup(try key(5), now: start + .seconds(25)) == false)
    }

    @Test func zeroCapacityStoresNothing() throws {
        let cache = AdmissionDecisionCache(capacity: 0)
        cache.store(true, for: try key(1), ttl: .seconds(30), now: start)
        #expect(cache.lookup(try key(1), now: start) == nil)
    }
}

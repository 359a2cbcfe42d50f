/// A token bucket over an injected monotonic clock value (nanoseconds), so tests drive time.
package struct TokenBucket: Sendable {
    package let ratePerSecond: Double
    package let burst: Double
    private var tokens: Double
    private var lastRefill: UInt64

    package init(ratePerSecond: Double, burst: Double, now: UInt64) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.tokens = burst
        self.lastRefill = now
    }

    /// Takes `cost` tokens if available.
    package mutating func take(_ cost: Double = 1, now: UInt64) -> Bool {
        refill(now: now)
        guard tokens >= cost else { return false }
        tokens -= cost
        return true
    }

    /// Nanoseconds until `cost` tokens will be available (0 if they are now).
    package mutating func delayUntilAvailable(_ cost: Double, now: UInt64) -> UInt64 {
        refill(now: now)
        guard tokens < cost, ratePerSecond > 0 else { return 0 }
        return UInt64(((cost - tokens) / ratePerSecond) * 1e9)
    }

    private mutating func refill(now: UInt64) {
        guard now > lastRefill else { return }
        let elapsed = Double(now - lastRefill) / 1e9
        tokens = min(burst, tokens + elapsed * ratePerSecond)
        lastRefill = now
    }
}

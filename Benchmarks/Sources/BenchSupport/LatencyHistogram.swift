/// A log-linear histogram of nanosecond values: exact below 128 ns, then 64 buckets per power of two,
/// so every percentile is within 1.6% of the true value. Fixed size, no allocation while recording.
public struct LatencyHistogram: Sendable {
    private static let subBucketBits = 6
    /// Index of UInt64.max is 57 * 64 + 127.
    static let bucketCount = 59 * 64
    private var counts: [UInt64]
    public private(set) var count: UInt64 = 0
    public private(set) var maximum: UInt64 = 0

    public init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    @inline(__always)
    public mutating func record(_ nanoseconds: UInt64) {
        counts[Self.index(of: nanoseconds)] &+= 1
        count &+= 1
        if nanoseconds > maximum { maximum = nanoseconds }
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for i in counts.indices { counts[i] &+= other.counts[i] }
        count &+= other.count
        maximum = max(maximum, other.maximum)
    }

    /// The value below which `fraction` (0...1) of the recorded values lie, in nanoseconds; nil when empty.
    public func percentile(_ fraction: Double) -> UInt64? {
        guard count > 0 else { return nil }
        let rank = max(1, UInt64((Double(count) * fraction).rounded(.up)))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += c
            if seen >= rank { return min(Self.value(at: i), maximum) }
        }
        return maximum
    }

    /// Milliseconds for reports.
    public func percentileMilliseconds(_ fraction: Double) -> Double? {
        percentile(fraction).map { Double($0) / 1_000_000 }
    }

    @inline(__always)
    static func index(of value: UInt64) -> Int {
        if value < 128 { return Int(value) }
        let shift = (63 - value.leadingZeroBitCount) - subBucketBits
        return shift * 64 + Int(truncatingIfNeeded: value >> UInt64(shift))
    }

    /// The middle of a bucket.
    static func value(at index: Int) -> UInt64 {
        if index < 128 { return UInt64(index) }
        let shift = index / 64 - 1
        let sub = UInt64(index - shift * 64)
        return (sub << UInt64(shift)) + (UInt64(1) << UInt64(shift)) / 2
    }
}

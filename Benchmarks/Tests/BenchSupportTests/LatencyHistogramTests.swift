import Testing

@testable import BenchSupport

@Suite("LatencyHistogram")
struct LatencyHistogramTests {
    @Test("values below 128 ns are exact")
    func smallValuesExact() {
        var h = LatencyHistogram()
        for v in UInt64(0)..<128 { h.record(v) }
        #expect(h.count == 128)
        #expect(h.percentile(0.5) == 63)
        #expect(h.percentile(1.0) == 127)
    }

    @Test("percentiles stay within 1.6% of the true value across nine decades")
    func relativeError() {
        var h = LatencyHistogram()
        var values: [UInt64] = []
        var v: UInt64 = 1
        while v < 10_000_000_000 {
            values.append(v)
            h.record(v)
            v = v * 1013 / 1000 + 1
        }
        for fraction in [0.1, 0.5, 0.9, 0.99, 0.999] {
            let rank = Int((Double(values.count) * fraction).rounded(.up)) - 1
            let truth = Double(values[rank])
            let estimate = Double(h.percentile(fraction) ?? 0)
            #expect(abs(estimate - truth) / truth < 0.016, "p\(fraction): \(estimate) vs \(truth)")
        }
    }

    @Test("bucket index and value agree for every bucket")
    func indexRoundTrip() {
        for i in 128..<LatencyHistogram.bucketCount {
            #expect(LatencyHistogram.index(of: LatencyHistogram.value(at: i)) == i)
        }
        #expect(LatencyHistogram.index(of: UInt64.max) < LatencyHistogram.bucketCount)
    }

    @Test("merge adds counts and keeps the maximum; empty has no percentile")
    func merge() {
        var a = LatencyHistogram(), b = LatencyHistogram()
        #expect(a.percentile(0.5) == nil)
        a.record(1_000)
        b.record(2_000_000)
        a.merge(b)
        #expect(a.count == 2)
        #expect(a.maximum == 2_000_000)
        #expect(a.percentile(1.0) == 2_000_000)
    }
}

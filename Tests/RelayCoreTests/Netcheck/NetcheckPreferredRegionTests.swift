import Testing

@testable import RelayCore

/// The preferred-region rules of spec/netcheck.md §6, with deterministic ties.
@Suite struct NetcheckPreferredRegionTests {
    @Test func fastestWinsAndTiesGoToTheLowestID() {
        #expect(NetcheckPreferredRegion.choose(current: [:]) == 0)
        #expect(NetcheckPreferredRegion.choose(current: [1: .milliseconds(30), 2: .milliseconds(10), 3: .milliseconds(20)]) == 2)
        #expect(NetcheckPreferredRegion.choose(current: [7: .milliseconds(10), 3: .milliseconds(10), 5: .milliseconds(10)]) == 3)
    }

    @Test func regionScoresScaleLatency() {
        let current: [Int: Duration] = [1: .milliseconds(10), 2: .milliseconds(15)]
        #expect(NetcheckPreferredRegion.choose(current: current, scores: [1: 2.0]) == 2)
        #expect(NetcheckPreferredRegion.choose(current: current, scores: [1: 0, 2: -1]) == 1, "non-positive scores are ignored")
    }

    @Test func recentHistoryCountsButOnlyForRegionsMeasuredNow() {
        let current: [Int: Duration] = [1: .milliseconds(20), 2: .milliseconds(15)]
        #expect(NetcheckPreferredRegion.choose(current: current, recent: [[1: .milliseconds(5)]]) == 1)
        #expect(NetcheckPreferredRegion.choose(current: current, recent: [[3: .milliseconds(1)]]) == 2)
    }

    @Test func stickinessKeepsThePreviousRegionUnlessMuchBetter() {
        // 18 ms vs 20 ms: less than 10 ms better -> stay.
        #expect(NetcheckPreferredRegion.choose(current: [1: .milliseconds(20), 2: .milliseconds(18)], previous: 1) == 1)
        // 60 ms vs 100 ms: 40 ms better and below two thirds -> switch.
        #expect(NetcheckPreferredRegion.choose(current: [1: .milliseconds(100), 2: .milliseconds(60)], previous: 1) == 2)
        // 70 ms vs 100 ms: 30 ms better but above two thirds (66.6 ms) -> stay.
        #expect(NetcheckPreferredRegion.choose(current: [1: .milliseconds(100), 2: .milliseconds(70)], previous: 1) == 1)
        // The previous region has no latency now -> no stickiness.
        #expect(NetcheckPreferredRegion.choose(current: [2: .milliseconds(70)], previous: 1) == 2)
    }

    @Test func historyRetainsFiveMinutesAndRemembersThePreference() {
        let clock = ContinuousClock()
        let start = clock.now
        var history = NetcheckHistory()
        history.add(NetcheckReport(preferredDERP: 4, regionLatency: [4: .milliseconds(9)]), at: start)
        #expect(history.previousPreferred == 4)
        #expect(history.recentLatencies(at: start + .seconds(300)) == [[4: .milliseconds(9)]])
        #expect(history.recentLatencies(at: start + .seconds(306)).isEmpty)
    }
}

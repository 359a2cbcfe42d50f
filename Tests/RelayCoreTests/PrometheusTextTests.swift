import Testing
@testable import RelayCore

@Suite struct PrometheusTextTests {
    @Test func familiesAreSortedAndKeptTogether() {
        let input = """
            # TYPE zeta counter
            zeta 1
            # TYPE alpha counter
            alpha{kind="b"} 2
            alpha{kind="a"} 3
            # TYPE mid histogram
            mid_bucket{le="1"} 1
            mid_bucket{le="+Inf"} 1
            mid_sum 0.5
            mid_count 1
            """
        let output = PrometheusText.sortedByFamily(input)
        #expect(output == """
            # TYPE alpha counter
            alpha{kind="b"} 2
            alpha{kind="a"} 3
            # TYPE mid histogram
            mid_bucket{le="1"} 1
            mid_bucket{le="+Inf"} 1
            mid_sum 0.5
            mid_count 1
            # TYPE zeta counter
            zeta 1

            """)
    }
}

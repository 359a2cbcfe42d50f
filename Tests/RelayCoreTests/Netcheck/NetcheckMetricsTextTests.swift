import Testing

@testable import RelayCore

/// The Prometheus exposition of `netprobe serve`.
@Suite struct NetcheckMetricsTextTests {
    @Test func beforeTheFirstReportOnlyTheCounter() {
        #expect(NetcheckMetricsText.render(nil, reports: 0) == """
            # HELP netprobe_reports Reports completed since netprobe serve started.
            # TYPE netprobe_reports counter
            netprobe_reports 0

            """)
    }

    @Test func samplesLabelsAndUnknownsLeftOut() {
        var report = NetcheckRequirementTests.healthy()
        report.regions.append(NetcheckRegionResult(id: 901, code: "we\"ird\\", name: "", httpsLatencyMs: 1.5))
        report.certificates = [NetcheckCertificateResult(region: 900, node: "900a", host: "127.0.0.1", daysLeft: 89, pinMatches: true)]
        let text = NetcheckMetricsText.render(report, reports: 3)
        let lines = Set(text.split(separator: "\n").map(String.init))
        for expected in [
            "netprobe_reports 3", "netprobe_udp 1", "netprobe_ipv6 0", "netprobe_preferred_region 900",
            "netprobe_region_latency_seconds{region=\"900\",code=\"custom\",via=\"stun\"} 0.012",
            "netprobe_region_stun_latency_seconds{region=\"900\",code=\"custom\",family=\"ipv4\"} 0.012",
            "netprobe_region_https_latency_seconds{region=\"901\",code=\"we\\\"ird\\\\\"} 0.0015",
            "netprobe_derp_round_trip_success{region=\"900\",code=\"custom\"} 1",
            "netprobe_derp_round_trip_seconds{region=\"900\",code=\"custom\"} 0.0003",
            "netprobe_certificate_days_left{region=\"900\",node=\"900a\",host=\"127.0.0.1\"} 89",
            "netprobe_certificate_verified{region=\"900\",node=\"900a\",host=\"127.0.0.1\"} 1",
            "netprobe_certificate_pin_matches{region=\"900\",node=\"900a\",host=\"127.0.0.1\"} 1",
            "netprobe_port_mapping{protocol=\"pmp\"} 1", "netprobe_nat_type{type=\"easy\"} 1", "netprobe_nat_type{type=\"hard\"} 0",
        ] {
            #expect(lines.contains(expected), "missing \(expected)")
        }
        #expect(!text.contains("netprobe_captive_portal "), "unknown values are left out")
        #expect(!text.contains("netprobe_hairpinning "))
        let families = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(families == families.sorted(), "families sorted by name")
    }
}

/// The report for people: a summary of Tailscale's fields in plain words, the region table sorted
/// by latency (the preferred region starred), the certificates, warnings, and the outcome of
/// each CI requirement.
package enum NetcheckTextRenderer {
    package static func render(_ report: NetcheckReport) -> String {
        var lines: [String] = []
        lines.append("netprobe report, \(NetcheckTimestamp.format(report.now)) (took \(milliseconds(report.durationMs)), timeout \(milliseconds(report.timeoutMs)))")
        lines.append("")
        var summary: [(String, String)] = [
            ("UDP", report.udp ? "yes" : "no (no STUN reply)"),
            ("IPv4", report.ipv4 ? "yes" + (report.globalV4.isEmpty ? " (no address found)" : ", \(report.globalV4)") : "no"),
            ("IPv6", ipv6(report)),
            ("Mapping varies by destination", optional(report.mappingVariesByDestIP, unknown: "unknown (fewer than two IPv4 replies)")),
            ("NAT", "\(report.nat.natType.rawValue): \(report.nat.mappingReason)"),
            ("Hairpinning", optional(report.hairpinning, unknown: report.nat.hairpinningReason)),
            ("Port mapping", portMapping(report)),
            ("Captive portal", optional(report.captivePortal, unknown: report.captivePortalDetail == nil ? "not checked" : "unknown (no node answered)")),
            ("Preferred region", preferred(report)),
            ("DERP round trip", roundTrip(report.derpRoundTrip)),
        ]
        if report.icmpv4 { summary.append(("ICMPv4", "yes")) }
        let width = summary.map(\.0.count).max() ?? 0
        lines += summary.map { "  \($0.0 + ":")\(String(repeating: " ", count: width - $0.0.count + 1)) \($0.1)" }

        if !report.regions.isEmpty {
            lines.append("")
            var rows = [["REGION", "CODE", "NAME", "LATENCY", "VIA", "IPV4", "IPV6", "HTTPS"]]
            var marks = [false]
            for region in report.regions {
                marks.append(region.preferred)
                rows.append([
                    String(region.id), region.code, region.name,
                    region.latencyMs.map(milliseconds) ?? "-", region.via?.rawValue ?? "-",
                    region.v4LatencyMs.map(milliseconds) ?? "-", region.v6LatencyMs.map(milliseconds) ?? "-",
                    region.httpsLatencyMs.map(milliseconds) ?? "-",
                ])
            }
            lines += table(rows, marks: marks)
        }
        if !report.certificates.isEmpty {
            lines.append("")
            var rows = [["NODE", "HOST", "EXPIRES (UTC)", "DAYS LEFT", "PIN", "CHECK"]]
            for certificate in report.certificates {
                let pin = certificate.pinMatches.map { $0 ? "matches" : "MISMATCH" } ?? "-"
                rows.append([
                    certificate.node, certificate.host, certificate.notAfter ?? "-",
                    certificate.daysLeft.map(String.init) ?? "-", pin, certificate.error == nil ? "ok" : "failed",
                ])
            }
            lines += table(rows)
        }
        if !report.warnings.isEmpty {
            lines.append("")
            lines.append("Warnings:")
            lines += report.warnings.map { "  - \($0)" }
        }
        if !report.requirements.isEmpty {
            lines.append("")
            lines.append("Requirements:")
            lines += report.requirements.map { "  \($0.ok ? "ok  " : "FAIL") \($0.requirement): \($0.measured)" }
        }
        return lines.joined(separator: "\n")
    }

    /// `400µs`, `9.1ms`, `1.2345s`: Go's duration text rounded to 0.1 ms, as `tailscale netcheck`.
    package static func milliseconds(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let nanoseconds = (value * 1_000_000).rounded()
        guard abs(nanoseconds) < 9e18 else { return "-" }
        return NetcheckDuration.text(.nanoseconds(Int64(nanoseconds)))
    }

    private static func ipv6(_ report: NetcheckReport) -> String {
        if report.ipv6 { return "yes" + (report.globalV6.isEmpty ? " (no address found)" : ", \(report.globalV6)") }
        return report.osHasIPv6 ? "no, but the OS has support" : "no, unavailable in the OS"
    }

    private static func optional(_ value: Bool?, unknown: String) -> String {
        value.map { $0 ? "yes" : "no" } ?? unknown
    }

    private static func portMapping(_ report: NetcheckReport) -> String {
        guard report.portMappingAvailable != nil else { return "not checked" }
        let names = [("UPnP", report.upnp), ("NAT-PMP", report.pmp), ("PCP", report.pcp)].filter { $0.1 == true }.map(\.0)
        return names.isEmpty ? "none found" : names.joined(separator: ", ")
    }

    private static func preferred(_ report: NetcheckReport) -> String {
        guard let region = report.preferredRegion else { return "none (no region answered)" }
        return "\(region.id) \(region.code) (\(region.name))" + (region.latencyMs.map { ", \(milliseconds($0))" } ?? "")
    }

    private static func roundTrip(_ trip: NetcheckRoundTripResult) -> String {
        guard trip.ok, let rtt = trip.rttMs else { return "failed: \(trip.error ?? "not attempted")" }
        var text = "ok, \(milliseconds(rtt)) through node \(trip.node ?? "?")"
        if let connect = trip.connectMs { text += " (connect \(milliseconds(connect)))" }
        return text
    }

    /// Left-aligned columns two spaces apart, indented by two (`* ` on marked rows), no trailing spaces.
    private static func table(_ rows: [[String]], marks: [Bool] = []) -> [String] {
        var widths: [Int] = []
        for row in rows {
            for (index, cell) in row.enumerated() {
                if index == widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.enumerated().map { number, row in
            var line = number < marks.count && marks[number] ? "* " : "  "
            for (index, cell) in row.enumerated() {
                line += cell + String(repeating: " ", count: widths[index] - cell.count) + "  "
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}

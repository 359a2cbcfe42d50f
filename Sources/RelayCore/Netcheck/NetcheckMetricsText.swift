import Foundation

/// Prometheus text exposition of the latest report, for `netprobe serve` (`/metrics`).
///
/// Names follow our metric style (snake case, `netprobe_` prefix, no `_total` suffix, as the
/// reference derper's counters); labels are region IDs, codes and node names from the map, never
/// addresses of this host. A value that the report does not know (say, captive portal not checked)
/// is left out rather than written as 0.
///
/// | metric | type | labels |
/// | --- | --- | --- |
/// | `netprobe_reports` | counter | |
/// | `netprobe_report_timestamp_seconds`, `netprobe_report_duration_seconds` | gauge | |
/// | `netprobe_udp`, `netprobe_ipv4`, `netprobe_ipv6`, `netprobe_os_has_ipv6` | gauge (0/1) | |
/// | `netprobe_mapping_varies_by_dest_ip`, `netprobe_hairpinning`, `netprobe_captive_portal` | gauge (0/1) | |
/// | `netprobe_port_mapping` | gauge (0/1) | `protocol` = upnp, pmp, pcp |
/// | `netprobe_nat_type` | gauge (0/1, one per type) | `type` = none, easy, hard, blocked, unknown |
/// | `netprobe_preferred_region` | gauge (region ID, 0 = none) | |
/// | `netprobe_region_latency_seconds` | gauge | `region`, `code`, `via` = stun, https |
/// | `netprobe_region_stun_latency_seconds` | gauge | `region`, `code`, `family` = ipv4, ipv6 |
/// | `netprobe_region_https_latency_seconds` | gauge | `region`, `code` |
/// | `netprobe_derp_round_trip_success` | gauge (0/1) | `region`, `code` |
/// | `netprobe_derp_round_trip_seconds` | gauge | `region`, `code` |
/// | `netprobe_certificate_days_left` | gauge | `region`, `node`, `host` |
/// | `netprobe_certificate_verified` | gauge (0/1) | `region`, `node`, `host` |
/// | `netprobe_certificate_pin_matches` | gauge (0/1) | `region`, `node`, `host` |
/// | `netprobe_warnings` | gauge | |
package enum NetcheckMetricsText {
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition for `reports` completed reports, the latest being `report` (nil before the first).
    package static func render(_ report: NetcheckReport?, reports: Int) -> String {
        var out = Writer()
        out.family("netprobe_reports", "counter", "Reports completed since netprobe serve started.")
        out.sample("netprobe_reports", [], Double(reports))
        guard let report else { return out.text }

        out.gauge("netprobe_report_timestamp_seconds", "When the latest report finished (Unix time).", report.now.timeIntervalSince1970)
        out.gauge("netprobe_report_duration_seconds", "How long the latest report took.", report.durationMs / 1000)
        out.gauge("netprobe_udp", "1 if a STUN reply arrived over UDP.", flag(report.udp))
        out.gauge("netprobe_ipv4", "1 if IPv4 works.", flag(report.ipv4))
        out.gauge("netprobe_ipv6", "1 if IPv6 works.", flag(report.ipv6))
        out.gauge("netprobe_os_has_ipv6", "1 if the OS can open an IPv6 socket.", flag(report.osHasIPv6))
        if let varies = report.mappingVariesByDestIP {
            out.gauge("netprobe_mapping_varies_by_dest_ip", "1 if the NAT mapping varies by destination (hard NAT).", flag(varies))
        }
        if let hairpinning = report.hairpinning {
            out.gauge("netprobe_hairpinning", "1 if the NAT hairpins.", flag(hairpinning))
        }
        if let captive = report.captivePortal {
            out.gauge("netprobe_captive_portal", "1 if a captive portal was detected.", flag(captive))
        }
        if report.portMappingAvailable != nil {
            out.family("netprobe_port_mapping", "gauge", "1 if the gateway answered this port-mapping protocol.")
            for (name, value) in [("pcp", report.pcp), ("pmp", report.pmp), ("upnp", report.upnp)] {
                out.sample("netprobe_port_mapping", [("protocol", name)], flag(value == true))
            }
        }
        out.family("netprobe_nat_type", "gauge", "1 for the NAT verdict of the latest report (IPv4), 0 for the others.")
        for type in NATType.allCases.sorted(by: { $0.rawValue < $1.rawValue }) {
            out.sample("netprobe_nat_type", [("type", type.rawValue)], flag(report.nat.natType == type))
        }
        out.gauge("netprobe_preferred_region", "The preferred DERP region's ID (0: none).", Double(report.preferredDERP))

        let regions = report.regions.sorted { $0.id < $1.id }
        out.family("netprobe_region_latency_seconds", "gauge", "Latency to each measured DERP region (RegionLatency).")
        for region in regions {
            guard let latency = region.latencyMs, let via = region.via else { continue }
            out.sample("netprobe_region_latency_seconds", [("region", String(region.id)), ("code", region.code), ("via", via.rawValue)], latency / 1000)
        }
        out.family("netprobe_region_stun_latency_seconds", "gauge", "STUN latency to each DERP region per address family.")
        for region in regions {
            for (family, value) in [("ipv4", region.v4LatencyMs), ("ipv6", region.v6LatencyMs)] {
                guard let value else { continue }
                out.sample("netprobe_region_stun_latency_seconds", [("region", String(region.id)), ("code", region.code), ("family", family)], value / 1000)
            }
        }
        out.family("netprobe_region_https_latency_seconds", "gauge", "HTTPS /derp/latency-check latency to each DERP region.")
        for region in regions {
            guard let value = region.httpsLatencyMs else { continue }
            out.sample("netprobe_region_https_latency_seconds", [("region", String(region.id)), ("code", region.code)], value / 1000)
        }

        let trip = report.derpRoundTrip
        let tripLabels = [("region", trip.region.map(String.init) ?? ""), ("code", trip.code ?? "")]
        out.family("netprobe_derp_round_trip_success", "gauge", "1 if a packet went through the preferred region's derper and back.")
        out.sample("netprobe_derp_round_trip_success", tripLabels, flag(trip.ok))
        if trip.ok, let rtt = trip.rttMs {
            out.gauge("netprobe_derp_round_trip_seconds", "Time of the DERP round trip through the preferred region.", rtt / 1000, labels: tripLabels)
        }

        let certificates = report.certificates.sorted { ($0.region, $0.node) < ($1.region, $1.node) }
        out.family("netprobe_certificate_days_left", "gauge", "Whole days until each DERP node's TLS certificate expires.")
        for certificate in certificates {
            guard let days = certificate.daysLeft else { continue }
            out.sample("netprobe_certificate_days_left", certificateLabels(certificate), Double(days))
        }
        out.family("netprobe_certificate_verified", "gauge", "1 if the node's TLS certificate passed a Tailscale client's check.")
        for certificate in certificates {
            out.sample("netprobe_certificate_verified", certificateLabels(certificate), flag(certificate.error == nil))
        }
        out.family("netprobe_certificate_pin_matches", "gauge", "1 if the node's certificate matches the map's sha256-raw pin.")
        for certificate in certificates {
            guard let matches = certificate.pinMatches else { continue }
            out.sample("netprobe_certificate_pin_matches", certificateLabels(certificate), flag(matches))
        }
        out.gauge("netprobe_warnings", "Warnings in the latest report.", Double(report.warnings.count))
        return out.text
    }

    private static func certificateLabels(_ certificate: NetcheckCertificateResult) -> [(String, String)] {
        [("region", String(certificate.region)), ("node", certificate.node), ("host", certificate.host)]
    }

    private static func flag(_ value: Bool) -> Double { value ? 1 : 0 }

    private struct Writer {
        private var lines: [String] = []

        var text: String { PrometheusText.sortedByFamily(lines.joined(separator: "\n")) }

        mutating func family(_ name: String, _ type: String, _ help: String) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }

        mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
            let labelText = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
            lines.append("\(name)\(labelText) \(number(value))")
        }

        mutating func gauge(_ name: String, _ help: String, _ value: Double, labels: [(String, String)] = []) {
            family(name, "gauge", help)
            sample(name, labels, value)
        }

        private func escape(_ value: String) -> String {
            var text = ""
            for character in value {
                switch character {
                case "\\": text += "\\\\"
                case "\"": text += "\\\""
                case "\n": text += "\\n"
                default: text.append(character)
                }
            }
            return text
        }

        private func number(_ value: Double) -> String {
            guard value.isFinite else { return value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf" }
            if value == value.rounded(), abs(value) < 1e15, let whole = Int64(exactly: value) { return String(whole) }
            // Nanosecond resolution, printed in the shortest form: 0.003631, not 0.0036309999999999997.
            guard abs(value) < 1e9 else { return String(value) }
            return String((value * 1e9).rounded() / 1e9)
        }
    }
}

import Foundation

// Turning the findings of the probes into a report: Tailscale's fields, the per-region table,
// the NAT verdict, certificates and the warnings.

extension NetcheckProber {
    struct Latencies {
        /// `RegionLatency`: STUN where a region answered over UDP, else HTTPS.
        var all: [Int: Duration] = [:]
        var https: [Int: Duration] = [:]
        var httpsFamilies: [Int: NATAddressFamily] = [:]
    }

    static func regionLatencies(_ findings: Findings) -> Latencies {
        var latencies = Latencies()
        for node in findings.nodes {
            guard let latency = node.latency else { continue }
            if latency < latencies.https[node.regionID] ?? .seconds(Int64.max) {
                latencies.https[node.regionID] = latency
                latencies.httpsFamilies[node.regionID] = node.family
            }
        }
        latencies.all = findings.stun.regionLatency
        for (region, latency) in latencies.https where latencies.all[region] == nil {
            latencies.all[region] = latency
        }
        return latencies
    }

    func assemble(_ findings: Findings, regions: [DERPRegion], preferred: Int, duration: Duration) -> NetcheckReport {
        let stun = findings.stun
        let latencies = Self.regionLatencies(findings)
        let fallbackFamilies = Set(latencies.httpsFamilies.filter { stun.regionLatency[$0.key] == nil }.values)
        let observations = NATObservations(
            timeoutMs: NetcheckDuration.milliseconds(configuration.timeout),
            durationMs: NetcheckDuration.milliseconds(duration), interfaces: findings.interfaces,
            transactions: stun.records, portMapping: findings.portMapping)
        var nat = NATReport(observations: observations, verdict: NATClassifier.classify(observations))
        if !configuration.hairpin, nat.hairpinning == nil, nat.hairpinningReason.hasPrefix("not tested") {
            nat.hairpinningReason = "not tested (the hairpin test is off)"
        }

        var report = NetcheckReport(
            now: Date(), udp: stun.udp,
            ipv6: !stun.regionV6Latency.isEmpty || fallbackFamilies.contains(.ipv6),
            ipv4: !stun.regionV4Latency.isEmpty || fallbackFamilies.contains(.ipv4),
            ipv6CanSend: stun.ipv6CanSend, ipv4CanSend: stun.ipv4CanSend, osHasIPv6: findings.osHasIPv6,
            mappingVariesByDestIP: stun.mappingVariesByDestIP, upnp: findings.portMapping?.upnp,
            pmp: findings.portMapping?.natpmp, pcp: findings.portMapping?.pcp, preferredDERP: preferred,
            regionLatency: latencies.all, regionV4Latency: stun.regionV4Latency, regionV6Latency: stun.regionV6Latency,
            globalV4Counters: Self.counters(stun.globalV4Counters), globalV6Counters: Self.counters(stun.globalV6Counters),
            globalV4: stun.globalV4?.description ?? "", globalV6: stun.globalV6?.description ?? "",
            captivePortal: findings.captivePortal?.captive, captivePortalDetail: findings.captivePortal?.detail,
            durationMs: NetcheckDuration.milliseconds(duration),
            timeoutMs: NetcheckDuration.milliseconds(configuration.timeout), hairpinning: nat.hairpinning, nat: nat,
            derpRoundTrip: findings.roundTrip, certificates: findings.nodes.map(\.certificate))
        report.regions = Self.regionTable(regions, findings: findings, latencies: latencies, preferred: preferred)
        report.warnings = warnings(report, findings: findings)
        return report
    }

    private static func counters(_ counts: [NATEndpoint: Int]) -> [String: Int] {
        Dictionary(counts.map { ($0.key.description, $0.value) }, uniquingKeysWith: +)
    }

    /// Measured regions by latency (ties by ID), then the rest by ID — `tailscale netcheck`'s order.
    private static func regionTable(
        _ regions: [DERPRegion], findings: Findings, latencies: Latencies, preferred: Int
    ) -> [NetcheckRegionResult] {
        let rows = regions.map { region -> NetcheckRegionResult in
            let id = region.regionID
            let viaSTUN = findings.stun.regionLatency[id] != nil
            var row = NetcheckRegionResult(
                id: id, code: region.regionCode, name: region.regionName,
                latencyMs: latencies.all[id].map(NetcheckDuration.milliseconds),
                via: latencies.all[id] == nil ? nil : viaSTUN ? .stun : .https,
                v4LatencyMs: findings.stun.regionV4Latency[id].map(NetcheckDuration.milliseconds),
                v6LatencyMs: findings.stun.regionV6Latency[id].map(NetcheckDuration.milliseconds),
                httpsLatencyMs: latencies.https[id].map(NetcheckDuration.milliseconds), preferred: id == preferred)
            var problems: [String] = []
            if !viaSTUN {
                let sent = findings.stun.probesPerRegion[id] ?? 0
                problems.append(sent == 0 ? "no STUN probe could be sent" : "no STUN reply to \(sent) probe\(sent == 1 ? "" : "s")")
            }
            problems += findings.unresolved[id] ?? []
            problems += findings.nodes.filter { $0.regionID == id }.compactMap { node in
                node.error.map { "HTTPS to \(node.node.name): \($0)" }
            }
            row.error = problems.isEmpty ? nil : problems.joined(separator: "; ")
            return row
        }
        return rows.sorted { a, b in
            switch (a.latencyMs, b.latencyMs) {
            case let (x?, y?): return x != y ? x < y : a.id < b.id
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.id < b.id
            }
        }
    }

    private func warnings(_ report: NetcheckReport, findings: Findings) -> [String] {
        var warnings: [String] = []
        if report.regions.isEmpty {
            warnings.append("The DERP map has no region to probe (regions without nodes and NoMeasureNoHome regions are skipped).")
        } else if !report.udp {
            warnings.append("UDP looks blocked: no STUN reply from any region\(report.regionLatency.isEmpty ? "" : "; latencies come from HTTPS").")
        }
        for region in report.regions where region.latencyMs == nil {
            warnings.append("Region \(region.id) (\(region.code)) did not answer: \(region.error ?? "no reply").")
        }
        if report.mappingVariesByDestIP == true {
            warnings.append("The NAT maps this host to a different public address for each destination (a \"hard\" NAT); direct connections will often need a relay.")
        }
        for certificate in report.certificates {
            let node = "node \(certificate.node) (\(certificate.host))"
            if let error = certificate.error, error.hasPrefix("TLS") {
                warnings.append("The TLS certificate of \(node) was refused: \(error).")
            }
            if certificate.pinMatches == false {
                warnings.append("The certificate of \(node) does not match the sha256-raw pin in the map's CertName.")
            }
            if let days = certificate.daysLeft {
                if days < 0 {
                    warnings.append("The certificate of \(node) expired \(-days) day\(days == -1 ? "" : "s") ago.")
                } else if days < configuration.certificateWarningDays {
                    warnings.append("The certificate of \(node) expires in \(days) day\(days == 1 ? "" : "s").")
                }
            }
        }
        let trip = report.derpRoundTrip
        if !trip.ok, configuration.derpRoundTrip, trip.region != nil {
            warnings.append("The DERP round trip through region \(trip.region ?? 0) failed: \(trip.error ?? "unknown error").")
        }
        if let portal = findings.captivePortal {
            if portal.captive == true {
                warnings.append("A captive portal seems to intercept HTTP: \(portal.detail).")
            } else if portal.captive == nil {
                warnings.append("The captive-portal check was inconclusive: \(portal.detail).")
            }
        }
        return warnings
    }
}

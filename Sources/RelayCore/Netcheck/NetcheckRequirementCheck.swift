/// Evaluates the CI conditions of `netprobe report` against a finished report: each
/// `--require` item and `--max-latency` becomes one ``NetcheckRequirementResult``.
package struct NetcheckRequirementCheck: Hashable, Sendable {
    package var requirements: [NetcheckRequirement]
    /// The most the preferred region's latency may be.
    package var maxLatency: Duration?

    package init(requirements: [NetcheckRequirement] = [], maxLatency: Duration? = nil) {
        self.requirements = requirements
        self.maxLatency = maxLatency
    }

    package var isEmpty: Bool { requirements.isEmpty && maxLatency == nil }

    /// One result per requirement in the order given, then `max-latency`.
    package func evaluate(_ report: NetcheckReport) -> [NetcheckRequirementResult] {
        var results = requirements.map { requirement in
            let (ok, measured) = Self.check(requirement, report)
            return NetcheckRequirementResult(requirement: requirement.rawValue, ok: ok, measured: measured)
        }
        if let maxLatency {
            let (ok, measured) = Self.checkLatency(maxLatency, report)
            results.append(NetcheckRequirementResult(requirement: "max-latency", ok: ok, measured: measured))
        }
        return results
    }

    private static func check(_ requirement: NetcheckRequirement, _ report: NetcheckReport) -> (Bool, String) {
        switch requirement {
        case .udp:
            let answered = report.regions.filter { $0.v4LatencyMs != nil || $0.v6LatencyMs != nil }.count
            return report.udp
                ? (true, "STUN replies from \(plural(answered, "region")) (UDP=true)")
                : (false, "no STUN reply from any region (UDP=false)")
        case .ipv4:
            return report.ipv4
                ? (true, "IPv4 works" + (report.globalV4.isEmpty ? "" : ", public address \(report.globalV4)") + " (IPv4=true)")
                : (false, "no reply over IPv4 (IPv4=false, IPv4CanSend=\(report.ipv4CanSend))")
        case .ipv6:
            if report.ipv6 {
                return (true, "IPv6 works" + (report.globalV6.isEmpty ? "" : ", public address \(report.globalV6)") + " (IPv6=true)")
            }
            return (false, "no reply over IPv6 (IPv6=false, IPv6CanSend=\(report.ipv6CanSend), OSHasIPv6=\(report.osHasIPv6))")
        case .derp:
            return checkRoundTrip(report)
        case .direct:
            return checkDirect(report.nat)
        case .portmap:
            switch report.portMappingAvailable {
            case nil: return (false, "port mapping was not checked")
            case false?: return (false, "no UPnP, NAT-PMP or PCP service answered on the gateway (UPnP=false, PMP=false, PCP=false)")
            case true?:
                let names = [("UPnP", report.upnp), ("NAT-PMP", report.pmp), ("PCP", report.pcp)].filter { $0.1 == true }.map(\.0)
                return (true, "the gateway offers \(names.joined(separator: ", "))")
            }
        }
    }

    private static func checkRoundTrip(_ report: NetcheckReport) -> (Bool, String) {
        let trip = report.derpRoundTrip
        guard let region = trip.region else {
            return (false, trip.error ?? "no preferred region, so no DERP round trip")
        }
        let place = "region \(region)" + (trip.code.map { " (\($0))" } ?? "") + (trip.node.map { " node \($0)" } ?? "")
        if trip.ok, let rtt = trip.rttMs {
            return (true, "a packet went through \(place) and back in \(NetcheckTextRenderer.milliseconds(rtt))")
        }
        return (false, "DERP round trip through \(place) failed: \(trip.error ?? "unknown error")")
    }

    private static func checkDirect(_ nat: NATReport) -> (Bool, String) {
        var natType = nat.natType
        var reason = nat.mappingReason
        var family = "IPv4"
        if !natType.isVerdict, let ipv6 = nat.ipv6, ipv6.natType.isVerdict {
            (natType, reason, family) = (ipv6.natType, ipv6.mappingReason, "IPv6")
        }
        let text = "NAT over \(family) is \(natType.rawValue): \(reason)"
        return (natType == .none || natType == .easy, text)
    }

    private static func checkLatency(_ limit: Duration, _ report: NetcheckReport) -> (Bool, String) {
        guard let region = report.preferredRegion, let latency = report.regionLatency[region.id] else {
            return (false, "no preferred region: no region answered, so there is no latency to compare with \(NetcheckDuration.goString(limit))")
        }
        let measured = NetcheckDuration.text(latency)
        let place = "preferred region \(region.id) (\(region.code))"
        return latency <= limit
            ? (true, "\(place) latency \(measured) is within \(NetcheckDuration.goString(limit))")
            : (false, "\(place) latency \(measured) exceeds \(NetcheckDuration.goString(limit))")
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

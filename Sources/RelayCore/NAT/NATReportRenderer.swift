/// The human-readable form of a `NATReport`: a table of the probes (nearest server first), the
/// verdict in RFC 4787 terms with the legacy name and easy/hard/none, then plain sentences.
///
/// Colour is the caller's decision (`stunner` enables it only on a terminal without NO_COLOR).
package struct NATReportRenderer: Sendable {
    package var color: Bool
    /// Adds every transmission, reply and ignored datagram.
    package var debug: Bool
    package var width = 100

    package init(color: Bool = false, debug: Bool = false) {
        self.color = color
        self.debug = debug
    }

    package func render(_ report: NATReport) -> String {
        var out: [String] = []
        let servers = Set(report.probes.filter { $0.test == .mapping }.map(\.server)).count
        out.append(bold("stunner \(report.version)") + ": \(servers) server\(servers == 1 ? "" : "s"), "
            + "\(report.probes.count) probes in \(Self.milliseconds(report.durationMs)) "
            + "(deadline \(Self.milliseconds(report.timeoutMs)))")
        out.append("")
        out += table(report.probes)
        out.append("")
        out.append(field("NAT type", paint(report.natType)))
        out.append(field("Mapping", Self.named(report.mapping.rawValue, report.mapping.abbreviation) + ": "
            + report.mappingReason))
        out.append(field("Filtering", Self.named(report.filtering.rawValue, report.filtering.abbreviation) + ": "
            + report.filteringReason))
        out.append(field("Legacy name", report.legacyName))
        let preservation = report.portPreservation.map { $0 ? " (port preserved)" : " (port not preserved)" } ?? ""
        out.append(field("Public IPv4", (report.publicAddress ?? "none") + preservation))
        let hairpin = report.hairpinning.map { $0 ? "yes: " : "no: " } ?? ""
        out.append(field("Hairpinning", hairpin + report.hairpinningReason))
        out.append(field("Port mapping", portMapping(report)))
        if let ipv6 = report.ipv6 {
            out.append(field("IPv6", paint(ipv6.natType) + ", mapping \(ipv6.mapping.rawValue), filtering "
                + "\(ipv6.filtering.rawValue), public \(ipv6.publicAddress ?? "none")"))
        } else {
            out.append(field("IPv6", "not probed"))
        }
        out.append("")
        out += wrap(report.explanation, indent: "")
        if !report.hints.isEmpty {
            out.append("")
            out.append(bold("Notes"))
            for hint in report.hints { out += wrap(hint, indent: "  - ", continuation: "    ") }
        }
        if debug, let events = report.events {
            out.append("")
            out.append(bold("Transcript"))
            for event in events { out.append(transcriptLine(event)) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: - Table

    private func table(_ probes: [NATProbeReport]) -> [String] {
        let ordered = probes.enumerated().sorted { lhs, rhs in
            let left = (lhs.element.test == .mapping ? 0 : 1, lhs.element.rttMs ?? .infinity, lhs.offset)
            let right = (rhs.element.test == .mapping ? 0 : 1, rhs.element.rttMs ?? .infinity, rhs.offset)
            return left < right
        }.map(\.element)
        var rows: [[String]] = [["SERVER", "TEST", "LOCAL", "MAPPED", "RTT"]]
        for probe in ordered {
            let name = probe.serverName == probe.server ? probe.server : "\(probe.serverName) \(probe.server)"
            let outcome = probe.rttMs.map { Self.milliseconds($0) } ?? (probe.error ?? "no reply")
            let mapped = probe.mapped ?? (probe.test == .hairpin && probe.source != nil ? "arrived from \(probe.source ?? "")" : "-")
            rows.append([name, probe.test.rawValue, probe.local ?? "-", mapped, outcome])
        }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.enumerated().map { index, row in
            let cells = (0..<4).map { row[$0].padding(to: widths[$0]) }
            let line = "  " + cells.joined(separator: "  ") + "  " + row[4]
            return index == 0 ? bold(line) : line
        }
    }

    // MARK: - Pieces

    private func field(_ name: String, _ value: String) -> String {
        let label = name.padding(to: 13)
        let lines = wrap(value, indent: "", width: width - 13)
        return ([bold(label) + (lines.first ?? "")] + lines.dropFirst().map { String(repeating: " ", count: 13) + $0 })
            .joined(separator: "\n")
    }

    private func portMapping(_ report: NATReport) -> String {
        guard report.portMappingChecked else { return "not checked" }
        let found = [("UPnP", report.portMapping.upnp), ("NAT-PMP", report.portMapping.natpmp), ("PCP", report.portMapping.pcp)]
            .filter(\.1).map(\.0)
        let external = report.portMapping.externalAddress.map { ", external address \($0)" } ?? ""
        return (found.isEmpty ? "none found" : found.joined(separator: ", ")) + external
    }

    /// `endpoint-independent (EIM)`; just `unknown` when the abbreviation adds nothing.
    private static func named(_ name: String, _ abbreviation: String) -> String {
        abbreviation == name ? name : "\(name) (\(abbreviation))"
    }

    private func transcriptLine(_ event: NATProbeEvent) -> String {
        let time = Self.decimal(event.atMs).leftPadding(to: 9)
        let peer = event.peer.map { " \($0)" } ?? ""
        let transaction = event.transaction.map { " #\($0)" } ?? ""
        let id = event.transactionID.map { " id=\($0)" } ?? ""
        return "  +\(time) ms  \(event.kind.rawValue.padding(to: 11)) \(event.socket)\(peer)\(transaction)\(id) \(event.detail)"
    }

    private func paint(_ type: NATType) -> String {
        guard color else { return type.rawValue }
        switch type {
        case .none, .easy: return "\u{1B}[32m\(type.rawValue)\u{1B}[0m"
        case .hard: return "\u{1B}[33m\(type.rawValue)\u{1B}[0m"
        case .blocked: return "\u{1B}[31m\(type.rawValue)\u{1B}[0m"
        case .unknown: return "\u{1B}[35m\(type.rawValue)\u{1B}[0m"
        }
    }

    private func bold(_ text: String) -> String {
        color ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }

    /// Greedy word wrap.
    private func wrap(_ text: String, indent: String, continuation: String? = nil, width: Int? = nil) -> [String] {
        let limit = max(20, width ?? self.width)
        var lines: [String] = []
        var current = indent
        let next = continuation ?? indent
        for word in text.split(separator: " ") {
            let prefix = lines.isEmpty ? indent : next
            if current.count > prefix.count && current.count + 1 + word.count > limit {
                lines.append(current)
                current = next + word
            } else {
                current += (current.count > prefix.count ? " " : "") + word
            }
        }
        lines.append(current)
        return lines
    }

    /// No decimals from 100 on, one from 10, else two; without Foundation's formatting.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite, value >= 0 else { return "-" }
        if value >= 100, let whole = Int(exactly: value.rounded()) { return String(whole) }
        let decimals = value >= 10 ? 1 : 2
        let scale = decimals == 1 ? 10.0 : 100.0
        guard let scaled = Int(exactly: (value * scale).rounded()) else { return "-" }
        let whole = scaled / Int(scale)
        let digits = String(scaled % Int(scale))
        return "\(whole)." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    }

    static func milliseconds(_ value: Double) -> String {
        "\(decimal(value)) ms"
    }
}

extension String {
    fileprivate func padding(to length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }

    fileprivate func leftPadding(to length: Int) -> String {
        count >= length ? self : String(repeating: " ", count: length - count) + self
    }
}

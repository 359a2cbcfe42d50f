import BenchSupport
import Foundation

extension BenchReport {
    func figuresTable() -> String {
        var rows = [["result", "server", "pkt/s", "Gbit/s", "drops", "p50 ms", "p99 ms", "p99.9 ms", "srv CPU%",
                     "srv ns/pkt", "gen CPU%"]]
        var other: [[String]] = [["result", "server", "figures"]]
        for result in results {
            let m = result.metrics
            func v(_ key: String) -> String { m[key].map { BenchResult.format($0) } ?? "-" }
            switch result.kind {
            case "relay", "reference", "latency", "reference-latency":
                rows.append([result.name, result.server, v("packets_per_second"), v("goodput_gbps"), v("drops"),
                             v("latency_p50_ms"), v("latency_p99_ms"), v("latency_p999_ms"),
                             v("server_cpu_percent"), v("server_cpu_ns_per_packet"), v("generator_cpu_percent")])
            case "stun":
                rows.append([result.name, result.server, v("responses_per_second"), "-",
                             "loss \(v("loss_ratio"))", v("latency_p50_ms"), v("latency_p99_ms"),
                             v("latency_p999_ms"), v("server_cpu_percent"), v("server_cpu_ns_per_response"),
                             v("generator_cpu_percent")])
            default:
                let keys = ["completed", "refused", "failed", "seconds", "connects_per_second",
                            "server_kib_per_connection", "server_rss_before_kib", "server_rss_after_kib",
                            "handshake_p50_ms", "handshake_p99_ms", "server_cpu_percent", "generator_cpu_percent"]
                other.append([result.name, result.server,
                              keys.compactMap { k in m[k].map { "\(k)=\(BenchResult.format($0))" } }.joined(separator: " ")])
            }
        }
        return Self.render(rows) + "\n" + Self.render(other)
    }

    func targetsTable() -> String {
        var rows = [["target", "requirement", "measured", "ratio", "verdict"]]
        for t in targets {
            let verdict = t.met.map { $0 ? "met" : "NOT met" } ?? "-"
            rows.append([t.target, t.requirement, t.measured, t.ratio.map { String(format: "%.2f", $0) } ?? "-",
                         verdict])
        }
        return Self.render(rows)
    }

    /// A Markdown table with padded columns, readable in a terminal as well.
    static func render(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ row: [String]) -> String {
            "| " + row.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: " | ") + " |"
        }
        var out = [line(header), "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"]
        out += rows.dropFirst().map(line)
        return out.joined(separator: "\n")
    }
}

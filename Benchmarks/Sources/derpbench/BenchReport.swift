import BenchSupport
import Foundation

/// The results of one `make bench`: machine, figures, and each target of issue 7 with its measured ratio.
struct BenchReport: Codable {
    struct Machine: Codable {
        var nproc: Int
        var cpuModel: String
        var loadAverageBefore: Double?
        var loadAverageAfter: Double?
    }

    struct Target: Codable {
        var target: String
        var requirement: String
        var measured: String
        var ratio: Double?
        /// nil when the target only asks for a figure, or when its measurement is missing.
        var met: Bool?
    }

    var date: String
    var commit: String
    var machine: Machine
    var notes: [String]
    var results: [BenchResult]
    var targets: [Target]

    init(results: [BenchResult], commit: String, loadBefore: Double?, notes: [String]) {
        date = ISO8601DateFormatter().string(from: Date())
        self.commit = commit
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) }
        machine = Machine(nproc: ProcessInfo.processInfo.activeProcessorCount, cpuModel: model ?? "unknown",
                          loadAverageBefore: loadBefore, loadAverageAfter: ProcessStats.loadAverage())
        self.notes = notes
        self.results = results
        targets = Self.targets(results)
    }

    private static func metric(_ results: [BenchResult], _ name: String, _ key: String) -> Double? {
        results.first { $0.name == name }?.metrics[key]
    }

    private static func ratio(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b, b > 0 else { return nil }
        return a / b
    }

    private static func f(_ value: Double?, _ unit: String = "") -> String {
        value.map { BenchResult.format($0) + unit } ?? "missing"
    }

    /// A rate comparison of our server against a reference, judged fairly: when both servers used at least
    /// 90% of their core the rates themselves are compared; otherwise (the load generator, or something else on
    /// the machine, was the limit) the server CPU time per packet is, which is the ratio the rates would have if
    /// both servers had their core to themselves.
    private static func comparison(_ r: [BenchResult], ours: String, reference: String, rateKey: String,
                                   costKey: String, unit: String) -> (text: String, ratio: Double?) {
        let rateOurs = metric(r, ours, rateKey), rateReference = metric(r, reference, rateKey)
        let costOurs = metric(r, ours, costKey), costReference = metric(r, reference, costKey)
        let rateRatio = ratio(rateOurs, rateReference), efficiency = ratio(costReference, costOurs)
        let saturated = [ours, reference].allSatisfy { (metric(r, $0, "server_cpu_percent") ?? 0) >= 90 }
        let two = { (v: Double?) in v.map { String(format: "%.2f", $0) } ?? "-" }
        var text = "ours \(f(rateOurs, unit)), reference \(f(rateReference, unit)) (ratio \(two(rateRatio))); "
            + "CPU/pkt \(f(costOurs, " ns")) vs \(f(costReference, " ns")) (efficiency ratio \(two(efficiency)))"
        if !saturated && efficiency != nil {
            text += "; a server stayed under 90% CPU, so the efficiency ratio decides"
        }
        return (text, saturated ? rateRatio : (efficiency ?? rateRatio))
    }

    static func targets(_ r: [BenchResult]) -> [Target] {
        var out: [Target] = []
        let goodput = comparison(r, ours: "relay-1280", reference: "reference-1280", rateKey: "goodput_gbps",
                                 costKey: "server_cpu_ns_per_packet", unit: " Gbit/s")
        out.append(Target(
            target: "relay goodput, 1280-byte packets, derper on 1 core", requirement: ">= 0.8x TLS proxy (nginx)",
            measured: goodput.text, ratio: goodput.ratio, met: goodput.ratio.map { $0 >= 0.8 }))
        let small = comparison(r, ours: "relay-64", reference: "reference-64", rateKey: "packets_per_second",
                               costKey: "server_cpu_ns_per_packet", unit: " pkt/s")
        out.append(Target(target: "64-byte packets", requirement: "packets/s and ratio to the TLS proxy",
                          measured: small.text, ratio: small.ratio, met: nil))
        let stun = comparison(r, ours: "stun-derper", reference: "stun-coturn", rateKey: "responses_per_second",
                              costKey: "server_cpu_ns_per_response", unit: "/s")
        let stunLoss = metric(r, "stun-derper", "loss_ratio")
        out.append(Target(
            target: "STUN responses/s on 1 core, <0.1% loss", requirement: ">= 1.5x coturn",
            measured: stun.text + "; derper loss \(f(stunLoss.map { $0 * 100 }, "%"))",
            ratio: stun.ratio, met: stun.ratio.flatMap { ratio in stunLoss.map { ratio >= 1.5 && $0 < 0.001 } }))
        if let idle = r.first(where: { $0.kind == "idle" }) {
            let perConnection = idle.metrics["server_kib_per_connection"]
            out.append(Target(
                target: "memory per idle TLS DERP connection (\(f(idle.metrics["completed"])) connections)",
                requirement: "<= 32 KiB", measured: f(perConnection, " KiB"), ratio: perConnection.map { $0 / 32 },
                met: perConnection.map { $0 <= 32 }))
        }
        let p99 = metric(r, "latency-1280-half", "latency_p99_ms")
        // The TLS proxy paced at the same rate shows the floor this machine and generator set.
        let reference = r.first { $0.kind == "reference-latency" && $0.parameters["size"] == "1280" }
        let referenceText = reference.map { ref in
            "; nginx at \(ref.parameters["rate"] ?? "?") pkt/s: p99 \(f(ref.metrics["latency_p99_ms"], " ms")), "
                + "p50 \(f(ref.metrics["latency_p50_ms"], " ms"))"
        } ?? ""
        out.append(Target(
            target: "relay latency p99 at half the maximum rate (1280 B)", requirement: "<= 0.5 ms",
            measured: "\(f(p99, " ms")) (p50 \(f(metric(r, "latency-1280-half", "latency_p50_ms"), " ms"))) at "
                + "\(r.first { $0.name == "latency-1280-half" }?.parameters["rate"] ?? "?") pkt/s" + referenceText,
            ratio: p99.map { $0 / 0.5 }, met: p99.map { $0 <= 0.5 }))
        if let storm = r.first(where: { $0.kind == "storm" }) {
            let wanted = Double(storm.parameters["connections"] ?? "") ?? 0
            let completed = storm.metrics["completed"] ?? 0
            let refused = storm.metrics["refused"] ?? 0, failed = storm.metrics["failed"] ?? 0
            out.append(Target(
                target: "\(Int(wanted)) clients connecting at once", requirement: "all complete, none refused",
                measured: "\(Int(completed)) done, \(Int(refused)) refused, \(Int(failed)) failed "
                    + "in \(f(storm.metrics["seconds"], " s"))",
                ratio: wanted > 0 ? completed / wanted : nil, met: completed == wanted && refused == 0 && failed == 0))
        }
        return out
    }
}

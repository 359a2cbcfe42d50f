#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One measurement, written as a JSON line that `derpbench report` gathers into the results file.
public struct BenchResult: Codable, Sendable {
    /// Unique within a run, e.g. `relay-1280`, `reference-1280`, `stun-coturn`.
    public var name: String
    /// relay, reference, latency, idle, storm, stun.
    public var kind: String
    /// The server measured: derper, nginx, coturn.
    public var server: String
    public var parameters: [String: String]
    public var metrics: [String: Double]
    public var notes: [String]

    public init(name: String, kind: String, server: String, parameters: [String: String] = [:],
                metrics: [String: Double] = [:], notes: [String] = []) {
        self.name = name
        self.kind = kind
        self.server = server
        self.parameters = parameters
        self.metrics = metrics
        self.notes = notes
    }

    /// Prints the figures and, when `path` is set, appends one JSON line to that file.
    public func emit(to path: String?) throws {
        print("== \(name) (\(server))")
        for key in metrics.keys.sorted() {
            print("   \(key.padding(toLength: 28, withPad: " ", startingAt: 0)) \(Self.format(metrics[key] ?? 0))")
        }
        for note in notes { print("   note: \(note)") }
        guard let path else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(self)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    public static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        if abs(value) >= 100 { return String(format: "%.0f", value) }
        if abs(value) >= 1 { return String(format: "%.2f", value) }
        return String(format: "%.4f", value)
    }
}

extension LatencyHistogram {
    /// p50 / p99 / p99.9 / max in milliseconds, under `prefix`.
    public func metrics(prefix: String) -> [String: Double] {
        var out: [String: Double] = [:]
        if let v = percentileMilliseconds(0.5) { out["\(prefix)_p50_ms"] = v }
        if let v = percentileMilliseconds(0.99) { out["\(prefix)_p99_ms"] = v }
        if let v = percentileMilliseconds(0.999) { out["\(prefix)_p999_ms"] = v }
        if count > 0 { out["\(prefix)_max_ms"] = Double(maximum) / 1_000_000 }
        return out
    }
}

import Foundation
import NIOCore

/// How many CPUs this process may run on. NIO's `System.coreCount` honours cgroup limits but not
/// the scheduler affinity mask, so under `taskset -c 0` it still reports every core and derper
/// would start two event loops on one CPU, making packets hop threads for nothing.
package enum ProcessorAffinity {
    /// The smaller of NIO's count and the number of CPUs in `Cpus_allowed_list`.
    package static var usableCoreCount: Int {
        let nio = max(1, System.coreCount)
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
            let allowed = count(list: line.dropFirst("Cpus_allowed_list:".count))
        else { return nio }
        return max(1, min(nio, allowed))
    }

    /// Counts a CPU list such as `0-3,8,10-11`; nil if it does not parse.
    package static func count(list: Substring) -> Int? {
        var total = 0
        for part in list.split(separator: ",") {
            let bounds = part.trimmingWhitespace().split(separator: "-")
            guard let low = bounds.first.flatMap({ Int($0) }) else { return nil }
            let high = bounds.count > 1 ? Int(bounds[1]) : low
            guard let high, high >= low else { return nil }
            total += high - low + 1
        }
        return total > 0 ? total : nil
    }
}

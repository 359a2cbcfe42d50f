import RelayCore
import Foundation

/// Process-wide gauges computed at scrape time from /proc, in the reference's names where it has them.
enum ProcessMetrics {
    static func text(startedAt: Date) -> String {
        var lines: [String] = []
        let now = Date()
        lines.append("# TYPE uptime_sec counter")
        lines.append("uptime_sec \(Int(now.timeIntervalSince(startedAt)))")
        lines.append("process_start_unix_time \(Int(startedAt.timeIntervalSince1970))")
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            lines.append("# TYPE derp_current_file_descriptors gauge")
            lines.append("derp_current_file_descriptors \(fds.count)")
            lines.append("# TYPE process_open_fds gauge")
            lines.append("process_open_fds \(fds.count)")
        }
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let residentPages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        {
            lines.append("# TYPE process_resident_memory_bytes gauge")
            lines.append("process_resident_memory_bytes \(residentPages * Int(sysconf(Int32(_SC_PAGESIZE))))")
        }
        lines.append("version{version=\"\(ToolkitVersion.string)\",binary=\"derper\"} 1")
        return lines.joined(separator: "\n") + "\n"
    }
}

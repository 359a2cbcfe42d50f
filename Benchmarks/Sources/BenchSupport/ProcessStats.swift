#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What /proc says about a process (Linux): resident memory and CPU time, all threads together.
public enum ProcessStats {
    /// `VmRSS` from /proc/PID/status, in KiB.
    public static func residentKiB(pid: Int32) -> Int? {
        guard let text = readFile("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    /// User + system CPU seconds from /proc/PID/stat (fields 14 and 15, counted after the command name).
    public static func cpuSeconds(pid: Int32) -> Double? {
        guard let text = readFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3), so utime (field 14) is fields[11] and stime fields[12].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// This process's own CPU seconds.
    public static func ownCPUSeconds() -> Double {
        cpuSeconds(pid: getpid()) ?? 0
    }

    /// The 1-minute load average.
    public static func loadAverage() -> Double? {
        readFile("/proc/loadavg")?.split(separator: " ").first.flatMap { Double($0) }
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// CPU use of a server process over a measured interval.
public struct CPUWindow: Sendable {
    let pid: Int32?
    let startSeconds: Double?
    let startTime: UInt64

    public init(pid: Int32?) {
        self.pid = pid
        startSeconds = pid.flatMap { ProcessStats.cpuSeconds(pid: $0) }
        startTime = BenchClock.nanoseconds()
    }

    /// Busy fraction of one core, in percent, since `init`.
    public func percent() -> Double? {
        guard let pid, let startSeconds, let now = ProcessStats.cpuSeconds(pid: pid) else { return nil }
        let wall = BenchClock.seconds(since: startTime)
        return wall > 0 ? (now - startSeconds) / wall * 100 : nil
    }

    /// CPU seconds used since `init`.
    public func seconds() -> Double? {
        guard let pid, let startSeconds, let now = ProcessStats.cpuSeconds(pid: pid) else { return nil }
        return now - startSeconds
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A derper executable run as a child process, for tests of the real command line, signals
/// and process death. Output goes to files in a temporary directory that is removed on `stop`.
final class DerperProcess: @unchecked Sendable {
    // @unchecked: `process` is only mutated in init; Foundation's Process is thread-safe for signals.
    let process: Process
    let directory: URL
    let stdoutURL: URL
    let stderrURL: URL

    static func binary() throws -> URL {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["DERPER_BINARY"] { candidates.append(URL(fileURLWithPath: path)) }
        for bundle in [Bundle.main] + Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("derper"))
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/derper"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw DerperProcessError(description: "derper executable not found (swift build first)")
        }
        return found
    }

    init(arguments: [String], directory: URL, workingDirectory: URL? = nil) throws {
        self.directory = directory
        stdoutURL = directory.appendingPathComponent("stdout.txt")
        stderrURL = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process = Process()
        process.executableURL = try Self.binary()
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        try process.run()
    }

    /// A safety net: a test that ends early (a thrown error, a failed #require) must not leave
    /// its derper running, so the child is killed when this object goes away.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    static func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("derper-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return url
    }

    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for exit (bounded); returns the status, or nil if it did not exit in time.
    func waitForExit(timeout: Duration = .seconds(20)) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    func stop() async {
        if process.isRunning {
            signal(SIGKILL)
            _ = await waitForExit(timeout: .seconds(10))
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs derper to completion (for -help, -version and usage errors).
    static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let directory = try temporaryDirectory()
        let child = try DerperProcess(arguments: arguments, directory: directory)
        defer { Task { await child.stop() } }
        guard let status = await child.waitForExit() else { throw DerperProcessError(description: "derper did not exit") }
        return (status, child.stdout, child.stderr)
    }
}

struct DerperProcessError: Error, CustomStringConvertible {
    let description: String
}

/// A TCP port that was free a moment ago, chosen below the kernel's ephemeral range
/// (32768+ on Linux) so that other tests' outgoing connections cannot take it before the
/// child process binds it.
func freeLocalPort() throws -> Int {
    for _ in 0..<200 {
        let candidate = Int.random(in: 20000..<32000)
        if canBind(port: candidate) { return candidate }
    }
    throw DerperProcessError(description: "no free port found in 20000..<32000")
}

private func canBind(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

import ArgumentParser
import BenchSupport
import NIOCore

@main
struct STUNBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stunbench",
        abstract: "STUN load generator: responses/s, loss and latency of one or more local STUN servers in turn.",
        discussion: """
            Each target gets the same closed-loop load: --sockets UDP sockets, each keeping --window requests in
            flight, batched sends (sendmmsg) and vector reads (recvmmsg). Point it only at local servers.
            """)

    @Option(help: "NAME=HOST:PORT of a STUN server; repeat to compare servers in one invocation.")
    var target: [String]

    @Option(help: "NAME=PID of a target's server process, to report its CPU use.")
    var serverPID: [String] = []

    @Option(help: "UDP sockets of the generator.")
    var sockets: Int = 4

    @Option(help: "Requests outstanding per socket.")
    var window: Int = 64

    @Option(help: "Warm-up seconds per target.")
    var warmup: Double = 1

    @Option(help: "Measured seconds per target.")
    var duration: Double = 8

    @Option(help: "Seconds after which an unanswered request counts as lost.")
    var timeout: Double = 1

    @Flag(help: "Send bare 20-byte Binding requests instead of Tailscale-style ones (SOFTWARE + FINGERPRINT).")
    var plain = false

    @Flag(inversion: .prefixedNo, help: """
        Send each batch of requests with one UDP_SEGMENT sendmsg (GSO), so the generator costs less per \
        request than the server and the server saturates; --no-segmentation sends them with sendmmsg.
        """)
    var segmentation = true

    @Option(help: "Append results as JSON lines to this file.")
    var jsonOut: String?

    func run() async throws {
        let pids = Dictionary(serverPID.compactMap { entry -> (String, Int32)? in
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let pid = Int32(parts[1]) else { return nil }
            return (String(parts[0]), pid)
        }, uniquingKeysWith: { a, _ in a })
        for entry in target {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let name = parts.count == 2 ? String(parts[0]) : "stun"
            let hostPort = String(parts.last ?? "")
            guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...])
            else { throw ValidationError("--target \(entry): expected NAME=HOST:PORT") }
            let address = try SocketAddress(ipAddress: String(hostPort[..<colon]), port: port)
            let run = STUNRun(server: address, sockets: sockets, window: window, warmup: warmup,
                              duration: duration, timeout: timeout, tailscaleStyle: !plain,
                              segmentation: segmentation, serverPID: pids[name])
            let metrics = try await run.run()
            try BenchResult(
                name: "stun-\(name)", kind: "stun", server: name,
                parameters: ["target": hostPort, "sockets": String(sockets), "window": String(window),
                             "duration": String(duration), "request": plain ? "plain" : "tailscale",
                             "segmentation": String(segmentation)],
                metrics: metrics
            ).emit(to: jsonOut)
        }
    }
}

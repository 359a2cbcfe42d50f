import ArgumentParser

@main
struct DERPBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "derpbench",
        abstract: "Load generator for derper over real TLS, and the TLS-proxy reference it is compared with.",
        discussion: """
            Every subcommand prints its figures and, with --json-out, appends one JSON line per result;
            `derpbench report` turns those lines into the table and results file of `make bench`.
            Point it only at local servers (loopback).
            """,
        subcommands: [RelayCommand.self, ReferenceCommand.self, IdleCommand.self, StormCommand.self,
                      ReportCommand.self]
    )
}

/// Options every measuring subcommand shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "DERP map JSON written by derper's -derp-map-out (host, port, certificate pin).")
    var map: String

    @Option(help: "PID of the server, to read its CPU time and memory from /proc.")
    var serverPID: Int32?

    @Option(help: "Append results as JSON lines to this file.")
    var jsonOut: String?

    @Option(help: "Name the server in results.")
    var serverName: String = "derper"
}

/// Options of the streaming modes.
struct StreamOptions: ParsableArguments {
    @Option(help: "Sender/receiver pairs.")
    var pairs: Int = 4

    @Option(help: "Packet size in bytes (payload of each SendPacket after the 32-byte key), 20...65536.")
    var size: Int = 1280

    @Option(help: "Warm-up seconds before the measured window.")
    var warmup: Double = 2

    @Option(help: "Measured seconds.")
    var duration: Double = 10

    @Option(help: "Bytes of frames packed into each write.")
    var batchBytes: Int = 16_384

    @Option(help: "Bytes in flight per pair (sent, not yet received) for unpaced senders; 0 floods open-loop.")
    var windowBytes: Int = 262_144

    func validate() throws {
        guard (20...65_536).contains(size) else { throw ValidationError("--size must be 20...65536") }
        guard pairs > 0, pairs <= 1000 else { throw ValidationError("--pairs must be 1...1000") }
        guard warmup >= 0, duration > 0 else { throw ValidationError("--duration must be positive") }
    }
}

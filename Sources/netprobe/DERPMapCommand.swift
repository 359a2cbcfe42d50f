import ArgumentParser

/// `netprobe derpmap`: show, filter, extend and validate DERP maps in Tailscale's JSON format.
struct DERPMapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "derpmap",
        abstract: "Show, filter, extend and validate DERP maps (Tailscale's JSON format).",
        discussion: """
            Every subcommand reads one DERP map (--derp-map FILE, - for standard input; Tailscale's \
            default map as shipped with netprobe when left out) and writes to standard output. Maps \
            are read and written in Tailscale's JSON format unmodified, so the output of one \
            subcommand can feed the next:

              netprobe derpmap filter --country EU | netprobe derpmap show --derp-map -

            List-valued options take comma-separated values and may also be repeated. Exit codes: 0 \
            success, 1 failure (unreadable or broken input, failed checks or probes), 2 usage error \
            (bad option value, unknown region, country or continent).
            """,
        subcommands: [
            DERPMapShowCommand.self,
            DERPMapFilterCommand.self,
            DERPMapAddNodeCommand.self,
            DERPMapValidateCommand.self,
        ]
    )
}

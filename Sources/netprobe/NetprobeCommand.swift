import ArgumentParser
import RelayCore

@main
struct NetprobeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netprobe",
        abstract: "Network report against DERP relays, and DERP map tools.",
        version: ToolkitVersion.string
    )

    func run() async throws {
        print("netprobe \(ToolkitVersion.string)")
    }
}

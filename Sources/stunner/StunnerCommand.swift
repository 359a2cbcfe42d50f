import ArgumentParser
import RelayCore

@main
struct StunnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stunner",
        abstract: "Classify the NAT in front of this machine (RFC 4787) using STUN.",
        version: ToolkitVersion.string
    )

    func run() async throws {
        print("stunner \(ToolkitVersion.string)")
    }
}

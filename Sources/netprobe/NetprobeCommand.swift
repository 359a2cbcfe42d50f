import ArgumentParser
import Foundation
import RelayCore

/// `netprobe`: a network report against DERP relays (the default subcommand) and DERP map tools.
///
/// Exit codes: 0 success, 1 a failure (bad input, failed check or probe), 2 a usage error. The
/// argument parser's own usage code (64) is mapped to 2, as derper and Go's flag package use.
@main
struct NetprobeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netprobe",
        abstract: "Network report against DERP relays, and DERP map tools.",
        discussion: """
            Exit codes: 0 success, 1 failure (unreadable or broken input, a failed check or \
            probe), 2 usage error (bad option value, unknown region, country or continent).
            """,
        version: ToolkitVersion.string,
        subcommands: [ReportCommand.self, DERPMapCommand.self, ServeCommand.self],
        defaultSubcommand: ReportCommand.self
    )

    static func main() async {
        await main(nil)
    }

    static func main(_ arguments: [String]?) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as NetprobeError {
            Console.error("Error: \(error)")
            Console.terminate(error.exitCode)
        } catch let error as DERPMapError {
            let wrapped = NetprobeError.from(error)
            Console.error("Error: \(wrapped)")
            Console.terminate(wrapped.exitCode)
        } catch {
            guard exitCode(for: error) == .validationFailure else {
                exit(withError: error)
            }
            Console.error(fullMessage(for: error))
            Console.terminate(2)
        }
    }
}

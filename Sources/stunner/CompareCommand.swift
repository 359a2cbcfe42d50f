import ArgumentParser
import Foundation
import RelayCore

/// `stunner compare A.json B.json`: whether two hosts can expect a direct connection.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two reports (from stunner --json): direct, possible with effort, or relay only.",
        discussion: "With --json (stunner's own flag, before or after `compare`) the comparison is printed as JSON."
    )

    @ParentCommand var stunner: StunnerCommand

    @Argument(help: ArgumentHelp("Host A's report, from `stunner --json`.", valueName: "a.json"))
    var first: String

    @Argument(help: ArgumentHelp("Host B's report.", valueName: "b.json"))
    var second: String

    func run() async throws {
        let a = try load(first)
        let b = try load(second)
        let comparison = NATComparison.compare(a, b)
        if stunner.json {
            Console.out(try Console.json(comparison))
            return
        }
        let outcome = comparison.outcome.summary
        var text = outcome.prefix(1).uppercased() + outcome.dropFirst() + " (\(comparison.family)).\n"
        text += "  A: \(describe(a))\n"
        text += "  B: \(describe(b))\n"
        text += "  Why: \(comparison.reason).\n"
        Console.out(text)
    }

    private func describe(_ report: NATReport) -> String {
        let mapping = report.portMapping.any ? ", port mapping available" : ""
        return "\(report.natType.rawValue) (\(report.legacyName.isEmpty ? "no legacy name" : report.legacyName); "
            + "mapping \(report.mapping.rawValue), filtering \(report.filtering.rawValue)\(mapping))"
    }

    private func load(_ path: String) throws -> NATReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            Console.error("stunner: cannot read \(path)")
            throw ExitCode(Console.usageError)
        }
        do {
            return try JSONDecoder().decode(NATReport.self, from: data)
        } catch {
            Console.error("stunner: \(path) is not a stunner --json report: \(Self.describe(error))")
            throw ExitCode(Console.usageError)
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, _): return "missing \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

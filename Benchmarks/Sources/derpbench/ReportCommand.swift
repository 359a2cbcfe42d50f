import ArgumentParser
import BenchSupport
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Gather result lines into one table of figures and target ratios, and a JSON results file.")

    @Option(help: "JSON lines written by the measuring subcommands (--json-out).")
    var results: String

    @Option(help: "Write the combined results JSON here.")
    var out: String?

    @Option(help: "Commit measured (for the record).")
    var commit: String = "unknown"

    @Option(help: "1-minute load average before the run started.")
    var loadBefore: Double?

    @Option(help: "Free text about the run (e.g. what else was running).")
    var note: [String] = []

    func run() throws {
        let text = try String(contentsOfFile: results, encoding: .utf8)
        let decoder = JSONDecoder()
        let entries = try text.split(separator: "\n").map { try decoder.decode(BenchResult.self, from: Data($0.utf8)) }
        let report = BenchReport(results: entries, commit: commit, loadBefore: loadBefore, notes: note)
        print(report.figuresTable())
        print(report.targetsTable())
        if let out {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: out))
            print("results written to \(out)")
        }
    }
}

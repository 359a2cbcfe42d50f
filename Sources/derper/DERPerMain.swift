#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import RelayCore
import ServiceLifecycle

/// derper: parse the reference's command line, build the relay, run it under ServiceLifecycle.
@main
enum DERPerMain {
    static func main() async {
        let environment = DERPerEnvironment.current()
        let outcome: DERPerOptions.ParseOutcome
        do {
            outcome = try DERPerOptions.parse(Array(CommandLine.arguments.dropFirst()), environment: environment)
        } catch {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            if error.showsUsage {
                FileHandle.standardError.write(Data(DERPerOptions.usageText(environment: environment).utf8))
            }
            exit(Int32(error.exitCode))
        }
        let options: DERPerOptions
        switch outcome {
        case .help(let usage):
            print(usage, terminator: "")
            exit(0)
        case .version:
            print("derper \(ToolkitVersion.string) (DERP protocol \(ToolkitVersion.derpProtocol))")
            exit(0)
        case .run(let parsed):
            options = parsed
        }

        let logLevel = options.logLevel
        if options.jsonLogs {
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = logLevel
                return handler
            }
        } else {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = logLevel
                return handler
            }
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var logger = Logger(label: "derper")
        logger.logLevel = logLevel

        do {
            try await DERPerRunner(options: options, logger: logger, registry: registry).run()
        } catch let error as DERPerStartupError {
            logger.critical("\(error.description)")
            exit(1)
        } catch {
            logger.critical("derper stopped: \(error)")
            exit(1)
        }
    }
}

/// A configuration problem that stops derper at startup, with a message saying what to do.
struct DERPerStartupError: Error, CustomStringConvertible {
    var description: String
}

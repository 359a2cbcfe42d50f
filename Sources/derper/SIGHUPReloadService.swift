import Logging
import ServiceLifecycle
import UnixSignals

/// Runs `reload` on every SIGHUP until shutdown; a failed reload keeps the old state and logs why.
struct SIGHUPReloadService: Service {
    let name: String
    let logger: Logger
    let reload: @Sendable () throws -> Void

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                try reload()
                logger.notice("reloaded \(name)")
            } catch {
                logger.error("reload of \(name) failed; keeping the previous one", metadata: ["error": "\(error)"])
            }
        }
    }
}

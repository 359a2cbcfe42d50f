import Logging
import RelayCore
import ServiceLifecycle
import UnixSignals

/// Reloads the manual TLS certificate on SIGHUP. New connections get the new certificate;
/// established ones keep theirs. A failed reload keeps the old certificate and logs why.
struct CertificateReloadService: Service {
    let store: TLSServerContextStore
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await withGracefulShutdownHandler {
            for await _ in signals.cancelOnGracefulShutdown() {
                do {
                    let loaded = try store.reload()
                    logger.notice("reloaded TLS certificate", metadata: ["pin": "\(loaded.pin)"])
                } catch {
                    logger.error("TLS certificate reload failed; keeping the previous one", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {}
    }
}

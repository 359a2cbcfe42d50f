import Logging
import RelayCore
import ServiceLifecycle
import UnixSignals

/// Re-reads `-allow-keys-file` on SIGHUP. New connections see the new list at once; connected
/// clients are not re-checked. A file that fails to load keeps the previous list and logs why.
struct AllowListReloadService: Service {
    let policy: AllowListAdmissionPolicy
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                let count = try policy.reload()
                logger.notice("reloaded allowlist", metadata: ["path": "\(policy.path)", "keys": "\(count)"])
            } catch {
                logger.error("allowlist reload failed; keeping the previous list", metadata: [
                    "error": "\(error)", "keys": "\(policy.count)",
                ])
            }
        }
    }
}

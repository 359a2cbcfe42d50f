import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// The server's current `NIOSSLContext`, replaceable at run time (SIGHUP) without a restart.
///
/// Each new connection takes the context current at accept time (``makeServerHandler()``); a
/// connection keeps the context it started with, so a reload never disturbs live connections.
/// A failed ``reload()`` leaves the previous context in place and reports why.
///
/// The reference derper loads manual certificates once, at start; reloading is our addition.
package final class TLSServerContextStore: Sendable {
    /// Where a reload reads from: the `-certmode manual` directory and hostname, and the metacert
    /// to keep appending.
    package struct ManualSource: Sendable {
        package var directory: String
        package var hostname: String
        package var metacert: DERPMetaCertificate?

        package init(directory: String, hostname: String, metacert: DERPMetaCertificate?) {
            self.directory = directory
            self.hostname = hostname
            self.metacert = metacert
        }
    }

    private struct Current {
        var context: NIOSSLContext
        var loaded: CertificateLoader.Loaded?
    }

    private let source: ManualSource?
    // Swapped by reload() from a service task, read by accepting event loops; the lock makes the
    // swap atomic and is held only to copy a reference.
    private let current: NIOLockedValueBox<Current>

    /// A fixed context that ``reload()`` cannot change (tests, or certificates from elsewhere).
    package init(context: NIOSSLContext) {
        source = nil
        current = NIOLockedValueBox(Current(context: context, loaded: nil))
    }

    /// A fixed context from a chain and key obtained some other way; see
    /// ``DERPTLSConfiguration/makeServerConfiguration(chain:key:metacert:requiredServerName:)``.
    package convenience init(
        chain: [NIOSSLCertificate],
        key: NIOSSLPrivateKey,
        metacert: DERPMetaCertificate?,
        requiredServerName: String? = nil
    ) throws(TLSSetupError) {
        let configuration = DERPTLSConfiguration.makeServerConfiguration(
            chain: chain, key: key, metacert: metacert, requiredServerName: requiredServerName)
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .contextCreationFailed(reason: "\(error)")
        }
        self.init(context: context)
    }

    /// Loads (and, for an IP hostname with no files, generates) the manual certificate and builds
    /// the first context. Reads files: call at startup, not on an event loop.
    package init(manual source: ManualSource) throws(TLSSetupError) {
        let loaded = try CertificateLoader.loadManual(directory: source.directory, hostname: source.hostname)
        let context = try Self.makeContext(loaded: loaded, metacert: source.metacert)
        self.source = source
        current = NIOLockedValueBox(Current(context: context, loaded: loaded))
    }

    /// The context new connections get.
    package var context: NIOSSLContext { current.withLockedValue { $0.context } }

    /// What the current context was built from (nil for a fixed context).
    package var loaded: CertificateLoader.Loaded? { current.withLockedValue { $0.loaded } }

    /// A TLS handler for one accepted connection, using the current context.
    package func makeServerHandler() -> NIOSSLServerHandler {
        NIOSSLServerHandler(context: context)
    }

    /// Re-reads the certificate files and, if they load, verify for the hostname, match the key and
    /// make a context, swaps it in and returns what was loaded. On any failure the old context
    /// stays and the error says why. Never generates files: a missing file is an error here, so a
    /// reload cannot silently change an IP certificate's pin. Reads files: call off event loops.
    @discardableResult
    package func reload() throws(TLSSetupError) -> CertificateLoader.Loaded {
        guard let source else {
            throw .contextCreationFailed(reason: "this TLS context was not loaded from files, so it cannot be reloaded")
        }
        let loaded = try CertificateLoader.loadManual(
            directory: source.directory, hostname: source.hostname, generateIfMissing: false)
        let context = try Self.makeContext(loaded: loaded, metacert: source.metacert)
        current.withLockedValue { $0 = Current(context: context, loaded: loaded) }
        return loaded
    }

    private static func makeContext(
        loaded: CertificateLoader.Loaded,
        metacert: DERPMetaCertificate?
    ) throws(TLSSetupError) -> NIOSSLContext {
        do {
            return try NIOSSLContext(
                configuration: DERPTLSConfiguration.makeServerConfiguration(loaded: loaded, metacert: metacert))
        } catch {
            throw .contextCreationFailed(reason: "\(error)")
        }
    }
}

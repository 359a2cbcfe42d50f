import NIOCore
import NIOSSL

/// `TLSConfiguration` builders for both ends of a DERP connection (spec/derp.md §2–3).
package enum DERPTLSConfiguration {
    /// The only ALPN protocol a DERP server offers. DERP clients send no ALPN and speak HTTP/1.1;
    /// never offer h2 (Go's autocert does, in Let's Encrypt mode, and that is nothing to copy).
    package static let applicationProtocols = ["http/1.1"]

    /// A server configuration: TLS 1.2 or later (NIOSSL defaults to 1.0), ALPN `http/1.1`, and the
    /// chain followed by the metacert, if given, so TLS 1.3 clients can fast-start.
    ///
    /// `requiredServerName` makes the handshake fail unless the ClientHello's SNI equals it
    /// (ASCII case-insensitively), as the reference does in manual mode for a DNS hostname. Pass
    /// nil for an IP hostname, where clients send no SNI and any is accepted.
    package static func makeServerConfiguration(
        chain: [NIOSSLCertificate],
        key: NIOSSLPrivateKey,
        metacert: DERPMetaCertificate?,
        requiredServerName: String? = nil
    ) -> TLSConfiguration {
        var sources = chain.map { NIOSSLCertificateSource.certificate($0) }
        if let metacert { sources.append(.certificate(metacert.sslCertificate)) }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: sources, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = applicationProtocols
        if let requiredServerName {
            configuration.sslContextCallback = { values, promise in
                if let sni = values.serverHostname, sni.lowercased() == requiredServerName.lowercased() {
                    promise.succeed(.noChanges)
                } else {
                    promise.fail(ServerNameMismatch(expected: requiredServerName, received: values.serverHostname))
                }
            }
        }
        return configuration
    }

    /// The server configuration for a certificate loaded by ``CertificateLoader``.
    package static func makeServerConfiguration(
        loaded: CertificateLoader.Loaded,
        metacert: DERPMetaCertificate?
    ) -> TLSConfiguration {
        makeServerConfiguration(
            chain: loaded.chain, key: loaded.privateKey, metacert: metacert,
            requiredServerName: loaded.requiredServerName)
    }

    /// A client configuration: TLS 1.2 or later, no ALPN, and `.noHostnameVerification` so that our
    /// custom verification callback runs (NIOSSL skips it under `.none`). The callback replaces
    /// BoringSSL's own chain check, so no trust roots are loaded here.
    package static func makeClientConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .certificates([])
        return configuration
    }

    /// One-shot convenience: builds a ``DERPTLSClientContext`` (and so a new `NIOSSLContext`) and
    /// a handler from it. Connections made often should keep a ``DERPTLSClientContext`` instead.
    package static func makeClientHandler(
        verification: DERPTLSVerification,
        serverHostname: String,
        capture: PeerCertificateCapture? = nil
    ) throws(TLSSetupError) -> NIOSSLClientHandler {
        try DERPTLSClientContext(verification: verification)
            .makeClientHandler(serverHostname: serverHostname, capture: capture)
    }

    /// The handshake error when a ClientHello names another host than ours.
    package struct ServerNameMismatch: Error, CustomStringConvertible {
        package let expected: String
        package let received: String?
        package var description: String {
            "TLS ClientHello asked for \(received.map { "\"\($0)\"" } ?? "no server name"), this server is \"\(expected)\""
        }
    }
}

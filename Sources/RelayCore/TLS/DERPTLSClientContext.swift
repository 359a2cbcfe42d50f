import Foundation
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// A client-side TLS context for one ``DERPTLSVerification``: build it once (it owns an
/// `NIOSSLContext`, which is costly to make), then make a handler per connection.
///
/// Every mode verifies in NIOSSL's custom verification callback, which receives all the
/// certificates the server sent; the handler records them in a ``PeerCertificateCapture`` so the
/// caller can look for the metacert after the handshake:
///
/// | mode | callback |
/// | --- | --- |
/// | ``DERPTLSVerification/webPKI(additionalTrustRoots:)`` | ``WebPKICertificateVerifier`` for the dialed name |
/// | ``DERPTLSVerification/certName(_:additionalTrustRoots:)`` | the same, for `CertName` |
/// | ``DERPTLSVerification/pinned(_:)`` | ``PinnedCertificateVerifier`` for the dialed name |
/// | ``DERPTLSVerification/insecureForTests`` | accepts anything (records only) |
///
/// On platforms other than Linux, swift-certificates cannot read the system trust store, so the
/// two WebPKI modes use NIOSSL's own verification there (Security.framework on Darwin) and record
/// nothing: no metacert, hence no fast start, and `CertName` is sent as SNI.
package struct DERPTLSClientContext: Sendable {
    package let verification: DERPTLSVerification
    package let sslContext: NIOSSLContext
    private let webPKIVerifier: WebPKICertificateVerifier?

    package init(verification: DERPTLSVerification) throws(TLSSetupError) {
        self.verification = verification
        var configuration = DERPTLSConfiguration.makeClientConfiguration()
        var verifier: WebPKICertificateVerifier?
        switch verification {
        case .webPKI(let extraRoots), .certName(_, let extraRoots):
            if Self.usesPlatformVerifier {
                configuration.certificateVerification = .fullVerification
                configuration.trustRoots = .default
                do {
                    let roots = try extraRoots.map { try NIOSSLCertificate(bytes: Self.der(of: $0), format: .der) }
                    configuration.additionalTrustRoots = [.certificates(roots)]
                } catch {
                    throw .contextCreationFailed(reason: "an additional trust root cannot be converted for NIOSSL: \(error)")
                }
            } else {
                verifier = WebPKICertificateVerifier(additionalTrustRoots: extraRoots)
            }
        case .pinned, .insecureForTests:
            break
        }
        webPKIVerifier = verifier
        do {
            sslContext = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .contextCreationFailed(reason: "\(error)")
        }
    }

    /// A handler for one connection to `serverHostname`, the name being dialed (`HostName`). It is
    /// sent as SNI unless it is an IP address; NIOSSL refuses IPs there and Go omits them.
    package func makeClientHandler(
        serverHostname: String,
        capture: PeerCertificateCapture? = nil
    ) throws(TLSSetupError) -> NIOSSLClientHandler {
        let dialed = try TLSServerName(serverHostname)
        let callback: NIOSSLCustomVerificationCallback
        switch verification {
        case .webPKI, .certName:
            let checked: TLSServerName
            if case .certName(let name, _) = verification { checked = name } else { checked = dialed }
            guard let verifier = webPKIVerifier else {
                // Platform verifier: NIOSSL checks the name it is given (nil for an IP makes it
                // match the connected peer address against IP SANs).
                return try makeHandler(serverHostname: checked.sniValue, callback: nil)
            }
            callback = { presented, promise in
                let ders = Self.derBytes(presented)
                capture?.record(presented: ders)
                // swift-certificates' Verifier is async; NIO's bridge runs it in a Task and
                // completes the promise. The handshake waits for it; nothing else does.
                promise.completeWithTask {
                    if let failure = await verifier.verify(presented: ders, name: checked) {
                        capture?.record(failure: failure)
                        return .failed
                    }
                    return .certificateVerified
                }
            }
        case .pinned(let pin):
            callback = { presented, promise in
                let ders = Self.derBytes(presented)
                capture?.record(presented: ders)
                do throws(PinnedCertificateVerifier.Failure) {
                    try PinnedCertificateVerifier.verify(presented: ders, pin: pin, serverName: dialed)
                    promise.succeed(.certificateVerified)
                } catch {
                    capture?.record(failure: error.reason)
                    promise.succeed(.failed)
                }
            }
        case .insecureForTests:
            callback = { presented, promise in
                capture?.record(presented: Self.derBytes(presented))
                promise.succeed(.certificateVerified)
            }
        }
        return try makeHandler(serverHostname: dialed.sniValue, callback: callback)
    }

    private func makeHandler(
        serverHostname: String?,
        callback: NIOSSLCustomVerificationCallback?
    ) throws(TLSSetupError) -> NIOSSLClientHandler {
        do {
            guard let callback else {
                return try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
            }
            return try NIOSSLClientHandler(
                context: sslContext, serverHostname: serverHostname, customVerificationCallback: callback)
        } catch {
            throw .handlerCreationFailed(reason: "\(error)")
        }
    }

    private static var usesPlatformVerifier: Bool {
        #if os(Linux)
        return false
        #else
        return true
        #endif
    }

    /// DER of each certificate; one that cannot be encoded (never seen) becomes empty, which no
    /// verifier accepts.
    private static func derBytes(_ certificates: [NIOSSLCertificate]) -> [[UInt8]] {
        certificates.map { (try? $0.toDERBytes()) ?? [] }
    }

    private static func der(of certificate: X509.Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}

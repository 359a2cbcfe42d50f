import NIOConcurrencyHelpers
import NIOSSL

/// What a client's verification callback saw: the certificates the server presented (DER, in the
/// order sent, metacert included) and, when it refused them, why.
///
/// NIOSSL exposes only the leaf after a handshake (`peerCertificate`), but a DERP client needs the
/// whole list to find the metacert (``DERPMetaCertificate/identity(inPresentedCertificates:)``).
/// Our verification callbacks receive the full list, so they record it here. Make one per
/// connection, pass it to ``DERPTLSClientContext/makeClientHandler(serverHostname:capture:)``, and
/// read it once the handshake has completed.
package final class PeerCertificateCapture: Sendable {
    private struct State {
        var presented: [[UInt8]] = []
        var failure: String?
    }

    // The callback runs on the connection's event loop and the reader may be elsewhere; the lock
    // makes each read and write atomic.
    private let state = NIOLockedValueBox(State())

    package init() {}

    /// The presented certificates, DER-encoded, in the order the server sent them. Empty before
    /// the verification callback ran.
    package var presentedCertificates: [[UInt8]] { state.withLockedValue { $0.presented } }

    /// Why our verification refused the server, or nil if it accepted (or has not run).
    package var verificationFailure: String? { state.withLockedValue { $0.failure } }

    /// The metacert identity among the presented certificates, if the connection negotiated
    /// TLS 1.3, as Tailscale requires (certificates are encrypted only from 1.3 on). Pass the
    /// handler's `tlsVersion` after the handshake.
    package func metaCertificateIdentity(tlsVersion: TLSVersion?) -> DERPMetaCertificate.Identity? {
        guard tlsVersion == .tlsv13 else { return nil }
        return DERPMetaCertificate.identity(inPresentedCertificates: presentedCertificates)
    }

    func record(presented: [[UInt8]]) {
        state.withLockedValue { $0.presented = presented }
    }

    func record(failure: String) {
        state.withLockedValue { $0.failure = failure }
    }
}

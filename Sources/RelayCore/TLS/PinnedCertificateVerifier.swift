import SwiftASN1
import Foundation
import X509

/// The check a Tailscale client makes when a node's `CertName` is `sha256-raw:<hex>`
/// (spec/derp.md §3.4; tailscale/tailscale net/tlsdial `SetConfigExpectedCertHash`):
///
/// 1. no chain building and no trust store;
/// 2. every presented certificate whose subject CN starts with `derpkey` (the metacert) is skipped;
/// 3. exactly one other certificate must be presented ("unexpected multiple certs presented");
/// 4. the SHA-256 of its full DER must equal the pin;
/// 5. it must be valid for the dialed name, if there is one: IP SAN for an IP, DNS SAN for a name;
/// 6. NotBefore ≤ now ≤ NotAfter.
///
/// On step 5 we are stricter than Go for IPs: Go's `ConnectionState.ServerName` is empty when it
/// dialed an IP, so Go skips the check there; we require the IP SAN, which every derper-made IP
/// certificate (Go's or ours) has.
///
/// A pure function of the presented DER so it can be tested without a handshake.
package enum PinnedCertificateVerifier {
    package struct Failure: Error, Equatable, CustomStringConvertible {
        package let reason: String
        package var description: String { reason }
    }

    package static func verify(
        presented: [[UInt8]],
        pin: CertificatePin,
        serverName: TLSServerName?,
        now: Date = Date()
    ) throws(Failure) {
        var sawPinnedCertificate = false
        for (index, der) in presented.enumerated() {
            let certificate: Certificate
            do {
                certificate = try Certificate(derEncoded: der)
            } catch {
                throw Failure(reason: "presented certificate \(index) does not parse: \(error)")
            }
            if let commonName = DERPMetaCertificate.commonName(of: certificate),
                commonName.hasPrefix(DERPMetaCertificate.commonNamePrefix)
            {
                continue
            }
            guard !sawPinnedCertificate else {
                throw Failure(reason: "unexpected multiple certs presented (a pinned server must send only its leaf)")
            }
            guard pin.matches(certificateDER: der) else {
                throw Failure(
                    reason: "cert hash does not match expected cert hash: presented "
                        + "\(CertificatePin(certificateDER: der)), expected \(pin)")
            }
            if let serverName {
                do throws(CertificateHostnameMatcher.Mismatch) {
                    try CertificateHostnameMatcher.verify(certificate, for: serverName)
                } catch {
                    throw Failure(reason: "cert does not match server name \"\(serverName)\": \(error.reason)")
                }
            }
            guard now <= certificate.notValidAfter else {
                throw Failure(reason: "cert expired \(certificate.notValidAfter)")
            }
            guard now >= certificate.notValidBefore else {
                throw Failure(reason: "cert not yet valid until \(certificate.notValidBefore); is your clock correct?")
            }
            sawPinnedCertificate = true
        }
        guard sawPinnedCertificate else { throw Failure(reason: "expected cert not presented") }
    }
}

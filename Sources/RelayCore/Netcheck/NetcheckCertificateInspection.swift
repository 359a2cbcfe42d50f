import Foundation
import SwiftASN1
import X509

/// What a report says about the certificate a DERP node presented: the leaf's expiry and, for a
/// `sha256-raw:` `CertName`, whether the leaf is the pinned one. Pure, over the DER the TLS
/// verification callback captured (``PeerCertificateCapture``), so it works also when the
/// handshake was refused.
package enum NetcheckCertificateInspection {
    package struct Leaf: Hashable, Sendable {
        package var notAfter: Date
        /// nil unless `CertName` is a `sha256-raw:` pin.
        package var pinMatches: Bool?
    }

    /// The leaf is the first presented certificate that parses and is not the metacert (CN
    /// `derpkey…`). nil when there is none.
    package static func leaf(presented: [[UInt8]], certName: String) -> Leaf? {
        for der in presented {
            guard let certificate = try? Certificate(derEncoded: der) else { continue }
            if let commonName = DERPMetaCertificate.commonName(of: certificate),
                commonName.hasPrefix(DERPMetaCertificate.commonNamePrefix)
            {
                continue
            }
            var pinMatches: Bool?
            if certName.hasPrefix(CertificatePin.prefix) {
                pinMatches = (try? CertificatePin(text: certName))?.matches(certificateDER: der) ?? false
            }
            return Leaf(notAfter: certificate.notValidAfter, pinMatches: pinMatches)
        }
        return nil
    }

    /// Whole days from `now` to `notAfter`, rounded down (negative once expired).
    package static func daysLeft(until notAfter: Date, now: Date) -> Int {
        let days = (notAfter.timeIntervalSince(now) / 86_400).rounded(.down)
        guard days.isFinite else { return 0 }
        return Int(max(-1_000_000, min(1_000_000, days)))
    }
}

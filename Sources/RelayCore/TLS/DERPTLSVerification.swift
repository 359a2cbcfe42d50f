import Foundation
import SwiftASN1
import X509

/// How a DERP client verifies a server, chosen from a `DERPNode`'s `CertName` and
/// `InsecureForTests` exactly as Tailscale chooses (spec/derp.md §3.4). The name being dialed
/// (`HostName`, or a URL's host) is not part of this value: it is given per connection to
/// ``DERPTLSClientContext/makeClientHandler(serverHostname:capture:)``, which also sends it as SNI
/// unless it is an IP address.
package enum DERPTLSVerification: Sendable {
    /// `CertName` empty: the chain must lead to a system root, or to one of `additionalTrustRoots`
    /// (`-mesh-ca-file` and the like), and the leaf must be valid for the dialed name.
    case webPKI(additionalTrustRoots: [Certificate])

    /// `CertName` is a DNS name: as ``webPKI(additionalTrustRoots:)``, but the leaf must be valid
    /// for this name rather than for the dialed one. SNI still carries the dialed name.
    case certName(TLSServerName, additionalTrustRoots: [Certificate])

    /// `CertName` is `sha256-raw:<hex>`: no chain, exactly one non-metacert certificate, whose
    /// DER hashes to the pin (``PinnedCertificateVerifier``).
    case pinned(CertificatePin)

    /// `InsecureForTests: true`. **No verification at all**: anyone on the path can impersonate
    /// the server and read every frame. For tests against servers with throwaway certificates
    /// only; never from a command-line flag a user might set in production.
    case insecureForTests

    /// Chooses the mode from a `DERPNode`'s fields, as Tailscale's DERP client does:
    /// `InsecureForTests` wins, then a `sha256-raw:` pin, then a DNS `CertName`, else WebPKI.
    package init(
        certName: String,
        insecureForTests: Bool = false,
        additionalTrustRoots: [Certificate] = []
    ) throws(TLSSetupError) {
        if insecureForTests {
            self = .insecureForTests
        } else if certName.isEmpty {
            self = .webPKI(additionalTrustRoots: additionalTrustRoots)
        } else if certName.hasPrefix(CertificatePin.prefix) {
            self = .pinned(try CertificatePin(text: certName))
        } else {
            let name: TLSServerName
            do {
                name = try TLSServerName(certName)
            } catch {
                throw .invalidCertName(certName, reason: "neither \"\(CertificatePin.prefix)<hex>\" nor a valid DNS name")
            }
            self = .certName(name, additionalTrustRoots: additionalTrustRoots)
        }
    }

    /// Reads a PEM bundle of extra trust roots (`-mesh-ca-file`). Every block must be a
    /// certificate that parses, and there must be at least one.
    package static func loadTrustRoots(pemFile path: String) throws(TLSSetupError) -> [Certificate] {
        let text: String
        do {
            text = try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
        } catch {
            throw .invalidTrustRoots(path: path, reason: error.localizedDescription)
        }
        let roots: [Certificate]
        do {
            roots = try PEMDocument.parseMultiple(pemString: text).map { try Certificate(pemDocument: $0) }
        } catch {
            throw .invalidTrustRoots(path: path, reason: "\(error)")
        }
        guard !roots.isEmpty else {
            throw .invalidTrustRoots(path: path, reason: "no \"-----BEGIN CERTIFICATE-----\" block found")
        }
        return roots
    }
}

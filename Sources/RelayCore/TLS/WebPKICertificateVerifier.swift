import Foundation
import SwiftASN1
import X509

/// Ordinary certificate verification, done with swift-certificates instead of BoringSSL so that it
/// can run inside NIOSSL's custom verification callback, which is the only place that sees every
/// certificate the server sent (we need them for the metacert) and which lets us verify for a name
/// other than the SNI (`CertName` as a DNS name). Like Go's `x509.Verify` as Tailscale calls it
/// (tailscale/tailscale net/tlsdial `Config` and `SetConfigExpectedCert`):
///
/// - the leaf is the first presented certificate; every other one is offered as an intermediate
///   (a metacert among them never chains, so it is harmless);
/// - roots are the system's (Linux: `/etc/ssl/certs/ca-certificates.crt` or
///   `/etc/pki/tls/certs/ca-bundle.crt`) plus any extra roots (`-mesh-ca-file`);
/// - RFC 5280 path validation at the current time, an ExtKeyUsage that allows serverAuth, and the leaf valid
///   for the name by ``CertificateHostnameMatcher`` (Go's rules: no CommonName fallback).
///
/// Tailscale also falls back to a baked-in ISRG Root X1; pass it as an extra root if you need that.
package struct WebPKICertificateVerifier: Sendable {
    package let roots: CertificateStore

    package init(additionalTrustRoots: [Certificate], includeSystemRoots: Bool = true) {
        let base = includeSystemRoots ? CertificateStore.systemTrustRoots : CertificateStore()
        roots = base.appending(contentsOf: additionalTrustRoots)
    }

    /// Returns nil when the presented chain verifies for `name`, else the reason it does not.
    package func verify(presented: [[UInt8]], name: TLSServerName) async -> String? {
        guard let leafDER = presented.first else { return "the server presented no certificate" }
        let leaf: Certificate
        do {
            leaf = try Certificate(derEncoded: leafDER)
        } catch {
            return "the server's certificate does not parse: \(error)"
        }
        let intermediates = presented.dropFirst().compactMap { try? Certificate(derEncoded: $0) }
        var verifier = Verifier(rootCertificates: roots) {
            RFC5280Policy()
            ServerNamePolicy(name: name)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        switch result {
        case .validCertificate:
            return nil
        case .couldNotValidate(let failures):
            guard !failures.isEmpty else {
                return "no chain from \(leaf.subject) to a trusted root (issuer \(leaf.issuer))"
            }
            return failures.map { "\($0.policyFailureReason)" }.joined(separator: "; ")
        }
    }
}

/// Leaf checks of Go's `x509.Verify` with `DNSName` set and the default `KeyUsages`: the name
/// matches, and an ExtKeyUsage extension, if present, allows serverAuth (or any).
private struct ServerNamePolicy: VerifierPolicy {
    let name: TLSServerName

    var verifyingCriticalExtensions: [ASN1ObjectIdentifier] {
        [.X509ExtensionID.subjectAlternativeName, .X509ExtensionID.extendedKeyUsage]
    }

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        let leaf = chain.leaf
        do throws(CertificateHostnameMatcher.Mismatch) {
            try CertificateHostnameMatcher.verify(leaf, for: name)
        } catch {
            let message = "certificate is not valid for \(name): \(error.reason)"
            return .failsToMeetPolicy(reason: message)
        }
        do {
            if let usages = try leaf.extensions.extendedKeyUsage,
                !usages.contains(.serverAuth), !usages.contains(.any)
            {
                return .failsToMeetPolicy(reason: "certificate's ExtKeyUsage does not allow serverAuth")
            }
        } catch {
            let message = "certificate's ExtKeyUsage does not parse: \(error)"
            return .failsToMeetPolicy(reason: message)
        }
        return .meetsPolicy
    }
}

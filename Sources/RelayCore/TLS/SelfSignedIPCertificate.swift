import Crypto
import Foundation
import SwiftASN1
import X509

/// The certificate `-certmode manual` makes for an IP-address hostname when no files exist
/// (spec/derp.md §3.3; tailscale/tailscale cmd/derper/cert.go `createSelfSignedIPCert`).
///
/// Like Go's: ECDSA P-256 key, random positive 128-bit serial, CN = the IP, IP SAN = the IP,
/// KeyUsage digitalSignature + keyEncipherment, ExtKeyUsage serverAuth, at most a year of validity
/// (macOS rejects longer). Unlike Go's, so that clients may also trust it as a root instead of
/// pinning it:
/// - BasicConstraints CA:true (pathLen 0) with KeyUsage keyCertSign. BoringSSL rejects Go's
///   variant (CA:false, no keyCertSign) as a trust anchor (see STYLE.md "Facts checked").
/// - Subject Key Identifier and Authority Key Identifier (the same value, self-signed).
/// - Subject O/OU carry a key-derived id, so two nodes on the same IP (a rebuilt VM, NAT) have
///   distinct subjects and trust stores that index roots by subject keep both.
/// - NotBefore is a minute in the past, for clients with slightly slow clocks, and
///   NotAfter is NotBefore + 364 days, well within the one-year limit.
/// Pinning clients (`CertName: sha256-raw:…`) ignore all of these; they hash the DER.
package struct SelfSignedIPCertificate: Sendable {
    package static let validity: TimeInterval = 364 * 24 * 60 * 60
    package static let clockSlack: TimeInterval = 60

    package let certificate: Certificate
    package let privateKey: P256.Signing.PrivateKey
    package let certificateDER: [UInt8]

    /// Generates a fresh key and certificate for `ipAddress` (an IPv4 or IPv6 literal).
    package static func generate(ipAddress: String, now: Date = Date()) throws(TLSSetupError) -> Self {
        guard let addressBytes = TLSServerName.parseIPAddress(ipAddress) else { throw .notAnIPAddress(ipAddress) }
        let key = P256.Signing.PrivateKey()
        let signingKey = Certificate.PrivateKey(key)
        let publicKey = signingKey.publicKey
        let keyIdentifier = SubjectKeyIdentifier(hash: publicKey)
        let nodeID = Hex.encode(SHA256.hash(data: publicKey.subjectPublicKeyInfoBytes).prefix(8))
        let notBefore = now.addingTimeInterval(-clockSlack)
        do {
            let name = try DistinguishedName {
                OrganizationName("derper self-signed")
                OrganizationalUnitName("node \(nodeID)")
                CommonName(ipAddress)
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: addressBytes[...]))])
                keyIdentifier
                AuthorityKeyIdentifier(keyIdentifier: keyIdentifier.keyIdentifier)
            }
            let certificate = try Certificate(
                version: .v3,
                serialNumber: randomSerialNumber(),
                publicKey: publicKey,
                notValidBefore: notBefore,
                notValidAfter: notBefore.addingTimeInterval(validity),
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: signingKey
            )
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return Self(certificate: certificate, privateKey: key, certificateDER: serializer.serializedBytes)
        } catch {
            throw .generationFailed(reason: "\(error)")
        }
    }

    /// The certificate as one PEM block with a trailing newline.
    package func certificatePEM() throws(TLSSetupError) -> String {
        do {
            return try certificate.serializeAsPEM().pemString + "\n"
        } catch {
            throw .generationFailed(reason: "cannot encode certificate as PEM: \(error)")
        }
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), what swift-crypto writes.
    /// Go's derper writes SEC1 (`-----BEGIN EC PRIVATE KEY-----`) instead; NIOSSL loads both,
    /// and Go's `tls.LoadX509KeyPair` loads both, so files move freely between the two servers.
    package var privateKeyPEM: String { privateKey.pemRepresentation + "\n" }

    /// The `sha256-raw:` pin for this certificate.
    package var pin: CertificatePin { CertificatePin(certificateDER: certificateDER) }

    /// Writes the key (0600) and then the certificate (0644), creating the directory (0700) if
    /// needed. Each file is written to a temporary name and renamed into place.
    package func write(to files: CertificateFileNames) throws(TLSSetupError) {
        let certificateText = try certificatePEM()
        try TLSFileWriter.createDirectory(files.directory)
        try TLSFileWriter.writeFile(privateKeyPEM, to: files.keyPath, mode: 0o600)
        try TLSFileWriter.writeFile(certificateText, to: files.certificatePath, mode: 0o644)
    }

    /// 128 random bits, never zero. `SerialNumber` holds an unsigned magnitude and the DER encoder
    /// adds a leading zero byte when the top bit is set, so the INTEGER is always positive.
    private static func randomSerialNumber() -> Certificate.SerialNumber {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        if bytes.allSatisfy({ $0 == 0 }) { bytes[15] = 1 }
        return Certificate.SerialNumber(bytes: bytes)
    }
}
